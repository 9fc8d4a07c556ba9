"""Every write of service records: ``noun_verb(*, actor, ...)``, one transaction, one audit entry.

Who may write:

- teams and volunteers: administrators whose subtree holds the team's (volunteer's) area; a
  unit's liaison for the unit's teams;
- activities: their organisers — administrators over the activity's area, and for an activity of
  a unit (itself, its team or a project it leads) that unit's liaison;
- sign-up, sign-in and sign-out: the person themself (an account linked to a ``Member`` or a
  ``Volunteer``); sign-in and sign-out by scanning the activity's rotating QR code, or by the
  organiser by hand;
- hours: the activity's organiser verifies attendance; a member's own logged hours are verified
  by an administrator over the community they were logged for; corrections need a reason;
- points: rules by administrators; claims by the member; decisions by the rule's approver role
  (or a higher administrator) over the entry's area.

The QR code rotates: its token is an HMAC of the activity's secret and the current 30-second
window; the current and the previous window are accepted, so a photo of the code stops working
within a minute.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_DOWN, Decimal
from typing import Any, TypeGuard

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Abs
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person, signed_in
from gongjian.accounts.models import ADMIN_LEVELS, Role, User
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record
from gongjian.core.services import apply_changes, notification_send
from gongjian.members.models import Member
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit
from gongjian.stats import tally

from . import selectors
from .models import (
    Activity,
    ActivityStatus,
    ApproverRole,
    Attendance,
    AttendanceStatus,
    Audience,
    DutyKind,
    EntryStatus,
    HoursSource,
    HoursStatus,
    Method,
    OrganiserKind,
    PointsEntry,
    PointsRule,
    RuleBasis,
    ServiceHours,
    ServiceTeam,
    StandingDuty,
    TeamMembership,
    TeamPeriod,
    Volunteer,
)
from .qr import qr_token, qr_token_valid, window

#: Scanning opens from this long before an activity starts until this long after it ends.
SCAN_MARGIN = dt.timedelta(hours=2)
#: Reminders go out this long before an activity starts.
REMIND_BEFORE = dt.timedelta(hours=24)
QUARTER = Decimal("0.25")
MAX_HOURS_A_DAY = Decimal(24)


# --- permissions ----------------------------------------------------------------------------


def _authenticated(actor: Actor) -> TypeGuard[User]:
    return bool(actor.is_authenticated)


def _require_area(actor: Actor, area: Area) -> None:
    if not scope_for(actor).covers_path(area.path):
        raise PermissionDenied(_("You may not change anything in %(area)s.") % {"area": area.name})


def team_manage_allowed(*, actor: Actor, team: ServiceTeam) -> bool:
    scope = scope_for(actor)
    return scope.covers_path(team.area.path) or scope.covers_unit(team.unit_id)


def _require_team(actor: Actor, team: ServiceTeam) -> None:
    if not team_manage_allowed(actor=actor, team=team):
        raise PermissionDenied(_("You may not change the team %(name)s.") % {"name": team.name})


def team_create_allowed(*, actor: Actor) -> bool:
    return not scope_for(actor).empty


def volunteer_manage_allowed(*, actor: Actor, volunteer: Volunteer) -> bool:
    return scope_for(actor).covers_path(volunteer.area.path)


def activity_manage_allowed(*, actor: Actor, activity: Activity) -> bool:
    """The organisers: administrators over the activity's area; the liaison of the unit that
    organises it (itself, through its team, or a project it leads)."""
    scope = scope_for(actor)
    if scope.covers_path(activity.area.path):
        return True
    units = {activity.unit_id, activity.team.unit_id if activity.team else None}
    if activity.project is not None:
        units.add(activity.project.lead_unit_id)
    return any(scope.covers_unit(u) for u in units)


def _require_activity(actor: Actor, activity: Activity) -> None:
    if not activity_manage_allowed(actor=actor, activity=activity):
        raise PermissionDenied(_("Only the organisers may do this."))


def activity_create_allowed(*, actor: Actor) -> bool:
    return not scope_for(actor).empty


def _person(actor: Actor) -> tuple[Member | None, Volunteer | None]:
    member = selectors.actor_member(actor)
    volunteer = None if member is not None else selectors.actor_volunteer(actor)
    return member, volunteer


def activity_signup_allowed(*, actor: Actor, activity: Activity) -> bool:
    """Whether to offer the sign-up button: a person, an open activity not yet over, no sign-up."""
    member, volunteer = _person(actor)
    if member is None and volunteer is None:
        return False
    if activity.status != ActivityStatus.OPEN or activity.ends_at <= timezone.now():
        return False
    own = selectors.own_attendance(actor=actor, activity=activity)
    return own is None or own.status == AttendanceStatus.CANCELLED


def hours_decide_allowed(*, actor: Actor, record: ServiceHours) -> bool:
    """Logged hours: an administrator over the community they were logged for."""
    return record.source == HoursSource.SELF and scope_for(actor).covers_path(record.area.path)


def hours_correct_allowed(*, actor: Actor, record: ServiceHours) -> bool:
    if record.status != HoursStatus.VERIFIED:
        return False
    if record.attendance is not None:
        return activity_manage_allowed(actor=actor, activity=record.attendance.activity)
    return scope_for(actor).covers_path(record.area.path)


def points_rule_create_allowed(*, actor: Actor) -> bool:
    return bool(scope_for(actor).area_paths) or scope_for(actor).everything


def points_rule_manage_allowed(*, actor: Actor, rule: PointsRule) -> bool:
    return scope_for(actor).covers_path(rule.area.path)


def points_decide_allowed(*, actor: Actor, entry: PointsEntry) -> bool:
    """The rule's approver role, or a higher administrator, over the entry's area."""
    if entry.status != EntryStatus.PENDING or not _authenticated(actor):
        return False
    if actor.is_superuser:
        return True
    needed = ADMIN_LEVELS[entry.rule.approver_role]
    for role in Role.objects.filter(
        user_id=actor.pk, active=True, kind__in=list(ADMIN_LEVELS)
    ).select_related("area"):
        if (
            role.area is not None
            and ADMIN_LEVELS[role.kind] <= needed
            and entry.area.path.startswith(role.area.path)
        ):
            return True
    return False


def points_claim_allowed(*, actor: Actor) -> bool:
    return selectors.actor_member(actor) is not None


# --- volunteers -----------------------------------------------------------------------------


def _volunteer_summary(v: Volunteer) -> dict[str, Any]:
    return {"name": v.name, "phone": v.phone_masked, "volunteer_no": v.volunteer_no, "area": v.area_id}


@transaction.atomic
def volunteer_create(
    *,
    actor: Actor,
    name: str,
    area: Area,
    phone: str = "",
    volunteer_no: str = "",
    skills: str = "",
    user: Any = None,
) -> Volunteer:
    """A volunteer who is not (or not as) a Party member: name, phone (sealed), volunteer number."""
    _require_area(actor, area)
    volunteer = Volunteer(
        name=name.strip(), area=area, volunteer_no=volunteer_no.strip(), skills=skills, user=user
    )
    volunteer.set_phone(phone)
    if not volunteer.name:
        raise ValidationError({"name": _("Enter the volunteer's name.")})
    if volunteer.volunteer_no and Volunteer.objects.filter(volunteer_no=volunteer.volunteer_no).exists():
        raise ValidationError({"volunteer_no": _("A volunteer with this number is already registered.")})
    if user is not None and Volunteer.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This account is already linked to another volunteer.")})
    volunteer.full_clean()
    volunteer.save()
    audit_record(actor=actor, action="volunteer.create", obj=volunteer, changes=_volunteer_summary(volunteer))
    return volunteer


@transaction.atomic
def volunteer_update(
    *, actor: Actor, volunteer: Volunteer, phone: str | None = None, **changes: Any
) -> Volunteer:
    volunteer = Volunteer.objects.select_for_update().select_related("area").get(pk=volunteer.pk)
    if not volunteer_manage_allowed(actor=actor, volunteer=volunteer):
        raise PermissionDenied(_("You may not change %(name)s.") % {"name": volunteer.name})
    if "area" in changes:
        _require_area(actor, changes["area"])
    number = (changes.get("volunteer_no") or "").strip()
    if number and Volunteer.objects.filter(volunteer_no=number).exclude(pk=volunteer.pk).exists():
        raise ValidationError({"volunteer_no": _("A volunteer with this number is already registered.")})
    diff = apply_changes(volunteer, changes, allowed=("name", "volunteer_no", "skills", "area"))
    if phone is not None and phone.strip() != volunteer.phone_clear():
        before = volunteer.phone_masked
        volunteer.set_phone(phone)
        diff["phone"] = [before, volunteer.phone_masked]
    if not diff:
        return volunteer
    volunteer.save()
    audit_record(actor=actor, action="volunteer.update", obj=volunteer, changes=diff)
    return volunteer


@transaction.atomic
def volunteer_reveal(*, actor: Actor, volunteer: Volunteer, reason: str) -> str:
    """The clear phone number, for an administrator over the volunteer (or the volunteer), with a
    stated reason; the read is written to the audit log."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why you need to see the full number.")})
    own = _authenticated(actor) and volunteer.user_id == actor.pk
    if not own and not volunteer_manage_allowed(actor=actor, volunteer=volunteer):
        raise PermissionDenied(_("You may not see this number."))
    audit_record(
        actor=actor, action="pii.reveal", obj=volunteer, changes={"field": "phone"}, reason=reason.strip()
    )
    return volunteer.phone_clear()


