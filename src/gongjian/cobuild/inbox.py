"""What waits in co-building (registered into ``gongjian.web.inbox`` from ``apps.py``).

Administrators: part-time seats to screen, approve (the level above), appoint and announce; topics
to screen and agendas to send before a meeting; open action items due within three days or
overdue; draft agreements to sign and agreements about to expire. Unit liaisons: the public notice
of a seat asked of their unit, their unit's action items, agreements to renew. Members and
residents: consultations open to their household.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import pgettext

from gongjian.web import inbox
from gongjian.web.inbox import ADMIN, LIAISON, MEMBER, RESIDENT, InboxContext, InboxItem, item

from .models import AgendaItem, AgendaStatus, JointMeeting, MeetingStatus, SeatStep
from .selectors import agreements as agreement_selectors
from .selectors import meetings as meeting_selectors

#: Action items due within this many days wait on the home page.
ACTION_DAYS = 3
#: Agreements ending within this many days wait to be renewed.
EXPIRING_DAYS = 60
#: Planned meetings starting within this many days show their agenda to send.
AGENDA_DAYS = 14


def _url(name: str, **query: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _side_q(ctx: InboxContext, prefix: str) -> Q:
    return Q() if ctx.scope.everything else ctx.scope.area_q(prefix)


def admin_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_admin:
        return
    actor = ctx.actor
    seats = agreement_selectors.seat_list(actor=actor).filter(_side_q(ctx, "committee__area__"))
    steps = (
        (
            SeatStep.RECOMMENDED,
            "cobuild.seats_to_screen",
            pgettext("inbox", "Part-time seats to screen"),
            pgettext("inbox", "Screen"),
        ),
        (
            SeatStep.APPROVED,
            "cobuild.seats_to_appoint",
            pgettext("inbox", "Part-time seats to appoint"),
            pgettext("inbox", "Appoint"),
        ),
        (
            SeatStep.APPOINTED,
            "cobuild.seats_to_announce",
            pgettext("inbox", "Part-time seats to announce publicly"),
            pgettext("inbox", "Announce"),
        ),
    )
    for step, kind, title, action in steps:
        yield from item(
            kind=kind,
            audience=ADMIN,
            title=title,
            action=action,
            url=_url("cobuild:seat_list", step=step),
            rows=seats.filter(step=step),
            since="recommended_on",
            today=ctx.today,
        )
    yield from item(
        kind="cobuild.seats_to_approve",
        audience=ADMIN,
        title=pgettext("inbox", "Part-time seats to approve (level above)"),
        action=pgettext("inbox", "Approve"),
        url=_url("cobuild:seat_list", step=SeatStep.SCREENED),
        rows=agreement_selectors.seat_approval_queue(actor=actor),
        since="screened_on",
        today=ctx.today,
    )
    meetings = JointMeeting.objects.filter(_side_q(ctx, "area__"), status=MeetingStatus.PLANNED)
    yield from item(
        kind="cobuild.topics_to_screen",
        audience=ADMIN,
        title=pgettext("inbox", "Topics proposed for a meeting, to screen"),
        action=pgettext("inbox", "Screen"),
        url=_url("cobuild:meeting_list", status=MeetingStatus.PLANNED),
        rows=AgendaItem.objects.filter(meeting__in=meetings, status=AgendaStatus.PROPOSED),
        since="meeting__starts_at",
        due="meeting__starts_at",
        today=ctx.today,
    )
    yield from item(
        kind="cobuild.agendas_to_send",
        audience=ADMIN,
        title=pgettext("inbox", "Meeting agendas to send to the level above"),
        action=pgettext("inbox", "Send"),
        url=_url("cobuild:meeting_list", status=MeetingStatus.PLANNED),
        rows=meetings.filter(starts_at__lte=ctx.now + dt.timedelta(days=AGENDA_DAYS)),
        since="starts_at",
        due="starts_at",
        today=ctx.today,
        soon_days=2,
    )
    actions = meeting_selectors.action_item_list(actor=actor, state="open", today=ctx.today).filter(
        _side_q(ctx, "meeting__area__"), due_on__lte=ctx.today + dt.timedelta(days=ACTION_DAYS)
    )
    yield from item(
        kind="cobuild.actions_due",
        audience=ADMIN,
        title=pgettext("inbox", "Action items due or overdue"),
        action=pgettext("inbox", "Follow up"),
        url=reverse("cobuild:action_list"),
        rows=actions,
        since="due_on",
        due="due_on",
        today=ctx.today,
    )
    yield from item(
        kind="cobuild.agreements_to_sign",
        audience=ADMIN,
        title=pgettext("inbox", "Draft agreements to sign"),
        action=pgettext("inbox", "Review"),
        url=_url("cobuild:agreement_list", status="draft"),
        rows=agreement_selectors.agreement_signing_queue(actor=actor),
        since="starts_on",
        today=ctx.today,
    )
    yield from item(
        kind="cobuild.agreements_expiring",
        audience=ADMIN,
        title=pgettext("inbox", "Agreements about to expire"),
        action=pgettext("inbox", "Renew"),
        url=_url("cobuild:agreement_list", status="in_force"),
        rows=agreement_selectors.agreement_expiring_list(
            actor=actor, days=EXPIRING_DAYS, on=ctx.today
        ).filter(_side_q(ctx, "area__")),
        since="starts_on",
        due="ends_on",
        today=ctx.today,
        soon_days=30,
    )


def liaison_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_liaison:
        return
    actor = ctx.actor
    units = sorted(ctx.scope.unit_ids)
    yield from item(
        kind="cobuild.seat_notices",
        audience=LIAISON,
        title=pgettext("inbox", "Part-time seats to announce in your unit"),
        action=pgettext("inbox", "Announce"),
        url=_url("cobuild:seat_list", step=SeatStep.APPOINTED),
        rows=agreement_selectors.seat_list(actor=actor, step=SeatStep.APPOINTED).filter(unit_id__in=units),
        since="appointed_on",
        today=ctx.today,
    )
    yield from item(
        kind="cobuild.unit_actions",
        audience=LIAISON,
        title=pgettext("inbox", "Action items given to your unit"),
        action=pgettext("inbox", "Report"),
        url=reverse("cobuild:action_list"),
        rows=meeting_selectors.action_item_list(actor=actor, state="open", today=ctx.today).filter(
            Q(owner_unit_id__in=units) | Q(owner_org__unit_id__in=units)
        ),
        since="due_on",
        due="due_on",
        today=ctx.today,
    )
    yield from item(
        kind="cobuild.agreements_to_renew",
        audience=LIAISON,
        title=pgettext("inbox", "Agreements of your unit to renew"),
        action=pgettext("inbox", "Renew"),
        url=_url("cobuild:agreement_list", status="in_force"),
        rows=agreement_selectors.agreement_expiring_list(
            actor=actor, days=EXPIRING_DAYS, on=ctx.today
        ).filter(unit_id__in=units),
        since="starts_on",
        due="ends_on",
        today=ctx.today,
        soon_days=30,
    )


def person_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.home_paths:
        return
    yield from item(
        kind="cobuild.consultations_open",
        audience=MEMBER if ctx.is_member else RESIDENT,
        title=pgettext("inbox", "Consultations open to your household"),
        action=pgettext("inbox", "Give your opinion"),
        url=_url("cobuild:consultation_list", state="open"),
        rows=meeting_selectors.consultation_list(actor=ctx.actor, state="open", today=ctx.today).exclude(
            ctx.scope.area_q("area__") if ctx.scope.area_paths else Q(pk__in=[])
        ),
        since="opens_on",
        due="closes_on",
        today=ctx.today,
    )


PROVIDERS = (admin_items, liaison_items, person_items)


def register() -> None:
    inbox.register(*PROVIDERS)
