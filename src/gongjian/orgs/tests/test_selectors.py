from __future__ import annotations

import pytest
from django.http import Http404

from gongjian.orgs import selectors


def test_community_admin_sees_only_own_subtree(world):
    codes = set(selectors.area_list(actor=world.wjl_admin).values_list("code", flat=True))
    assert world.wjl.code in codes and world.wjl_building.code in codes
    assert world.jsh.code not in codes and world.changsha.code not in codes
    with pytest.raises(Http404):
        selectors.area_get(actor=world.wjl_admin, pk=world.jsh.pk)
    assert set(selectors.unit_list(actor=world.wjl_admin)) == {world.minzheng}
    assert world.jsh_branch not in selectors.party_org_list(actor=world.wjl_admin)
    assert list(selectors.alliance_list(actor=world.wjl_admin)) == []


def test_city_admin_sees_everything_in_the_city(world):
    assert selectors.area_list(actor=world.city_admin).count() == 10
    assert {world.minzheng, world.jsh_firm} <= set(selectors.unit_list(actor=world.city_admin))


def test_liaison_sees_own_unit_its_orgs_and_alliances(world):
    assert list(selectors.unit_list(actor=world.liaison)) == [world.minzheng]
    assert list(selectors.party_org_list(actor=world.liaison)) == [world.minzheng_org]
    assert list(selectors.alliance_list(actor=world.liaison)) == [world.alliance]
    assert list(selectors.area_list(actor=world.liaison)) == []


@pytest.mark.parametrize("who", ["member", "resident"])
def test_members_and_residents_see_no_administration(world, who):
    actor = getattr(world, who)
    assert not selectors.area_list(actor=actor).exists()
    assert not selectors.unit_list(actor=actor).exists()
    assert not selectors.party_org_list(actor=actor).exists()


@pytest.mark.parametrize("query", ["长沙", "長沙", "cs", "CS"])
def test_search_across_scripts_and_initials(world, query):
    assert world.changsha in selectors.area_list(actor=world.city_admin, q=query)


def test_initials_find_wangjialong(world):
    found = list(selectors.area_list(actor=world.city_admin, q="wjl"))
    assert world.wjl in found
    assert world.jsh not in found


def test_area_by_name_or_code_in_either_script(world):
    assert selectors.area_get_by_name_or_code(actor=world.city_admin, text="長沙市") == world.changsha
    assert selectors.area_get_by_name_or_code(actor=world.city_admin, text="430105") == world.kaifu
    with pytest.raises(Http404):
        selectors.area_get_by_name_or_code(actor=world.wjl_admin, text="尖山湖社區")
