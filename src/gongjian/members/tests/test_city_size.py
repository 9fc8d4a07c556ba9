"""Issue 17: the ledgers cost what a page shows, not what the city holds. The root ledger never
counts the whole scope (its tab totals are the kept figures; the flags and reports are counted up
to a bound), long lists page with "more", and the API's ``members/`` counts up to a bound."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongjian.core.api import BoundedPagination
from gongjian.members import selectors
from gongjian.members.models import Category
from gongjian.stats.selectors import indicators_for

from .people import ledger_member

BIRTH = dt.date(1980, 5, 6)
MEMBER_TABLES = re.compile(r'"members_(member|membercategory|comanagement|memberreport)"')


def _members(world, n: int) -> None:
    for i in range(n):
        ledger_member(
            world, 700 + i, f"李娜{i}", birth=BIRTH, categories=[Category.DIRECT, Category.HARDSHIP]
        )


def test_root_ledger_totals_are_the_kept_figures_and_nothing_counts_the_scope(client, world):
    _members(world, 3)
    client.force_login(world.city_admin)
    url = reverse("members:ledger", args=[world.changsha.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    unbounded = [
        q["sql"]
        for q in queries
        if "COUNT(" in q["sql"] and MEMBER_TABLES.search(q["sql"]) and "LIMIT" not in q["sql"]
    ]
    assert unbounded == []
    tabs = {t["key"]: t for t in response.context["tabs"]}
    kept = indicators_for(actor=world.city_admin, area=world.changsha, date=timezone.localdate())
    assert tabs["direct"]["count"] == kept["members.direct"] == 3
    assert tabs["hardship"]["count"] == 3 and not tabs["hardship"]["more"]
    page = response.context["page"]
    assert page.paginator.count == 3
    assert [m.name for m in page.object_list] == ["李娜0", "李娜1", "李娜2"]


def test_a_list_longer_than_the_bound_says_more_and_pages_on(client, world, monkeypatch):
    _members(world, 3)
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    client.force_login(world.city_admin)
    url = reverse("members:ledger", args=[world.changsha.pk])
    response = client.get(url, {"tab": "hardship"})
    hardship = next(t for t in response.context["tabs"] if t["key"] == "hardship")
    assert (hardship["count"], hardship["more"]) == (2, True)
    assert "2+" in response.content.decode()
    # a search narrows the list: counted up to the bound, then "more" pages without a total
    response = client.get(url, {"q": "李娜"})
    total, page = response.context["total"], response.context["page"]
    assert (total.value, total.more) == (2, True)
    assert page.counted is False and len(page.object_list) == 3 and not page.has_next()


def test_api_members_counts_up_to_a_bound(world, monkeypatch):
    from rest_framework.test import APIClient

    _members(world, 3)
    monkeypatch.setattr(BoundedPagination, "COUNT_CAP", 2)
    monkeypatch.setattr(BoundedPagination, "page_size", 2)
    api = APIClient()
    api.force_authenticate(world.city_admin)
    first = api.get("/api/v1/members/", {"within": world.changsha.pk}).json()
    assert first["count"] is None and first["count_at_least"] == 2
    assert len(first["results"]) == 2 and first["next"] and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]
    names = [m["name"] for m in first["results"] + second["results"]]
    assert names == ["李娜0", "李娜1", "李娜2"]
    monkeypatch.setattr(BoundedPagination, "COUNT_CAP", 10)
    assert api.get("/api/v1/members/", {"within": world.changsha.pk}).json()["count"] == 3
    assert api.get("/api/v1/members/", {"page": "x"}).status_code == 404


def test_api_ledger_counts_say_which_are_bounds(world, monkeypatch):
    from rest_framework.test import APIClient

    _members(world, 3)
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    api = APIClient()
    api.force_authenticate(world.city_admin)
    answer = api.get(f"/api/v1/ledgers/{world.changsha.pk}/counts/").json()
    # the ledger's total is its kept figure (exact); the flag without a figure is a bound
    assert answer["counts"]["direct"] == 3 and answer["counts"]["hardship"] == 2
    assert answer["more"] == ["hardship"]


def _next_href(response, rel: str = "next") -> str | None:
    """The address of the page's "More"/"Next" (or "Previous") link, as the browser follows it."""
    found = re.search(rf'<a class="page-link" href="([^"]+)" rel="{rel}"', response.content.decode())
    return response.request["PATH_INFO"] + found.group(1).replace("&amp;", "&") if found else None


def _member_sql(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries if '"members_member"' in q["sql"]]


def test_more_and_next_follow_a_cursor_so_a_deep_page_reads_no_offset(client, world, monkeypatch):
    from gongjian.web import pages

    _members(world, 3)
    for i in range(2):  # the same name twice: the order is (name, id), so the cursor still names one place
        ledger_member(world, 760 + i, "王芳", birth=BIRTH)
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    client.force_login(world.city_admin)
    url = reverse("members:ledger", args=[world.changsha.pk])
    seen: list[str] = []
    response = client.get(url)
    assert response.context["page"].paginator.count == 5  # the kept figure numbers the pages
    href = _next_href(response)
    while href:
        assert "after=" in href
        seen += [m.name for m in response.context["page"].object_list]
        if len(seen) == 2:  # someone is added before the cursor while the user reads: nothing repeats
            ledger_member(world, 790, "丁一", birth=BIRTH)  # 丁 sorts first
        with CaptureQueriesContext(connection) as queries:
            response = client.get(href)
        assert response.status_code == 200
        assert not [sql for sql in _member_sql(queries) if "OFFSET" in sql]
        href = _next_href(response)
    seen += [m.name for m in response.context["page"].object_list]
    assert seen == ["李娜0", "李娜1", "李娜2", "王芳", "王芳"]
    last = response.context["page"]
    assert last.number == 3 and not last.has_next()
    # "Previous" carries the first row shown: the page before it, in order
    back = client.get(_next_href(response, "prev"))
    assert [m.name for m in back.context["page"].object_list] == ["李娜2", "王芳"]
    assert back.context["page"].number == 2
    # a cursor that is not a row's id
    assert client.get(url, {"after": "x1"}).status_code == 404
    assert client.get(url, {"after": "999999999"}).status_code == 404


