"""The figures' pages and API: a dashboard per node, the records behind each figure, the query's
checks, the scope (404 outside it) and the API's shapes."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gongjian.core.synthetic import id_number
from gongjian.members import services as member_services
from gongjian.members.models import Category
from gongjian.orgs.models import Area
from gongjian.stats import selectors
from gongjian.stats.indicators import CATALOGUE
from gongjian.stats.management.commands.indicators import today
from gongjian.stats.reports import visible_indicators
from gongjian.testing import World, build_ledgers

pytestmark = pytest.mark.django_db


def _client(user: Any, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _api(user: Any, language: str = "zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def _dashboard(area: Area, **query: str) -> str:
    url = reverse("stats:dashboard", args=[area.code])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def _rows(area: Area, indicator: str, **query: str) -> str:
    url = reverse("stats:rows", args=[area.code, indicator])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in query.items())}" if query else url


def _more_direct_members(world: World, area: Area, org: Any, count: int, start: int) -> None:
    for n in range(count):
        member_services.member_create(
            actor=world.superuser,
            name=f"加{start + n}",
            id_number=id_number(start + n),
            org=org,
            joined_on=dt.date(2005, 7, 1),
            residence=area,
            categories=[Category.DIRECT],
        )


def _chart_data(body: str) -> dict[str, Any]:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', body, re.S)
    assert found, "the chart data is handed over with json_script"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_pages_render_for_a_community_admin_in_each_language(world: World, language: str) -> None:
    build_ledgers(world)
    client = _client(world.wjl_admin, language)
    for url, figure in (
        (_dashboard(world.wjl), "members.direct"),
        (_dashboard(world.wjl, date="2026-03-01", rank="members.direct"), "coverage.compounds"),
        (_dashboard(world.wjl_compound), "households.plaqued"),
        (_dashboard(world.wjl_building), "members.report_rate"),
        (_rows(world.wjl, "members.direct"), "members.direct"),
        (_rows(world.wjl, "members.report_rate"), "members.report_rate"),
        (_rows(world.wjl, "coverage.compounds"), "coverage.compounds"),
        (_rows(world.wjl, "service.hours"), "service.hours"),
    ):
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        body = resp.content.decode()
        assert f'<html lang="{language}">' in body
        assert CATALOGUE[figure].name(language) in body, url
    for name in ("stats:report_pdf", "stats:report_xlsx"):
        assert client.get(reverse(name, args=[world.wjl.code])).status_code == 200


def test_every_rows_page_of_the_catalogue_opens(world: World) -> None:
    build_ledgers(world)
    client = _client(world.city_admin)
    for key, indicator in CATALOGUE.items():
        if indicator.rows is None:
            continue
        resp = client.get(_rows(world.changsha, key))
        assert resp.status_code == 200, key


def test_the_dashboard_shows_every_visible_figure_linked_to_its_rows(world: World) -> None:
    build_ledgers(world)
    resp = _client(world.wjl_admin).get(_dashboard(world.wjl))
    body = resp.content.decode()
    for indicator in CATALOGUE.values():
        if indicator.hidden:
            assert f'data-indicator="{indicator.id}"' not in body, indicator.id
        else:
            assert f'data-indicator="{indicator.id}"' in body, indicator.id
            assert f"{_rows(world.wjl, indicator.id, date=today().isoformat())}" in body, indicator.id
    # ratios are shown as percentages
    figures = {f["id"]: f for f in resp.context["figures"]}
    shown = re.search(r'data-indicator="members.report_rate">.*?figure-link[^>]*>([^<]*)<', body, re.S)
    assert shown is not None and shown.group(1).strip().endswith("%")
    # the charts' data, with no inline script: a JSON block read by dashboard.js
    data = _chart_data(body)
    assert [f["id"] for f in data["figures"]] == [i.id for i in visible_indicators()]
    assert len(data["months"]) == selectors.TREND_MONTHS
    assert all(len(f["trend"]) == selectors.TREND_MONTHS for f in data["figures"])
    assert data["figures"][0]["trend"][-1] == figures[data["figures"][0]["id"]]["value"]
    assert {c["id"] for c in data["coverage"]} >= {"coverage.compounds"}
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", body), "inline script"
    assert "/static/vendor/echarts/echarts.min.js" in body and "/static/gongjian/dashboard.js" in body


def test_a_figure_link_leads_to_rows_as_many_as_the_figure(world: World) -> None:
    build_ledgers(world)
    _more_direct_members(world, world.wjl_building, world.wjl_committee, 53, 300)
    client = _client(world.wjl_admin)
    body = client.get(_dashboard(world.wjl)).content.decode()
    values = selectors.indicators_for(actor=world.wjl_admin, area=world.wjl, date=today())
    assert values["members.direct"] == 54
    link = re.search(r'data-indicator="members.direct">.*?href="([^"]+)"', body, re.S)
    assert link is not None
    resp = client.get(link.group(1).replace("&amp;", "&"))
    assert resp.status_code == 200
    assert resp.context["page"].paginator.count == values["members.direct"]
    assert len(resp.context["rows"]) == 50  # 50 to a page
    second = client.get(link.group(1).replace("&amp;", "&") + "&page=2")
    assert len(second.context["rows"]) == 4
    # every count of the catalogue: the records listed are as many as the figure
    for indicator in visible_indicators():
        if indicator.kind == "ratio" or indicator.rows is None or indicator.id == "service.hours":
            continue
        page = client.get(_rows(world.wjl, indicator.id)).context["page"]
        assert page.paginator.count == values[indicator.id], indicator.id


def test_rows_show_members_masked_and_link_their_pages(world: World) -> None:
    ledgers = build_ledgers(world)
    direct = ledgers.rows["member"][0]
    resp = _client(world.wjl_admin).get(_rows(world.wjl, "members.direct"))
    body = resp.content.decode()
    assert direct.name in body
    assert reverse("members:member_detail", args=[direct.pk]) in body
    assert id_number(10) not in body  # never the clear ID number
    assert direct.id_number_masked not in body  # nor anything but names and places


def test_a_ratio_says_what_it_is_a_share_of(world: World) -> None:
    build_ledgers(world)
    client = _client(world.wjl_admin)
    values = selectors.indicators_for(actor=world.wjl_admin, area=world.wjl, date=today())
    resp = client.get(_rows(world.wjl, "members.report_rate"))
    assert resp.status_code == 200
    denominator = resp.context["denominator"]
    assert denominator["count"] == values["members.in_service"]
    assert "在职党员" in denominator["name"]
    body = resp.content.decode()
    assert "分母" in body  # "Denominator: …"
    assert "在职党员中" in body  # what the share is of
    coverage = client.get(_rows(world.wjl, "coverage.compounds")).content.decode()
    assert "小区" in coverage and "分子" in coverage


def test_the_children_are_ranked_and_the_ranking_can_change(world: World) -> None:
    build_ledgers(world)
    # 尖山湖 (高新区) gets more directly managed members than 王家垅 (开福区)
    _more_direct_members(world, world.jsh_compound, world.jsh_branch, 3, 400)
    client = _client(world.city_admin)
    resp = client.get(_dashboard(world.changsha, rank="members.direct"))
    names = [c["area"].name for c in resp.context["children"]]
    assert names == ["高新区", "开福区"]
    data = _chart_data(resp.content.decode())
    assert [c["name"] for c in data["children"]] == names
    assert data["rank"]["id"] == "members.direct"
    assert data["children"][0]["url"].startswith(reverse("stats:dashboard", args=[world.gaoxin.code]))
    assert [c["value"] for c in data["children"]] == [4, 1]
    # the table: each cell opens that child's rows for that figure
    body = resp.content.decode()
    assert _rows(world.gaoxin, "members.direct") in body
    # the ranking select lists the visible figures only
    options = re.findall(r'<option value="([^"]+)"', body.split('name="rank"', 1)[1].split("</select>", 1)[0])
    assert options == ["", *(i.id for i in visible_indicators())] or options == [
        i.id for i in visible_indicators()
    ]
    # by default the children of a city (districts) are ranked by the completion rate
    default = client.get(_dashboard(world.changsha))
    assert default.context["rank"].id == "projects.completion_rate"


def test_breadcrumb_links_only_what_the_actor_may_open(world: World) -> None:
    build_ledgers(world)
    resp = _client(world.wjl_admin).get(_dashboard(world.wjl_compound))
    crumbs = resp.context["crumbs"]
    assert [c["label"] for c in crumbs][1:] == ["长沙市", "开福区", "东风路街道", "王家垅社区", "30号庭院"]
    linked = {c["label"] for c in crumbs if c["url"]}
    assert "王家垅社区" in linked and not linked & {"长沙市", "开福区", "东风路街道"}
    assert reverse("stats:dashboard", args=[world.changsha.code]) not in resp.content.decode()
    assert reverse("stats:dashboard", args=[world.wjl.code]) in resp.content.decode()


def test_home_goes_to_the_actors_own_node(world: World) -> None:
    resp = _client(world.wjl_admin).get(reverse("stats:home"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("stats:dashboard", args=[world.wjl.code])
    for user in (world.liaison, world.member, world.resident):
        resp = _client(user).get(reverse("stats:home"))
        assert resp.status_code == 200
        assert "没有可显示的数据" in resp.content.decode()
    assert Client().get(reverse("stats:home")).status_code == 302  # to the login page


def test_outside_the_scope_is_a_404(world: World) -> None:
    build_ledgers(world)
    client = _client(world.wjl_admin)
    api = _api(world.wjl_admin)
    for area in (world.jsh, world.dongfeng, world.changsha, world.gaoxin):
        for url in (
            _dashboard(area),
            _rows(area, "members.direct"),
            reverse("stats:rows_xlsx", args=[area.code, "members.direct"]),
            reverse("stats:report_pdf", args=[area.code]),
            reverse("stats:report_xlsx", args=[area.code]),
        ):
            assert client.get(url).status_code == 404, url
        for url in (
            reverse("stats-detail", args=[area.code]),
            reverse("stats-dashboard", args=[area.code]),
            reverse("stats-rows", args=[area.code, "members.direct"]),
        ):
            assert api.get(url).status_code == 404, url
    assert client.get(_dashboard(world.wjl).replace(world.wjl.code, "no-such-code")).status_code == 404
    assert client.get(_rows(world.wjl, "no.such.figure")).status_code == 404
    for user in (world.liaison, world.member, world.resident):
        assert _client(user).get(_dashboard(world.wjl)).status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date=2018-13-45", "请按 YYYY-MM-DD 填写日期"),
        ("date=yesterday", "请按 YYYY-MM-DD 填写日期"),
        ("date=1900-01-01", "请选择 2000-01-01 至"),
        ("date=2999-01-01", "请选择 2000-01-01 至"),
        ("rank=no.such.figure", "no.such.figure"),
    ],
)
def test_a_bad_query_says_why_in_the_users_language(world: World, query: str, message: str) -> None:
    client = _client(world.wjl_admin)
    for url in (
        f"{_dashboard(world.wjl)}?{query}",
        f"{_rows(world.wjl, 'members.direct')}?{query}",
        f"{reverse('stats:report_pdf', args=[world.wjl.code])}?{query}",
        f"{reverse('stats:report_xlsx', args=[world.wjl.code])}?{query}",
    ):
        resp = client.get(url)
        assert resp.status_code == 400, url
        body = resp.content.decode()
        assert message in body, (url, body[-2000:])
        assert 'name="date"' in body  # the form to correct it
    answer = _api(world.wjl_admin).get(reverse("stats-dashboard", args=[world.wjl.code]) + "?" + query)
    assert answer.status_code == 400
    assert message in json.dumps(answer.json(), ensure_ascii=False)


def test_a_date_in_the_past_shows_the_figures_of_that_date(world: World) -> None:
    build_ledgers(world)
    client = _client(world.wjl_admin)
    resp = client.get(_dashboard(world.wjl, date="2020-06-30"))
    assert resp.status_code == 200
    assert resp.context["date"] == dt.date(2020, 6, 30)
    data = _chart_data(resp.content.decode())
    assert data["months"][0] == "2019-07" and data["months"][-1] == "2020-06"
    expected = selectors.indicators_for(actor=world.wjl_admin, area=world.wjl, date=dt.date(2020, 6, 30))
    assert {f["id"]: f["value"] for f in resp.context["figures"]} == {
        i.id: expected[i.id] for i in visible_indicators()
    }
    # links keep the date
    assert "date=2020-06-30" in resp.context["figures"][0]["url"]


# --- API --------------------------------------------------------------------------------------


def test_api_figures_of_a_node(world: World) -> None:
    build_ledgers(world)
    resp = _api(world.wjl_admin).get(reverse("stats-detail", args=[world.wjl.code]), {"date": "2026-06-30"})
    assert resp.status_code == 200
    data = resp.json()
    assert list(data) == ["area", "date", "indicators", "denominators"]
    assert data["area"] == {"code": world.wjl.code, "name": "王家垅社区"}
    # a ratio with nothing to divide by is null, never 0 or 1, with the denominator that says why
    assert data["indicators"]["appeals.response_rate"] is None
    assert data["denominators"]["appeals.response_rate"] == 0
    assert set(data["denominators"]) == {i.id for i in visible_indicators() if i.kind == "ratio"}
    assert data["date"] == "2026-06-30"
    assert list(data["indicators"]) == [i.id for i in visible_indicators()]
    expected = selectors.indicators_for(actor=world.wjl_admin, area=world.wjl, date=dt.date(2026, 6, 30))
    assert data["indicators"]["members.direct"] == expected["members.direct"] == 1
    default = _api(world.wjl_admin).get(reverse("stats-detail", args=[world.wjl.code])).json()
    assert default["date"] == today().isoformat()


def test_api_dashboard(world: World) -> None:
    build_ledgers(world)
    _more_direct_members(world, world.jsh_compound, world.jsh_branch, 2, 500)
    resp = _api(world.city_admin, "en").get(
        reverse("stats-dashboard", args=[world.changsha.code]), {"rank": "members.direct"}
    )
    assert resp.status_code == 200
    data = resp.json()
    assert set(data) == {"area", "date", "ancestors", "rank_by", "figures", "children"}
    assert data["rank_by"] == "members.direct"
    assert data["ancestors"] == []
    figure = next(f for f in data["figures"] if f["id"] == "members.direct")
    assert figure["name"] == "Directly managed members"
    assert figure["kind"] == "stock" and figure["value"] == 4
    assert len(figure["trend"]) == selectors.TREND_MONTHS
    assert figure["trend"][-1] == {"date": data["date"], "value": 4}
    assert [c["area"]["name"] for c in data["children"]] == ["高新区", "开福区"]
    assert data["children"][0]["values"]["members.direct"] == 3
    assert all(not CATALOGUE[f["id"]].hidden for f in data["figures"])
    below = _api(world.wjl_admin).get(reverse("stats-dashboard", args=[world.wjl_compound.code])).json()
    assert [a["name"] for a in below["ancestors"]] == ["长沙市", "开福区", "东风路街道", "王家垅社区"]


def test_api_rows_are_paginated_ids_and_labels(world: World) -> None:
    build_ledgers(world)
    _more_direct_members(world, world.wjl_building, world.wjl_committee, 55, 600)
    api = _api(world.wjl_admin)
    url = reverse("stats-rows", args=[world.wjl.code, "members.direct"])
    data = api.get(url).json()
    assert (
        data["count"]
        == 56
        == selectors.indicators_for(actor=world.wjl_admin, area=world.wjl, date=today())["members.direct"]
    )
    assert len(data["results"]) == 50 and data["next"]
    row = data["results"][0]
    assert set(row) == {"id", "model", "label", "place"}
    assert row["model"] == "members.member"
    text = json.dumps(data, ensure_ascii=False)
    assert id_number(600) not in text
    assert len(api.get(url, {"page": 2}).json()["results"]) == 6
    assert api.get(reverse("stats-rows", args=[world.wjl.code, "no.such"])).status_code == 404


def test_api_catalogue(world: World) -> None:
    data = _api(world.member).get(reverse("stats-catalogue")).json()
    assert [e["id"] for e in data] == [i.id for i in visible_indicators()]
    entry = next(e for e in data if e["id"] == "members.direct")
    assert entry["names"] == {"zh-hans": "直管党员", "zh-hant": "直管黨員", "en": "Directly managed members"}
    assert entry["kind"] == "stock"
    assert isinstance(entry["definition"], str)
    coverage = next(e for e in data if e["id"] == "coverage.compounds")
    assert coverage["kind"] == "ratio"
    assert APIClient().get(reverse("stats-catalogue")).status_code in (401, 403)


def test_schema_documents_the_routes(world: World) -> None:
    resp = _api(world.city_admin).get(reverse("schema"))
    assert resp.status_code == 200
    body = resp.content.decode()
    for route in (
        "/api/v1/stats/catalogue/",
        "/api/v1/stats/{code}/",
        "/api/v1/stats/{code}/dashboard/",
        "/api/v1/stats/{code}/{indicator}/rows/",
    ):
        assert route in body, route


def test_every_denominator_on_a_rows_page_has_a_label_never_an_id(world: World) -> None:
    """Issue 20: "分母：_appeals.due 263" showed an internal name; every ratio's parts have names in
    the three languages from the catalogue, and the rows page shows them."""
    every = CATALOGUE
    for key, indicator in every.items():
        for language in ("zh-hans", "zh-hant", "en"):
            name = indicator.name(language)
            assert name and name != key and not name.startswith("_"), (key, language)
    client = _client(world.superuser)
    for key, indicator in every.items():
        if indicator.kind != "ratio" or indicator.hidden:
            continue
        resp = client.get(_rows(world.changsha, key))
        assert resp.status_code == 200
        body = re.sub(r'(href|id|data-[a-z-]+|value)="[^"]*"', "", resp.content.decode())  # text only
        denominator = resp.context["denominator"]
        if denominator is not None:
            assert denominator["name"] in body and not denominator["name"].startswith("_"), key
        assert "_appeals." not in body and "_answers." not in body and "_compounds." not in body, key
