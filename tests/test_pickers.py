"""Pickers that scale: every member, unit, area and organisation choice is a searchable picker that
says where the thing is, offers only what the person's scope holds, and no page lists more than 50
options in one drop-down."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from test_scope_walk import ROUTES, all_routes

from gongjian.core.synthetic import credit_code, id_number
from gongjian.members import services as m
from gongjian.members.models import Category, Member
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Level
from gongjian.testing import World, build_every_app
from gongjian.web.pick import PICK_LIMIT


def _pick(client: Client, kind: str, q: str = "") -> tuple[int, list[str]]:
    response = client.get(reverse(f"pick_{kind}"), {"q": q})
    if response.status_code != 200:
        return response.status_code, []
    return 200, [row["text"] for row in response.json()["results"]]


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the options, as the person types ------------------------------------------------------------


def test_a_building_is_offered_with_where_it_is(world: World) -> None:
    status, texts = _pick(_as(world.city_admin), "area", "1栋")
    assert status == 200
    assert texts == ["王家垅社区 · 30号庭院 · 1栋"]


@pytest.mark.parametrize(
    ("q", "found"), [("王家垅", "王家垅社区"), ("wjl", "王家垅社区"), ("東風", "东风路街道")]
)
def test_areas_match_in_either_script_and_by_initials(world: World, q: str, found: str) -> None:
    _status, texts = _pick(_as(world.city_admin), "area", q)
    assert texts and texts[0].endswith(found)


def test_units_organisations_and_members_say_where_they_are(world: World) -> None:
    build_every_app(world)
    client = _as(world.city_admin)
    assert _pick(client, "unit", "hnsmzt")[1] == ["湖南省民政厅 · 东风路街道 · 王家垅社区"]
    assert "30号庭院党支部 · 王家垅社区 · 30号庭院" in _pick(client, "org", "30号")[1]
    members = _pick(client, "member", "")[1]
    assert members, "the city administrator sees members"
    for text in members:
        _name, masked, *org = text.split(" · ")
        assert org, text  # the organisation holding the membership, and where it is
        assert "*" in masked  # the ID number is masked, never in clear


@pytest.mark.parametrize("kind", ["area", "unit", "org", "member"])
def test_a_community_administrator_is_offered_nothing_outside_their_community(
    world: World, kind: str
) -> None:
    build_every_app(world)
    status, texts = _pick(_as(world.jsh_admin), kind)
    assert status == 200
    joined = "\n".join(texts)
    for outside in ("王家垅社区", "湖南省民政厅", "30号庭院", "直管0"):
        assert outside not in joined
    # and searching for it by name finds nothing either
    assert _pick(_as(world.jsh_admin), kind, "王家垅")[1] == []


def test_a_picker_offers_only_the_levels_its_field_accepts(world: World) -> None:
    client = _as(world.city_admin)
    _status, texts = _pick(client, "area", "")
    assert any(t.endswith("1栋") for t in texts) and any(t.endswith("王家垅社区") for t in texts)
    response = client.get(reverse("pick_area"), {"q": "", "levels": "4"})
    communities = [row["text"] for row in response.json()["results"]]
    assert sorted(communities) == ["开福区 · 东风路街道 · 王家垅社区", "高新区 · 东方红街道 · 尖山湖社区"]


def test_a_visitor_is_offered_nothing(client: Client, world: World) -> None:
    assert client.get(reverse("pick_area"), {"q": "长沙"}).status_code == 403


def test_at_most_fifty_options_come_back(world: World) -> None:
    for n in range(PICK_LIMIT + 5):
        org_services.area_create(
            actor=world.superuser, parent=world.wjl_compound, name=f"{n + 2}栋", level=Level.BUILDING
        )
    _status, texts = _pick(_as(world.city_admin), "area", "栋")
    assert len(texts) == PICK_LIMIT
    assert all(t.startswith("王家垅社区 · 30号庭院 · ") for t in texts)


# --- the widget in a form --------------------------------------------------------------------------


def _selects(html: str) -> dict[str, str]:
    """Each drop-down of the page by name: its opening tag and options."""
    return {
        m.group(1): m.group(0)
        for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>.*?</select>', html, re.S)
    }


def test_a_form_offers_areas_in_a_picker_that_keeps_a_choice_made_by_search(world: World) -> None:
    extra = [
        org_services.area_create(
            actor=world.superuser, parent=world.wjl_compound, name=f"{n + 2}栋", level=Level.BUILDING
        )
        for n in range(60)
    ]
    client = _as(world.city_admin)
    html = client.get(reverse("appeals:register")).content.decode()
    select = _selects(html)["area"]
    assert 'data-picker="area"' in select and f'data-pick-url="{reverse("pick_area")}?' in select
    assert select.count("<option") <= PICK_LIMIT
    # a building found by search (not among the options listed) stays chosen when the form comes back
    last = extra[-1]
    assert f'value="{last.pk}"' not in select
    response = client.post(reverse("appeals:register"), {"area": last.pk, "title": ""})
    select = _selects(response.content.decode())["area"]
    assert re.search(
        rf'<option value="{last.pk}"[^>]*selected[^>]*>王家垅社区 · 30号庭院 · 61栋</option>', select
    )


# --- no drop-down lists more than 50 things, on any page -----------------------------------------------


def _grow(world: World) -> None:
    """More than 50 of every kind in the city administrator's scope."""
    root = world.superuser
    for n in range(PICK_LIMIT + 1):
        compound = org_services.area_create(
            actor=root, parent=world.wjl, name=f"测试{n}号院", level=Level.COMPOUND, kind_label="庭院"
        )
        unit = org_services.unit_create(
            actor=root,
            name=f"测试单位{n}",
            credit_code=credit_code(5000 + n),
            kind="private",
            rank="none",
            area=compound,
        )
        org = org_services.party_org_create(
            actor=root, name=f"测试支部{n}", kind="branch", code=f"PO-T-{n}", area=compound
        )
        m.member_create(
            actor=root,
            name=f"测试党员{n}",
            id_number=id_number(300 + n, birth=dt.date(1975, 5, 5)),
            org=org,
            joined_on=dt.date(2000, 7, 1),
            residence=compound,
            work_unit=unit,
            categories=[Category.DIRECT],
        )


