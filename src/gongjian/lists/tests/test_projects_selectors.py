"""Selectors of projects: who sees which project, search, filters, timing and the export."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.http import Http404
from python_calamine import CalamineWorkbook

from gongjian.accounts.actor import Actor
from gongjian.lists.models import ProjectStatus
from gongjian.lists.selectors import projects as sel
from gongjian.lists.services import projects as s
from gongjian.lists.tests.fixtures_projects import ListsProjects, build_lists_projects
from gongjian.testing import World


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def lp(world: World) -> ListsProjects:
    return build_lists_projects(world)


def _names(actor: Actor, **kwargs: Any) -> set[str]:
    return set(sel.project_list(actor=actor, **kwargs).values_list("name", flat=True))


def test_scope(world: World, lp: ListsProjects) -> None:
    everything = {"楼道照明共建项目", "员工公寓床位对接", "一台助听器"}
    assert _names(world.superuser) == everything
    assert _names(world.city_admin) == everything
    assert _names(world.kaifu_admin) == {"楼道照明共建项目", "一台助听器"}
    assert _names(world.wjl_admin) == {"楼道照明共建项目", "一台助听器"}
    assert _names(world.jsh_admin) == {"员工公寓床位对接"}
    assert _names(world.liaison) == {"楼道照明共建项目", "一台助听器"}  # their unit leads both
    assert _names(world.member) == set() and _names(world.resident) == set()
    with pytest.raises(Http404):
        sel.project_get(actor=world.jsh_admin, pk=lp.wjl.pk)
    with pytest.raises(Http404):
        sel.evidence_get(actor=world.jsh_admin, pk=lp.photo.pk)
    with pytest.raises(Http404):
        sel.milestone_get(actor=world.member, pk=lp.wjl.milestones.first().pk)  # type: ignore[union-attr]
    assert sel.evidence_get(actor=world.liaison, pk=lp.document.pk) == lp.document


def test_a_partner_unit_sees_the_project(world: World, lp: ListsProjects) -> None:
    assert "员工公寓床位对接" not in _names(world.liaison)
    jsh_open = sel.project_list(actor=world.superuser, status=ProjectStatus.IN_PROGRESS)
    assert list(jsh_open.values_list("name", flat=True)) == ["楼道照明共建项目"]
    from gongjian.lists.tests.fixtures_projects import make_project
    from gongjian.orgs.models import PartyOrg

    jsh_org = PartyOrg.objects.get(code="PO-JSH")
    other = make_project(world, name="园区义诊", area_org=jsh_org, unit=world.jsh_firm)
    s.project_update(actor=world.city_admin, project=other, partners=[world.minzheng])
    assert "园区义诊" in _names(world.liaison)
    assert sel.project_list(actor=world.liaison).filter(name="园区义诊").count() == 1  # no duplicates


def test_filters_search_and_within(world: World, lp: ListsProjects) -> None:
    assert _names(world.city_admin, status="evaluated") == {"员工公寓床位对接"}
    assert _names(world.city_admin, rating="excellent") == {"员工公寓床位对接"}
    assert _names(world.city_admin, within=world.wjl) == {"楼道照明共建项目", "一台助听器"}
    assert _names(world.city_admin, q="樓道") == {"楼道照明共建项目"}  # traditional script
    assert _names(world.city_admin, q="ldzm") == {"楼道照明共建项目"}  # pinyin initials
    assert _names(world.city_admin, q="芯城") == {"员工公寓床位对接"}  # the lead's name


def test_timing_and_satisfaction(world: World, lp: ListsProjects) -> None:
    timing = sel.project_timing(actor=world.city_admin)
    assert timing["claimed"] == 3 and timing["completed"] == 2
    assert timing["days_to_claim"] == pytest.approx((2 + 1 + 2) / 3, abs=0.1)
    summary = sel.satisfaction_summary(lp.wish)
    assert summary.count == 1 and summary.average == 5.0


def test_export_is_scoped_and_names_no_person(world: World, lp: ListsProjects) -> None:
    data = sel.project_export(actor=world.jsh_admin)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_name("项目清单").to_python()
    assert rows[0][:4] == ["编号", "项目", "区域", "牵头单位"]
    assert [r[1] for r in rows[1:]] == ["员工公寓床位对接"]
    assert rows[1][16] == "优秀" or rows[1][16] == "Excellent"
    book = CalamineWorkbook.from_filelike(io.BytesIO(sel.project_export(actor=world.city_admin)))
    text = str(book.get_sheet_by_name("项目清单").to_python())
    assert "一台助听器" in text and "李桂兰" not in text and "13700001111" not in text