# --- teams ----------------------------------------------------------------------------------


def _check_organiser(actor: Actor, area: Area, org: PartyOrg | None, unit: ResidentUnit | None) -> None:
    scope = scope_for(actor)
    if unit is not None and scope.covers_unit(unit.pk):
        pass
    else:
        _require_area(actor, area)
    if org is not None and not (scope.covers_path(org.area.path) or scope.covers_unit(org.unit_id)):
        raise ValidationError({"org": _("Choose a Party organisation you administer.")})


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    name: str,
    area: Area,
    org: PartyOrg | None = None,
    unit: ResidentUnit | None = None,
    description: str = "",
    since: dt.date | None = None,
) -> ServiceTeam:
    """A new team, active from ``since`` (today by default)."""
    _check_organiser(actor, area, org, unit)
    team = ServiceTeam(name=name.strip(), area=area, org=org, unit=unit, description=description)
    if not team.name:
        raise ValidationError({"name": _("Enter the team's name.")})
    team.full_clean()
    team.save()
    since = since or timezone.localdate()
    TeamPeriod.objects.create(team=team, since=since)
    audit_record(
        actor=actor,
        action="team.create",
        obj=team,
        changes={"name": team.name, "area": area.pk, "org": org, "unit": unit, "since": since},
    )
    return team


