"""The global allocation: the proposal with the largest total score under every quantity and capacity.

A min-cost flow (OR-Tools' ``SimpleMinCostFlow``, exact on integers)::

    source ──(still needed)──▶ demand ──(pair, −value a unit)──▶ resource ──(capacity left)──▶ sink
       └──────────────────────────(bypass, cost 0)───────────────────────────────────────────┘

Every unit the source sends goes through a pair or the bypass, so the flow of least cost is the
allocation of largest value, and nothing forces an unhelpful pair. A unit of demand ``i`` served by
resource ``j`` is worth ``score(i, j) / still_needed(i)``, scaled to an integer (``SCALE``): a demand
fully served by its best resource adds its score, whatever its unit (people, venues, beds), so the
optimum meets the most needs with the most suitable providers and a demand for 2,000 beds does not
outweigh 2,000 small ones. The optimum is exact for these integer values; the tests check it against
an independent solver (SciPy's MILP, HiGHS) on random small instances, and SciPy's LP (HiGHS) at a
few hundred × a few hundred.

Parts of the problem that share no demand and no resource (two cities, two districts whose providers
do not reach each other) are independent: the optimum of the whole is the sum of their optima. Each
connected part is solved on its own (``scipy.sparse.csgraph.connected_components``), so the work
grows with the largest part, not with the whole province.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from ortools.graph.python import min_cost_flow
from scipy.sparse.csgraph import connected_components

from .candidates import FloatArray, IntArray

SCALE = 1_000_000


class AllocationError(RuntimeError):
    """The solver did not reach an optimum (it always should: the bypass keeps the problem feasible)."""


@dataclass
class Flow:
    quantity: IntArray  # per pair: the units allocated (0 for most)
    value: int  # the optimum, in scaled units


def unit_values(score: FloatArray, still_needed: IntArray) -> IntArray:
    """The integer value of one unit through each pair (at least 1, so every pair is worth using)."""
    needed = np.maximum(still_needed, 1).astype(np.float64)
    return np.maximum(1, np.rint(SCALE * score / needed)).astype(np.int64)


SMALL_PART = 20_000  # pairs: parts smaller than this are solved together (fewer solver calls)


def allocate(d: IntArray, r: IntArray, value: IntArray, d_needed: IntArray, r_capacity: IntArray) -> Flow:
    """Maximise ``sum(value[k] * x[k])`` with ``0 ≤ x``, per demand ``sum x ≤ d_needed``, per resource
    ``sum x ≤ r_capacity``. ``d``/``r`` are positions into ``d_needed``/``r_capacity``.

    Each connected part of the pairs' graph is solved on its own (small parts batched together)."""
    n_pairs = len(d)
    if n_pairs == 0:
        return Flow(np.zeros(0, dtype=np.int64), 0)
    n_d = len(d_needed)
    graph = sp.coo_matrix((np.ones(n_pairs, dtype=np.int8), (d, n_d + r)), shape=(n_d + len(r_capacity),) * 2)
    n_parts, label = connected_components(graph, directed=False)
    if n_parts == 1:
        return _solve(d, r, value, d_needed, r_capacity)
    part = label[d]
    order = np.argsort(part, kind="stable")
    sizes = np.bincount(part, minlength=n_parts)
    quantity = np.zeros(n_pairs, dtype=np.int64)
    total = 0
    start = 0
    batch_start = 0
    for size in sizes.tolist():
        start += size
        if start - batch_start >= SMALL_PART or start == n_pairs:
            pairs = order[batch_start:start]
            flow = _solve(d[pairs], r[pairs], value[pairs], d_needed, r_capacity)
            quantity[pairs] = flow.quantity
            total += flow.value
            batch_start = start
    return Flow(quantity, total)


def _solve(d: IntArray, r: IntArray, value: IntArray, d_needed: IntArray, r_capacity: IntArray) -> Flow:
    """One min-cost flow over the pairs given (nodes only for the demands and resources they name)."""
    n_pairs = len(d)
    if n_pairs == 0:
        return Flow(np.zeros(0, dtype=np.int64), 0)
    demands_used, d_node = np.unique(d, return_inverse=True)
    resources_used, r_node = np.unique(r, return_inverse=True)
    n_d, n_r = len(demands_used), len(resources_used)  # nodes: these demands, these resources, source, sink
    source, sink = n_d + n_r, n_d + n_r + 1
    total = int(d_needed[demands_used].sum())
    tails = np.concatenate([np.full(n_d, source), d_node, n_d + np.arange(n_r), [source]])
    heads = np.concatenate([np.arange(n_d), n_d + r_node, np.full(n_r, sink), [sink]])
    capacities = np.concatenate(
        [
            d_needed[demands_used],
            np.minimum(d_needed[d], r_capacity[r]),
            r_capacity[resources_used],
            [total],
        ]
    )
    costs = np.concatenate([np.zeros(n_d), -value, np.zeros(n_r), [0]]).astype(np.int64)
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities.astype(np.int64), costs
    )
    solver.set_nodes_supplies(
        np.array([source, sink], dtype=np.int32), np.array([total, -total], dtype=np.int64)
    )
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise AllocationError(f"min-cost flow ended with status {status}")
    flows = np.asarray(solver.flows(np.asarray(arcs, dtype=np.int32)), dtype=np.int64)
    first = n_d
    return Flow(flows[first : first + n_pairs], -int(solver.optimal_cost()))
