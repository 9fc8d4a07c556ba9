"""Who may write service records: the checks the app's services make (the package's docstring
says who may do what)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, is_person
from gongjian.accounts.models import ADMIN_LEVELS, Role
from gongjian.accounts.scope import scope_for
from gongjian.members.models import Member
from gongjian.orgs.models import Area

from .. import selectors
from ..models import (
    Activity,
    ActivityStatus,
    AttendanceStatus,
    EntryStatus,
    HoursSource,
    HoursStatus,
    PointsEntry,
    PointsRule,
    ServiceHours,
    ServiceTeam,
    Volunteer,
)

# --- permissions ----------------------------------------------------------------------------


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
    """Whether to offer the sign-up button: a person, an open activity not yet started, no sign-up."""
    member, volunteer = _person(actor)
    if member is None and volunteer is None:
        return False
    if activity.status != ActivityStatus.OPEN or activity.starts_at <= timezone.now():
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
    if entry.status != EntryStatus.PENDING or not is_person(actor):
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


def _require_person(actor: Actor) -> tuple[Member | None, Volunteer | None]:
    member, volunteer = _person(actor)
    if member is None and volunteer is None:
        raise ValidationError(
            _("Your account is not linked to a Party member or a volunteer; ask your community to link it.")
        )
    return member, volunteer
