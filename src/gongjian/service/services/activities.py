"""Activities: creation, sign-up, the rotating QR sign-in and sign-out, attendance recorded by
hand, reminders."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongjian.accounts.actor import Actor, person, signed_in
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.notify import announce, remind
from gongjian.core.services import apply_changes
from gongjian.members.models import Member
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit

from .. import selectors
from ..audience import activity_url, attendance_people, signed_up_people, team_people
from ..models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    Audience,
    Method,
    OrganiserKind,
    ServiceHours,
    ServiceTeam,
    Volunteer,
)
from ..qr import qr_token, qr_token_valid, window
from .permissions import _require_activity, _require_person

#: Scanning opens from this long before an activity starts until this long after it ends.
SCAN_MARGIN = dt.timedelta(hours=2)
#: Reminders go out this long before an activity starts.
REMIND_BEFORE = dt.timedelta(hours=24)
QUARTER = Decimal("0.25")
MAX_HOURS_A_DAY = Decimal(24)


# --- activities -----------------------------------------------------------------------------


def _activity_area(
    organiser_kind: str,
    org: PartyOrg | None,
    team: ServiceTeam | None,
    unit: ResidentUnit | None,
    project: Any,
) -> Area:
    chosen = {"community": org, "team": team, "unit": unit, "project": project}
    if organiser_kind not in chosen:
        raise ValidationError({"organiser_kind": _("Choose who organises the activity.")})
    if chosen[organiser_kind] is None or any(v is not None for k, v in chosen.items() if k != organiser_kind):
        raise ValidationError({organiser_kind: _("Choose exactly one organiser of that kind.")})
    if organiser_kind == OrganiserKind.COMMUNITY:
        assert org is not None
        if org.unit_id is not None or org.area is None or org.area.level != Level.COMMUNITY:
            raise ValidationError({"org": _("Choose the Party organisation of a community or village.")})
        return org.area
    if organiser_kind == OrganiserKind.TEAM:
        assert team is not None
        return team.area
    if organiser_kind == OrganiserKind.UNIT:
        assert unit is not None
        return unit.area
    area: Area = project.area
    return area


@transaction.atomic
def activity_create(
    *,
    actor: Actor,
    title: str,
    organiser_kind: str,
    place: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    org: PartyOrg | None = None,
    team: ServiceTeam | None = None,
    unit: ResidentUnit | None = None,
    project: Any = None,
    area: Area | None = None,
    signup_limit: int | None = None,
    audience: str = Audience.AREA,
    description: str = "",
    recorded_after_the_fact: bool | None = None,
) -> Activity:
    """An activity organised by a community, a team, a unit or a project. ``area`` defaults to
    the organiser's; given, it must lie inside it. A start in the past is recorded as such, and
    refused when the person was asked and did not confirm it (``recorded_after_the_fact=False``)."""
    home = _activity_area(organiser_kind, org, team, unit, project)
    area = area or home
    if not area.path.startswith(home.path):
        raise ValidationError({"area": _("The activity takes place where its organiser is.")})
    activity = Activity(
        title=title.strip(),
        description=description,
        organiser_kind=organiser_kind,
        org=org,
        team=team,
        unit=unit,
        project=project,
        area=area,
        place=place.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        signup_limit=signup_limit,
        audience=audience,
        created_by=signed_in(actor),
    )
    _require_activity(actor, activity)
    if audience == Audience.TEAM and team is None:
        raise ValidationError({"audience": _("Only a team's activity can be open to the team alone.")})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    if ends_at - starts_at > dt.timedelta(hours=24):
        raise ValidationError({"ends_at": _("An activity lasts at most a day; make one per day.")})
    if team is not None and not team.active:
        raise ValidationError({"team": _("This team is not active.")})
    after_the_fact = starts_at < timezone.now()
    if after_the_fact and recorded_after_the_fact is False:
        raise ValidationError(
            {
                "recorded_after_the_fact": _(
                    "The start is in the past: confirm that you are recording a past activity."
                )
            }
        )
    if not activity.title or not activity.place:
        raise ValidationError(_("An activity needs a title and a place."))
    activity.full_clean(exclude=["project"])
    activity.save()
    audit_record(
        actor=actor,
        action=Event.ACTIVITY_CREATE,
        obj=activity,
        changes={
            "title": activity.title,
            "organiser_kind": organiser_kind,
            "area": area.pk,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "signup_limit": signup_limit,
            **({"recorded_after_the_fact": True} if after_the_fact else {}),
        },
    )
    # The participants of a new activity: its team (an area's activity is found on the members' homes).
    announce(
        Event.ACTIVITY_CREATE,
        actor=actor,
        recipients=team_people(team) if team is not None else [],
        title=lambda: f"{Event.ACTIVITY_CREATE.label}：{activity.title}",
        body=f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M} · {activity.place}",
        url=activity_url(activity),
    )
    return activity


@transaction.atomic
def activity_update(*, actor: Actor, activity: Activity, **changes: Any) -> Activity:
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("area", "team", "project")
        .get(pk=activity.pk)
    )
    _require_activity(actor, activity)
    diff = apply_changes(
        activity, changes, allowed=("title", "description", "place", "starts_at", "ends_at", "signup_limit")
    )
    if activity.ends_at <= activity.starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")})
    if diff:
        activity.save()
        audit_record(actor=actor, action=Event.ACTIVITY_UPDATE, obj=activity, changes=diff)
        announce(
            Event.ACTIVITY_UPDATE,
            actor=actor,
            recipients=signed_up_people(activity),
            title=lambda: f"{Event.ACTIVITY_UPDATE.label}：{activity.title}",
            body=f"{timezone.localtime(activity.starts_at):%Y-%m-%d %H:%M} · {activity.place}",
            url=activity_url(activity),
        )
    return activity


@transaction.atomic
def activity_cancel(*, actor: Actor, activity: Activity, reason: str) -> Activity:
    """Cancel an activity; the people signed up are told."""
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("area", "team", "project")
        .get(pk=activity.pk)
    )
    _require_activity(actor, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("The activity is already cancelled."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the activity is cancelled.")})
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=Event.ACTIVITY_CANCEL,
        obj=activity,
        changes={"status": ["open", "cancelled"]},
        reason=reason,
    )
    users = _users_of(Attendance.objects.filter(activity=activity, status=AttendanceStatus.SIGNED_UP))
    announce(
        Event.ACTIVITY_CANCEL,
        recipients=users,
        title=lambda: _("Cancelled: %(title)s") % {"title": activity.title},
        body=reason,
        url=reverse("service:activity_detail", args=[activity.pk]),
        dedupe_key=f"service.cancelled.{activity.pk}",
        actor=actor,
    )
    return activity


def _users_of(rows: Any) -> list[Any]:
    users = []
    for row in rows.select_related("member__user", "volunteer__user"):
        user = row.member.user if row.member else row.volunteer.user
        if user is not None:
            users.append(user)
    return users


def _lock_activity(activity: Activity) -> Activity:
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("area", "team", "project")
        .get(pk=activity.pk)
    )


def _own_row(activity: Activity, member: Member | None, volunteer: Volunteer | None) -> Attendance | None:
    q = Q(member=member) if member is not None else Q(volunteer=volunteer)
    return Attendance.objects.select_for_update().filter(q, activity=activity).first()


def _check_room(activity: Activity) -> None:
    if activity.signup_limit is not None and selectors.signup_count(activity) >= activity.signup_limit:
        raise ValidationError(_("The activity is full."))


@transaction.atomic
def activity_sign_up(*, actor: Actor, activity: Activity) -> Attendance:
    """The actor signs up (once; again after cancelling), within the limit; a confirmation follows."""
    selectors.activity_get(actor=actor, pk=activity.pk)
    activity = _lock_activity(activity)
    member, volunteer = _require_person(actor)
    if activity.status != ActivityStatus.OPEN:
        raise ValidationError(_("The activity is cancelled."))
    if activity.starts_at <= timezone.now():
        raise ValidationError(_("Sign-up has closed: the activity has started."))
    row = _own_row(activity, member, volunteer)
    if row is not None and row.status != AttendanceStatus.CANCELLED:
        raise ValidationError(_("You have already signed up."))
    _check_room(activity)
    now = timezone.now()
    if row is None:
        row = Attendance(activity=activity, member=member, volunteer=volunteer)
    row.status = AttendanceStatus.SIGNED_UP
    row.signed_up_at = now
    row.cancelled_at = None
    row.save()
    audit_record(actor=actor, action=Event.ACTIVITY_SIGN_UP, obj=activity, changes={"attendance": row.pk})
    announce(
        Event.ACTIVITY_SIGN_UP,
        recipients=[person(actor)],
        title=lambda: _("Signed up: %(title)s") % {"title": activity.title},
        body=lambda: (
            _("%(when)s at %(place)s. Scan the code at the activity to sign in and out.")
            % {
                "when": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M"),
                "place": activity.place,
            }
        ),
        url=reverse("service:activity_detail", args=[activity.pk]),
        actor=actor,
    )
    return row


@transaction.atomic
def activity_sign_up_cancel(*, actor: Actor, activity: Activity) -> Attendance:
    selectors.activity_get(actor=actor, pk=activity.pk)
    activity = _lock_activity(activity)
    member, volunteer = _require_person(actor)
    row = _own_row(activity, member, volunteer)
    if row is None or row.status != AttendanceStatus.SIGNED_UP:
        raise ValidationError(_("You have not signed up for this activity."))
    if row.signed_in_at is not None:
        raise ValidationError(_("You have already signed in."))
    row.status = AttendanceStatus.CANCELLED
    row.cancelled_at = timezone.now()
    row.save(update_fields=["status", "cancelled_at"])
    audit_record(
        actor=actor, action=Event.ACTIVITY_SIGN_UP_CANCEL, obj=activity, changes={"attendance": row.pk}
    )
    return row


# --- the rotating QR code -------------------------------------------------------------------


def activity_code(*, actor: Actor, activity: Activity, now: dt.datetime | None = None) -> str:
    """The current code, for the organisers' screen only."""
    _require_activity(actor, activity)
    return qr_token(activity, window(now or timezone.now()))


