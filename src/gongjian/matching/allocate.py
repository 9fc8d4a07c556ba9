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
an independent solver (SciPy's MILP, HiGHS) on random small instances.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

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


def allocate(d: IntArray, r: IntArray, value: IntArray, d_needed: IntArray, r_capacity: IntArray) -> Flow:
    """Maximise ``sum(value[k] * x[k])`` with ``0 ≤ x``, per demand ``sum x ≤ d_needed``, per resource
    ``sum x ≤ r_capacity``. ``d``/``r`` are positions into ``d_needed``/``r_capacity``."""
    n_pairs = len(d)
    if n_pairs == 0:
        return Flow(np.zeros(0, dtype=np.int64), 0)
    n_d, n_r = len(d_needed), len(r_capacity)
    source, sink = n_d + n_r, n_d + n_r + 1
    demands_used = np.unique(d)
    resources_used = np.unique(r)
    total = int(d_needed[demands_used].sum())
    tails = np.concatenate([np.full(len(demands_used), source), d, n_d + resources_used, [source]])
    heads = np.concatenate([demands_used, n_d + r, np.full(len(resources_used), sink), [sink]])
    capacities = np.concatenate(
        [
            d_needed[demands_used],
            np.minimum(d_needed[d], r_capacity[r]),
            r_capacity[resources_used],
            [total],
        ]
    )
    costs = np.concatenate([np.zeros(len(demands_used)), -value, np.zeros(len(resources_used)), [0]]).astype(
        np.int64
    )
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
    first = len(demands_used)
    return Flow(flows[first : first + n_pairs], -int(solver.optimal_cost()))
