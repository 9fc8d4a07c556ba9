"""Every read of appeals that a person triggers; each takes the actor.

Who sees which appeals:

- administrators (city, district, street, community): appeals about an area in their subtree;
- a unit's liaison: appeals assigned to a Party organisation of their unit (the unit handles them,
  as a unit's liaison handles its unit's organisations everywhere else);
- anyone (a resident, a member): the appeals they raised online themself, and no other;
- superusers: everything.

Overdue: due (``due_at`` passed) and not answered yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, is_person
from gongjian.accounts.models import Role, RoleKind
from gongjian.accounts.scope import scope_for
from gongjian.core.search import name_search_q
from gongjian.orgs.models import Area, Dated, Level, PartyOrg

from . import ranking, rates
from .deadlines import Schedule
from .models import (
    OPEN_STATUSES,
    Appeal,
    AppealClosure,
    AppealEvent,
    AppealHandoff,
    AppealStatus,
    EventKind,
    HandoffStatus,
    WorkingDaySchedule,
)


def community_path(path: str) -> str:
    """The community (or village) an area's path sits in; the path itself at or above that level."""
    return path[: Area.steplen * Level.COMMUNITY]


def home_paths(actor: Actor) -> list[str]:
    """Paths of the communities where the actor holds a resident or member role: where they may
    raise an appeal online."""
    if not is_person(actor):
        return []
    roles = Role.objects.filter(
        user_id=actor.pk, kind__in=[RoleKind.RESIDENT, RoleKind.MEMBER], active=True
    ).select_related("area")
    return sorted(
        {community_path(r.area.path) for r in roles if r.area is not None and r.area.level >= Level.COMMUNITY}
    )


def _visible_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    cond = scope.area_q("area__")
    if scope.unit_ids:
        cond |= Q(assigned_org__unit_id__in=sorted(scope.unit_ids))
    if scope.area_paths:  # assigned to an organisation of the actor's subtree (handed over to it)
        cond |= scope.area_q("assigned_org__area__")
    if scope.unit_ids or scope.area_paths:
        # a hand-off waiting for the actor's organisation to accept it
        to_me = scope.rows_q("to_org__area__", "to_org__unit_id")
        cond |= Q(
            Exists(AppealHandoff.objects.filter(to_me, appeal=OuterRef("pk"), status=HandoffStatus.PENDING))
        )
    if is_person(actor):
        cond |= Q(resident_id=actor.pk)
    return cond


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Due and not answered at ``now``."""
    return Q(answered_at__isnull=True, due_at__lt=now or timezone.now())


def appeal_list(
    *,
    actor: Actor,
    status: str = "",
    kind: str = "",
    channel: str = "",
    not_called_back: bool = False,
    handed_to_me: bool = False,
    overdue: bool | None = None,
    open_only: bool = False,
    within: Area | None = None,
    registered_from: dt.date | None = None,
    registered_to: dt.date | None = None,
    q: str = "",
    mine: bool = False,
) -> QuerySet[Appeal]:
    """Appeals the actor may see, filtered: ``status``, ``kind``, ``channel`` (how it came in),
    ``not_called_back`` (closed, the resident not yet called back), ``handed_to_me`` (a hand-off
    waits for the actor's organisation to accept it), ``overdue`` (True: due and not
    answered; False: not so), ``open_only`` (not closed), ``within`` an area's subtree, registered
    between two local dates (both included), ``q`` in the number or title; ``mine``: only those the
    actor raised online."""
    if not is_person(actor):
        return Appeal.objects.none()
    qs = Appeal.objects.filter(_visible_q(actor))
    if mine:
        qs = qs.filter(resident_id=actor.pk)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if channel:
        qs = qs.filter(channel=channel)
    if not_called_back:
        qs = qs.filter(status=AppealStatus.CLOSED, callback_result="")
    if handed_to_me:
        waiting = handoffs_waiting(actor=actor).filter(appeal=OuterRef("pk"))
        qs = qs.filter(Exists(waiting))
    if overdue is True:
        qs = qs.filter(overdue_q())
    elif overdue is False:
        qs = qs.exclude(overdue_q())
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if registered_from is not None:
        qs = qs.filter(registered_at__date__gte=registered_from)
    if registered_to is not None:
        qs = qs.filter(registered_at__date__lte=registered_to)
    if q.strip():
        term = q.strip()
        qs = qs.filter(Q(number__iexact=term) | Q(title__icontains=term))
    return qs.select_related("area", "assigned_org").order_by("-registered_at", "-pk")


def appeal_get(*, actor: Actor, pk: int) -> Appeal:
    """One appeal the actor may see (404 otherwise)."""
    appeal = (
        Appeal.objects.filter(_visible_q(actor), pk=pk)
        .select_related("area", "assigned_org", "resident")
        .first()
        if is_person(actor)
        else None
    )
    if appeal is None:
        raise Http404
    return appeal


#: Steps whose note is written for the resident (the answer given, their own rating's comment);
#: every other note (an instruction to the organisation assigned, a reassignment's reason, the
#: handler's report, the call-back record) is the staff's own and never reaches the resident.
RESIDENT_NOTE_KINDS = frozenset({EventKind.ANSWERED, EventKind.RATED})


def appeal_staff_view(*, actor: Actor, appeal: Appeal) -> bool:
    """Whether the actor sees the appeal as staff (their area, or their unit's organisation handles
    it), not only as the resident who raised it: staff see internal notes."""
    scope = scope_for(actor)
    return (
        scope.everything
        or scope.covers_path(appeal.area.path)
        or (appeal.assigned_org is not None and scope.covers_unit(appeal.assigned_org.unit_id))
    )


def appeal_events(*, actor: Actor, appeal: Appeal) -> list[AppealEvent]:
    """The timeline of an appeal the actor may see, oldest first; for the resident, the staff's
    internal notes are left out (the rows carry an empty note)."""
    appeal = appeal_get(actor=actor, pk=appeal.pk)
    rows = list(AppealEvent.objects.filter(appeal=appeal).select_related("actor", "org").order_by("at", "pk"))
    if not appeal_staff_view(actor=actor, appeal=appeal):
        for row in rows:
            if row.kind not in RESIDENT_NOTE_KINDS:
                row.note = ""
    return rows


def appeal_counts(*, actor: Actor, rows: QuerySet[Appeal] | None = None) -> dict[str, int]:
    """How many of the actor's appeals (or of ``rows``) are open, overdue, and in each status."""
    base = rows if rows is not None else appeal_list(actor=actor)
    by_status = dict(base.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "total": sum(by_status.values()),
        "open": sum(n for s, n in by_status.items() if s != AppealStatus.CLOSED),
        "overdue": base.filter(overdue_q()).count(),
        **{str(s): by_status.get(s, 0) for s in AppealStatus.values},
    }


