"""Every read of service records that a person triggers; each takes the actor.

Who sees what:

- administrators: teams, volunteers, activities, hours, points entries whose area is in their
  subtree; points rules set in their subtree or above it (they apply there);
- unit liaisons: teams of their unit, activities their unit organises (itself, through its team or
  a project it leads), the attendance and hours of those, and the verified hours of their staff
  who registered (双报到, confirmed) with a community;
- members and volunteers (an account linked to a ``Member`` or a ``Volunteer``, or holding a member
  role on an area): activities open to them — at or above their community, or below it, open to
  the area; or of a team they are on — and their own attendance, hours and points;
- superusers: everything.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.accounts.models import Role, RoleKind
from gongjian.accounts.scope import scope_for
from gongjian.core.search import name_search_q
from gongjian.members.models import CoManagement, Member, MemberReport
from gongjian.members.selectors import feedback_unit_get as ledger_unit_get
from gongjian.members.selectors import member_list, member_report_list
from gongjian.orgs.models import Area, Level, ResidentUnit

from .models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    Audience,
    EntryStatus,
    HoursStatus,
    PointsEntry,
    PointsRule,
    ServiceHours,
    ServiceTeam,
    StandingDuty,
    TeamMembership,
    Volunteer,
)

ZERO = Decimal(0)


# --- who the actor is -----------------------------------------------------------------------


def actor_member(actor: Actor) -> Member | None:
    """The ledger member the account is linked to, if any."""
    if not actor.is_authenticated:
        return None
    return Member.objects.filter(user_id=actor.pk).select_related("org__area", "residence").first()


def actor_volunteer(actor: Actor) -> Volunteer | None:
    if not actor.is_authenticated:
        return None
    return Volunteer.objects.filter(user_id=actor.pk).select_related("area").first()


def community_path(path: str) -> str:
    """The community (or village) an area's path sits in; the path itself at or above that level."""
    return path[: Area.steplen * Level.COMMUNITY]


def actor_homes(actor: Actor) -> list[str]:
    """Paths of the communities the actor serves in as a member or volunteer: where they hold a
    member role, and for a linked member their residence, organisation, confirmed registration
    (双报到) and co-management; for a linked volunteer their area."""
    if not actor.is_authenticated:
        return []
    paths: set[str] = set()
    for role in Role.objects.filter(user_id=actor.pk, kind=RoleKind.MEMBER, active=True).select_related(
        "area"
    ):
        if role.area is not None:
            paths.add(community_path(role.area.path))
    member = actor_member(actor)
    if member is not None:
        paths.add(community_path(member.org.area.path))
        if member.residence is not None:
            paths.add(community_path(member.residence.path))
        for report in MemberReport.objects.filter(member=member, status="confirmed", until__isnull=True):
            paths.add(community_path(report.community.path))
        for co in CoManagement.objects.filter(member=member, until__isnull=True):
            paths.add(community_path(co.community.path))
    volunteer = actor_volunteer(actor)
    if volunteer is not None:
        paths.add(community_path(volunteer.area.path))
    return sorted(paths)


def _person_q(actor: Actor, prefix: str = "") -> Q:
    """Rows of the actor's own person (their member or volunteer record)."""
    if not actor.is_authenticated:
        return Q(pk__in=[])
    return Q(**{f"{prefix}member__user_id": actor.pk}) | Q(**{f"{prefix}volunteer__user_id": actor.pk})


def _open_to_homes_q(homes: list[str], prefix: str = "area__") -> Q:
    """Areas at or above one of ``homes``, or inside one."""
    q = Q(pk__in=[])
    for home in homes:
        above = [home[:n] for n in range(Area.steplen, len(home) + 1, Area.steplen)]
        q |= Q(**{f"{prefix}path__in": above}) | Q(**{f"{prefix}path__startswith": home})
    return q


# --- teams and volunteers -------------------------------------------------------------------


def team_list(
    *, actor: Actor, within: Area | None = None, active: bool | None = None, q: str = ""
) -> QuerySet[ServiceTeam]:
    scope = scope_for(actor)
    cond = scope.rows_q("area__", "unit_id")
    if actor.is_authenticated and not scope.everything:
        mine = TeamMembership.objects.filter(_person_q(actor)).values("team_id")
        cond |= Q(pk__in=mine)
    qs = ServiceTeam.objects.filter(cond)
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if active is not None:
        qs = qs.filter(active=active)
    if q:
        qs = qs.filter(name_search_q(q))
    return qs.select_related("area", "org", "unit").order_by("area__path", "name_key", "pk")


