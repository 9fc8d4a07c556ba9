"""Reads of matching that a person triggers; each takes the actor.

Candidates always come through the lists' selectors (``demand_list``, ``resource_list``), so a
recommendation never names a demand or a resource the viewer may not open: a unit's liaison gets
only demands within the unit's reach and only the unit's own resources, an administrator what lies
in (or serves) their subtree. The engine work itself is the adapter's (``services.suggest_*``),
imported inside the functions (services import selectors, not the other way round at load time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.cobuild.models import JointMeeting
from gongjian.cobuild.selectors.meetings import meeting_get
from gongjian.lists.models import Claim, Demand, Resource, ResourceStatus
from gongjian.lists.selectors import claims as lists_selectors

from .csvio import AreaCandidate
from .models import (
    FeedbackOutcome,
    MatchingPair,
    MatchingSession,
    PairState,
    RecommendationFeedback,
    SessionStatus,
)


def _declined(*, demand: Demand | None = None, resource: Resource | None = None) -> QuerySet[Any]:
    """Pairs someone said are not a match: never recommended again."""
    qs = RecommendationFeedback.objects.filter(outcome=FeedbackOutcome.DECLINED)
    if demand is not None:
        qs = qs.filter(demand=demand)
    if resource is not None:
        qs = qs.filter(resource=resource)
    return qs


def demand_recommendations(*, actor: Actor, demand: Demand, top_k: int = 5) -> list[Any]:
    """The best resources the actor sees for an open demand the actor sees (``Suggestion``s)."""
    from .services import suggest_for_demand

    lists_selectors.demand_get(actor=actor, pk=demand.pk)
    candidates = list(
        lists_selectors.resource_list(actor=actor, status=ResourceStatus.PUBLISHED)
        .filter(claimed__lt=F("capacity"))
        .exclude(pk__in=_declined(demand=demand).values("resource_id"))
        .prefetch_related("service_areas")
    )
    return suggest_for_demand(demand=demand, candidates=candidates, top_k=top_k)


def resource_recommendations(*, actor: Actor, resource: Resource, top_k: int = 5) -> list[Any]:
    """The open demands the actor sees that a published resource (that the actor sees) could serve."""
    from .services import served_paths, suggest_for_resource

    resource = lists_selectors.resource_get(actor=actor, pk=resource.pk)
    if resource.status != ResourceStatus.PUBLISHED:
        return []
    near = Q(pk__in=[])
    for path in served_paths(resource):
        near |= Q(area__path__startswith=path)
    candidates = list(
        lists_selectors.demand_list(actor=actor, status="open")
        .filter(near, claimed__lt=F("quantity"))
        .exclude(pk__in=_declined(resource=resource).values("demand_id"))
        .select_related("raised_by_unit")
    )
    return suggest_for_resource(resource=resource, candidates=candidates, top_k=top_k)


def session_meeting_get(*, actor: Actor, pk: int) -> JointMeeting:
    """The meeting whose claiming session the actor opens: one they see (404 otherwise)."""
    return meeting_get(actor=actor, pk=pk)


def session_current(*, actor: Actor, meeting: JointMeeting) -> MatchingSession | None:
    """The meeting's open session, else its last committed one."""
    meeting_get(actor=actor, pk=meeting.pk)
    sessions = MatchingSession.objects.filter(meeting=meeting).select_related("meeting__area", "job")
    return sessions.filter(status=SessionStatus.OPEN).first() or sessions.first()


@dataclass
class PairRow:
    demand: Demand
    resource: Resource
    quantity: int
    score: float
    reasons: list[str]
    accepted: bool
    pair: MatchingPair | None = None  # the convener's decision behind an accepted row
    claim: Claim | None = None


@dataclass
class SessionView:
    session: MatchingSession
    proposed: list[PairRow]
    accepted: list[PairRow]
    dropped: list[MatchingPair]
    committed: list[PairRow]
    unallocated: list[Demand]
    shortfall: dict[int, int]
    demands: int
    resources: int


