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