def _url(route: Any) -> str | None:
    kind = ROUTES[route.name]
    if not route.kwargs:
        return reverse(route.name)
    if route.kwargs != ("pk",) or not (isinstance(kind, type) and issubclass(kind, models.Model)):
        return None
    obj = kind.objects.order_by("pk").first()
    return reverse(route.name, kwargs={"pk": obj.pk}) if obj is not None else None


@pytest.mark.slow
def test_no_page_lists_more_than_fifty_options_in_a_drop_down(world: World) -> None:
    build_every_app(world)
    _grow(world)
    assert Member.objects.count() > PICK_LIMIT
    client = _as(world.city_admin)
    pages = 0
    too_long: list[str] = []
    for route in all_routes():
        if route.name.startswith(("api", "schema")) or ROUTES[route.name] == "public":
            continue
        url = _url(route)
        if url is None or url.startswith("/api/"):
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        for name, select in _selects(response.content.decode()).items():
            if select.count("<option") > PICK_LIMIT:
                too_long.append(f"{url} {name}: {select.count('<option')} options")
    assert pages > 50
    assert not too_long, too_long


def _picker_url(html: str, name: str) -> str:
    select = _selects(html)[name]
    found = re.search(r'data-pick-url="([^"]+)"', select)
    assert found, select
    return found.group(1).replace("&amp;", "&")


def _follow(client: Client, url: str, q: str) -> list[str]:
    """The options of the picker at ``url`` (which ends in ``?`` or ``&``, as the page's script
    uses it) for ``q``."""
    response = client.get(url + urlencode({"q": q}))
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_a_resident_searches_the_areas_they_may_raise_an_appeal_in(world: World) -> None:
    client = _as(world.resident)
    url = _picker_url(client.get(reverse("appeals:raise")).content.decode(), "area")
    for q in ("王家垅", "wjl", "王家垅社區"):
        assert _follow(client, url, q) == ["开福区 · 东风路街道 · 王家垅社区"]
    # nothing where they may not raise one
    assert _follow(client, url, "尖山湖") == []
    assert _follow(client, url, "1栋") == []


def test_staff_registering_an_appeal_search_the_areas_of_their_subtree(world: World) -> None:
    client = _as(world.wjl_admin)
    url = _picker_url(client.get(reverse("appeals:register")).content.decode(), "area")
    assert _follow(client, url, "") == [
        "开福区 · 东风路街道 · 王家垅社区",
        "东风路街道 · 王家垅社区 · 30号庭院",
        "王家垅社区 · 30号庭院 · 1栋",
    ]


def test_a_picker_for_an_unknown_purpose_offers_nothing(world: World) -> None:
    response = _as(world.city_admin).get(reverse("pick_area"), {"for": "nothing", "q": "王家垅"})
    assert response.status_code == 404 and response.json()["results"] == []