@transaction.atomic
def team_update(*, actor: Actor, team: ServiceTeam, **changes: Any) -> ServiceTeam:
    team = ServiceTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    _require_team(actor, team)
    if "area" in changes:
        _require_area(actor, changes["area"])
    diff = apply_changes(team, changes, allowed=("name", "description", "org", "unit", "area"))
    if diff:
        team.save()
        audit_record(actor=actor, action="team.update", obj=team, changes=diff)
    return team


@transaction.atomic
def team_status_set(
    *, actor: Actor, team: ServiceTeam, active: bool, on: dt.date | None = None, note: str = ""
) -> ServiceTeam:
    """Stand a team down (its open period ends on ``on``) or re-activate it (a new period)."""
    team = ServiceTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    _require_team(actor, team)
    on = on or timezone.localdate()
    if team.active == active:
        raise ValidationError(
            _("The team is already active.") if active else _("The team is already inactive.")
        )
    if active:
        last = team.periods.order_by("-since").first()
        if last is not None and last.until is not None and on < last.until:
            raise ValidationError({"on": _("This cannot start before the last period ended.")})
        TeamPeriod.objects.create(team=team, since=on, note=note)
    else:
        period = team.periods.filter(until__isnull=True).first()
        if period is None or on < period.since:
            raise ValidationError({"on": _("This cannot end on that date.")})
        period.until = on
        period.note = note or period.note
        period.save(update_fields=["until", "note"])
    team.active = active
    team.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action="team.status",
        obj=team,
        changes={"active": [not active, active], "on": on},
        reason=note,
    )
    return team


@transaction.atomic
def team_member_add(
    *,
    actor: Actor,
    team: ServiceTeam,
    member: Member | None = None,
    volunteer: Volunteer | None = None,
    leader: bool = False,
    since: dt.date | None = None,
) -> TeamMembership:
    """Put a Party member (from the ledgers the actor sees) or a volunteer on a team; with
    ``leader`` they become its leader (the previous leader stays a member)."""
    team = ServiceTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    _require_team(actor, team)
    if (member is None) == (volunteer is None):
        raise ValidationError(_("Choose either a Party member or a volunteer."))
    if member is not None and not selectors.member_choices(actor=actor).filter(pk=member.pk).exists():
        raise ValidationError({"member": _("Choose a member of the ledgers you administer.")})
    if volunteer is not None and not selectors.volunteer_list(actor=actor).filter(pk=volunteer.pk).exists():
        raise ValidationError({"volunteer": _("Choose a volunteer you administer.")})
    open_rows = TeamMembership.objects.filter(team=team, until__isnull=True)
    if open_rows.filter(Q(member=member) if member else Q(volunteer=volunteer)).exists():
        raise ValidationError(_("This person is already on the team."))
    if leader:
        open_rows.filter(leader=True).update(leader=False)
    row = TeamMembership.objects.create(
        team=team, member=member, volunteer=volunteer, leader=leader, since=since or timezone.localdate()
    )
    audit_record(
        actor=actor,
        action="team.member_add",
        obj=team,
        changes={"membership": row.pk, "member": member, "volunteer": volunteer, "leader": leader},
    )
    return row


@transaction.atomic
def team_member_end(
    *, actor: Actor, membership: TeamMembership, until: dt.date | None = None
) -> TeamMembership:
    row = (
        TeamMembership.objects.select_for_update(of=("self",))
        .select_related("team__area")
        .get(pk=membership.pk)
    )
    _require_team(actor, row.team)
    until = until or timezone.localdate()
    if row.until is not None or until < row.since:
        raise ValidationError({"until": _("This cannot end on that date.")})
    row.until = until
    row.save(update_fields=["until"])
    audit_record(
        actor=actor, action="team.member_end", obj=row.team, changes={"membership": row.pk, "until": until}
    )
    return row


def _weekdays(raw: str) -> str:
    digits = "".join(sorted(set(raw.replace(",", "").replace(" ", ""))))
    if any(c not in "1234567" for c in digits):
        raise ValidationError({"weekdays": _("Days are digits 1 (Monday) to 7 (Sunday).")})
    return digits


