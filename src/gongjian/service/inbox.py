"""What waits in service (registered into ``gongjian.web.inbox`` from ``apps.py``).

Administrators: hours to verify and points to approve in their areas. Members (and volunteers):
activities near them still open for sign-up, their coming sign-ups, their hours and points waiting
for verification or approval.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import pgettext

from gongjian.web import inbox
from gongjian.web.inbox import ADMIN, MEMBER, InboxContext, InboxItem, item

from .models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    Audience,
    EntryStatus,
    HoursStatus,
    PointsEntry,
    ServiceHours,
)
from .selectors import _open_to_homes_q as open_to_homes_q
from .selectors import actor_homes


def _url(name: str, **query: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def admin_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_admin:
        return
    side = Q() if ctx.scope.everything else ctx.scope.area_q("area__")
    yield from item(
        kind="service.hours_to_verify",
        audience=ADMIN,
        title=pgettext("inbox", "Service hours to verify"),
        action=pgettext("inbox", "Verify"),
        url=_url("service:hours_list", status=HoursStatus.PENDING),
        rows=ServiceHours.objects.filter(side, status=HoursStatus.PENDING),
        since="on",
        today=ctx.today,
    )
    yield from item(
        kind="service.points_to_approve",
        audience=ADMIN,
        title=pgettext("inbox", "Points to approve"),
        action=pgettext("inbox", "Approve"),
        url=_url("service:points", status=EntryStatus.PENDING),
        rows=PointsEntry.objects.filter(side, status=EntryStatus.PENDING),
        since="on",
        today=ctx.today,
    )


def _person_q(ctx: InboxContext, prefix: str = "") -> Q:
    return Q(**{f"{prefix}member__user_id": ctx.user_id}) | Q(**{f"{prefix}volunteer__user_id": ctx.user_id})


def member_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_member:
        return
    mine = Attendance.objects.filter(_person_q(ctx), status=AttendanceStatus.SIGNED_UP)
    yield from item(
        kind="service.my_signups",
        audience=MEMBER,
        title=pgettext("inbox", "Activities you signed up for"),
        action=pgettext("inbox", "See"),
        url=reverse("service:mine"),
        rows=mine.filter(activity__starts_at__gte=ctx.now, activity__status=ActivityStatus.OPEN),
        since="activity__starts_at",
        due="activity__starts_at",
        today=ctx.today,
        soon_days=1,
        actionable=False,
    )
    homes = actor_homes(ctx.actor)
    if homes:
        signed = Attendance.objects.filter(_person_q(ctx)).values("activity_id")
        near = Activity.objects.filter(
            open_to_homes_q(homes),
            status=ActivityStatus.OPEN,
            audience=Audience.AREA,
            starts_at__gt=ctx.now,
        ).exclude(pk__in=signed)
        yield from item(
            kind="service.activities_near",
            audience=MEMBER,
            title=pgettext("inbox", "Activities near you open for sign-up"),
            action=pgettext("inbox", "Sign up"),
            url=reverse("service:activity_list"),
            rows=near,
            since="starts_at",
            today=ctx.today,
            actionable=False,
        )
    yield from item(
        kind="service.my_hours_pending",
        audience=MEMBER,
        title=pgettext("inbox", "Your hours waiting for verification"),
        action=pgettext("inbox", "See"),
        url=reverse("service:mine"),
        rows=ServiceHours.objects.filter(_person_q(ctx), status=HoursStatus.PENDING),
        since="on",
        today=ctx.today,
        actionable=False,
    )
    yield from item(
        kind="service.my_points_pending",
        audience=MEMBER,
        title=pgettext("inbox", "Your points waiting for approval"),
        action=pgettext("inbox", "See"),
        url=reverse("service:points"),
        rows=PointsEntry.objects.filter(member__user_id=ctx.user_id, status=EntryStatus.PENDING),
        since="on",
        today=ctx.today,
        actionable=False,
    )


PROVIDERS = (admin_items, member_items)


def register() -> None:
    inbox.register(*PROVIDERS)