def area_choices(*, actor: Actor) -> QuerySet[Area]:
    """Areas an appeal may be registered for by the actor on a form: community level or below, in
    force, inside the actor's subtree (staff), or their own community itself (residents and
    members: the map below a community is the staff's to browse; they say the place in words)."""
    scope = scope_for(actor)
    cond = scope.area_q()
    homes = home_paths(actor)
    if homes:
        cond |= Q(path__in=homes)
    return Area.objects.filter(cond, Dated.on(timezone.localdate()), level__gte=Level.COMMUNITY).order_by(
        "path"
    )


def handoffs_waiting(*, actor: Actor) -> QuerySet[AppealHandoff]:
    """Hand-offs waiting for the actor's organisations (their subtree's, their unit's) to accept."""
    scope = scope_for(actor)
    if scope.empty:
        return AppealHandoff.objects.none()
    return AppealHandoff.objects.filter(
        scope.rows_q("to_org__area__", "to_org__unit_id"), status=HandoffStatus.PENDING
    )


def appeal_pending_handoff(*, appeal: Appeal) -> AppealHandoff | None:
    """The hand-off of the appeal waiting for acceptance, if any (shown with the appeal)."""
    return (
        AppealHandoff.objects.filter(appeal=appeal, status=HandoffStatus.PENDING)
        .select_related("from_org__area", "to_org__area")
        .first()
    )


def handoff_org_choices(*, appeal: Appeal, on: dt.date | None = None) -> QuerySet[PartyOrg]:
    """Party organisations an appeal may be handed to: in force (today, or ``on``) in the appeal's
    city (as a 12345 hotline covers a city), not the one handling it."""
    prefix = appeal.area.path[: Area.steplen * Level.CITY]
    rows = PartyOrg.objects.filter(Dated.on(on or timezone.localdate()), area__path__startswith=prefix)
    if appeal.assigned_org_id is not None:
        rows = rows.exclude(pk=appeal.assigned_org_id)
    return rows.select_related("area", "unit").order_by("area__path", "code")


def handoff_org_search(*, actor: Actor, q: str = "") -> QuerySet[PartyOrg]:
    """The hand-off picker's rows: Party organisations in force in the cities where the actor has a
    place (their subtree's, or their unit's), searched by name."""
    scope = scope_for(actor)
    if scope.everything:
        cities = Q()
    else:
        paths = list(scope.area_paths)
        paths += list(
            PartyOrg.objects.filter(unit_id__in=sorted(scope.unit_ids)).values_list("area__path", flat=True)
        )
        cities = Q(pk__in=[])
        for prefix in {p[: Area.steplen * Level.CITY] for p in paths}:
            cities |= Q(area__path__startswith=prefix)
    rows = PartyOrg.objects.filter(cities, Dated.on(timezone.localdate())).select_related("area")
    return (rows.filter(name_search_q(q)) if q else rows).order_by("area__path", "code")


def org_choices(*, actor: Actor, on: dt.date | None = None) -> QuerySet[PartyOrg]:
    """Party organisations an appeal may be assigned to by the actor: in force (today, or ``on``),
    sitting in the actor's subtree (territorial ones and those of resident units there)."""
    scope = scope_for(actor)
    if not (scope.everything or scope.area_paths):
        return PartyOrg.objects.none()
    return (
        PartyOrg.objects.filter(scope.area_q("area__"), Dated.on(on or timezone.localdate()))
        .select_related("area", "unit")
        .order_by("area__path", "code")
    )