def team_get(*, actor: Actor, pk: int) -> ServiceTeam:
    team = team_list(actor=actor).filter(pk=pk).first()
    if team is None:
        raise Http404
    return team


def team_memberships(*, actor: Actor, team: ServiceTeam, current: bool = True) -> QuerySet[TeamMembership]:
    team_get(actor=actor, pk=team.pk)
    qs = TeamMembership.objects.filter(team=team)
    if current:
        qs = qs.filter(until__isnull=True)
    return qs.select_related("member", "volunteer").order_by("-leader", "since", "pk")


def team_membership_get(*, actor: Actor, pk: int) -> TeamMembership:
    row = TeamMembership.objects.filter(pk=pk, team__in=team_list(actor=actor)).select_related("team").first()
    if row is None:
        raise Http404
    return row


def duty_get(*, actor: Actor, pk: int) -> StandingDuty:
    row = StandingDuty.objects.filter(pk=pk, team__in=team_list(actor=actor)).select_related("team").first()
    if row is None:
        raise Http404
    return row


def team_duties(*, actor: Actor, team: ServiceTeam) -> QuerySet[Any]:
    team_get(actor=actor, pk=team.pk)
    return team.duties.filter(until__isnull=True).order_by("kind", "pk")


def team_periods(*, actor: Actor, team: ServiceTeam) -> QuerySet[Any]:
    team_get(actor=actor, pk=team.pk)
    return team.periods.order_by("-since")


def volunteer_list(*, actor: Actor, within: Area | None = None, q: str = "") -> QuerySet[Volunteer]:
    scope = scope_for(actor)
    cond = scope.area_q("area__")
    if actor.is_authenticated and not scope.everything:
        cond |= Q(user_id=actor.pk)
    qs = Volunteer.objects.filter(cond)
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if q:
        qs = qs.filter(name_search_q(q) | Q(volunteer_no=q.strip()))
    return qs.select_related("area").order_by("name_key", "pk")


def volunteer_get(*, actor: Actor, pk: int) -> Volunteer:
    volunteer = volunteer_list(actor=actor).filter(pk=pk).first()
    if volunteer is None:
        raise Http404
    return volunteer


def member_choices(*, actor: Actor) -> QuerySet[Member]:
    """Members the actor may put on a team or record at an activity (the ledgers they see)."""
    return member_list(actor=actor, status="normal")


# --- activities -----------------------------------------------------------------------------


def _unit_activity_q(units: list[int], prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}unit_id__in": units})
        | Q(**{f"{prefix}team__unit_id__in": units})
        | Q(**{f"{prefix}project__lead_unit_id__in": units})
    )


def _activity_scope_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = scope.area_q("area__")
    if scope.unit_ids:
        q |= _unit_activity_q(sorted(scope.unit_ids))
    if actor.is_authenticated:
        homes = actor_homes(actor)
        q |= Q(audience=Audience.AREA) & _open_to_homes_q(homes)
        teams = TeamMembership.objects.filter(_person_q(actor), until__isnull=True).values("team_id")
        q |= Q(team_id__in=teams)
        q |= Q(pk__in=Attendance.objects.filter(_person_q(actor)).values("activity_id"))
    return q


def activity_list(
    *,
    actor: Actor,
    within: Area | None = None,
    team: ServiceTeam | None = None,
    upcoming: bool | None = None,
    q: str = "",
) -> QuerySet[Activity]:
    qs = Activity.objects.filter(_activity_scope_q(actor))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if team is not None:
        qs = qs.filter(team=team)
    if upcoming is True:
        qs = qs.filter(ends_at__gte=timezone.now(), status=ActivityStatus.OPEN).order_by("starts_at", "pk")
    elif upcoming is False:
        qs = qs.filter(ends_at__lt=timezone.now())
    if q:
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(place__icontains=q.strip()))
    return qs.select_related("area", "org", "team", "unit", "project")


def activity_get(*, actor: Actor, pk: int) -> Activity:
    activity = activity_list(actor=actor).filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


