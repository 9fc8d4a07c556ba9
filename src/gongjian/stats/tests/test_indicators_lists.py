"""Indicators of the three lists: open demands and resources on a date, projects and
micro-wishes in the year to date, and the completion rate."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from gongjian.lists.models import Claim, Demand, Project, Resource
from gongjian.stats.indicators import CATALOGUE

IDS = [
    "demands.open",
    "resources.open",
    "projects.claimed",
    "projects.completed",
    "projects.completion_rate",
    "microwishes.raised",
    "microwishes.fulfilled",
]


def on(area: str, date: str) -> dict[str, Any]:
    out = StringIO()
    call_command("indicators", "--area", area, "--date", date, "--format", "json", stdout=out)
    return json.loads(out.getvalue())["indicators"]


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)), timezone.get_default_timezone()
    )


def demand(world, name: str = "助餐志愿者", **kw: Any) -> Demand:
    fields = {"category": "volunteers", "quantity": 3, "raised_at": at("2018-03-01"), "status": "published"}
    fields.update(kw)
    return Demand.objects.create(name=name, area=world.wjl, owner_org=world.wjl_committee, **fields)


def accept(world, target: Demand | Resource, quantity: int, day: str) -> Claim:
    side = {"demand": target} if isinstance(target, Demand) else {"resource": target}
    claim = Claim.objects.create(
        **side,
        claimant_unit=world.minzheng,
        quantity=quantity,
        status="accepted",
        claimed_at=at(day, 9),
        decided_at=at(day),
    )
    target.claimed += quantity
    target.save()
    return claim


def test_list_indicators_are_in_the_catalogue_in_three_languages(world):
    for key in IDS:
        indicator = CATALOGUE[key]
        assert indicator.name_hans and indicator.name_hant and indicator.name_en
        assert indicator.rows is not None
    assert CATALOGUE["projects.completion_rate"].kind == "ratio"
    assert CATALOGUE["microwishes.raised"].name("zh-hant") == "微心願徵集"


def test_open_demands_follow_publication_claims_deadline_and_closing(world):
    d = demand(world, published_at=at("2018-03-02"), deadline=dt.date(2018, 12, 31))
    accept(world, d, 2, "2018-04-01")
    accept(world, d, 1, "2018-05-01")
    demand(world, "已撤回", published_at=at("2018-03-02"), closed_at=at("2018-04-15"), status="withdrawn")
    demand(world, "未发布", status="raised")
    assert on("王家垅社区", "2018-03-01")["demands.open"] == 0  # not yet published
    assert on("王家垅社区", "2018-04-01")["demands.open"] == 2  # partly claimed still open
    assert on("王家垅社区", "2018-04-15")["demands.open"] == 1  # withdrawn that day
    assert on("开福区", "2018-05-01")["demands.open"] == 0  # fully claimed
    late = demand(world, "过期", published_at=at("2018-06-01"), deadline=dt.date(2018, 6, 30))
    assert on("王家垅社区", "2018-06-30")["demands.open"] == 1
    assert on("王家垅社区", "2018-07-01")["demands.open"] == 0  # past its deadline
    assert late.pk and on("尖山湖社区", "2018-06-30")["demands.open"] == 0  # another subtree


def test_open_resources_follow_capacity_window_and_end(world):
    r = Resource.objects.create(
        name="报告厅",
        kind="venue",
        category="venue",
        capacity=2,
        area=world.wjl,
        provider_unit=world.minzheng,
        status="published",
        created_at=at("2018-01-01"),
        published_at=at("2018-01-02"),
        available_until=dt.date(2018, 12, 31),
    )
    assert on("王家垅社区", "2018-01-02")["resources.open"] == 1
    accept(world, r, 2, "2018-02-01")
    assert on("王家垅社区", "2018-01-31")["resources.open"] == 1
    assert on("王家垅社区", "2018-02-01")["resources.open"] == 0  # used up
    r.capacity = 5
    r.save()  # a save (as the services do) keeps the figures
    assert on("王家垅社区", "2018-12-31")["resources.open"] == 1
    assert on("王家垅社区", "2019-01-01")["resources.open"] == 0  # past its availability


def test_projects_claimed_completed_and_rate_in_the_year_to_date(world):
    def project(claimed: str, completed: str | None) -> None:
        d = demand(world, published_at=at("2018-01-02"))
        claim = accept(world, d, 1, claimed)
        Project.objects.create(
            claim=claim,
            demand=d,
            area=world.wjl,
            name=d.name,
            starts_on=dt.date.fromisoformat(claimed),
            claimed_at=at(claimed),
            completed_at=at(completed) if completed else None,
        )

    project("2017-11-01", "2018-02-01")  # claimed last year, completed this year
    project("2018-03-01", "2018-06-01")
    project("2018-04-01", "2018-10-01")
    project("2018-05-01", None)
    figures = on("东风路街道", "2018-09-04")
    assert figures["projects.claimed"] == 3
    assert figures["projects.completed"] == 2
    assert figures["projects.completion_rate"] == round(1 / 3, 4)
    assert on("东风路街道", "2018-12-31")["projects.completion_rate"] == round(2 / 3, 4)
    assert on("尖山湖社区", "2018-12-31")["projects.claimed"] == 0


def test_micro_wishes_raised_and_fulfilled_in_the_year_to_date(world):
    demand(world, "轮椅", kind="micro_wish", quantity=1, raised_at=at("2018-02-01"), done_at=at("2018-03-01"))
    demand(world, "课外书", kind="micro_wish", quantity=1, raised_at=at("2018-08-01"))
    demand(
        world, "去年的", kind="micro_wish", quantity=1, raised_at=at("2017-12-01"), done_at=at("2018-01-05")
    )
    demand(world, "普通需求", raised_at=at("2018-02-01"))
    figures = on("王家垅社区", "2018-09-04")
    assert (figures["microwishes.raised"], figures["microwishes.fulfilled"]) == (2, 2)
    assert on("王家垅社区", "2018-02-28")["microwishes.fulfilled"] == 1