def session_view(*, actor: Actor, session: MatchingSession) -> SessionView:
    """The session's proposal and decisions as rows, every demand and resource through the lists'
    selectors (what the actor no longer sees is left out)."""
    meeting_get(actor=actor, pk=session.meeting_id)
    proposal = session.proposal or {}
    pairs = list(
        session.pairs.exclude(state=PairState.RELEASED).select_related(
            "claim", "demand", "resource", "decided_by"
        )
    )
    d_ids = {p["demand"] for p in proposal.get("pairs", [])} | set(proposal.get("unallocated", []))
    d_ids |= {p.demand_id for p in pairs}
    r_ids = {p["resource"] for p in proposal.get("pairs", [])} | {p.resource_id for p in pairs}
    demands = {d.pk: d for d in lists_selectors.demand_list(actor=actor).filter(pk__in=sorted(d_ids))}
    resources = {r.pk: r for r in lists_selectors.resource_list(actor=actor).filter(pk__in=sorted(r_ids))}
    accepted_pairs = {(p.demand_id, p.resource_id): p for p in pairs if p.state == PairState.ACCEPTED}
    proposed: list[PairRow] = []
    accepted: list[PairRow] = []
    for p in proposal.get("pairs", []):
        demand, resource = demands.get(p["demand"]), resources.get(p["resource"])
        if demand is None or resource is None:
            continue
        decision = accepted_pairs.get((demand.pk, resource.pk))
        row = PairRow(
            demand,
            resource,
            int(p["quantity"]),
            float(p["score"]),
            list(p["reasons"]),
            bool(p.get("accepted")) and decision is not None,
            decision,
        )
        (accepted if row.accepted else proposed).append(row)
    shown = {(r.demand.pk, r.resource.pk) for r in accepted}
    for key, decision in accepted_pairs.items():  # pinned but not in the stored proposal (stale)
        if key not in shown and key[0] in demands and key[1] in resources:
            accepted.append(
                PairRow(
                    demands[key[0]],
                    resources[key[1]],
                    decision.quantity,
                    decision.score,
                    list(decision.reasons),
                    True,
                    decision,
                )
            )
    committed = [
        PairRow(
            demands[p.demand_id],
            resources[p.resource_id],
            p.quantity,
            p.score,
            list(p.reasons),
            True,
            p,
            p.claim,
        )
        for p in pairs
        if p.state == PairState.COMMITTED and p.demand_id in demands and p.resource_id in resources
    ]
    return SessionView(
        session=session,
        proposed=proposed,
        accepted=accepted,
        dropped=[p for p in pairs if p.state == PairState.DROPPED],
        committed=committed,
        unallocated=[demands[d] for d in proposal.get("unallocated", []) if d in demands],
        shortfall={int(k): int(v) for k, v in proposal.get("shortfall", {}).items()},
        demands=int(proposal.get("demands", 0)),
        resources=int(proposal.get("resources", 0)),
    )


def swap_choices(*, actor: Actor, session: MatchingSession) -> tuple[list[Demand], list[Resource]]:
    """Demands and resources the convener may pair by hand in a swap."""
    from .services import session_inputs

    inputs = session_inputs(actor=actor, meeting=session.meeting)
    return (
        sorted(inputs.demands.values(), key=lambda d: (d.area.path, d.pk)),
        sorted(inputs.resources.values(), key=lambda r: (r.name_key, r.pk)),
    )


def demand_for_claim(*, actor: Actor, pk: int) -> Demand:
    return lists_selectors.demand_get(actor=actor, pk=pk)


def resource_for_claim(*, actor: Actor, pk: Any) -> Resource:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    resource = (
        lists_selectors.resource_list(actor=actor).filter(pk=number).prefetch_related("service_areas").first()
    )
    if resource is None:
        raise Http404
    return resource


_PATH_SEPARATORS = re.compile(r"\s*[/／>＞·]\s*")


def area_name_candidates(*, text: str) -> list[AreaCandidate]:
    """The places of the map (in force today) that an area written by a person may mean, for the
    offline command's CSV files: ``富雅坪社區`` or ``富雅坪社区`` (either script), or with the places
    above it to tell two apart (``岳麓区/望月湖社区``). The map's names are public, so no actor."""
    from gongjian.core.text import search_key
    from gongjian.orgs.models import Area, Dated

    parts = [p for p in _PATH_SEPARATORS.split(text.strip()) if p]
    if not parts:
        return []
    found = list(
        Area.objects.filter(Dated.on(timezone.localdate()), name_key=search_key(parts[-1])).order_by("path")
    )
    if not found:
        return []
    steps = Area.steplen
    prefixes = {a.path[:n] for a in found for n in range(steps, len(a.path), steps)}
    above = {a.path: a for a in Area.objects.filter(path__in=prefixes)}
    wanted = [search_key(p) for p in parts[:-1]]
    out: list[AreaCandidate] = []
    for area in found:
        chain = [above[area.path[:n]] for n in range(steps, len(area.path), steps) if area.path[:n] in above]
        keys = {a.name_key for a in chain}
        if all(w in keys for w in wanted):
            out.append(AreaCandidate(area.code, " ".join(a.name for a in [*chain, area])))
    return out


@dataclass
class ResourceRecommendations:
    resource: Resource
    suggestions: list[Any]


def unit_recommendations(*, actor: Actor) -> list[ResourceRecommendations]:
    """For a unit liaison: each published resource of the actor's units with capacity left, and the
    open demands in reach recommended for it (best first). Resources with none are left out."""
    from gongjian.accounts.scope import scope_for

    units = sorted(scope_for(actor).unit_ids)
    if not units:
        return []
    resources = (
        lists_selectors.resource_list(actor=actor, status=ResourceStatus.PUBLISHED)
        .filter(provider_unit_id__in=units, claimed__lt=F("capacity"))
        .order_by("name", "pk")
    )
    out: list[ResourceRecommendations] = []
    for resource in resources:
        found = resource_recommendations(actor=actor, resource=resource)
        if found:
            out.append(ResourceRecommendations(resource, found))
    return out