def activity_for_scan(*, actor: Actor, pk: int, token: str) -> Activity:
    """The activity whose current QR code the actor scanned: the code is what lets a volunteer or
    member from elsewhere open it. Without a valid code, only an activity the actor sees."""
    from .qr import qr_token_valid

    if actor.is_authenticated:
        activity = Activity.objects.filter(pk=pk).select_related("area", "team", "project").first()
        if activity is not None and qr_token_valid(activity=activity, token=token):
            return activity
    return activity_get(actor=actor, pk=pk)


def activity_managed_q(actor: Actor) -> Q:
    """Activities the actor organises: by area for administrators, their unit's for liaisons."""
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = scope.area_q("area__")
    if scope.unit_ids:
        q |= _unit_activity_q(sorted(scope.unit_ids))
    return q


def attendance_list(*, actor: Actor, activity: Activity) -> QuerySet[Attendance]:
    """Who signed up and came: all of them for the organisers, one's own row for the others."""
    activity_get(actor=actor, pk=activity.pk)
    qs = Attendance.objects.filter(activity=activity)
    if not Activity.objects.filter(activity_managed_q(actor), pk=activity.pk).exists():
        qs = qs.filter(_person_q(actor))
    return qs.select_related("member", "volunteer", "hours_record").order_by("signed_up_at", "pk")


def attendance_get(*, actor: Actor, pk: int) -> Attendance:
    managed = Activity.objects.filter(activity_managed_q(actor)).values("pk")
    row = (
        Attendance.objects.filter(Q(activity_id__in=managed) | _person_q(actor), pk=pk)
        .select_related("activity", "activity__area", "member", "volunteer")
        .first()
    )
    if row is None:
        raise Http404
    return row


def signup_count(activity: Activity) -> int:
    return Attendance.objects.filter(
        activity=activity, status__in=[AttendanceStatus.SIGNED_UP, AttendanceStatus.WALK_IN]
    ).count()


def own_attendance(*, actor: Actor, activity: Activity) -> Attendance | None:
    return Attendance.objects.filter(_person_q(actor), activity=activity).first()


# --- hours ----------------------------------------------------------------------------------


def _hours_scope_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = scope.area_q("area__")
    if scope.unit_ids:
        units = sorted(scope.unit_ids)
        reported = MemberReport.objects.filter(status="confirmed").values("member_id")
        q |= Q(status=HoursStatus.VERIFIED, member__work_unit_id__in=units, member_id__in=reported)
        q |= Q(attendance__activity__in=Activity.objects.filter(_unit_activity_q(units)))
    return q | _person_q(actor)


def hours_list(
    *,
    actor: Actor,
    within: Area | None = None,
    status: str = "",
    member: Member | None = None,
    year: int | None = None,
) -> QuerySet[ServiceHours]:
    qs = ServiceHours.objects.filter(_hours_scope_q(actor))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if status:
        qs = qs.filter(status=status)
    if member is not None:
        qs = qs.filter(member=member)
    if year is not None:
        qs = qs.filter(on__year=year)
    return qs.select_related("member", "volunteer", "area", "attendance__activity")


def hours_get(*, actor: Actor, pk: int) -> ServiceHours:
    row = hours_list(actor=actor).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


# --- points ---------------------------------------------------------------------------------


def points_rule_list(*, actor: Actor, active: bool | None = None) -> QuerySet[PointsRule]:
    """Rules set in the actor's subtree or above it, or above a community they serve in."""
    scope = scope_for(actor)
    if scope.everything:
        qs = PointsRule.objects.all()
    else:
        places = list(scope.area_paths) + actor_homes(actor)
        if scope.unit_ids:
            places += [
                u.area.path for u in ResidentUnit.objects.filter(pk__in=scope.unit_ids).select_related("area")
            ]
        cond = scope.area_q("area__") | _open_to_homes_q(places)
        qs = PointsRule.objects.filter(cond)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.select_related("area").order_by("area__path", "name", "pk")