@transaction.atomic
def duty_add(
    *,
    actor: Actor,
    team: ServiceTeam,
    kind: str,
    weekdays: str = "",
    starts: dt.time | None = None,
    ends: dt.time | None = None,
    route: str = "",
    note: str = "",
    since: dt.date | None = None,
) -> StandingDuty:
    """A standing duty: a patrol rota (days, time, route) or door-to-door help."""
    _require_team(actor, team)
    if kind not in DutyKind.values:
        raise ValidationError({"kind": _("Choose a kind of duty.")})
    days = _weekdays(weekdays)
    if kind == DutyKind.PATROL and not (days and starts and ends and route.strip()):
        raise ValidationError(_("A patrol rota needs its days, its time and its route."))
    if starts and ends and ends <= starts:
        raise ValidationError({"ends": _("The end must come after the start.")})
    duty = StandingDuty.objects.create(
        team=team,
        kind=kind,
        weekdays=days,
        starts=starts,
        ends=ends,
        route=route.strip(),
        note=note,
        since=since or timezone.localdate(),
    )
    audit_record(
        actor=actor,
        action="team.duty_add",
        obj=team,
        changes={
            "duty": duty.pk,
            "kind": kind,
            "weekdays": days,
            "starts": starts.isoformat() if starts else None,
            "ends": ends.isoformat() if ends else None,
            "route": duty.route,
        },
    )
    return duty


@transaction.atomic
def duty_end(*, actor: Actor, duty: StandingDuty, until: dt.date | None = None) -> StandingDuty:
    duty = StandingDuty.objects.select_for_update(of=("self",)).select_related("team__area").get(pk=duty.pk)
    _require_team(actor, duty.team)
    until = until or timezone.localdate()
    if duty.until is not None or until < duty.since:
        raise ValidationError({"until": _("This cannot end on that date.")})
    duty.until = until
    duty.save(update_fields=["until"])
    audit_record(
        actor=actor, action="team.duty_end", obj=duty.team, changes={"duty": duty.pk, "until": until}
    )
    return duty


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
) -> Activity:
    """An activity organised by a community, a team, a unit or a project. ``area`` defaults to
    the organiser's; given, it must lie inside it."""
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
    if not activity.title or not activity.place:
        raise ValidationError(_("An activity needs a title and a place."))
    activity.full_clean(exclude=["project"])
    activity.save()
    audit_record(
        actor=actor,
        action="activity.create",
        obj=activity,
        changes={
            "title": activity.title,
            "organiser_kind": organiser_kind,
            "area": area.pk,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "signup_limit": signup_limit,
        },
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
        audit_record(actor=actor, action="activity.update", obj=activity, changes=diff)
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
        action="activity.cancel",
        obj=activity,
        changes={"status": ["open", "cancelled"]},
        reason=reason,
    )
    users = _users_of(Attendance.objects.filter(activity=activity, status=AttendanceStatus.SIGNED_UP))
    notification_send(
        recipients=users,
        kind="service.cancelled",
        title=_("Cancelled: %(title)s") % {"title": activity.title},
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


def _require_person(actor: Actor) -> tuple[Member | None, Volunteer | None]:
    member, volunteer = _person(actor)
    if member is None and volunteer is None:
        raise ValidationError(
            _("Your account is not linked to a Party member or a volunteer; ask your community to link it.")
        )
    return member, volunteer


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
    audit_record(actor=actor, action="activity.sign_up", obj=activity, changes={"attendance": row.pk})
    notification_send(
        recipients=[person(actor)],
        kind="service.signed_up",
        title=_("Signed up: %(title)s") % {"title": activity.title},
        body=_("%(when)s at %(place)s. Scan the code at the activity to sign in and out.")
        % {
            "when": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M"),
            "place": activity.place,
        },
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
    audit_record(actor=actor, action="activity.sign_up_cancel", obj=activity, changes={"attendance": row.pk})
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
        action = "attendance.sign_in"
        changes: dict[str, Any] = {"signed_in_at": now}
    elif row.signed_out_at is None:
        if selectors_hours_locked(row):
            raise ValidationError(_("The hours are already verified."))
        row.signed_out_at = now
        row.sign_out_method = Method.QR
        row.computed_hours = compute_hours(activity, row.signed_in_at, now)
        row.save()
        action = "attendance.sign_out"
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
        action="attendance.record",
        obj=row,
        changes={
            "signed_in_at": [before["signed_in_at"], signed_in_at],
            "signed_out_at": [before["signed_out_at"], signed_out_at],
            "hours": row.computed_hours,
        },
    )
    return row


@transaction.atomic
def attendance_verify(
    *, actor: Actor, attendance: Attendance, hours: Decimal | None = None, reason: str = ""
) -> ServiceHours:
    """The organiser verifies the computed hours (or other hours, with a reason): they become a
    verified ``ServiceHours`` row, and points follow by the rules."""
    row = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("activity__area")
        .get(pk=attendance.pk)
    )
    activity = row.activity
    _require_activity(actor, activity)
    if ServiceHours.objects.filter(attendance=row).exists():
        raise ValidationError(_("These hours are already verified."))
    if row.signed_in_at is None or row.signed_out_at is None or row.computed_hours is None:
        raise ValidationError(_("Hours can be verified only after signing in and out."))
    if hours is not None and hours != row.computed_hours and not reason.strip():
        raise ValidationError({"reason": _("Say why the hours differ from the computed ones.")})
    final = row.computed_hours if hours is None else _check_hours(hours, cap=activity.length_hours)
    if final <= 0:
        raise ValidationError({"hours": _("There are no hours to verify (less than a quarter of an hour).")})
    record = ServiceHours.objects.create(
        member=row.member,
        volunteer=row.volunteer,
        area=activity.area,
        on=timezone.localtime(activity.starts_at).date(),
        hours=final,
        source=HoursSource.ACTIVITY,
        attendance=row,
        description=activity.title[:300],
        status=HoursStatus.VERIFIED,
        decided_by=signed_in(actor),
        decided_at=timezone.now(),
        reason=reason.strip(),
    )
    points = _auto_points(record, actor)
    audit_record(
        actor=actor,
        action="hours.verify",
        obj=record,
        changes={"attendance": row.pk, "computed": row.computed_hours, "hours": final, "points": points},
        reason=reason.strip(),
    )
    return record