# --- the monthly ranking ----------------------------------------------------------------------

#: The levels a ranking is made at: the handling unit (its Party organisation), or a level of the map.
RANK_LEVELS: dict[str, int | None] = {
    "unit": None,
    "community": Level.COMMUNITY,
    "street": Level.STREET,
    "district": Level.DISTRICT,
}


@dataclass(frozen=True)
class Ranking:
    """The table of one level for one period (a month, or the year to its end)."""

    level: str
    first: dt.date
    last: dt.date
    min_cases: int
    weights: tuple[float, ...]
    rows: list[ranking.Row]


def ranking_allowed(*, actor: Actor) -> bool:
    """Staff with a place on the map (or a unit's liaison, for their unit) read the rankings."""
    return is_person(actor) and not scope_for(actor).empty


def month_period(month: dt.date, *, year_to_date: bool = False) -> rates.Period:
    """The local days of ``month`` (any day of it), or from 1 January to the month's last day."""
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return (first.replace(month=1) if year_to_date else first), last


def appeal_ranking(
    *,
    actor: Actor,
    level: str,
    month: dt.date,
    year_to_date: bool = False,
    min_cases: int | None = None,
) -> Ranking:
    """The ranking of the units, communities, streets or districts the actor may read by the rates
    of ``rates.py`` over the month (or the year to the month's end), by the rule of ``ranking.py``.

    Two grouped queries (appeals, closures): each part counted per entity with a filtered count. An
    area is ranked from the appeals about its subtree (appeals about a node above the level count
    for no one); a unit from the appeals assigned to its Party organisation now (cases, response)
    and the closures it made (the rest: a closure reopened counts against the unit that closed it)."""
    if level not in RANK_LEVELS:
        raise ValueError(f"unknown ranking level {level!r}")
    if not ranking_allowed(actor=actor):
        raise PermissionDenied(_("The rankings are read by staff with a place on the map."))
    period = month_period(month, year_to_date=year_to_date)
    minimum = settings.GONGJIAN_APPEALS_RANKING_MIN_CASES if min_cases is None else min_cases
    weights = settings.GONGJIAN_APPEALS_RANKING_WEIGHTS
    scope = scope_for(actor)
    depth = RANK_LEVELS[level]
    registered = Q(registered_at__date__gte=period[0], registered_at__date__lte=period[1])

    def grouped(
        qs: QuerySet[Any], org_field: str, parts: dict[str, Any], extra: dict[str, Any]
    ) -> dict[str, dict[str, Any]]:
        key: Any
        if depth is None:
            qs = qs.filter(**{f"{org_field}__isnull": False})
            key = F(f"{org_field}_id")
        else:
            key = Substr("area__path", 1, Area.steplen * depth)
        counts = {name: Count("pk", filter=condition(period)) for name, condition in parts.items()}
        rows = qs.order_by().annotate(entity=key).values("entity").annotate(**extra, **counts)
        return {str(g["entity"]): dict(g) for g in rows}

    # appeals: the cases and the response rate (by the organisation assigned now)
    touched = registered | rates.due_in(period)
    appeals = Appeal.objects.filter(scope.rows_q("area__", "assigned_org__unit_id"), touched)
    by_key = grouped(appeals, "assigned_org", rates.APPEAL_PARTS, {"cases": Count("pk", filter=registered)})
    # closures: everything judged at closure (by the organisation that closed it)
    closures = AppealClosure.objects.filter(
        scope.rows_q("area__", "org__unit_id"), rates.closed_in(period) | rates.reached_in(period)
    )
    for k, g in grouped(closures, "org", rates.CLOSURE_PARTS, {}).items():
        by_key.setdefault(k, {"cases": 0}).update(g)
    entries: list[ranking.Entry] = []
    if depth is None:
        orgs = PartyOrg.objects.filter(pk__in=[int(k) for k in by_key]).select_related("unit")
        names = {str(o.pk): str(o) for o in orgs}
    else:
        areas = Area.objects.filter(path__in=list(by_key), level=depth)
        names = {a.path: a.name for a in areas}
    for k, g in by_key.items():
        if k not in names:
            continue  # appeals about a node above the level
        entries.append(ranking.Entry(k, names[k], g["cases"], {name: g.get(name, 0) for name in rates.PARTS}))
    rows = ranking.rank(
        entries,
        rates=[(r.key, r.part, r.whole) for r in rates.RATES],
        min_cases=minimum,
        weights=weights,
    )
    return Ranking(level, period[0], period[1], minimum, weights, rows)


# --- the working-day calendar -----------------------------------------------------------------


def working_day_schedules() -> dict[int, Schedule]:
    """The years' schedules loaded by platform administrators (the calendar package's years are
    read from the package); platform data, the same for everyone."""
    return {row.year: row.schedule() for row in WorkingDaySchedule.objects.all()}
