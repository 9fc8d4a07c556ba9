"""API of projects: scoped lists and objects, every action through the services, uploads checked,
errors as 400/403/404 that change nothing, and the public board for residents' apps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.core.models import AuditEntry
from gongjian.lists.models import Evidence, Milestone, ProjectStatus
from gongjian.lists.services import projects as s
from gongjian.lists.tests.fixtures_projects import ListsProjects, build_lists_projects, png_bytes, upload
from gongjian.testing import World


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def lp(world: World) -> ListsProjects:
    return build_lists_projects(world)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _names(response: object) -> set[str]:
    return {row["name"] for row in response.json()["results"]}  # type: ignore[attr-defined]


def test_list_is_scoped_and_filtered(world: World, lp: ListsProjects) -> None:
    url = reverse("project-list")
    assert _names(_client(world.jsh_admin).get(url)) == {"员工公寓床位对接"}
    assert _names(_client(world.liaison).get(url)) == {"楼道照明共建项目", "一台助听器"}
    assert _client(world.member).get(url).json()["results"] == []
    admin = _client(world.city_admin)
    assert _names(admin.get(url, {"status": "in_progress"})) == {"楼道照明共建项目"}
    assert _names(admin.get(url, {"q": "樓道"})) == {"楼道照明共建项目"}
    assert _names(admin.get(url, {"within": world.jsh.pk})) == {"员工公寓床位对接"}
    assert _client(world.wjl_admin).get(url, {"within": world.jsh.pk}).status_code == 404
    detail = admin.get(reverse("project-detail", args=[lp.wish.pk])).json()
    assert detail["percent"] == 100 and detail["days_to_claim"] == 2.0
    assert detail["status"] == "done" and detail["days_to_complete"] is not None
    assert _client(world.jsh_admin).get(reverse("project-detail", args=[lp.wjl.pk])).status_code == 404
    assert Client().get(url).status_code in (401, 403)


def test_the_steps_through_the_api(world: World, lp: ListsProjects) -> None:
    liaison = _client(world.liaison)
    pk = lp.wjl.pk
    r = liaison.patch(
        reverse("project-detail", args=[pk]),
        {"plan": "新计划", "hours": "12.5"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["plan"] == "新计划"
    r = liaison.patch(
        reverse("project-detail", args=[pk]), {"status": "done"}, content_type="application/json"
    )
    assert r.status_code == 400
    milestones = reverse("project-milestones", args=[pk])
    r = liaison.post(milestones, {"title": "验收", "weight": 2}, content_type="application/json")
    assert r.status_code == 201
    new = r.json()["id"]
    ids = [m["id"] for m in liaison.get(milestones).json()]
    r = liaison.post(
        reverse("project-reorder-milestones", args=[pk]),
        {"order": ids[::-1]},
        content_type="application/json",
    )
    assert r.status_code == 200 and [m["id"] for m in r.json()] == ids[::-1]
    for mid in ids:
        r = liaison.patch(
            reverse("milestone-detail", args=[mid]), {"percent": 100}, content_type="application/json"
        )
        assert r.status_code == 200, r.content
    assert liaison.get(reverse("project-detail", args=[pk])).json()["percent"] == 100
    assert Milestone.objects.get(pk=new).done_on == timezone.localdate()
    r = liaison.post(reverse("project-evidence", args=[pk]), {"file": upload(b"not an image", "a.png")})
    assert r.status_code == 400 and "file" in r.json()
    r = liaison.post(
        reverse("project-evidence", args=[pk]),
        {"file": upload(png_bytes(), "a.png"), "caption": "完工", "public": True},
    )
    assert r.status_code == 201, r.content
    evidence = r.json()
    assert evidence["kind"] == "photo" and evidence["file_url"] == reverse(
        "evidence-file", args=[evidence["id"]]
    )
    assert liaison.get(evidence["file_url"]).status_code == 200
    assert _client(world.jsh_admin).get(evidence["file_url"]).status_code == 404
    r = liaison.patch(
        reverse("evidence-detail", args=[evidence["id"]]), {"public": False}, content_type="application/json"
    )
    assert r.status_code == 200 and not Evidence.objects.get(pk=evidence["id"]).public
    year, quarter = s.quarter_of(timezone.localdate())
    r = liaison.post(
        reverse("project-reports", args=[pk]),
        {"year": year, "quarter": quarter, "text": "再报"},
        content_type="application/json",
    )
    assert r.status_code == 400  # one a quarter
    report = liaison.get(reverse("project-reports", args=[pk])).json()[0]
    assert liaison.post(reverse("progress-report-inspect", args=[report["id"]])).status_code == 403
    assert (
        _client(world.dongfeng_admin)
        .post(reverse("progress-report-inspect", args=[report["id"]]))
        .status_code
        == 200
    )
    r = liaison.post(
        reverse("project-complete", args=[pk]), {"beneficiaries": 50}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == ProjectStatus.DONE
    assert (
        liaison.post(
            reverse("project-rate", args=[pk]), {"rating": "fair"}, content_type="application/json"
        ).status_code
        == 403
    )
    admin = _client(world.wjl_admin)
    r = admin.post(reverse("project-rate", args=[pk]), {"rating": "fair"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["rating"] == "fair"
    assert admin.post(reverse("project-close", args=[pk])).json()["status"] == ProjectStatus.CLOSED


def test_refused_steps_change_nothing(world: World, lp: ListsProjects) -> None:
    before = AuditEntry.objects.count()
    outsider = _client(world.jsh_admin)
    pk = lp.wjl.pk
    for name in (
        "project-milestones",
        "project-evidence",
        "project-reports",
        "project-complete",
        "project-cancel",
    ):
        assert outsider.post(reverse(name, args=[pk]), {}).status_code == 404, name
    liaison = _client(world.liaison)
    assert liaison.post(reverse("project-complete", args=[pk])).status_code == 400  # at 40%
    assert (
        liaison.post(
            reverse("project-cancel", args=[pk]), {"reason": ""}, content_type="application/json"
        ).status_code
        == 400
    )
    r = liaison.post(
        reverse("project-milestones", args=[pk]),
        {"title": "x", "percent": 101},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert AuditEntry.objects.count() == before
    r = liaison.post(
        reverse("project-cancel", args=[pk]), {"reason": "场地不具备"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def test_the_public_board_endpoint(world: World, lp: ListsProjects) -> None:
    response = Client().get(reverse("board-detail", args=[world.wjl.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["area"]["name"] == "王家垅社区" and data["count"] == 2
    wish = next(p for p in data["results"] if p["micro_wish"])
    assert wish["wish_first_name"] == "李奶奶" and wish["satisfaction"] == {"average": 5.0, "count": 1}
    assert set(wish) >= {"milestones", "photos", "partners", "percent", "status"}
    assert "plan" not in wish and "claim" not in wish and "demand" not in wish
    photo = wish["photos"][0]["url"]
    assert Client().get(photo).status_code == 200
    assert Client().get(reverse("board-detail", args=[999999])).status_code == 404