@transaction.atomic
def activity_verify_bulk(
    *,
    actor: Actor,
    activity: Activity,
    members: Iterable[Member] = (),
    volunteers: Iterable[Volunteer] = (),
    signed_in_at: dt.datetime | None = None,
    signed_out_at: dt.datetime | None = None,
) -> int:
    """The organiser records many people who came (by hand, e.g. from a paper sign-in sheet) and
    verifies their hours at once: one attendance and one verified ``ServiceHours`` row each, points
    by the rules, and one audit entry for the lot. People already recorded are skipped; the limit
    does not apply (they came). Returns how many were recorded."""
    activity = _lock_activity(activity)
    _require_activity(actor, activity)
    if activity.status != ActivityStatus.OPEN:
        raise ValidationError(_("The activity is cancelled."))
    t_in = signed_in_at or activity.starts_at
    t_out = signed_out_at or activity.ends_at
    opens, closes = scan_window(activity)
    if not (opens <= t_in < t_out <= closes):
        raise ValidationError(_("The times must fall around the time of the activity."))
    hours = compute_hours(activity, t_in, t_out)
    if hours <= 0:
        raise ValidationError({"hours": _("There are no hours to verify (less than a quarter of an hour).")})
    done_m = set(
        Attendance.objects.filter(activity=activity, member__isnull=False).values_list("member_id", flat=True)
    )
    done_v = set(
        Attendance.objects.filter(activity=activity, volunteer__isnull=False).values_list(
            "volunteer_id", flat=True
        )
    )
    people: list[tuple[Member | None, Volunteer | None]] = []
    for m in members:
        if m.pk not in done_m:
            done_m.add(m.pk)
            people.append((m, None))
    for v in volunteers:
        if v.pk not in done_v:
            done_v.add(v.pk)
            people.append((None, v))
    if not people:
        return 0
    rows = Attendance.objects.bulk_create(
        [
            Attendance(
                activity=activity,
                member=m,
                volunteer=v,
                status=AttendanceStatus.WALK_IN,
                signed_in_at=t_in,
                signed_out_at=t_out,
                sign_in_method=Method.ORGANISER,
                sign_out_method=Method.ORGANISER,
                computed_hours=hours,
            )
            for m, v in people
        ]
    )
    if any(r.pk is None for r in rows):  # backends that do not return ids from a bulk insert
        rows = list(
            Attendance.objects.filter(activity=activity, signed_in_at=t_in, sign_in_method="organiser")
        )
    now = timezone.now()
    decider = signed_in(actor)
    records = ServiceHours.objects.bulk_create(
        [
            ServiceHours(
                member_id=r.member_id,
                volunteer_id=r.volunteer_id,
                area=activity.area,
                on=timezone.localtime(activity.starts_at).date(),
                hours=hours,
                source=HoursSource.ACTIVITY,
                attendance=r,
                description=activity.title[:300],
                status=HoursStatus.VERIFIED,
                decided_by=decider,
                decided_at=now,
            )
            for r in rows
        ]
    )
    # written without signals: refresh the kept figures (ids read back where the insert returns none)
    tally.touch_rows(ServiceHours, ServiceHours.objects.filter(attendance__activity=activity))
    _auto_points_bulk(
        list(ServiceHours.objects.filter(attendance__activity=activity, points_entries__isnull=True)), actor
    )
    audit_record(
        actor=actor,
        action="hours.verify_bulk",
        obj=activity,
        changes={"people": len(records), "hours": hours, "signed_in_at": t_in, "signed_out_at": t_out},
    )
    return len(records)


