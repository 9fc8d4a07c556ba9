"""One entry point: ``match(demands, resources, context, top_k) -> Result``.

Steps (each timed in ``Result.stats``): index both lists; tokenise the texts; TF-IDF vectors; the
candidate pairs (``candidates``); their scores (``score``), a part of the pairs at a time, keeping
only the pairs that can be shown or allocated; top-K both ways (``recommend``); the global
allocation (``allocate``, each independent part of the graph on its own); reasons for every pair
shown (``reasons``).

For the product's claiming session (issue #6, item 2) ``match`` also takes:

* ``pinned``: pairs the convener has accepted, (demand id, resource id, quantity): they keep their
  quantity, count against both sides' amounts, and the rest is optimised around them;
* ``excluded``: pairs the convener dropped, (demand id, resource id): never proposed again;
* ``allocate=False``: recommendations only (a demand's or a resource's page).

``explain(demand, resource, …)`` scores one pair (for a swap the convener makes by hand).
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Collection, Sequence

import numpy as np

from . import text as tx
from .allocate import allocate as solve_allocation
from .allocate import unit_values
from .candidates import Index, IntArray, candidate_pairs
from .engine_data import Allocation, Context, Demand, Recommendation, Resource, Result
from .reasons import parts_of, reasons_for, shared_terms
from .recommend import for_demands, for_resources
from .score import (
    DEFAULT_WEIGHTS,
    PairScores,
    TextVectors,
    Weights,
    category_ids,
    score_pairs,
    text_vectors,
)

ROUND = 4
PART_PAIRS = 2_000_000  # candidate pairs scored at a time
MAX_PARTS = 8  # at most this many parts (each part's fixed cost grows with the lists)


class MatchInputError(ValueError):
    """Bad input to the engine (duplicate ids, a pinned pair that names nothing …)."""


def _check_ids(demands: Sequence[Demand], resources: Sequence[Resource]) -> None:
    for what, items in (("demand", demands), ("resource", resources)):
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise MatchInputError(f"{what} id {item.id!r} appears twice")
            seen.add(item.id)


def _apply_pins(
    demands: Sequence[Demand], resources: Sequence[Resource], pinned: Sequence[tuple[str, str, int]]
) -> tuple[list[Demand], list[Resource]]:
    taken_d: dict[str, int] = {}
    taken_r: dict[str, int] = {}
    d_ids = {d.id for d in demands}
    r_ids = {r.id for r in resources}
    for demand_id, resource_id, quantity in pinned:
        if demand_id not in d_ids or resource_id not in r_ids or quantity <= 0:
            raise MatchInputError(f"pinned pair ({demand_id!r}, {resource_id!r}, {quantity}) names nothing")
        taken_d[demand_id] = taken_d.get(demand_id, 0) + quantity
        taken_r[resource_id] = taken_r.get(resource_id, 0) + quantity
    return (
        [
            dataclasses.replace(d, claimed=d.claimed + taken_d[d.id]) if d.id in taken_d else d
            for d in demands
        ],
        [
            dataclasses.replace(r, claimed=r.claimed + taken_r[r.id]) if r.id in taken_r else r
            for r in resources
        ],
    )


def match(
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    context: Context | None = None,
    top_k: int = 5,
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    allocate: bool = True,
    pinned: Sequence[tuple[str, str, int]] = (),
    excluded: Collection[tuple[str, str]] = (),
) -> Result:
    context = context or Context()
    _check_ids(demands, resources)
    stats: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stats[f"seconds.{name}"] = round(now - clock, 4)
        clock = now

    if pinned:
        demands, resources = _apply_pins(demands, resources, pinned)
    index = Index.build(demands, resources)
    lap("index")
    analyzer = tx.analyzer()
    d_tokens = analyzer.tokenize_all([d.text for d in demands])
    r_tokens = analyzer.tokenize_all([r.text for r in resources])
    lap("tokens")
    vectors = text_vectors(d_tokens, r_tokens, weights)
    categories = category_ids(
        [tx.category_code(d.category) for d in demands], [tx.category_code(r.category) for r in resources]
    )
    lap("vectors")
    d, r = candidate_pairs(index, context)
    if excluded:
        d_pos = {x.id: i for i, x in enumerate(demands)}
        r_pos = {x.id: j for j, x in enumerate(resources)}
        width = max(len(resources), 1)
        drop = np.array(
            [d_pos[a] * width + r_pos[b] for a, b in excluded if a in d_pos and b in r_pos], dtype=np.int64
        )
        keep = ~np.isin(d * width + r, drop)
        d, r = d[keep], r[keep]
    stats["pairs.candidates"] = len(d)
    lap("candidates")
    scores = _score_in_parts(index, d, r, vectors, categories, context, weights, top_k, allocate)
    stats["pairs.kept"] = len(scores)
    del d, r
    lap("scores")
    top_d = for_demands(scores.d, scores.r, scores.score, top_k)
    top_r = for_resources(scores.d, scores.r, scores.score, top_k)
    lap("top_k")

    allocation: list[Allocation] = [
        Allocation(a, b, q, round(_pair_score(scores, demands, resources, a, b), ROUND)) for a, b, q in pinned
    ]
    served = np.zeros(len(demands), dtype=np.int64)
    flow_positions = np.zeros(0, dtype=np.int64)
    flow_quantity = np.zeros(0, dtype=np.int64)
    if allocate:
        eligible = np.flatnonzero(scores.text >= weights.min_text_for_allocation)
        stats["pairs.allocatable"] = len(eligible)
        values = unit_values(scores.score[eligible], index.d_remaining[scores.d[eligible]])
        flow = solve_allocation(
            scores.d[eligible], scores.r[eligible], values, index.d_remaining, index.r_remaining
        )
        used = flow.quantity > 0
        flow_positions, flow_quantity = eligible[used], flow.quantity[used]
        np.add.at(served, scores.d[flow_positions], flow_quantity)
        stats["allocation.value"] = flow.value
    lap("allocation")

    shown = np.unique(np.concatenate([top_d, top_r, flow_positions]))
    shared = shared_terms(vectors, scores.d[shown], scores.r[shown])
    d_category = [tx.category_code(x.category) for x in demands]
    recommendation_at: dict[int, Recommendation] = {}
    shown_d, shown_r = scores.d[shown].tolist(), scores.r[shown].tolist()
    shown_score = np.round(scores.score[shown], ROUND).tolist()
    for n, (k, parts, terms) in enumerate(zip(shown.tolist(), parts_of(scores, shown), shared, strict=True)):
        i, j = shown_d[n], shown_r[n]
        recommendation_at[k] = Recommendation(
            demand=demands[i].id,
            resource=resources[j].id,
            score=shown_score[n],
            reasons=reasons_for(parts, d_category[i], terms),
            parts=parts,
        )
    recommendations: dict[str, list[Recommendation]] = {x.id: [] for x in demands}
    for k in top_d.tolist():
        recommendations[demands[int(scores.d[k])].id].append(recommendation_at[k])
    by_resource: dict[str, list[Recommendation]] = {x.id: [] for x in resources}
    for k in top_r.tolist():
        by_resource[resources[int(scores.r[k])].id].append(recommendation_at[k])
    at_pair = {(a.demand, a.resource): n for n, a in enumerate(allocation)}
    for k, q in zip(flow_positions.tolist(), flow_quantity.tolist(), strict=True):
        rec = recommendation_at[k]
        if (rec.demand, rec.resource) in at_pair:  # more of a pinned pair
            n = at_pair[(rec.demand, rec.resource)]
            allocation[n] = dataclasses.replace(allocation[n], quantity=allocation[n].quantity + q)
        else:
            allocation.append(Allocation(rec.demand, rec.resource, q, rec.score))
    pinned_demands = {a for a, _, _ in pinned}
    unallocated = [
        x.id
        for i, x in enumerate(demands)
        if served[i] == 0 and x.remaining > 0 and x.id not in pinned_demands
    ]
    shortfall = {
        x.id: int(x.remaining - served[i])
        for i, x in enumerate(demands)
        if x.remaining - served[i] > 0 and (served[i] > 0 or x.id in pinned_demands)
    }
    lap("reasons")
    stats["demands"] = len(demands)
    stats["resources"] = len(resources)
    return Result(recommendations, by_resource, allocation, unallocated, shortfall, stats)


def _parts(r: IntArray, parts: int) -> list[tuple[int, int]]:
    """``parts`` slices of the pairs (grouped by resource), each ending where a resource ends."""
    n = len(r)
    cuts = [0]
    for k in range(1, parts):
        at = n * k // parts
        if at <= cuts[-1] or at >= n:
            continue
        end = int(np.searchsorted(r, r[at - 1], side="right"))  # r is non-decreasing
        if cuts[-1] < end < n:
            cuts.append(end)
    cuts.append(n)
    return list(itertools.pairwise(cuts))


def _score_in_parts(
    index: Index,
    d: IntArray,
    r: IntArray,
    vectors: TextVectors,
    categories: tuple[IntArray, IntArray],
    context: Context,
    weights: Weights,
    top_k: int,
    allocate: bool,
) -> PairScores:
    """Score the candidate pairs a part at a time and keep only the pairs that can matter: each
    part's top-K for every demand and every resource (a resource's pairs are all in one part, so its
    top-K is exact; a demand's best K are among the parts' best K), and the pairs the allocation may
    use. Memory grows with one part and what is kept, not with every candidate's eleven columns.
    Returns the kept pairs' scores, grouped by resource as given."""
    n = len(d)
    parts = int(min(MAX_PARTS, max(1, -(-n // PART_PAIRS))))
    if parts == 1:
        return score_pairs(index, d, r, vectors, categories, context, weights)
    kept: list[PairScores] = []
    for lo, hi in _parts(r, parts):
        part = score_pairs(index, d[lo:hi], r[lo:hi], vectors, categories, context, weights)
        wanted = [
            for_demands(part.d, part.r, part.score, top_k),
            for_resources(part.d, part.r, part.score, top_k),
        ]
        if allocate:
            wanted.append(np.flatnonzero(part.text >= weights.min_text_for_allocation))
        kept.append(part.subset(np.unique(np.concatenate(wanted))))
        del part
    return PairScores(
        **{name: np.concatenate([getattr(k, name) for k in kept]) for name in PairScores.__dataclass_fields__}
    )


def _pair_score(
    scores: PairScores,
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    demand_id: str,
    resource_id: str,
) -> float:
    i = next((n for n, x in enumerate(demands) if x.id == demand_id), -1)
    j = next((n for n, x in enumerate(resources) if x.id == resource_id), -1)
    hit = np.flatnonzero((scores.d == i) & (scores.r == j))
    return float(scores.score[hit[0]]) if len(hit) else 0.0


def explain(
    demand: Demand,
    resource: Resource,
    *,
    demands: Sequence[Demand] = (),
    resources: Sequence[Resource] = (),
    context: Context | None = None,
    weights: Weights = DEFAULT_WEIGHTS,
) -> Recommendation | None:
    """The score and reasons of one pair, with IDF learnt from the lists given (if any);
    ``None`` when the resource cannot serve the demand at all."""
    others_d = [x for x in demands if x.id != demand.id]
    others_r = [x for x in resources if x.id != resource.id]
    result = match(
        [demand, *others_d],
        [resource, *others_r],
        context,
        top_k=len(others_r) + 1,
        weights=weights,
        allocate=False,
    )
    return next((rec for rec in result.recommendations[demand.id] if rec.resource == resource.id), None)
