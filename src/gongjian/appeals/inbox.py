"""What waits in residents' appeals (registered into ``gongjian.web.inbox`` from ``apps.py``).

Administrators over an appeal's area: appeals to assign, answer, report on, close and call back,
each with its earliest time limit (red once passed). Unit liaisons: appeals assigned to their
unit's organisations to answer. Residents: their own open appeals with their limit, and those
closed lately that they may rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import pgettext

from gongjian.web import inbox
from gongjian.web.inbox import ADMIN, LIAISON, RESIDENT, InboxContext, InboxItem, item

from . import selectors
from .models import OPEN_STATUSES, Appeal, AppealStatus

RATE_DAYS = 14


def _home(status: str) -> str:
    return f"{reverse('appeals:home')}?{urlencode({'status': status})}"


def admin_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_admin:
        return
    mine = Appeal.objects.filter(ctx.scope.area_q("area__"))
    steps = [
        ("appeals.to_assign", AppealStatus.REGISTERED, pgettext("inbox", "Appeals to assign")),
        ("appeals.to_answer", AppealStatus.ASSIGNED, pgettext("inbox", "Appeals to answer")),
        ("appeals.to_solve", AppealStatus.ANSWERED, pgettext("inbox", "Appeals to report on")),
    ]
    for kind, status, title in steps:
        yield from item(
            kind=kind,
            audience=ADMIN,
            title=title,
            action=_action_label(status),
            url=_home(status),
            rows=mine.filter(status=status),
            since="registered_at",
            due="due_at",
            today=ctx.today,
            soon_days=1,
        )
    yield from item(
        kind="appeals.to_close",
        audience=ADMIN,
        title=pgettext("inbox", "Appeals to close"),
        action=pgettext("inbox", "Close"),
        url=_home(AppealStatus.SOLVED),
        rows=mine.filter(status__in=[AppealStatus.SOLVED, AppealStatus.UNSOLVABLE]),
        since="solved_at",
        today=ctx.today,
    )
    yield from item(
        kind="appeals.to_call_back",
        audience=ADMIN,
        title=pgettext("inbox", "Residents to call back"),
        action=pgettext("inbox", "Call back"),
        url=_home(AppealStatus.CLOSED),
        rows=mine.filter(status=AppealStatus.CLOSED, called_back_at__isnull=True),
        since="closed_at",
        today=ctx.today,
    )


def handoff_items(ctx: InboxContext) -> Iterator[InboxItem]:
    """Hand-offs waiting for the person's organisations to accept or return them, by their limit."""
    if not (ctx.is_admin or ctx.is_liaison):
        return
    yield from item(
        kind="appeals.handoffs_to_accept",
        audience=ADMIN if ctx.is_admin else LIAISON,
        title=pgettext("inbox", "Appeals handed to you: accept or return"),
        action=pgettext("inbox", "Accept or return"),
        url=f"{reverse('appeals:home')}?{urlencode({'handoff': 'on'})}",
        rows=selectors.handoffs_waiting(actor=ctx.actor),
        since="asked_at",
        due="answer_by",
        today=ctx.today,
        soon_days=0,
    )


def _action_label(status: str) -> str:
    if status == AppealStatus.REGISTERED:
        return pgettext("inbox", "Assign")
    if status == AppealStatus.ASSIGNED:
        return pgettext("inbox", "Answer")
    return pgettext("inbox", "Report the outcome")


def liaison_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_liaison:
        return
    rows = Appeal.objects.filter(
        assigned_org__unit_id__in=sorted(ctx.scope.unit_ids),
        status__in=[AppealStatus.ASSIGNED, AppealStatus.ANSWERED],
    )
    yield from item(
        kind="appeals.assigned_to_unit",
        audience=LIAISON,
        title=pgettext("inbox", "Appeals assigned to your unit"),
        action=pgettext("inbox", "Answer"),
        url=_home(AppealStatus.ASSIGNED),
        rows=rows,
        since="assigned_at",
        due="due_at",
        today=ctx.today,
        soon_days=1,
    )


def resident_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_resident:
        return
    own = Appeal.objects.filter(resident_id=ctx.user_id)
    yield from item(
        kind="appeals.mine_open",
        audience=RESIDENT,
        title=pgettext("inbox", "Your appeals in hand"),
        action=pgettext("inbox", "Follow"),
        url=reverse("appeals:mine"),
        rows=own.filter(status__in=OPEN_STATUSES),
        since="registered_at",
        due="due_at",
        today=ctx.today,
        soon_days=1,
        actionable=False,
    )
    yield from item(
        kind="appeals.mine_to_rate",
        audience=RESIDENT,
        title=pgettext("inbox", "Your appeals closed: tell us how it went"),
        action=pgettext("inbox", "Rate"),
        url=reverse("appeals:mine"),
        rows=own.filter(
            Q(resident_rating=""),
            status=AppealStatus.CLOSED,
            closed_at__gte=ctx.now - dt.timedelta(days=RATE_DAYS),
        ),
        since="closed_at",
        today=ctx.today,
    )


PROVIDERS = (admin_items, liaison_items, handoff_items, resident_items)


def register() -> None:
    inbox.register(*PROVIDERS)