def points_rule_get(*, actor: Actor, pk: int) -> PointsRule:
    rule = points_rule_list(actor=actor).filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def points_entry_list(
    *, actor: Actor, status: str = "", member: Member | None = None, year: int | None = None
) -> QuerySet[PointsEntry]:
    scope = scope_for(actor)
    cond = scope.area_q("area__")
    if not scope.everything:
        cond |= Q(member__user_id=getattr(actor, "pk", None) or -1)
    qs = PointsEntry.objects.filter(cond)
    if status:
        qs = qs.filter(status=status)
    if member is not None:
        qs = qs.filter(member=member)
    if year is not None:
        qs = qs.filter(on__year=year)
    return qs.select_related("member", "rule", "area")


def points_entry_get(*, actor: Actor, pk: int) -> PointsEntry:
    entry = points_entry_list(actor=actor).filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


def points_total(entries: QuerySet[PointsEntry]) -> Decimal:
    return entries.filter(status=EntryStatus.APPROVED).aggregate(s=Sum("points"))["s"] or ZERO


# --- my service -----------------------------------------------------------------------------


def my_service(*, actor: Actor, year: int | None = None) -> dict[str, Any]:
    """The actor's own service for the year: verified and pending hours, points (approved total,
    pending), recent records and upcoming activities they signed up for."""
    year = year or timezone.localdate().year
    member = actor_member(actor)
    volunteer = actor_volunteer(actor)
    own_hours = ServiceHours.objects.filter(_person_q(actor), on__year=year).select_related(
        "attendance__activity", "area"
    )
    verified = own_hours.filter(status=HoursStatus.VERIFIED).aggregate(s=Sum("hours"))["s"] or ZERO
    pending = own_hours.filter(status=HoursStatus.PENDING).aggregate(s=Sum("hours"))["s"] or ZERO
    entries = PointsEntry.objects.filter(member__user_id=getattr(actor, "pk", None) or -1, on__year=year)
    upcoming = (
        Attendance.objects.filter(
            _person_q(actor),
            status__in=[AttendanceStatus.SIGNED_UP, AttendanceStatus.WALK_IN],
            activity__ends_at__gte=timezone.now(),
            activity__status=ActivityStatus.OPEN,
        )
        .select_related("activity")
        .order_by("activity__starts_at")
    )
    return {
        "year": year,
        "member": member,
        "volunteer": volunteer,
        "verified_hours": verified,
        "pending_hours": pending,
        "points": points_total(entries),
        "points_pending": entries.filter(status=EntryStatus.PENDING).count(),
        "hours": list(own_hours.order_by("-on", "-pk")[:50]),
        "entries": list(entries.select_related("rule").order_by("-on", "-pk")[:50]),
        "upcoming": list(upcoming[:20]),
    }


# --- feedback to employers ------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, end


def feedback_unit_get(*, actor: Actor, pk: int) -> ResidentUnit:
    """The employer whose quarterly sheet the actor may open (as the ledgers' feedback sheet)."""
    unit: ResidentUnit = ledger_unit_get(actor=actor, pk=pk)
    return unit


def feedback_hours(*, actor: Actor, unit: ResidentUnit, year: int, quarter: int) -> list[dict[str, Any]]:
    """Per reported member of ``unit`` (confirmed 双报到 during the quarter, employer
    ``Member.work_unit``) that the actor sees: the community, verified hours in the quarter and the
    activities (and logged work) behind them. Only verified hours count."""
    feedback_unit_get(actor=actor, pk=unit.pk)
    start, end = quarter_bounds(year, quarter)
    reports = (
        member_report_list(actor=actor, current=False)
        .filter(member__work_unit_id=unit.pk, status="confirmed", since__lt=end)
        .filter(Q(until__isnull=True) | Q(until__gt=start))
        .order_by("member__name_key", "member_id", "-since")
    )
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    for report in reports:
        if report.member_id in seen:
            continue
        seen.add(report.member_id)
        records = list(
            ServiceHours.objects.filter(
                member_id=report.member_id, status=HoursStatus.VERIFIED, on__gte=start, on__lt=end
            )
            .select_related("attendance__activity", "area")
            .order_by("on", "pk")
        )
        items = [
            {
                "on": r.on,
                "title": r.attendance.activity.title if r.attendance else r.description,
                "activity": r.attendance.activity if r.attendance else None,
                "hours": r.hours,
            }
            for r in records
        ]
        rows.append(
            {
                "member": report.member,
                "community": report.community,
                "hours": sum((r.hours for r in records), ZERO),
                "activities": sum(1 for r in records if r.attendance_id),
                "items": items,
            }
        )
    return rows
