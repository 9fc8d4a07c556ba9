"""Pages of projects: the list at any node with filters, search and export; the detail with its
buttons only when allowed; every step through its form; bad input shown, nothing changed."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gongjian.core.models import AuditEntry
from gongjian.lists.models import Evidence, Milestone, ProgressReport, ProjectStatus
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


def test_list_filters_search_within_and_export(world: World, lp: ListsProjects) -> None:
    client = _client(world.city_admin)
    url = reverse("lists:project_list")
    body = client.get(url).content.decode()
    assert all(name in body for name in ("楼道照明共建项目", "员工公寓床位对接", "一台助听器"))
    body = client.get(url, {"status": "evaluated"}).content.decode()
    assert "员工公寓床位对接" in body and "楼道照明共建项目" not in body
    body = client.get(url, {"rating": "excellent"}).content.decode()
    assert "员工公寓床位对接" in body and "一台助听器" not in body
    body = client.get(url, {"q": "ytzt"}).content.decode()  # 一台助听器 by pinyin initials
    assert "一台助听器" in body and "楼道照明共建项目" not in body
    body = client.get(url, {"within": world.jsh.pk}).content.decode()
    assert "员工公寓床位对接" in body and "一台助听器" not in body
    assert _client(world.wjl_admin).get(url, {"within": world.jsh.pk}).status_code == 404
    assert 'id="project-export"' in body
    export = client.get(reverse("lists:project_export"), {"within": world.wjl.pk})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_name("项目清单").to_python()
    )
    assert sorted(r[1] for r in rows[1:]) == sorted(["楼道照明共建项目", "一台助听器"])


def test_members_and_residents_have_no_project_pages(world: World, lp: ListsProjects) -> None:
    for user in (world.member, world.resident):
        client = _client(user)
        assert client.get(reverse("lists:project_list")).status_code == 403
        assert client.get(reverse("lists:project_detail", args=[lp.wjl.pk])).status_code == 403
    assert Client().get(reverse("lists:project_list")).status_code == 302


def test_detail_shows_buttons_only_when_allowed(world: World, lp: ListsProjects) -> None:
    url = reverse("lists:project_detail", args=[lp.wjl.pk])
    liaison = _client(world.liaison).get(url).content.decode()
    for button in ("project-edit", "milestone-add", "evidence-add", "project-report", "project-complete"):
        assert f'id="{button}"' in liaison, button
    assert 'id="project-rate"' not in liaison
    assert "勘察线路" in liaison and "勘察现场" in liaison and "已完成勘察" in liaison
    # the street administrator above inspects the quarterly report
    street = _client(world.dongfeng_admin).get(url).content.decode()
    report = ProgressReport.objects.get(project=lp.wjl)
    assert reverse("lists:report_inspect", args=[report.pk]) in street
    assert reverse("lists:report_inspect", args=[report.pk]) not in liaison
    assert _client(world.jsh_admin).get(url).status_code == 404
    done = _client(world.wjl_admin).get(reverse("lists:project_detail", args=[lp.wish.pk])).content.decode()
    assert 'id="project-rate"' in done and 'id="milestone-add"' not in done
    assert "5.0 / 5" in done  # the residents' satisfaction


def test_the_steps_of_a_project_through_the_pages(world: World, lp: ListsProjects) -> None:
    liaison = _client(world.liaison)
    pk = lp.wjl.pk
    r = liaison.post(
        reverse("lists:project_edit", args=[pk]), {"plan": "分两批更换", "beneficiaries": 80, "public": "on"}
    )
    assert r.status_code == 302
    lp.wjl.refresh_from_db()
    assert lp.wjl.plan == "分两批更换" and lp.wjl.beneficiaries == 80
    r = liaison.post(reverse("lists:milestone_add", args=[pk]), {"title": "验收", "weight": 1, "percent": 0})
    assert r.status_code == 302
    last = Milestone.objects.get(project=lp.wjl, title="验收")
    liaison.post(reverse("lists:milestone_move", args=[last.pk]), {"step": "-1"})
    titles = list(
        Milestone.objects.filter(project=lp.wjl).order_by("position").values_list("title", flat=True)
    )
    assert titles == ["勘察线路", "验收", "更换灯具"]
    for m in Milestone.objects.filter(project=lp.wjl):
        r = liaison.post(
            reverse("lists:milestone_edit", args=[m.pk]),
            {"title": m.title, "weight": m.weight, "percent": 100},
        )
        assert r.status_code == 302
    lp.wjl.refresh_from_db()
    assert lp.wjl.percent == 100
    r = liaison.post(
        reverse("lists:evidence_add", args=[pk]),
        {"file": upload(png_bytes("yellow"), "b.png"), "caption": "竣工", "public": "on"},
    )
    assert r.status_code == 302
    assert Evidence.objects.filter(project=lp.wjl, caption="竣工", public=True).exists()
    r = liaison.post(reverse("lists:project_complete", args=[pk]), {"beneficiaries": 90, "hours": "20"})
    assert r.status_code == 302
    lp.wjl.refresh_from_db()
    assert lp.wjl.status == ProjectStatus.DONE
    admin = _client(world.wjl_admin)
    assert admin.post(reverse("lists:project_rate", args=[pk]), {"rating": "excellent"}).status_code == 302
    assert admin.post(reverse("lists:project_close", args=[pk]), {}).status_code == 302
    lp.wjl.refresh_from_db()
    assert lp.wjl.status == ProjectStatus.CLOSED and lp.wjl.rating == "excellent"
    street = _client(world.dongfeng_admin)
    report = ProgressReport.objects.get(project=lp.wjl)
    assert street.post(reverse("lists:report_inspect", args=[report.pk]), {}).status_code == 302
    report.refresh_from_db()
    assert report.inspected


def test_bad_input_is_shown_and_changes_nothing(world: World, lp: ListsProjects) -> None:
    liaison = _client(world.liaison)
    before = AuditEntry.objects.count()
    r = liaison.post(reverse("lists:evidence_add", args=[lp.wjl.pk]), {"file": upload(b"MZ-binary", "a.exe")})
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    r = liaison.post(reverse("lists:project_complete", args=[lp.wjl.pk]), {})
    assert r.status_code == 200 and "alert-danger" in r.content.decode()  # 40%: not yet
    year, quarter = s.quarter_of(timezone.localdate())
    r = liaison.post(
        reverse("lists:report_add", args=[lp.wjl.pk]), {"year": year, "quarter": quarter, "text": "重复"}
    )
    assert r.status_code == 200 and "invalid-feedback" in r.content.decode()
    r = liaison.post(reverse("lists:project_cancel", args=[lp.wjl.pk]), {"reason": ""})
    assert r.status_code == 200
    assert AuditEntry.objects.count() == before
    # steps the actor may not take are refused
    assert liaison.get(reverse("lists:project_rate", args=[lp.wjl.pk])).status_code == 403
    assert _client(world.wjl_admin).get(reverse("lists:report_inspect", args=[1])).status_code in (403, 404)