def _check_hours(hours: Decimal, cap: Decimal = MAX_HOURS_A_DAY) -> Decimal:
    hours = Decimal(hours)
    if hours <= 0 or hours > cap:
        raise ValidationError(
            {"hours": _("Enter hours above 0 and at most %(cap)s.") % {"cap": cap.quantize(QUARTER)}}
        )
    if (hours / QUARTER) != (hours / QUARTER).to_integral_value():
        raise ValidationError({"hours": _("Hours are counted in quarters of an hour (0.25).")})
    return hours.quantize(Decimal("0.01"))


# --- hours outside activities ---------------------------------------------------------------


@transaction.atomic
def hours_log(
    *, actor: Actor, on: dt.date, hours: Decimal, description: str, area: Area | None = None
) -> ServiceHours:
    """A member (or volunteer) logs their own hours for work outside an activity, for a community
    they serve in (their first by default); pending until that community's administrator verifies."""
    member, volunteer = _require_person(actor)
    homes = selectors.actor_homes(actor)
    if area is None:
        if not homes:
            raise ValidationError({"area": _("Choose the community you served.")})
        area = Area.objects.get(path=homes[0])
    if area.level != Level.COMMUNITY or area.path not in homes:
        raise ValidationError({"area": _("Choose a community you serve in.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < timezone.localdate() - dt.timedelta(days=366):
        raise ValidationError({"on": _("Hours older than a year cannot be logged.")})
    if not description.strip():
        raise ValidationError({"description": _("Say what you did.")})
    record = ServiceHours.objects.create(
        member=member,
        volunteer=volunteer,
        area=area,
        on=on,
        hours=_check_hours(hours),
        source=HoursSource.SELF,
        description=description.strip()[:300],
        status=HoursStatus.PENDING,
        logged_by=person(actor),
    )
    audit_record(
        actor=actor,
        action="hours.log",
        obj=record,
        changes={"on": on, "hours": record.hours, "area": area.pk},
    )
    return record


@transaction.atomic
def hours_decide(
    *, actor: Actor, record: ServiceHours, approve: bool, hours: Decimal | None = None, reason: str = ""
) -> ServiceHours:
    """Verify (possibly with other hours, with a reason) or reject logged hours."""
    record = ServiceHours.objects.select_for_update(of=("self",)).select_related("area").get(pk=record.pk)
    if record.source != HoursSource.SELF or not scope_for(actor).covers_path(record.area.path):
        raise PermissionDenied(_("Only the community's administrators verify these hours."))
    if record.status != HoursStatus.PENDING:
        raise ValidationError(_("These hours were already decided."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the hours are rejected.")})
    before = record.hours
    if approve and hours is not None and Decimal(hours) != record.hours:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the hours differ from the logged ones.")})
        record.hours = _check_hours(hours)
    record.status = HoursStatus.VERIFIED if approve else HoursStatus.REJECTED
    record.decided_by = person(actor)
    record.decided_at = timezone.now()
    record.reason = reason.strip()[:300]
    record.save()
    points = _auto_points(record, actor) if approve else Decimal(0)
    audit_record(
        actor=actor,
        action="hours.verify" if approve else "hours.reject",
        obj=record,
        changes={"status": ["pending", record.status], "hours": [before, record.hours], "points": points},
        reason=record.reason,
    )
    return record


@transaction.atomic
def hours_correct(*, actor: Actor, record: ServiceHours, hours: Decimal, reason: str) -> ServiceHours:
    """Correct verified hours (a reason is required; the audit log keeps the old value); the
    automatic points follow."""
    record = (
        ServiceHours.objects.select_for_update(of=("self",))
        .select_related("area", "attendance__activity__area")
        .get(pk=record.pk)
    )
    if not hours_correct_allowed(actor=actor, record=record):
        raise PermissionDenied(_("You may not correct these hours."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the hours are corrected.")})
    cap = record.attendance.activity.length_hours if record.attendance else MAX_HOURS_A_DAY
    new = _check_hours(hours, cap=cap)
    if new == record.hours:
        raise ValidationError({"hours": _("These are the hours already recorded.")})
    before = record.hours
    record.hours = new
    record.reason = reason.strip()[:300]
    record.save(update_fields=["hours", "reason"])
    changed = []
    for entry in PointsEntry.objects.select_for_update().filter(hours_record=record).select_related("rule"):
        old = entry.points
        entry.units = new
        _apply_cap(entry, exclude_self=True)
        entry.save(update_fields=["units", "requested", "points"])
        changed.append({"entry": entry.pk, "points": [old, entry.points]})
    audit_record(
        actor=actor,
        action="hours.correct",
        obj=record,
        changes={"hours": [before, new], "points": changed},
        reason=reason.strip(),
    )
    return record


# --- points ---------------------------------------------------------------------------------


@transaction.atomic
def points_rule_create(
    *,
    actor: Actor,
    name: str,
    area: Area,
    basis: str,
    points: Decimal,
    deduction: bool = False,
    description: str = "",
    cap: Decimal | None = None,
    cap_period: str = "year",
    evidence_required: bool = False,
    approver_role: str = ApproverRole.COMMUNITY_ADMIN,
) -> PointsRule:
    """A rule at ``area`` (applies to its subtree). Automatic rules (per hour) earn, never deduct."""
    _require_area(actor, area)
    if basis == RuleBasis.PER_HOUR and deduction:
        raise ValidationError({"deduction": _("Verified hours earn points; they cannot cost any.")})
    if cap is not None and cap <= 0:
        raise ValidationError({"cap": _("A cap is above 0 (leave it empty for none).")})
    rule = PointsRule(
        name=name.strip(),
        area=area,
        basis=basis,
        points=points,
        deduction=deduction,
        description=description,
        cap=cap,
        cap_period=cap_period,
        evidence_required=evidence_required,
        approver_role=approver_role,
    )
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action="points.rule_create",
        obj=rule,
        changes={
            "name": rule.name,
            "area": area.pk,
            "basis": basis,
            "points": points,
            "deduction": deduction,
            "cap": cap,
            "cap_period": cap_period,
            "evidence_required": evidence_required,
            "approver_role": approver_role,
        },
    )
    return rule


@transaction.atomic
def points_rule_update(*, actor: Actor, rule: PointsRule, **changes: Any) -> PointsRule:
    rule = PointsRule.objects.select_for_update(of=("self",)).select_related("area").get(pk=rule.pk)
    if not points_rule_manage_allowed(actor=actor, rule=rule):
        raise PermissionDenied(_("You may not change this rule."))
    diff = apply_changes(
        rule,
        changes,
        allowed=(
            "name",
            "description",
            "points",
            "cap",
            "cap_period",
            "evidence_required",
            "approver_role",
            "active",
        ),
    )
    if diff:
        rule.save()
        audit_record(actor=actor, action="points.rule_update", obj=rule, changes=diff)
    return rule


def _apply_cap(entry: PointsEntry, *, exclude_self: bool = False) -> None:
    """Set ``requested`` from the units and ``points`` to what the cap leaves of it (signed).
    The member's row is locked by the caller's transaction, so two approvals cannot both fit."""
    rule = entry.rule
    requested = (Decimal(entry.units) * rule.points).quantize(Decimal("0.01"))
    allowed = requested
    if rule.cap is not None:
        start, end = rule.period_bounds(entry.on)
        others = PointsEntry.objects.filter(
            member_id=entry.member_id, rule=rule, status=EntryStatus.APPROVED, on__gte=start, on__lt=end
        )
        if exclude_self and entry.pk:
            others = others.exclude(pk=entry.pk)
        used = others.aggregate(s=Sum(Abs("points")))["s"] or Decimal(0)
        allowed = max(Decimal(0), min(requested, rule.cap - used))
    sign = -1 if rule.deduction else 1
    entry.requested = sign * requested
    entry.points = sign * allowed


def _lock_member(member_id: int) -> None:
    Member.objects.select_for_update().filter(pk=member_id).first()


def _auto_points(record: ServiceHours, actor: Actor) -> Decimal:
    """Approved entries under every active per-hour rule applying to the record's area (members
    only: volunteers earn hours, not Party points). Returns the points given."""
    if record.member_id is None:
        return Decimal(0)
    _lock_member(record.member_id)
    total = Decimal(0)
    rules = [
        r
        for r in PointsRule.objects.filter(active=True, basis=RuleBasis.PER_HOUR).select_related("area")
        if record.area.path.startswith(r.area.path)
    ]
    for rule in rules:
        entry = PointsEntry(
            member_id=record.member_id,
            rule=rule,
            area=record.area,
            on=record.on,
            units=record.hours,
            hours_record=record,
            status=EntryStatus.APPROVED,
            submitted_by=signed_in(actor),
            decided_by=signed_in(actor),
            decided_at=timezone.now(),
        )
        _apply_cap(entry)
        entry.save()
        total += entry.points
    return total


def _auto_points_bulk(records: list[ServiceHours], actor: Actor) -> None:
    """``_auto_points`` for many records of one activity at once (one day, one area, each member
    once): the members' rows locked in one query, each rule's cap use read in one grouped query,
    the entries written in one insert. The same points as one record at a time."""
    records = [r for r in records if r.member_id is not None]
    if not records:
        return
    area_path = records[0].area.path
    day = records[0].on
    assert all(r.on == day and r.area_id == records[0].area_id for r in records)
    rules = [
        r
        for r in PointsRule.objects.filter(active=True, basis=RuleBasis.PER_HOUR).select_related("area")
        if area_path.startswith(r.area.path)
    ]
    if not rules:
        return
    member_ids = sorted({r.member_id for r in records if r.member_id is not None})
    list(Member.objects.select_for_update().filter(pk__in=member_ids).values_list("pk", flat=True))
    who = signed_in(actor)
    now = timezone.now()
    entries: list[PointsEntry] = []
    for rule in rules:
        used: dict[int, Decimal] = {}
        if rule.cap is not None:
            start, end = rule.period_bounds(day)
            used = {
                row["member_id"]: row["s"] or Decimal(0)
                for row in PointsEntry.objects.filter(
                    member_id__in=member_ids,
                    rule=rule,
                    status=EntryStatus.APPROVED,
                    on__gte=start,
                    on__lt=end,
                )
                .values("member_id")
                .annotate(s=Sum(Abs("points")))
            }
        for record in records:
            assert record.member_id is not None
            requested = (Decimal(record.hours) * rule.points).quantize(Decimal("0.01"))
            allowed = requested
            if rule.cap is not None:
                allowed = max(Decimal(0), min(requested, rule.cap - used.get(record.member_id, Decimal(0))))
            entries.append(
                PointsEntry(
                    member_id=record.member_id,
                    rule=rule,
                    area=record.area,
                    on=record.on,
                    units=record.hours,
                    requested=requested,
                    points=allowed,
                    hours_record=record,
                    status=EntryStatus.APPROVED,
                    submitted_by=who,
                    decided_by=who,
                    decided_at=now,
                )
            )
    PointsEntry.objects.bulk_create(entries, batch_size=1000)


@transaction.atomic
def points_claim(
    *,
    actor: Actor,
    rule: PointsRule,
    on: dt.date,
    units: Decimal = Decimal(1),
    evidence: str = "",
    note: str = "",
    member: Member | None = None,
) -> PointsEntry:
    """A member claims points under a rule (``member`` None: the actor's own member), or an
    administrator enters them for a member they see (e.g. a deduction); pending until the rule's
    approver decides. Evidence is required where the rule says so."""
    rule = selectors.points_rule_get(actor=actor, pk=rule.pk)
    if not rule.active or rule.basis != RuleBasis.PER_CLAIM:
        raise ValidationError({"rule": _("Points under this rule cannot be claimed.")})
    if member is None:
        member = selectors.actor_member(actor)
        if member is None:
            raise ValidationError(_("Your account is not linked to a Party member."))
        homes = selectors.actor_homes(actor)
        area_path = next((h for h in homes if h.startswith(rule.area.path)), "")
    else:
        if not selectors.member_choices(actor=actor).filter(pk=member.pk).exists():
            raise ValidationError({"member": _("Choose a member of the ledgers you administer.")})
        home = member.residence or member.org.area
        area_path = selectors.community_path(home.path)
        if not scope_for(actor).covers_path(area_path):
            raise ValidationError({"member": _("Choose a member who lives in your area.")})
    if not area_path or not area_path.startswith(rule.area.path):
        raise ValidationError({"rule": _("This rule does not apply where the member serves.")})
    if rule.evidence_required and not evidence.strip():
        raise ValidationError({"evidence": _("This rule needs evidence (what shows it was done).")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if Decimal(units) <= 0 or Decimal(units) > 1000:
        raise ValidationError({"units": _("Enter a number of units above 0.")})
    entry = PointsEntry(
        member=member,
        rule=rule,
        area=Area.objects.get(path=area_path),
        on=on,
        units=Decimal(units),
        evidence=evidence.strip()[:500],
        note=note.strip()[:300],
        status=EntryStatus.PENDING,
        submitted_by=person(actor),
    )
    _apply_cap(entry)
    entry.save()
    audit_record(
        actor=actor,
        action="points.claim",
        obj=entry,
        changes={"member": member.pk, "rule": rule.pk, "units": entry.units, "requested": entry.requested},
    )
    return entry


@transaction.atomic
def points_entry_decide(*, actor: Actor, entry: PointsEntry, approve: bool, reason: str = "") -> PointsEntry:
    """Approve (the cap then applies to what is left in the period) or reject a claimed entry."""
    entry = (
        PointsEntry.objects.select_for_update(of=("self",)).select_related("rule", "area").get(pk=entry.pk)
    )
    if not points_decide_allowed(actor=actor, entry=entry):
        if entry.status != EntryStatus.PENDING:
            raise ValidationError(_("This entry was already decided."))
        raise PermissionDenied(_("Only the rule's approver may decide this entry."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the entry is rejected.")})
    _lock_member(entry.member_id)
    if approve:
        _apply_cap(entry, exclude_self=True)
    entry.status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
    entry.decided_by = person(actor)
    entry.decided_at = timezone.now()
    entry.reason = reason.strip()[:300]
    entry.save()
    audit_record(
        actor=actor,
        action="points.approve" if approve else "points.reject",
        obj=entry,
        changes={"status": ["pending", entry.status], "points": entry.points, "requested": entry.requested},
        reason=entry.reason,
    )
    return entry


# --- reminders ------------------------------------------------------------------------------


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
            sent += notification_send(
                recipients=users,
                kind="service.reminder",
                title=_("Reminder: %(title)s") % {"title": activity.title},
                body=_("%(when)s at %(place)s.")
                % {
                    "when": timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M"),
                    "place": activity.place,
                },
                url=reverse("service:activity_detail", args=[activity.pk]),
                dedupe_key=f"service.remind.{activity.pk}",
            )
    return sent