def test_the_member_list_without_a_total_pages_on_by_cursor(client, world, monkeypatch):
    from gongjian.web import pages

    _members(world, 3)
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    monkeypatch.setattr(selectors, "COUNT_CAP", 1)
    client.force_login(world.wjl_admin)
    response = client.get(reverse("members:member_list"), {"q": "李娜"})
    first = response.context["page"]
    assert first.counted is False and [m.name for m in first.object_list] == ["李娜0", "李娜1"]
    response = client.get(_next_href(response))
    page = response.context["page"]
    assert [m.name for m in page.object_list] == ["李娜2"] and not page.has_next() and page.number == 2


def test_api_members_pages_by_cursor_beside_page(world, monkeypatch):
    from rest_framework.test import APIClient

    _members(world, 4)
    monkeypatch.setattr(BoundedPagination, "page_size", 2)
    api = APIClient()
    api.force_authenticate(world.city_admin)
    first = api.get("/api/v1/members/", {"within": world.changsha.pk}).json()
    assert "after=" in first["next"] and "page=2" in first["next"]
    ledger_member(world, 791, "丁一", birth=BIRTH)  # sorts first, before the cursor: nothing repeats
    with CaptureQueriesContext(connection) as queries:
        second = api.get(first["next"]).json()
    assert not [sql for sql in _member_sql(queries) if "OFFSET" in sql]
    assert [m["name"] for m in second["results"]] == ["李娜2", "李娜3"]
    assert second["next"] is None and "before=" in second["previous"]
    back = api.get(second["previous"]).json()
    assert [m["name"] for m in back["results"]] == ["李娜0", "李娜1"]
    assert "before=" in back["previous"]  # 丁一 precedes them
    assert [m["name"] for m in api.get(back["previous"]).json()["results"]] == ["丁一"]
    bad = api.get("/api/v1/members/", {"after": "abc"})
    assert bad.status_code == 400 and "after" in bad.json()
    assert api.get("/api/v1/members/", {"before": "999999999"}).status_code == 400


def test_the_schema_documents_the_cursor_beside_page():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    params = {p["name"]: p for p in schema["paths"]["/api/v1/members/"]["get"]["parameters"]}
    assert {"page", "after", "before"} <= set(params)
    assert params["after"]["schema"]["type"] == "integer"


def test_two_character_search_finds_what_a_substring_finds_in_either_script(world):
    """On PostgreSQL two characters are looked up through the bigram index (trigrams need three);
    the rows are exactly those whose name or initials hold the query, on both databases."""
    _members(world, 3)
    for i, name in enumerate(["王小娜", "娜娜", "李", "林楠", "陈娜"]):
        ledger_member(world, 770 + i, name, birth=BIRTH)
    names = {
        q: sorted(m.name for m in selectors.member_list(actor=world.city_admin, q=q))
        for q in ["李娜", "娜娜", "小娜", "娜1", "ln", "xn", "李", "李娜2", "lnn"]
    }
    assert names["李娜"] == ["李娜0", "李娜1", "李娜2"]
    assert names["娜娜"] == ["娜娜"] and names["小娜"] == ["王小娜"] and names["娜1"] == ["李娜1"]
    assert names["ln"] == ["李娜0", "李娜1", "李娜2", "林楠"]  # initials ln
    assert names["xn"] == ["王小娜"] and names["李娜2"] == ["李娜2"] and names["lnn"] == []
    assert names["李"] == ["李", "李娜0", "李娜1", "李娜2"]
    hant = sorted(m.name for m in selectors.member_list(actor=world.city_admin, q="陳娜"))
    assert hant == ["陈娜"]  # typed in Traditional characters
    if connection.vendor == "postgresql":
        with CaptureQueriesContext(connection) as queries:
            list(selectors.member_list(actor=world.city_admin, q="李娜"))
        assert any("gongjian_bigrams(" in q["sql"] for q in queries)


def test_a_large_scope_walked_row_by_row_sees_exactly_the_gathered_scope(world, monkeypatch):
    """An administrator of a large share of the city is asked row by row (``_walked_at``), a small
    one through the UNION of branches: the same members either way, for every kind of reach
    (held, living, listed in a ledger, co-managed, reported) and for people outside."""
    _members(world, 2)
    ledger_member(world, 780, "外人", birth=BIRTH, org=world.jsh_branch, residence=world.jsh_compound)

    def seen(actor, share: float) -> list[int]:
        monkeypatch.setattr(selectors, "WALK_SHARE", share)
        for key in ("_gongjian_walk_scope", "_gongjian_scope_at_least"):
            actor.__dict__.pop(key, None)
        return sorted(selectors.member_list(actor=actor).values_list("pk", flat=True))

    for actor in (world.wjl_admin, world.jsh_admin, world.dongfeng_admin, world.kaifu_admin, world.liaison):
        walked, gathered = seen(actor, 0.0), seen(actor, 2.0)
        assert walked == gathered, actor
    assert len(seen(world.wjl_admin, 0.0)) >= 2
    assert selectors.member_scope_at_least(world.wjl_admin) >= 2  # from the kept figures, no count
