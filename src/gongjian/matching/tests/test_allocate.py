"""The allocation is the exact optimum (checked against SciPy's MILP) and never over-fills."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from gongjian.matching.allocate import allocate, unit_values
from gongjian.matching.engine import match

from .helpers import STREET, demand, resource


def milp_optimum(d, r, value, needed, capacity) -> int:
    n = len(d)
    if n == 0:
        return 0
    rows_d = sp.csr_matrix((np.ones(n), (d, np.arange(n))), shape=(len(needed), n))
    rows_r = sp.csr_matrix((np.ones(n), (r, np.arange(n))), shape=(len(capacity), n))
    solved = milp(
        c=-value.astype(float),
        constraints=[LinearConstraint(rows_d, 0, needed), LinearConstraint(rows_r, 0, capacity)],
        integrality=np.ones(n),
        bounds=Bounds(0, np.inf),
    )
    assert solved.success
    return round(-solved.fun)


@st.composite
def instances(draw):
    n_d = draw(st.integers(1, 7))
    n_r = draw(st.integers(1, 6))
    cells = [(i, j) for i in range(n_d) for j in range(n_r)]
    chosen = draw(st.lists(st.sampled_from(cells), unique=True, max_size=len(cells)))
    d = np.array([c[0] for c in chosen], dtype=np.int64)
    r = np.array([c[1] for c in chosen], dtype=np.int64)
    scores = np.array(draw(st.lists(st.floats(0, 1), min_size=len(chosen), max_size=len(chosen))))
    needed = np.array(draw(st.lists(st.integers(1, 30), min_size=n_d, max_size=n_d)), dtype=np.int64)
    capacity = np.array(draw(st.lists(st.integers(1, 30), min_size=n_r, max_size=n_r)), dtype=np.int64)
    return d, r, scores, needed, capacity


@settings(max_examples=150, deadline=None)
@given(instances())
def test_min_cost_flow_equals_the_milp_optimum_and_respects_every_bound(instance):
    d, r, scores, needed, capacity = instance
    values = unit_values(scores, needed[d]) if len(d) else np.zeros(0, dtype=np.int64)
    flow = allocate(d, r, values, needed, capacity)
    assert flow.value == int((flow.quantity * values).sum())
    assert flow.value == milp_optimum(d, r, values, needed, capacity)
    assert (flow.quantity >= 0).all()
    assert (np.bincount(d, flow.quantity, minlength=len(needed)) <= needed).all()
    assert (np.bincount(r, flow.quantity, minlength=len(capacity)) <= capacity).all()


def test_engine_allocation_fills_within_quantities_and_capacities_and_lists_the_unserved() -> None:
    demands = [
        demand("teeth", "孩子牙疼", quantity=30, area=STREET + "001"),
        demand("teeth2", "小朋友蛀牙检查", quantity=5, claimed=1, area=STREET + "002"),
        demand("law", "想找律师咨询合同纠纷", quantity=2, area=STREET + "003"),
    ]
    resources = [
        resource("dentist", "兒童齲齒檢查", capacity=20, area=STREET + "001"),
        resource("dentist2", "儿童口腔义诊", capacity=12, claimed=2, area=STREET + "002"),
        resource("haircut", "爱心义剪 免费理发", capacity=50, area=STREET + "003"),
    ]
    result = match(demands, resources)
    given_d: dict[str, int] = {}
    given_r: dict[str, int] = {}
    for a in result.allocation:
        given_d[a.demand] = given_d.get(a.demand, 0) + a.quantity
        given_r[a.resource] = given_r.get(a.resource, 0) + a.quantity
    for d in demands:
        assert given_d.get(d.id, 0) <= d.remaining
    for r in resources:
        assert given_r.get(r.id, 0) <= r.remaining
    assert "haircut" not in given_r  # near, with room, but about something else
    assert given_d["teeth"] + given_d["teeth2"] == 30  # all the dentists' room is used
    assert result.unallocated == ["law"]
    assert result.shortfall.get("teeth", 0) + result.shortfall.get("teeth2", 0) == 30 + 4 - 30


def test_pinned_and_excluded_pairs():
    demands = [demand("a", "孩子牙疼", quantity=5), demand("b", "儿童蛀牙", quantity=5)]
    resources = [resource("x", "兒童齲齒檢查", capacity=6)]
    pinned = match(demands, resources, pinned=[("b", "x", 4)])
    given = {(a.demand, a.resource): a.quantity for a in pinned.allocation}
    assert len(given) == len(pinned.allocation)  # one entry a pair, the pinned quantity included
    assert given[("b", "x")] >= 4
    assert sum(given.values()) == 6
    excluded = match(demands, resources, excluded={("a", "x")})
    assert {a.demand for a in excluded.allocation} == {"b"}
    assert all(rec.resource != "x" for rec in excluded.recommendations["a"])


def linprog_optimum(d, r, value, needed, capacity) -> float:
    """The transportation problem's optimum by SciPy's LP (HiGHS): its matrix is totally unimodular,
    so the LP optimum is the integral one."""
    from scipy.optimize import linprog

    n = len(d)
    rows_d = sp.csr_matrix((np.ones(n), (d, np.arange(n))), shape=(len(needed), n))
    rows_r = sp.csr_matrix((np.ones(n), (r, np.arange(n))), shape=(len(capacity), n))
    solved = linprog(
        c=-value.astype(float),
        A_ub=sp.vstack([rows_d, rows_r]).tocsr(),
        b_ub=np.concatenate([needed, capacity]).astype(float),
        bounds=(0, None),
        method="highs",
    )
    assert solved.status == 0
    return float(-solved.fun)


def test_allocation_at_a_city_like_size_equals_the_lp_optimum() -> None:
    """400 demands × 300 resources in three towns (no pair between towns), about 25 candidates a
    demand, quantities and capacities as in the benchmark: the same optimum as HiGHS."""
    rng = np.random.default_rng(2018)
    n_d, n_r, towns = 400, 300, 3
    d_town, r_town = rng.integers(0, towns, n_d), rng.integers(0, towns, n_r)
    d_parts, r_parts = [], []
    for i in range(n_d):
        mine = np.flatnonzero(r_town == d_town[i])
        pick = rng.choice(mine, size=min(len(mine), 25), replace=False)
        d_parts.append(np.full(len(pick), i))
        r_parts.append(pick)
    d, r = np.concatenate(d_parts).astype(np.int64), np.concatenate(r_parts).astype(np.int64)
    needed = rng.choice([1, 1, 2, 3, 5, 10, 20, 50], n_d).astype(np.int64)
    capacity = rng.choice([1, 2, 5, 10, 20, 50, 100], n_r).astype(np.int64)
    values = unit_values(rng.uniform(0.1, 1.0, len(d)), needed[d])
    flow = allocate(d, r, values, needed, capacity)
    assert flow.value == int((flow.quantity * values).sum())
    assert flow.value == round(linprog_optimum(d, r, values, needed, capacity))
    assert (np.bincount(d, flow.quantity, minlength=n_d) <= needed).all()
    assert (np.bincount(r, flow.quantity, minlength=n_r) <= capacity).all()
    assert flow.quantity.sum() > 0
