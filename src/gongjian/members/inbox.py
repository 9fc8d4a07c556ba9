"""What waits in the ledgers (registered into ``gongjian.web.inbox`` from ``apps.py``).

Administrators: members' and units' registrations (双报到) to confirm in their communities,
transfers to receive into their organisations. Unit liaisons: transfers into their unit's
organisations, the quarterly feedback sheet in the first weeks of a quarter. Members: their own
registration waiting for the community, their transfer under way.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import pgettext

from gongjian.web import inbox
from gongjian.web.inbox import ADMIN, LIAISON, MEMBER, InboxContext, InboxItem, item

from .models import MemberReport, ReportStatus, Transfer, TransferStatus, UnitReport

#: The feedback sheet waits on the liaison's home in the first days of each quarter.
FEEDBACK_DAYS = 15


def _url(name: str, *args: int, **query: str) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def admin_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_admin:
        return
    side = Q() if ctx.scope.everything else ctx.scope.area_q("community__")
    area_ids = ctx.scope.area_ids
    reports_url = _url("members:report_list", area_ids[0]) if len(area_ids) == 1 else reverse("members:home")
    yield from item(
        kind="members.reports_to_confirm",
        audience=ADMIN,
        title=pgettext("inbox", "Members' registrations to confirm"),
        action=pgettext("inbox", "Confirm"),
        url=reports_url,
        rows=MemberReport.objects.filter(side, status=ReportStatus.PENDING, until__isnull=True),
        since="since",
        today=ctx.today,
    )
    yield from item(
        kind="members.unit_reports_to_confirm",
        audience=ADMIN,
        title=pgettext("inbox", "Units' registrations to confirm"),
        action=pgettext("inbox", "Confirm"),
        url=reverse("members:unit_report_list"),
        rows=UnitReport.objects.filter(side, status=ReportStatus.PENDING, until__isnull=True),
        since="since",
        today=ctx.today,
    )
    receiving = ctx.territorial_q("to_org")
    yield from item(
        kind="members.transfers_to_receive",
        audience=ADMIN,
        title=pgettext("inbox", "Transfers to receive"),
        action=pgettext("inbox", "Receive"),
        url=_url("members:transfer_list", status=TransferStatus.ISSUED),
        rows=Transfer.objects.filter(receiving, status=TransferStatus.ISSUED),
        since="issued_on",
        today=ctx.today,
    )


def liaison_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_liaison:
        return
    units = sorted(ctx.scope.unit_ids)
    yield from item(
        kind="members.unit_transfers",
        audience=LIAISON,
        title=pgettext("inbox", "Transfers into your unit to receive"),
        action=pgettext("inbox", "Receive"),
        url=_url("members:transfer_list", status=TransferStatus.ISSUED),
        rows=Transfer.objects.filter(to_org__unit_id__in=units, status=TransferStatus.ISSUED),
        since="issued_on",
        today=ctx.today,
    )
    quarter_start = ctx.today.replace(month=(ctx.today.month - 1) // 3 * 3 + 1, day=1)
    if (ctx.today - quarter_start).days < FEEDBACK_DAYS and len(units) == 1:
        yield InboxItem(
            kind="members.feedback_sheet",
            audience=LIAISON,
            title=pgettext("inbox", "The quarterly feedback sheet of your members' service"),
            count=1,
            url=reverse("members:feedback_sheet", args=[units[0]]),
            action=pgettext("inbox", "Open"),
            oldest=quarter_start,
        )


def member_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_member:
        return
    yield from item(
        kind="members.my_report",
        audience=MEMBER,
        title=pgettext("inbox", "Your registration (双报到) waiting for the community"),
        action=pgettext("inbox", "See"),
        url=reverse("service:mine"),
        rows=MemberReport.objects.filter(
            member__user_id=ctx.user_id, status=ReportStatus.PENDING, until__isnull=True
        ),
        since="since",
        today=ctx.today,
        actionable=False,
    )
    yield from item(
        kind="members.my_transfer",
        audience=MEMBER,
        title=pgettext("inbox", "Your membership transfer under way"),
        action=pgettext("inbox", "See"),
        url=reverse("service:mine"),
        rows=Transfer.objects.filter(member__user_id=ctx.user_id, status=TransferStatus.ISSUED),
        since="issued_on",
        today=ctx.today,
        actionable=False,
    )


PROVIDERS = (admin_items, liaison_items, member_items)


def register() -> None:
    inbox.register(*PROVIDERS)
