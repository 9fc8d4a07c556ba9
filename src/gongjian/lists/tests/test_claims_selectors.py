"""Who sees which demands, resources and claims (the scope of the three lists)."""

from __future__ import annotations

import pytest
from django.http import Http404

from gongjian.lists.selectors import claims as sel
from gongjian.lists.tests.fixtures_claims import ListsClaims, build_lists_claims
from gongjian.testing import World


@pytest.fixture
def lc(world: World) -> ListsClaims:
    return build_lists_claims(world)


def _names(rows: object) -> set[str]:
    return {r.name for r in rows}  # type: ignore[attr-defined]


def test_administrators_see_their_subtree(world: World, lc: ListsClaims) -> None:
    everything = {
        lc.demand.name,
        lc.wish.name,
        lc.resident_demand.name,
        lc.unit_demand.name,
        lc.street_demand.name,
        lc.jsh_demand.name,
    }
    assert _names(sel.demand_list(actor=world.city_admin)) == everything
    assert _names(sel.demand_list(actor=world.dongfeng_admin)) == everything - {lc.jsh_demand.name}
    assert _names(sel.demand_list(actor=world.wjl_admin)) == everything - {
        lc.jsh_demand.name,
        lc.street_demand.name,
    }
    assert _names(sel.demand_list(actor=world.jsh_admin)) == {lc.jsh_demand.name}
    assert _names(sel.resource_list(actor=world.jsh_admin)) == {lc.jsh_resource.name}
    assert set(sel.claim_list(actor=world.jsh_admin)) == {lc.jsh_claim}


def test_a_liaison_sees_published_demands_in_reach_and_their_own(world: World, lc: ListsClaims) -> None:
    seen = _names(sel.demand_list(actor=world.liaison))
    assert seen == {lc.demand.name, lc.wish.name, lc.street_demand.name, lc.unit_demand.name}
    assert lc.resident_demand.name not in seen  # not published
    assert lc.jsh_demand.name not in seen  # outside the reach
    assert _names(sel.resource_list(actor=world.liaison)) == {lc.resource.name}
    assert set(sel.claim_list(actor=world.liaison)) == {lc.accepted, lc.waiting, lc.resource_claim}
    assert set(sel.claim_list(actor=world.liaison, side="made")) == {lc.accepted, lc.waiting}


def test_members_and_residents(world: World, lc: ListsClaims) -> None:
    assert _names(sel.demand_list(actor=world.member)) == {lc.wish.name}
    assert set(sel.claim_list(actor=world.member)) == {lc.wish_claim}
    assert not sel.resource_list(actor=world.member).exists()
    assert _names(sel.demand_list(actor=world.resident)) == {lc.resident_demand.name}
    assert not sel.claim_list(actor=world.resident).exists()
    with pytest.raises(Http404):
        sel.demand_get(actor=world.resident, pk=lc.wish.pk)


def test_filters(world: World, lc: ListsClaims) -> None:
    admin = world.city_admin
    assert _names(sel.demand_list(actor=admin, q="ldzm")) == {lc.demand.name}  # 楼道照明… by initials
    assert _names(sel.demand_list(actor=admin, q="樓道")) == {lc.demand.name}  # the other script
    assert _names(sel.demand_list(actor=admin, kind="micro_wish")) == {lc.wish.name}
    assert _names(sel.demand_list(actor=admin, within=world.gaoxin)) == {lc.jsh_demand.name}
    assert _names(sel.demand_list(actor=admin, status="raised")) == {
        lc.resident_demand.name,
        lc.unit_demand.name,
    }
    assert lc.demand.name in _names(sel.demand_list(actor=admin, status="open"))
    assert _names(sel.demand_list(actor=admin, category="housing")) == {lc.jsh_demand.name}
    assert _names(sel.resource_list(actor=admin, kind="venue", status="published")) == {lc.resource.name}


def test_within_outside_an_administrators_scope_is_404(world: World) -> None:
    with pytest.raises(Http404):
        sel.within_get(actor=world.wjl_admin, pk=world.jsh.pk)
    assert sel.within_get(actor=world.liaison, pk=world.jsh.pk) == world.jsh


def test_reach_and_service_area(world: World, lc: ListsClaims) -> None:
    assert sel.unit_reach_paths(world.minzheng) == sorted({world.kaifu.path, world.dongfeng.path})
    assert sel.resource_served_paths(lc.resource) == [world.kaifu.path]
    assert sel.resource_serves(lc.resource, world.wjl)
    assert not sel.resource_serves(lc.resource, world.jsh)


def test_exports_never_hold_the_requester(world: World, lc: ListsClaims) -> None:
    import io

    from python_calamine import CalamineWorkbook

    from gongjian.lists.tests.fixtures_claims import REQUESTER_CONTACT, REQUESTER_NAME

    data = sel.demand_export(actor=world.wjl_admin, rows=sel.demand_list(actor=world.wjl_admin))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    text = repr(rows)
    assert "一副老花镜" in text and "王奶奶" in text
    assert REQUESTER_NAME not in text and REQUESTER_CONTACT not in text
    assert len(rows) == 1 + sel.demand_list(actor=world.wjl_admin).count()
    res = sel.resource_export(actor=world.jsh_admin, rows=sel.resource_list(actor=world.jsh_admin))
    assert len(CalamineWorkbook.from_filelike(io.BytesIO(res)).get_sheet_by_index(0).to_python()) == 2


def test_administrators_see_published_resources_serving_them(world: World, lc: ListsClaims) -> None:
    from gongjian.lists.services import claims as s

    resource = s.resource_create(
        actor=world.liaison,
        provider_unit=world.minzheng,
        name="心理咨询师",
        kind="people",
        category="health",
        service_areas=[world.gaoxin],
    )
    assert resource not in sel.resource_list(actor=world.jsh_admin)  # a draft
    s.resource_publish(actor=world.liaison, resource=resource)
    assert resource in sel.resource_list(actor=world.jsh_admin)  # serves 高新区, around 尖山湖社区
    assert resource in sel.resource_list(actor=world.city_admin)
    assert resource in sel.resource_list(actor=world.wjl_admin)  # it sits in 王家垅社区
    claim = s.resource_claim(actor=world.jsh_admin, resource=resource, org=lc.jsh_org)
    s.resource_withdraw(actor=world.liaison, resource=resource, reason="停办")
    assert resource in sel.resource_list(actor=world.jsh_admin)  # claimed by one of theirs
    assert claim in sel.claim_list(actor=world.jsh_admin)
    # a district-wide one (none listed) serves the street and community below the district
    assert lc.resource in sel.resource_list(actor=world.dongfeng_admin)
    assert lc.resource not in sel.resource_list(actor=world.jsh_admin)
