"""The campaigns API: scoped reads for the organisers, the published lists for anyone, the
honours held; all in the OpenAPI schema."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from gongjian.honours.tests.fixtures import build_honours
from gongjian.testing import World


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_street_reads_its_own_campaigns_with_the_ranking_and_its_parts(world: World) -> None:
    campaigns = build_honours(world)
    mine, other = campaigns["dongfeng"], campaigns["dongfanghong"]
    street = _as(world.dongfeng_admin)
    listed = street.get("/api/v1/campaigns/").json()
    ids = {row["id"] for row in listed["results"]}
    assert mine.pk in ids and campaigns["dongfeng_awarded"].pk in ids and other.pk not in ids
    assert street.get(f"/api/v1/campaigns/{other.pk}/").status_code == 404
    assert street.get(f"/api/v1/campaigns/{other.pk}/ranking/").status_code == 404
    [entry] = street.get(f"/api/v1/campaigns/{mine.pk}/ranking/").json()
    assert entry["name"] == "王家垅社区" and entry["rank"] == 1 and entry["listed"]
    [part] = entry["parts"]
    assert part["indicator"] == "units.resident" and part["kind"] == "figure"
    assert part["figures_on"] == mine.figures_on.isoformat()
    assert part["readings"] == {f"units.resident@{mine.figures_on.isoformat()}": float(part["value"])}
    [objection] = street.get(f"/api/v1/campaigns/{mine.pk}/objections/").json()
    assert objection["text"] == "请核实" and objection["answer"] == ""
    assert street.get("/api/v1/campaigns/?year=2025").json()["count"] == 0
    assert Client().get("/api/v1/campaigns/").status_code in (401, 403)  # not for anyone


def test_anyone_reads_a_published_list_with_its_objections_and_honours(world: World) -> None:
    campaigns = build_honours(world)
    anyone = Client()
    listed = anyone.get("/api/v1/campaign-notices/").json()
    assert {c.pk for c in campaigns.values()} <= {row["id"] for row in listed["results"]}
    awarded = anyone.get(f"/api/v1/campaign-notices/{campaigns['dongfeng_awarded'].pk}/").json()
    assert awarded["campaign"]["status"] == "awarded"
    assert [h["holder"] for h in awarded["honours"]] == ["王家垅社区"]
    [objection] = awarded["objections"]
    assert objection["answer"] == "已核实，无误。" and "filed_by" not in objection
    assert "member" not in awarded["entries"][0]  # no id of a person on the public list


def test_honours_are_read_in_scope(world: World) -> None:
    build_honours(world)
    street = _as(world.dongfeng_admin).get("/api/v1/honours/").json()
    assert [h["holder"] for h in street["results"]] == ["王家垅社区"]
    assert _as(world.jsh_admin).get("/api/v1/honours/").json()["count"] == 0


def test_the_campaigns_api_is_in_the_schema(world: World) -> None:
    schema = _as(world.city_admin).get(reverse("schema")).content.decode()
    for path in (
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{id}/ranking/",
        "/api/v1/campaign-notices/{id}/",
        "/api/v1/honours/",
    ):
        assert path in schema, path
