"""Matching in the product (issue #6, item 2): the Django adapter around the pure engine, the
one-click claim from a recommendation, and the claiming session of a joint meeting.

**Rows → engine dataclasses** (``demand_row``, ``resource_row``, ``matching_context``):

* areas become division-like keys built from the tree's materialised path (``area_key``), so
  prefixes are ancestors at the engine's fixed lengths (district 6, street 9, community 12) whatever
  codes the map was given;
* a resource serves, as in the lists, the areas it lists (and below) or else the district it sits
  in: those are its ``service_areas``; its radius is not passed (the lists show it to claimants, it
  does not decide who may claim), its provider unit's coordinates give the distance;
* a resource's capacity counts what its provider accepted (``claimed``) and what claiming sessions
  committed on it (``MatchingPair`` rows whose claim stands): the session records claims on the
  demand side, which only the provider could record on the resource itself;
* the context on the day: agreements in force between the provider unit and a community or street
  (``Agreement.in_force_on``), projects between a provider and an area (any not cancelled), and the
  provider's load (its projects in progress, i.e. its open accepted claims).

**The claiming session** (``MatchingSession``, decisions as ``MatchingPair`` rows): the convener's
staff (``cobuild``'s ``meeting_manage_allowed``) propose the allocation of every open demand of the
meeting's area subtree (micro-wishes aside: members claim them) over the published resources of
units serving it; accept (pin), drop (exclude), swap (pin a pair of their own) and take back, the
proposal being re-optimised around the decisions each time; then commit, which turns every accepted
pair into an accepted claim of the provider unit on the demand, recorded against the meeting
(``demand_assign`` while the demand is untouched, else ``demand_claim`` + ``claim_accept``), all in
one transaction: one refusal and nothing is recorded. Only resources of units are proposed: a unit
without a listed resource is left to assignment (交办) from the demand's page, and resources of
organisations and members are claimed from their own pages. Commit needs the meeting held (the lists
record claims only at a held meeting); proposing and deciding work from the day it is convened.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person
from gongjian.cobuild.models import Agreement, JointMeeting, MeetingStatus
from gongjian.cobuild.services.meetings import meeting_manage_allowed
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.jobs import job_create, job_finish, job_progress
from gongjian.core.models import Job
from gongjian.core.notify import announce
from gongjian.lists import audience as lists_audience
from gongjian.lists.models import (
    DEMAND_CLAIMABLE,
    Claim,
    ClaimStatus,
    Demand,
    DemandKind,
    DemandStatus,
    Project,
    ProjectStatus,
    Resource,
    ResourceStatus,
)
from gongjian.lists.selectors import claims as lists_selectors
from gongjian.lists.services import claims as lists_services
from gongjian.orgs.models import Area

from . import engine, selectors
from .engine_data import Context, Recommendation, Result
from .engine_data import Demand as EngineDemand
from .engine_data import Resource as EngineResource
from .models import (
    FeedbackOutcome,
    MatchingPair,
    MatchingSession,
    PairState,
    RecommendationFeedback,
    SessionStatus,
)

#: Demands above which a session's proposal is computed by a task with progress.
TASK_THRESHOLD_DEFAULT = 500
#: Rounds of re-optimisation that exclude pairs the lists' rules refuse (reach, service area).
RULE_ROUNDS = 6


def task_threshold() -> int:
    return int(getattr(settings, "GONGJIAN_MATCHING_TASK_DEMANDS", TASK_THRESHOLD_DEFAULT))


# --- the adapter: rows → engine dataclasses ------------------------------------------------------


def area_key(path: str) -> str:
    """A division-like key of an area from its tree path: 3 characters per level down to the
    community (so the district is 6, the street 9, the community 12 long, as the engine expects),
    then ``-`` and the step for each level below. Prefixes are ancestors, as in the tree."""
    step = Area.steplen
    parts: list[str] = []
    for n in range(0, len(path), step):
        segment = path[n : n + step]
        if n // step < 4:
            parts.append(segment[-3:] if segment.startswith("0") else segment)
        else:
            parts.append("-" + segment)
    return "".join(parts)


def provider_key(resource: Resource) -> str:
    if resource.provider_unit_id is not None:
        return f"unit:{resource.provider_unit_id}"
    if resource.provider_org_id is not None:
        return f"org:{resource.provider_org_id}"
    return f"member:{resource.provider_member_id}"


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def demand_row(demand: Demand) -> EngineDemand:
    unit = demand.raised_by_unit
    return EngineDemand(
        id=str(demand.pk),
        title=demand.name,
        description=demand.description,
        category=demand.category,
        quantity=demand.quantity,
        claimed=min(demand.claimed, demand.quantity),
        area=area_key(demand.area.path),
        lat=_float(unit.lat) if unit is not None else None,
        lng=_float(unit.lng) if unit is not None else None,
        deadline=demand.deadline,
    )


def served_paths(resource: Resource) -> list[str]:
    """The subtrees a resource serves (the lists' rule), from prefetched ``service_areas``."""
    listed = sorted(a.path for a in resource.service_areas.all())
    return listed or [lists_selectors.district_path(resource.area)]


def resource_row(resource: Resource, *, used: int = 0) -> EngineResource:
    """``used``: what claiming sessions committed on it beyond ``claimed``."""
    unit = resource.provider_unit
    return EngineResource(
        id=str(resource.pk),
        title=resource.name,
        description=resource.description,
        category=resource.category,
        capacity=resource.capacity,
        claimed=min(resource.claimed + used, resource.capacity),
        provider=provider_key(resource),
        area=area_key(resource.area.path),
        lat=_float(unit.lat) if unit is not None else None,
        lng=_float(unit.lng) if unit is not None else None,
        radius_km=None,
        service_areas=tuple(area_key(p) for p in served_paths(resource)),
        available_from=resource.available_from,
        available_to=resource.available_until,
    )


def committed_use(resource_ids: Iterable[int]) -> dict[int, int]:
    """Quantities claiming sessions committed on each resource (claims still accepted)."""
    rows = (
        MatchingPair.objects.filter(
            resource_id__in=list(resource_ids), state=PairState.COMMITTED, claim__status=ClaimStatus.ACCEPTED
        )
        .values("resource_id")
        .annotate(n=Sum("quantity"))
    )
    return {r["resource_id"]: int(r["n"] or 0) for r in rows}


def matching_context(*, resources: Sequence[Resource], day: dt.date | None = None) -> Context:
    """Agreements in force, projects between providers and areas, and providers' load on ``day``."""
    day = day or timezone.localdate()
    units = sorted({r.provider_unit_id for r in resources if r.provider_unit_id is not None})
    orgs = sorted({r.provider_org_id for r in resources if r.provider_org_id is not None})
    agreements = frozenset(
        (f"unit:{unit_id}", area_key(path))
        for unit_id, path in Agreement.objects.filter(Agreement.in_force_on(day), unit_id__in=units)
        .values_list("unit_id", "area__path")
        .distinct()
    )
    led = Q(lead_unit_id__in=units) | Q(lead_unit__isnull=True, lead_org_id__in=orgs)
    past: dict[tuple[str, str], int] = {}
    load: dict[str, int] = {}
    rows = (
        Project.objects.filter(led)
        .exclude(status=ProjectStatus.CANCELLED)
        .values("lead_unit_id", "lead_org_id", "area__path", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        key = f"unit:{row['lead_unit_id']}" if row["lead_unit_id"] else f"org:{row['lead_org_id']}"
        pair = (key, area_key(row["area__path"]))
        past[pair] = past.get(pair, 0) + row["n"]
        if row["status"] == ProjectStatus.IN_PROGRESS:
            load[key] = load.get(key, 0) + row["n"]
    return Context(agreements=agreements, past_projects=past, load=load, as_of=day)


def _available(resource: Resource, day: dt.date) -> bool:
    return resource.available_until is None or resource.available_until >= day


def _serves(paths: Sequence[str], area_path: str) -> bool:
    return any(area_path.startswith(p) for p in paths)


# --- recommendations on a demand's and a resource's page ---------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One recommended pair for a page: the rows, the score and the reasons (Chinese)."""

    demand: Demand
    resource: Resource
    score: float
    reasons: tuple[str, ...]
    quantity: int  # what a one-click claim takes: what both still have


def _cache_key(kind: str, pk: int, day: dt.date, rows: Iterable[tuple[int, int, str]]) -> str:
    digest = hashlib.sha1(repr(sorted(rows)).encode(), usedforsecurity=False).hexdigest()
    return f"matching:{kind}:{pk}:{day.isoformat()}:{digest}"


def _cached(key: str, compute: Callable[[], list[tuple[str, float, list[str]]]]) -> list[Any]:
    from django.core.cache import cache

    hit = cache.get(key)
    if hit is None:
        hit = compute()
        cache.set(key, hit, 60 * 60 * 24)
    return list(hit)


def _as_rows(recs: Sequence[Recommendation], other: Callable[[Recommendation], str]) -> list[Any]:
    return [(other(r), r.score, list(r.reasons)) for r in recs]


def suggest_for_demand(
    *, demand: Demand, candidates: Sequence[Resource], top_k: int = 5, day: dt.date | None = None
) -> list[Suggestion]:
    """The top resources among ``candidates`` (already limited to what the viewer sees) for an open
    demand. Cached per (demand, day, candidates and their remainders)."""
    day = day or timezone.localdate()
    if demand.status not in DEMAND_CLAIMABLE or demand.remaining <= 0:
        return []
    used = committed_use(r.pk for r in candidates)
    fitting = [
        r
        for r in candidates
        if r.remaining - used.get(r.pk, 0) > 0
        and _available(r, day)
        and _serves(served_paths(r), demand.area.path)
    ]
    if not fitting:
        return []
    by_id = {str(r.pk): r for r in fitting}
    key = _cache_key(
        "d",
        demand.pk,
        day,
        [(-1, demand.claimed, demand.name)]
        + [(r.pk, r.claimed + used.get(r.pk, 0), r.name) for r in fitting],
    )

    def compute() -> list[tuple[str, float, list[str]]]:
        result = engine.match(
            [demand_row(demand)],
            [resource_row(r, used=used.get(r.pk, 0)) for r in fitting],
            matching_context(resources=fitting, day=day),
            top_k=top_k,
            allocate=False,
        )
        return _as_rows(result.recommendations[str(demand.pk)], lambda r: r.resource)

    out: list[Suggestion] = []
    for resource_id, score, reasons in _cached(key, compute):
        resource = by_id.get(resource_id)
        if resource is not None:
            left = min(demand.remaining, resource.remaining - used.get(resource.pk, 0))
            out.append(Suggestion(demand, resource, score, tuple(reasons), left))
    return out


def suggest_for_resource(
    *, resource: Resource, candidates: Sequence[Demand], top_k: int = 5, day: dt.date | None = None
) -> list[Suggestion]:
    """The top open demands among ``candidates`` (what the viewer sees) that a published resource
    could serve: in its service area and, for a unit's resource, within the unit's reach."""
    day = day or timezone.localdate()
    used = committed_use([resource.pk]).get(resource.pk, 0)
    left = resource.remaining - used
    if resource.status != ResourceStatus.PUBLISHED or left <= 0 or not _available(resource, day):
        return []
    served = served_paths(resource)
    reach = lists_selectors.unit_reach_paths(resource.provider_unit, day) if resource.provider_unit else None
    fitting = [
        d
        for d in candidates
        if d.status in DEMAND_CLAIMABLE
        and d.remaining > 0
        and _serves(served, d.area.path)
        and (reach is None or _serves(reach, d.area.path))
    ]
    if not fitting:
        return []
    by_id = {str(d.pk): d for d in fitting}
    key = _cache_key(
        "r",
        resource.pk,
        day,
        [(-1, resource.claimed + used, resource.name)] + [(d.pk, d.claimed, d.name) for d in fitting],
    )

    def compute() -> list[tuple[str, float, list[str]]]:
        result = engine.match(
            [demand_row(d) for d in fitting],
            [resource_row(resource, used=used)],
            matching_context(resources=[resource], day=day),
            top_k=top_k,
            allocate=False,
        )
        return _as_rows(result.for_resources[str(resource.pk)], lambda r: r.demand)

    out: list[Suggestion] = []
    for demand_id, score, reasons in _cached(key, compute):
        demand = by_id.get(demand_id)
        if demand is not None:
            out.append(Suggestion(demand, resource, score, tuple(reasons), min(demand.remaining, left)))
    return out


# --- one-click claim from a recommendation -------------------------------------------------------

OFFER = "offer"  # the provider unit claims the demand (its liaison)
COMMUNITY = "community"  # the demand's list (its community's administrators) claims the resource


def recommendation_claim_quantity(*, demand: Demand, resource: Resource) -> int:
    """What a claim on a recommended pair asks for: what both still have (0 when nothing is left)."""
    used = committed_use([resource.pk]).get(resource.pk, 0)
    return max(0, min(demand.remaining, resource.remaining - used))


def _pair_claimed(demand: Demand, resource: Resource, side: str) -> bool:
    """The side already claimed on this pair (a claim waiting or accepted)."""
    live = (ClaimStatus.PENDING, ClaimStatus.ACCEPTED)
    if side == OFFER:
        return Claim.objects.filter(
            demand=demand, claimant_unit_id=resource.provider_unit_id, status__in=live
        ).exists()
    return Claim.objects.filter(
        resource=resource, claimant_org_id=demand.owner_org_id, status__in=live
    ).exists()


def recommendation_claim_sides(*, actor: Actor, demand: Demand, resource: Resource) -> list[str]:
    """Which one-click claims the actor may make on a recommended pair (pages show these buttons):
    none once that side has claimed it, or when nothing is left to claim."""
    if recommendation_claim_quantity(demand=demand, resource=resource) < 1:
        return []
    return [
        side for side in _claim_sides(actor, demand, resource) if not _pair_claimed(demand, resource, side)
    ]


def _claim_sides(actor: Actor, demand: Demand, resource: Resource) -> list[str]:
    sides: list[str] = []
    if resource.provider_unit_id is not None and any(
        u.pk == resource.provider_unit_id
        for u in lists_services.demand_claim_units(actor=actor, demand=demand)
    ):
        sides.append(OFFER)
    if any(
        o.pk == demand.owner_org_id
        for o in lists_services.resource_claim_orgs(actor=actor, resource=resource)
    ):
        sides.append(COMMUNITY)
    return sides


def recommendation_claim(*, actor: Actor, demand: Demand, resource: Resource, side: str) -> Claim:
    """One click: ``offer`` claims the demand for the resource's provider unit; ``community`` claims
    the resource for the demand's list. The quantity is what both still have. The lists' service
    does the write, its checks and its audit entry (``claim.create``, the note naming the pair); the
    owner then accepts or declines as for any claim."""
    if side not in (OFFER, COMMUNITY):
        raise ValidationError({"side": _("Choose one of the offered values.")})
    with transaction.atomic():
        if side not in _claim_sides(actor, demand, resource):
            raise PermissionDenied(_("You may not make this claim."))
        if _pair_claimed(demand, resource, side):
            raise ValidationError(
                _("This pair is claimed already; the claim waits for the owner's decision.")
            )
        quantity = recommendation_claim_quantity(demand=demand, resource=resource)
        if quantity < 1:
            raise ValidationError(_("Nothing is left to claim on this pair."))
        shown = _shown(actor, demand, resource, side)  # as the page showed it, before the claim
        if side == OFFER:
            assert resource.provider_unit is not None
            claim = lists_services.demand_claim(
                actor=actor,
                demand=demand,
                unit=resource.provider_unit,
                quantity=quantity,
                note=_("Recommended match: %(name)s") % {"name": resource.name},
            )
        else:
            claim = lists_services.resource_claim(
                actor=actor,
                resource=resource,
                org=demand.owner_org,
                quantity=quantity,
                note=_("Recommended match: %(name)s") % {"name": demand.name},
            )
        _feedback(actor, demand, resource, side, FeedbackOutcome.CLAIMED, claim, shown)
    return claim


def _shown(actor: Actor, demand: Demand, resource: Resource, side: str) -> Any:
    """The recommendation of this pair as the actor's page showed it (from the cache), or None."""
    try:
        shown = (
            selectors.resource_recommendations(actor=actor, resource=resource)
            if side == OFFER
            else selectors.demand_recommendations(actor=actor, demand=demand)
        )
    except Http404:
        return None
    return next((x for x in shown if x.demand.pk == demand.pk and x.resource.pk == resource.pk), None)


def _feedback(
    actor: Actor,
    demand: Demand,
    resource: Resource,
    side: str,
    outcome: str,
    claim: Claim | None,
    shown: Any,
) -> RecommendationFeedback:
    return RecommendationFeedback.objects.create(
        demand=demand,
        resource=resource,
        side=side,
        outcome=outcome,
        score=shown.score if shown is not None else None,
        reasons=list(shown.reasons) if shown is not None else [],
        claim=claim,
        by=person(actor),
        at=timezone.now(),
    )


def recommendation_decline(
    *, actor: Actor, demand: Demand, resource: Resource, side: str
) -> RecommendationFeedback:
    """ "Not a match": the side that could claim a recommended pair says it does not fit. The pair
    is never recommended again (to anyone: it is a label on the pair, not a taste), and the
    evaluation can replay it as "not relevant". Audit only: nobody waits for it."""
    if side not in (OFFER, COMMUNITY):
        raise ValidationError({"side": _("Choose one of the offered values.")})
    with transaction.atomic():
        if side not in _claim_sides(actor, demand, resource):
            raise PermissionDenied(_("You may not decline this recommendation."))
        if RecommendationFeedback.objects.filter(
            demand=demand, resource=resource, outcome=FeedbackOutcome.DECLINED
        ).exists():
            raise ValidationError(_("This recommendation is declined already."))
        shown = _shown(actor, demand, resource, side)
        feedback = _feedback(actor, demand, resource, side, FeedbackOutcome.DECLINED, None, shown)
        audit_record(
            actor=actor,
            action=Event.MATCHING_RECOMMENDATION_DECLINE,
            obj=demand,
            changes={"resource": resource.pk, "side": side, "score": feedback.score},
        )
    return feedback


@dataclass(frozen=True)
class FeedbackLabels:
    """Feedback as labels in the labelled set's format (``data/labelled``): the demands and
    resources in the offline command's columns, ``relevant.csv`` (``demand,relevant,split``, split
    ``feedback``) and ``declined.csv`` (``demand,resource,outcome``: pairs people said do not fit)."""

    demands: list[dict[str, str]]
    resources: list[dict[str, str]]
    relevant: list[dict[str, str]]
    declined: list[dict[str, str]]


def feedback_labelled(*, since: dt.date | None = None) -> FeedbackLabels:
    """Every recorded claim and "not a match" (from ``since``) as labels: a claim the owner accepted
    or still weighs marks its resource relevant for its demand; a claim the owner declined, and a
    "not a match", mark the pair not relevant. The texts are the lists' (no personal data: a demand's
    or resource's name, description, category and area code)."""
    rows = (
        RecommendationFeedback.objects.select_related(
            "demand__area", "demand__raised_by_unit", "resource__area", "resource__provider_unit", "claim"
        )
        .prefetch_related("resource__service_areas")
        .order_by("pk")
    )
    if since is not None:
        rows = rows.filter(at__date__gte=since)
    relevant: dict[int, set[int]] = {}
    declined: dict[tuple[int, int], str] = {}
    demands: dict[int, Demand] = {}
    resources: dict[int, Resource] = {}
    for row in rows:
        demands[row.demand_id], resources[row.resource_id] = row.demand, row.resource
        pair = (row.demand_id, row.resource_id)
        claim_declined = row.claim is not None and row.claim.status == ClaimStatus.DECLINED
        if row.outcome == FeedbackOutcome.DECLINED or claim_declined:
            declined[pair] = "claim_declined" if claim_declined else "not_a_match"
        elif row.claim is not None and row.claim.status in (ClaimStatus.PENDING, ClaimStatus.ACCEPTED):
            relevant.setdefault(row.demand_id, set()).add(row.resource_id)
    for d, r in declined:
        relevant.get(d, set()).discard(r)
    day = timezone.localdate()
    return FeedbackLabels(
        demands=[_demand_csv(x) for x in demands.values()],
        resources=[_resource_csv(x, day) for x in resources.values()],
        relevant=[
            {
                "demand": f"D{d}",
                "relevant": " ".join(f"R{r}" for r in sorted(relevant.get(d, ()))),
                "split": "feedback",
            }
            for d in demands
        ],
        declined=[
            {"demand": f"D{d}", "resource": f"R{r}", "outcome": why} for (d, r), why in declined.items()
        ],
    )


def _demand_csv(demand: Demand) -> dict[str, str]:
    row = demand_row(demand)
    return {
        "id": f"D{demand.pk}",
        "title": row.title,
        "description": row.description,
        "category": row.category,
        "quantity": str(row.quantity),
        "area": row.area,
        "lat": "" if row.lat is None else f"{row.lat:.5f}",
        "lng": "" if row.lng is None else f"{row.lng:.5f}",
        "deadline": row.deadline.isoformat() if row.deadline else "",
    }


def _resource_csv(resource: Resource, day: dt.date) -> dict[str, str]:
    row = resource_row(resource)
    return {
        "id": f"R{resource.pk}",
        "title": row.title,
        "description": row.description,
        "category": row.category,
        "capacity": str(row.capacity),
        "provider": row.provider,
        "area": row.area,
        "lat": "" if row.lat is None else f"{row.lat:.5f}",
        "lng": "" if row.lng is None else f"{row.lng:.5f}",
        "radius_km": "" if row.radius_km is None else f"{row.radius_km:g}",
        "available_from": row.available_from.isoformat() if row.available_from else "",
        "available_to": row.available_to.isoformat() if row.available_to else "",
        "service_areas": " ".join(row.service_areas),
    }


# --- the claiming session of a joint meeting -------------------------------------------------------


def session_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    """The convener's staff (as for managing the meeting) run its claiming session, unless it was
    cancelled."""
    return meeting.status != MeetingStatus.CANCELLED and meeting_manage_allowed(actor=actor, meeting=meeting)


def _busy(session: MatchingSession) -> bool:
    return session.job is not None and not session.job.finished


def session_decide_allowed(*, actor: Actor, session: MatchingSession) -> bool:
    """Accept, drop, swap, take back: an open session whose proposal is not being computed."""
    return (
        session.status == SessionStatus.OPEN
        and not _busy(session)
        and session_allowed(actor=actor, meeting=session.meeting)
    )


def session_commit_allowed(*, actor: Actor, session: MatchingSession) -> bool:
    """Claims are recorded at a held meeting (or from its minutes), as the lists require."""
    return (
        session_decide_allowed(actor=actor, session=session)
        and session.meeting.status in lists_selectors.MEETING_RECORDS
        and session.pairs.filter(state=PairState.ACCEPTED).exists()
    )


@dataclass
class SessionInputs:
    demands: dict[int, Demand]
    resources: dict[int, Resource]
    used: dict[int, int]
    served: dict[int, list[str]]
    reach: dict[int, list[str]] = field(default_factory=dict)

    def valid(self, demand_id: int, resource_id: int) -> bool:
        """The lists' rules: the resource serves the demand's area, its unit reaches it."""
        demand, resource = self.demands.get(demand_id), self.resources.get(resource_id)
        if demand is None or resource is None or resource.provider_unit is None:
            return False
        unit_id = resource.provider_unit_id
        assert unit_id is not None
        if unit_id not in self.reach:
            self.reach[unit_id] = lists_selectors.unit_reach_paths(resource.provider_unit)
        path = demand.area.path
        return _serves(self.served[resource_id], path) and _serves(self.reach[unit_id], path)

    def left(self, resource: Resource) -> int:
        return resource.remaining - self.used.get(resource.pk, 0)


def session_demands(*, actor: Actor, meeting: JointMeeting) -> QuerySet[Demand]:
    """Open demands of the meeting's area subtree the actor sees (micro-wishes aside)."""
    return (
        lists_selectors.demand_list(actor=actor, within=meeting.area, status="open")
        .exclude(kind=DemandKind.MICRO_WISH)
        .filter(claimed__lt=F("quantity"))
        .select_related("raised_by_unit")
    )


def session_inputs(*, actor: Actor, meeting: JointMeeting, day: dt.date | None = None) -> SessionInputs:
    """What a session matches: the open demands of the area, and the published resources of units
    serving some part of it with capacity left (both through the lists' selectors, so the actor's
    scope applies)."""
    day = day or timezone.localdate()
    demands = {d.pk: d for d in session_demands(actor=actor, meeting=meeting)}
    rows = (
        lists_selectors.resource_list(actor=actor, status=ResourceStatus.PUBLISHED)
        .filter(provider_unit__isnull=False, claimed__lt=F("capacity"))
        .prefetch_related("service_areas")
    )
    top = meeting.area.path
    resources: dict[int, Resource] = {}
    served: dict[int, list[str]] = {}
    for r in rows:
        paths = served_paths(r)
        if _available(r, day) and any(p.startswith(top) or top.startswith(p) for p in paths):
            resources[r.pk] = r
            served[r.pk] = paths
    used = committed_use(resources)
    resources = {pk: r for pk, r in resources.items() if r.remaining - used.get(pk, 0) > 0}
    return SessionInputs(demands=demands, resources=resources, used=used, served=served)


def _pairs(session: MatchingSession, state: str) -> list[MatchingPair]:
    return list(session.pairs.filter(state=state).order_by("pk"))


def _reasons_for(
    missing: set[tuple[str, str]],
    d_rows: dict[str, EngineDemand],
    r_rows: dict[str, EngineResource],
    context: Context,
) -> dict[tuple[str, str], tuple[float, tuple[str, ...]]]:
    """Scores and reasons of allocated pairs outside both top-K lists: one more run on just them."""
    if not missing:
        return {}
    demand_ids = sorted({d for d, _r in missing})
    resource_ids = sorted({r for _d, r in missing})
    result = engine.match(
        [d_rows[d] for d in demand_ids],
        [r_rows[r] for r in resource_ids],
        context,
        top_k=len(resource_ids),
        allocate=False,
    )
    out: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
    for demand_id in demand_ids:
        for rec in result.recommendations[demand_id]:
            out[(rec.demand, rec.resource)] = (rec.score, rec.reasons)
    return out


def session_compute(
    *, actor: Actor, session: MatchingSession, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """The proposal around the session's decisions (pure read and engine work; the caller stores
    it). Accepted pairs are pinned, dropped ones excluded, and any pair the lists' rules would refuse
    (reach, service area) is excluded and the allocation re-optimised without it."""
    step = progress or (lambda n: None)
    day = timezone.localdate()
    inputs = session_inputs(actor=actor, meeting=session.meeting, day=day)
    step(1)
    d_rows = {str(pk): demand_row(d) for pk, d in inputs.demands.items()}
    r_rows = {str(pk): resource_row(r, used=inputs.used.get(pk, 0)) for pk, r in inputs.resources.items()}
    context = matching_context(resources=list(inputs.resources.values()), day=day)
    accepted = _pairs(session, PairState.ACCEPTED)
    stale = [p.pk for p in accepted if str(p.demand_id) not in d_rows or str(p.resource_id) not in r_rows]
    pinned = [(str(p.demand_id), str(p.resource_id), p.quantity) for p in accepted if p.pk not in stale]
    excluded = {(str(p.demand_id), str(p.resource_id)) for p in _pairs(session, PairState.DROPPED)}
    pinned_keys = {(d, r) for d, r, _q in pinned}
    refused: set[tuple[str, str]] = set()
    result: Result | None = None
    for _round in range(RULE_ROUNDS):
        result = engine.match(
            list(d_rows.values()),
            list(r_rows.values()),
            context,
            top_k=5,
            pinned=pinned,
            excluded=excluded | refused,
        )
        bad = {
            (a.demand, a.resource)
            for a in result.allocation
            if (a.demand, a.resource) not in pinned_keys and not inputs.valid(int(a.demand), int(a.resource))
        }
        if not bad:
            break
        refused |= bad
    step(2)
    assert result is not None
    known: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
    for recs in (*result.recommendations.values(), *result.for_resources.values()):
        for rec in recs:
            known[(rec.demand, rec.resource)] = (rec.score, rec.reasons)
    allocation = [
        a
        for a in result.allocation
        if (a.demand, a.resource) in pinned_keys or inputs.valid(int(a.demand), int(a.resource))
    ]
    known |= _reasons_for({(a.demand, a.resource) for a in allocation} - set(known), d_rows, r_rows, context)
    step(3)
    served_by: dict[str, int] = {}
    pairs: list[dict[str, Any]] = []
    for a in allocation:
        served_by[a.demand] = served_by.get(a.demand, 0) + a.quantity
        pairs.append(
            {
                "demand": int(a.demand),
                "resource": int(a.resource),
                "quantity": a.quantity,
                "score": a.score,
                "reasons": list(known.get((a.demand, a.resource), (a.score, ()))[1]),
                "accepted": (a.demand, a.resource) in pinned_keys,
            }
        )
    pairs.sort(key=lambda p: (not p["accepted"], -float(p["score"]), p["demand"]))
    return {
        "day": day.isoformat(),
        "pairs": pairs,
        "unallocated": [int(d) for d in d_rows if d not in served_by],
        "shortfall": {str(d): left for d, left in result.shortfall.items()},
        "stale": stale,
        "demands": len(d_rows),
        "resources": len(r_rows),
        "seconds": round(sum(v for k, v in result.stats.items() if k.startswith("seconds.")), 3),
    }


def _store(session: MatchingSession, proposal: dict[str, Any]) -> None:
    session.proposal = proposal
    session.proposed_at = timezone.now()
    session.save(update_fields=["proposal", "proposed_at"])


def _reproposal(*, actor: Actor, session: MatchingSession) -> Job | None:
    """Recompute the proposal now, or queue a task with progress when the area is big (the caller
    holds the transaction; the task starts once it commits)."""
    count = session_demands(actor=actor, meeting=session.meeting).count()
    if count <= task_threshold():
        _store(session, session_compute(actor=actor, session=session))
        return None
    from .tasks import session_propose_task

    job = job_create(
        actor=actor, kind="matching.propose", params={"session": session.pk, "meeting": session.meeting_id}
    )
    session.job = job
    session.save(update_fields=["job"])
    transaction.on_commit(lambda: session_propose_task.delay(job.pk))
    return job


def session_propose_run(*, job_id: int) -> Job:
    """The task's body: compute and store the proposal of the job's session, with progress."""
    job = Job.objects.select_related("actor").get(pk=job_id)
    session = MatchingSession.objects.select_related("meeting__area").get(pk=job.params["session"])
    job_progress(job=job, done=0, total=4)
    try:
        proposal = session_compute(
            actor=job.actor, session=session, progress=lambda n: job_progress(job=job, done=n)
        )
    except Exception as exc:  # the job says what went wrong; the session keeps its last proposal
        job_finish(job=job, ok=False, message=str(exc)[:500])
        raise
    with transaction.atomic():
        _store(session, proposal)
    job_finish(
        job=job,
        ok=True,
        result={
            "session": session.pk,
            "meeting": session.meeting_id,
            "pairs": len(proposal["pairs"]),
            "unallocated": len(proposal["unallocated"]),
        },
    )
    return job


def session_start(*, actor: Actor, meeting: JointMeeting) -> MatchingSession:
    """Open the meeting's claiming session (or return the open one) and propose."""
    with transaction.atomic():
        JointMeeting.objects.select_for_update().filter(pk=meeting.pk).first()
        if not session_allowed(actor=actor, meeting=meeting):
            raise PermissionDenied(_("Only the convener's staff run the claiming session."))
        session = MatchingSession.objects.filter(meeting=meeting, status=SessionStatus.OPEN).first()
        if session is not None:
            return session
        session = MatchingSession.objects.create(meeting=meeting, created_by=person(actor))
        audit_record(
            actor=actor, action=Event.MATCHING_SESSION_START, obj=session, changes={"meeting": meeting.pk}
        )
        _reproposal(actor=actor, session=session)
    return session


def session_repropose(*, actor: Actor, session: MatchingSession) -> MatchingSession:
    """Propose again from the lists as they are now (claims made elsewhere since)."""
    with transaction.atomic():
        session = _lock(session)
        _check_decide(actor, session)
        audit_record(actor=actor, action=Event.MATCHING_SESSION_PROPOSE, obj=session, changes={})
        _reproposal(actor=actor, session=session)
    return session


def _lock(session: MatchingSession) -> MatchingSession:
    return (
        MatchingSession.objects.select_for_update(of=("self",))
        .select_related("meeting__area", "job")
        .get(pk=session.pk)
    )


def _check_decide(actor: Actor, session: MatchingSession) -> None:
    if not session_allowed(actor=actor, meeting=session.meeting):
        raise PermissionDenied(_("Only the convener's staff run the claiming session."))
    if session.status != SessionStatus.OPEN:
        raise ValidationError(_("This claiming session has been committed."))
    if _busy(session):
        raise ValidationError(_("The proposal is still being computed; try again when it is ready."))


def _id(value: Any, field_name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field_name: _("Choose one of the offered values.")}) from None


def _open_pair(session: MatchingSession, demand_id: int, resource_id: int) -> MatchingPair | None:
    return (
        session.pairs.filter(demand_id=demand_id, resource_id=resource_id)
        .filter(state__in=[PairState.ACCEPTED, PairState.DROPPED])
        .first()
    )


def _release(pair: MatchingPair | None, actor: Actor, now: dt.datetime) -> None:
    if pair is not None:
        pair.state = PairState.RELEASED
        pair.decided_by = person(actor)
        pair.decided_at = now
        pair.save(update_fields=["state", "decided_by", "decided_at"])


def _proposed(session: MatchingSession, demand_id: int, resource_id: int) -> dict[str, Any] | None:
    return next(
        (
            p
            for p in session.proposal.get("pairs", [])
            if p["demand"] == demand_id and p["resource"] == resource_id and not p.get("accepted")
        ),
        None,
    )


def pair_accept(
    *,
    actor: Actor,
    session: MatchingSession,
    demand_id: Any,
    resource_id: Any,
    quantity: Any = None,
    swap: bool = False,
) -> MatchingPair:
    """Accept a proposed pair (its proposed quantity, or less), or with ``swap`` a pair of the
    convener's own choosing that the engine and the lists' rules find able to serve. Both are then
    pinned and the rest re-optimised around them."""
    demand_pk, resource_pk = _id(demand_id, "demand"), _id(resource_id, "resource")
    with transaction.atomic():
        session = _lock(session)
        _check_decide(actor, session)
        inputs = session_inputs(actor=actor, meeting=session.meeting)
        demand, resource = inputs.demands.get(demand_pk), inputs.resources.get(resource_pk)
        if demand is None:
            raise ValidationError({"demand": _("This demand is not open in the meeting's area.")})
        if resource is None:
            raise ValidationError({"resource": _("This resource cannot be proposed at this meeting.")})
        if not inputs.valid(demand_pk, resource_pk):
            raise ValidationError(
                _("%(resource)s cannot serve %(demand)s: outside its service area or its unit's reach.")
                % {"resource": resource.name, "demand": demand.name}
            )
        existing = _open_pair(session, demand_pk, resource_pk)
        if existing is not None and existing.state == PairState.ACCEPTED:
            raise ValidationError(_("This pair is already accepted."))
        pins = _pairs(session, PairState.ACCEPTED)
        demand_left = demand.remaining - sum(p.quantity for p in pins if p.demand_id == demand_pk)
        resource_left = inputs.left(resource) - sum(p.quantity for p in pins if p.resource_id == resource_pk)
        most = min(demand_left, resource_left)
        proposed = None if swap else _proposed(session, demand_pk, resource_pk)
        if not swap and proposed is None:
            raise ValidationError(_("This pair is not in the proposal; use a swap to choose it."))
        if quantity in (None, ""):
            amount = min(int(proposed["quantity"]), most) if proposed else most
        else:
            amount = _id(quantity, "quantity")
        if most < 1:
            raise ValidationError(_("Nothing is left of this demand or this resource to accept."))
        if not 1 <= amount <= most:
            raise ValidationError({"quantity": _("Enter a quantity from 1 to %(most)d.") % {"most": most}})
        if swap:
            rec = engine.explain(
                demand_row(demand),
                resource_row(resource, used=inputs.used.get(resource_pk, 0)),
                context=matching_context(resources=[resource]),
            )
            if rec is None:
                raise ValidationError(
                    _("%(resource)s cannot serve %(demand)s (availability, deadline or capacity).")
                    % {"resource": resource.name, "demand": demand.name}
                )
            score, reasons = rec.score, list(rec.reasons)
        else:
            assert proposed is not None
            score, reasons = float(proposed["score"]), list(proposed["reasons"])
        now = timezone.now()
        _release(existing, actor, now)
        pair = MatchingPair.objects.create(
            session=session,
            demand=demand,
            resource=resource,
            quantity=amount,
            state=PairState.ACCEPTED,
            score=score,
            reasons=reasons,
            swapped=swap,
            decided_by=person(actor),
            decided_at=now,
        )
        audit_record(
            actor=actor,
            action=Event.MATCHING_PAIR_SWAP if swap else Event.MATCHING_PAIR_ACCEPT,
            obj=session,
            changes={"demand": demand_pk, "resource": resource_pk, "quantity": amount, "score": score},
        )
        _reproposal(actor=actor, session=session)
    return pair


def pair_drop(*, actor: Actor, session: MatchingSession, demand_id: Any, resource_id: Any) -> MatchingPair:
    """Drop a pair (proposed or accepted): never proposed again in this session."""
    demand_pk, resource_pk = _id(demand_id, "demand"), _id(resource_id, "resource")
    with transaction.atomic():
        session = _lock(session)
        _check_decide(actor, session)
        existing = _open_pair(session, demand_pk, resource_pk)
        if existing is not None and existing.state == PairState.DROPPED:
            raise ValidationError(_("This pair is already dropped."))
        proposed = any(
            p["demand"] == demand_pk and p["resource"] == resource_pk
            for p in session.proposal.get("pairs", [])
        )
        if existing is None and not proposed:
            raise ValidationError(_("This pair is not in the proposal."))
        now = timezone.now()
        _release(existing, actor, now)
        pair = MatchingPair.objects.create(
            session=session,
            demand_id=demand_pk,
            resource_id=resource_pk,
            state=PairState.DROPPED,
            decided_by=person(actor),
            decided_at=now,
        )
        audit_record(
            actor=actor,
            action=Event.MATCHING_PAIR_DROP,
            obj=session,
            changes={"demand": demand_pk, "resource": resource_pk},
        )
        _reproposal(actor=actor, session=session)
    return pair


def pair_release(*, actor: Actor, session: MatchingSession, pair_id: Any) -> MatchingPair:
    """Take back an accept or a drop."""
    pk = _id(pair_id, "pair")
    with transaction.atomic():
        session = _lock(session)
        _check_decide(actor, session)
        pair = session.pairs.filter(pk=pk, state__in=[PairState.ACCEPTED, PairState.DROPPED]).first()
        if pair is None:
            raise ValidationError({"pair": _("Choose one of the offered values.")})
        before = pair.state
        _release(pair, actor, timezone.now())
        audit_record(
            actor=actor,
            action=Event.MATCHING_PAIR_RELEASE,
            obj=session,
            changes={"pair": pair.pk, "state": [before, PairState.RELEASED]},
        )
        _reproposal(actor=actor, session=session)
    return pair


def _message(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error) or _("Permission denied.")


def session_commit(*, actor: Actor, session: MatchingSession) -> list[Claim]:
    """Turn every accepted pair into an accepted claim of the provider unit on the demand, recorded
    against the meeting, with its project opened (the lists' services do it, so quantities are
    checked under row locks); the resource's capacity is checked here under its row lock. All or
    nothing: the first refusal undoes everything and says which pair and why."""
    with transaction.atomic():
        session = _lock(session)
        _check_decide(actor, session)
        meeting = session.meeting
        if meeting.status not in lists_selectors.MEETING_RECORDS:
            raise ValidationError(_("Claims are recorded once the meeting is held."))
        accepted = list(session.pairs.filter(state=PairState.ACCEPTED).select_related("demand", "resource"))
        if not accepted:
            raise ValidationError(_("Accept at least one pair first."))
        locked = {
            r.pk: r
            for r in Resource.objects.select_for_update(of=("self",))
            .filter(pk__in=sorted({p.resource_id for p in accepted}))
            .select_related("provider_unit")
            .order_by("pk")
        }
        used = committed_use(locked)
        claims: list[Claim] = []
        now = timezone.now()
        for pair in accepted:
            label = {"demand": pair.demand.name, "resource": pair.resource.name}
            resource = locked[pair.resource_id]
            wanted = sum(p.quantity for p in accepted if p.resource_id == resource.pk)
            try:
                if resource.status != ResourceStatus.PUBLISHED or resource.provider_unit is None:
                    raise ValidationError(_("the resource is no longer offered."))
                if wanted > resource.remaining - used.get(resource.pk, 0):
                    raise ValidationError(
                        _("only %(left)d remain of the resource; the accepted pairs take %(wanted)d.")
                        % {"left": resource.remaining - used.get(resource.pk, 0), "wanted": wanted}
                    )
                demand = Demand.objects.get(pk=pair.demand_id)
                note = _("Claiming session: %(resource)s") % {"resource": resource.name}
                if demand.status == DemandStatus.PUBLISHED and demand.claimed == 0:
                    claim = lists_services.demand_assign(
                        actor=actor,
                        demand=demand,
                        unit=resource.provider_unit,
                        meeting=meeting,
                        quantity=pair.quantity,
                    )
                else:
                    claim = lists_services.demand_claim(
                        actor=actor,
                        demand=demand,
                        unit=resource.provider_unit,
                        quantity=pair.quantity,
                        note=note,
                        meeting=meeting,
                    )
                    claim = lists_services.claim_accept(actor=actor, claim=claim)
            except (ValidationError, PermissionDenied) as error:
                raise ValidationError(
                    _("Nothing was recorded. The pair “%(demand)s” ← “%(resource)s” was refused: %(error)s")
                    % {**label, "error": _message(error)}
                ) from error
            pair.state = PairState.COMMITTED
            pair.claim = claim
            pair.save(update_fields=["state", "claim"])
            claims.append(claim)
        session.status = SessionStatus.COMMITTED
        session.committed_by = person(actor)
        session.committed_at = now
        session.save(update_fields=["status", "committed_by", "committed_at"])
        audit_record(
            actor=actor,
            action=Event.MATCHING_SESSION_COMMIT,
            obj=session,
            changes={
                "meeting": meeting.pk,
                "claims": [c.pk for c in claims],
                "pairs": [[p.demand_id, p.resource_id, p.quantity] for p in accepted],
            },
        )
        # Both sides of every pair: the demands' list keepers and the providers' liaisons (each
        # claim's acceptance has told the provider too; this is the session's summary).
        people: list[Any] = []
        for claim in claims:
            people += lists_audience.claimant_people(claim)
            if claim.demand is not None:
                people += lists_audience.owner_people(claim.demand)
        title, count = meeting.title, len(claims)
        announce(
            Event.MATCHING_SESSION_COMMIT,
            actor=actor,
            recipients=people,
            title=lambda: f"{Event.MATCHING_SESSION_COMMIT.label}：{title}",
            body=lambda: _("%(count)d claims recorded") % {"count": count},
            url=reverse("cobuild:meeting_detail", args=[meeting.pk]),
        )
    return claims