def scan_window(activity: Activity) -> tuple[dt.datetime, dt.datetime]:
    return activity.starts_at - SCAN_MARGIN, activity.ends_at + SCAN_MARGIN


def compute_hours(activity: Activity, signed_in_at: dt.datetime, signed_out_at: dt.datetime) -> Decimal:
    """Quarter hours between sign-in and sign-out, rounded down, capped by the activity's length."""
    seconds = max(0, int((signed_out_at - signed_in_at).total_seconds()))
    hours = Decimal(seconds // 900) * QUARTER
    cap = (activity.length_hours / QUARTER).to_integral_value(rounding=ROUND_DOWN) * QUARTER
    return min(hours, cap).quantize(Decimal("0.01"))


@transaction.atomic
def attendance_scan(
    *, actor: Actor, activity: Activity, token: str, now: dt.datetime | None = None
) -> Attendance:
    """The actor scanned the activity's code: the first scan signs in (a walk-in if they had not
    signed up and there is room), the next signs out and computes the hours."""
    now = now or timezone.now()
    if not qr_token_valid(activity=activity, token=token, now=now):
        raise ValidationError(_("This code has expired. Scan the code on the organiser's screen again."))
    activity = _lock_activity(activity)
    member, volunteer = _require_person(actor)
    if activity.status != ActivityStatus.OPEN:
        raise ValidationError(_("The activity is cancelled."))
    opens, closes = scan_window(activity)
    if not opens <= now <= closes:
        raise ValidationError(_("Signing in is open only around the time of the activity."))
    row = _own_row(activity, member, volunteer)
    if row is None or row.status == AttendanceStatus.CANCELLED:
        _check_room(activity)
        if row is None:
            row = Attendance(activity=activity, member=member, volunteer=volunteer)
        row.status = AttendanceStatus.WALK_IN
    if row.signed_in_at is None:
        row.signed_in_at = now
        row.sign_in_method = Method.QR
        row.save()
        action = Event.ATTENDANCE_SIGN_IN
        changes: dict[str, Any] = {"signed_in_at": now}
    elif row.signed_out_at is None:
        if selectors_hours_locked(row):
            raise ValidationError(_("The hours are already verified."))
        row.signed_out_at = now
        row.sign_out_method = Method.QR
        row.computed_hours = compute_hours(activity, row.signed_in_at, now)
        row.save()
        action = Event.ATTENDANCE_SIGN_OUT
        changes = {"signed_out_at": now, "hours": row.computed_hours}
    else:
        raise ValidationError(_("You have already signed in and out."))
    audit_record(actor=actor, action=action, obj=row, changes=changes)
    return row


def selectors_hours_locked(row: Attendance) -> bool:
    return ServiceHours.objects.filter(attendance=row).exists()


@transaction.atomic
def attendance_record(
    *,
    actor: Actor,
    activity: Activity,
    signed_in_at: dt.datetime,
    signed_out_at: dt.datetime | None = None,
    member: Member | None = None,
    volunteer: Volunteer | None = None,
) -> Attendance:
    """The organiser records a person's sign-in (and sign-out) by hand; times must fall around
    the activity. A row with verified hours is corrected through the hours instead."""
    activity = _lock_activity(activity)
    _require_activity(actor, activity)
    if (member is None) == (volunteer is None):
        raise ValidationError(_("Choose either a Party member or a volunteer."))
    opens, closes = scan_window(activity)
    if not opens <= signed_in_at <= closes or (
        signed_out_at is not None and not opens <= signed_out_at <= closes
    ):
        raise ValidationError(_("The times must fall around the time of the activity."))
    if signed_out_at is not None and signed_out_at <= signed_in_at:
        raise ValidationError({"signed_out_at": _("The sign-out must come after the sign-in.")})
    row = _own_row(activity, member, volunteer)
    if row is not None and selectors_hours_locked(row):
        raise ValidationError(_("The hours are already verified; correct them instead."))
    if row is None:
        _check_room(activity)
        row = Attendance(
            activity=activity, member=member, volunteer=volunteer, status=AttendanceStatus.WALK_IN
        )
    elif row.status == AttendanceStatus.CANCELLED:
        row.status = AttendanceStatus.WALK_IN
    before = {"signed_in_at": row.signed_in_at, "signed_out_at": row.signed_out_at}
    row.signed_in_at = signed_in_at
    row.sign_in_method = Method.ORGANISER
    row.signed_out_at = signed_out_at
    row.sign_out_method = Method.ORGANISER if signed_out_at else ""
    row.computed_hours = compute_hours(activity, signed_in_at, signed_out_at) if signed_out_at else None
    row.save()
    audit_record(
        actor=actor,
        action=Event.ATTENDANCE_RECORD,
        obj=row,
        changes={
            "signed_in_at": [before["signed_in_at"], signed_in_at],
            "signed_out_at": [before["signed_out_at"], signed_out_at],
            "hours": row.computed_hours,
        },
    )
    hours = row.computed_hours
    announce(
        Event.ATTENDANCE_RECORD,
        actor=actor,
        recipients=attendance_people(row),
        title=lambda: f"{Event.ATTENDANCE_RECORD.label}：{activity.title}",
        body="" if hours is None else str(hours),
        url=activity_url(activity),
    )
    return row


# --- reminders ------------------------------------------------------------------------------

_REMINDER_WORDS = {  # marked for translation here, translated when sent (in the site's language)
    "Reminder: %(title)s": gettext_noop("Reminder: %(title)s"),
    "%(when)s at %(place)s.": gettext_noop("%(when)s at %(place)s."),
    "Starting at %(time)s: %(title)s": gettext_noop("Starting at %(time)s: %(title)s"),
    "How was %(title)s?": gettext_noop("How was %(title)s?"),
    "Tell the organisers how it went: open the activity to rate it.": gettext_noop(
        "Tell the organisers how it went: open the activity to rate it."
    ),
}


def _words(text: str, activity: Activity) -> str:
    """One of the reminders' texts about ``activity``, in the active language."""
    local = timezone.localtime(activity.starts_at)
    values = {
        "title": activity.title,
        "place": activity.place,
        "when": local.strftime("%Y-%m-%d %H:%M"),
        "time": local.strftime("%H:%M"),
    }
    return _(_REMINDER_WORDS[text]) % values


def activities_remind(*, now: dt.datetime | None = None) -> int:
    """Remind everyone signed up for an activity starting within ``REMIND_BEFORE`` of ``now``;
    once per person and activity (idempotent). Returns how many reminders were sent."""
    now = now or timezone.now()
    sent = 0
    upcoming = Activity.objects.filter(
        status=ActivityStatus.OPEN, starts_at__gt=now, starts_at__lte=now + REMIND_BEFORE
    ).order_by("starts_at")
    for activity in upcoming:
        users = _users_of(Attendance.objects.filter(activity=activity, status=AttendanceStatus.SIGNED_UP))
        if not users:
            continue
        with transaction.atomic():
            sent += remind(
                "service.reminder",
                recipients=users,
                title=partial(_words, "Reminder: %(title)s", activity),
                body=partial(_words, "%(when)s at %(place)s.", activity),
                url=reverse("service:activity_detail", args=[activity.pk]),
                dedupe_key=f"service.remind.{activity.pk}",
            )
    return sent


#: The text message goes out this long before an activity starts.
STARTING_BEFORE = dt.timedelta(minutes=30)
#: The request to rate goes out this long after an activity ends (and no later than a day after).
RATE_AFTER = dt.timedelta(hours=1)


def activities_sequence(*, now: dt.datetime | None = None) -> int:
    """The reminders on the clock (``gongjian remind``, every few minutes): a text message to those
    signed up 30 minutes before the start, a request to rate to those who came one hour after the
    end. Each once per person and activity (dedupe keys); returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    starting = Activity.objects.filter(
        status=ActivityStatus.OPEN, starts_at__gt=now, starts_at__lte=now + STARTING_BEFORE
    ).order_by("starts_at")
    for activity in starting:
        users = _users_of(Attendance.objects.filter(activity=activity, status=AttendanceStatus.SIGNED_UP))
        sent += remind(
            "service.starting",
            recipients=users,
            title=partial(_words, "Starting at %(time)s: %(title)s", activity),
            body=activity.place,
            url=reverse("service:activity_detail", args=[activity.pk]),
            dedupe_key=f"service.starting.{activity.pk}",
        )
    ended = Activity.objects.filter(
        status=ActivityStatus.OPEN,
        ends_at__lte=now - RATE_AFTER,
        ends_at__gt=now - RATE_AFTER - dt.timedelta(days=1),
    ).order_by("ends_at")
    for activity in ended:
        users = _users_of(Attendance.objects.filter(activity=activity, signed_in_at__isnull=False))
        sent += remind(
            "service.rate",
            recipients=users,
            title=partial(_words, "How was %(title)s?", activity),
            body=partial(_words, "Tell the organisers how it went: open the activity to rate it.", activity),
            url=reverse("service:activity_detail", args=[activity.pk]),
            dedupe_key=f"service.rate.{activity.pk}",
        )
    return sent
