"""The adapter: rows → the engine's dataclasses and context (issue #6, item 2)."""

from __future__ import annotations

import pytest

from gongjian.cobuild.models import Agreement
from gongjian.cobuild.tests.fixtures_agreements import build_cobuild_agreements
from gongjian.matching import services
from gongjian.matching.engine_data import area_prefix
from gongjian.testing import World

from .product_fixtures import build_product

pytestmark = pytest.mark.django_db


def test_area_keys_follow_the_tree_at_the_engine_levels(world: World) -> None:
    wjl = services.area_key(world.wjl.path)
    assert len(services.area_key(world.kaifu.path)) == 6
    assert len(services.area_key(world.dongfeng.path)) == 9
    assert len(wjl) == 12
    assert area_prefix(wjl, "street") == services.area_key(world.dongfeng.path)
    assert area_prefix(wjl, "district") == services.area_key(world.kaifu.path)
    building = services.area_key(world.wjl_building.path)
    assert building.startswith(wjl + "-") and building.count("-") == 2
    # the other district's codes (4301GX, not digits) make no difference: the path decides
    assert area_prefix(services.area_key(world.jsh.path), "district") == services.area_key(world.gaoxin.path)


def test_rows_map_to_dataclasses(world: World) -> None:
    p = build_product(world)
    p.lists.demand.refresh_from_db()
    d = services.demand_row(p.lists.demand)
    assert (d.id, d.title, d.category, d.quantity, d.claimed) == (
        str(p.lists.demand.pk),
        "楼道照明维修志愿者",
        "volunteers",
        5,
        2,
    )
    assert d.area == services.area_key(world.wjl.path) and d.deadline == p.lists.demand.deadline
    r = services.resource_row(p.barbers, used=3)
    assert r.provider == f"unit:{world.minzheng.pk}"
    assert (r.capacity, r.claimed, r.remaining) == (10, 3, 7)
    assert r.service_areas == (services.area_key(world.kaifu.path),)  # none listed: its district
    assert r.radius_km is None and r.available_to == p.barbers.available_until


def test_context_agreements_projects_and_load(world: World) -> None:
    p = build_product(world)
    build_cobuild_agreements(world)
    assert Agreement.objects.filter(unit=world.minzheng).exists()
    ctx = services.matching_context(resources=[p.barbers, p.dentist])
    key = f"unit:{world.minzheng.pk}"
    assert (key, services.area_key(world.wjl.path)) in ctx.agreements
    assert (key, services.area_key(world.dongfeng.path)) in ctx.agreements  # the street's agreement
    assert not any(k == f"unit:{p.hospital.pk}" for k, _a in ctx.agreements)
    # the fixture's accepted claim of 民政厅 on a 王家垅 demand opened a project: past and load
    assert ctx.past_projects[(key, services.area_key(world.wjl.path))] >= 1
    assert ctx.load[key] >= 1
    assert ctx.as_of is not None


def test_engine_ranks_the_fitting_resource_first_with_chinese_reasons(world: World) -> None:
    p = build_product(world)
    found = services.suggest_for_demand(demand=p.teeth, candidates=[p.barbers, p.counsel, p.dentist])
    assert found[0].resource == p.dentist
    assert found[0].quantity == 20
    assert any("类别一致" in r for r in found[0].reasons)
