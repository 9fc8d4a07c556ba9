"""The public project board: no login, no personal data at all, phone-friendly, paginated and
cached; residents of the area rate finished projects from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongjian.lists.models import Satisfaction
from gongjian.lists.selectors.projects import BOARD_PAGE_SIZE
from gongjian.lists.services import projects as s
from gongjian.lists.tests.fixtures_projects import (
    WISH_REQUESTER,
    ListsProjects,
    build_lists_projects,
    make_project,
)
from gongjian.members.models import Member
from gongjian.testing import World, build_ledgers


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


@pytest.fixture
def lp(world: World) -> ListsProjects:
    return build_lists_projects(world)


def _personal_data(world: World) -> list[str]:
    """Every piece of personal data the world holds: names, phones, ID numbers, accounts."""
    values = [*WISH_REQUESTER.split(), "联络员甲", "13800001234", "138****1234", "代表甲", "张三丰"]
    values.extend(Member.objects.values_list("name", flat=True))
    for user in (
        world.liaison,
        world.wjl_admin,
        world.jsh_admin,
        world.resident,
        world.member,
        world.superuser,
    ):
        values.append(f">{user.get_username()}<")
    values.append("很满意")  # residents' comments are for the project's side only
    return values


def test_the_board_needs_no_login_and_shows_no_personal_data(world: World, lp: ListsProjects) -> None:
    build_ledgers(world)  # members with names and ID numbers in the same places
    s.project_update(actor=world.wjl_admin, project=lp.wjl, plan="联系人张三丰，电话13911112222")
    client = Client()
    for url in (
        reverse("lists:board", args=[world.changsha.pk]),
        reverse("lists:board", args=[world.wjl.pk]),
        reverse("board-detail", args=[world.changsha.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "一台助听器" in body and "李奶奶" in body  # the wish and the first name only
        assert "楼道照明共建项目" in body and "湖南省民政厅" in body
        for value in _personal_data(world):
            assert value not in body, (url, value)
        assert "13911112222" not in body  # the plan is not public
        assert "/media/" not in body


def test_the_board_is_phone_friendly(world: World, lp: ListsProjects) -> None:
    body = Client().get(reverse("lists:board", args=[world.wjl.pk])).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body
    assert "col-12" in body and "<table" not in body
    assert "<script>" not in body and "onclick" not in body  # CSP: no inline script
    assert 'role="progressbar"' in body
    assert body.count('class="card h-100 shadow-sm"') == 2  # the two 王家垅 projects


def test_the_board_keeps_to_the_subtree_and_leaves_out_cancelled_and_private(
    world: World, lp: ListsProjects
) -> None:
    body = Client().get(reverse("lists:board", args=[world.jsh.pk])).content.decode()
    assert "员工公寓床位对接" in body and "楼道照明共建项目" not in body
    s.project_update(actor=world.wjl_admin, project=lp.wjl, public=False)
    body = Client().get(reverse("lists:board", args=[world.wjl.pk])).content.decode()
    assert "楼道照明共建项目" not in body
    other = make_project(world, name="取消的项目", area_org=world.wjl_committee, unit=world.minzheng)
    s.project_cancel(actor=world.wjl_admin, project=other, reason="不再需要")
    body = Client().get(reverse("lists:board", args=[world.wjl.pk])).content.decode()
    assert "取消的项目" not in body
    assert Client().get(reverse("lists:board", args=[999999])).status_code == 404


def test_the_board_is_paginated_and_cached(world: World, lp: ListsProjects) -> None:
    for n in range(BOARD_PAGE_SIZE):
        make_project(world, name=f"共建项目{n:02d}", area_org=world.wjl_committee, unit=world.minzheng)
    url = reverse("lists:board", args=[world.changsha.pk])
    client = Client()
    first = client.get(url).content.decode()
    assert first.count('class="card h-100 shadow-sm"') == BOARD_PAGE_SIZE
    second_page = client.get(url, {"page": 2}).content.decode()
    assert second_page.count('class="card h-100 shadow-sm"') == 3 + BOARD_PAGE_SIZE - BOARD_PAGE_SIZE
    with CaptureQueriesContext(connection) as cold:
        cache.clear()
        client.get(url)
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(warm) < len(cold)
    assert len(warm) <= 3
    # a change shows at once (the oldest projects are on the second page)
    wjl_board = reverse("lists:board", args=[world.wjl.pk])
    assert ">40%<" in client.get(wjl_board, {"page": 2}).content.decode()
    milestone = lp.wjl.milestones.get(title="更换灯具")
    s.milestone_update(actor=world.liaison, milestone=milestone, percent=100)
    assert ">40%<" not in client.get(wjl_board, {"page": 2}).content.decode()


def test_public_photos_only(world: World, lp: ListsProjects) -> None:
    client = Client()
    photo = client.get(reverse("lists:board_evidence", args=[lp.photo.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    assert b"".join(photo.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert client.get(reverse("lists:board_evidence", args=[lp.document.pk])).status_code == 404
    # the staff address needs a login and the scope
    assert client.get(reverse("lists:evidence_file", args=[lp.photo.pk])).status_code == 302
    client.force_login(world.jsh_admin)
    assert client.get(reverse("lists:evidence_file", args=[lp.document.pk])).status_code == 404
    client.force_login(world.wjl_admin)
    document = client.get(reverse("lists:evidence_file", args=[lp.document.pk]))
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert "private" in document["Cache-Control"]
    s.evidence_update(actor=world.wjl_admin, evidence=lp.photo, public=False)
    assert Client().get(reverse("lists:board_evidence", args=[lp.photo.pk])).status_code == 404


def _finish_wjl(world: World, lp: ListsProjects) -> None:
    milestone = lp.wjl.milestones.get(title="更换灯具")
    s.milestone_update(actor=world.liaison, milestone=milestone, percent=100)
    s.project_complete(actor=world.liaison, project=lp.wjl)


def test_a_resident_rates_a_finished_project_once_from_the_board(world: World, lp: ListsProjects) -> None:
    board = reverse("lists:board", args=[world.wjl.pk])
    rate = reverse("lists:board_rate", args=[lp.wjl.pk])
    client = Client()
    assert f'action="{rate}"' not in client.get(board).content.decode()
    _finish_wjl(world, lp)
    assert f'action="{rate}"' not in client.get(board).content.decode()  # not signed in
    assert client.post(rate, {"score": 5}).status_code == 302  # to the login
    assert not Satisfaction.objects.filter(project=lp.wjl).exists()
    client.force_login(world.resident)
    page = client.get(board).content.decode()
    assert f'action="{rate}"' in page
    assert f'action="{reverse("lists:board_rate", args=[lp.wish.pk])}"' not in page  # rated already
    response = client.post(rate, {"score": 4, "comment": "亮了"}, follow=True)
    assert response.status_code == 200
    assert Satisfaction.objects.get(project=lp.wjl).score == 4
    again = client.post(rate, {"score": 1}, follow=True)
    assert "alert-danger" in again.content.decode()
    assert Satisfaction.objects.filter(project=lp.wjl).count() == 1
    bad = client.post(reverse("lists:board_rate", args=[lp.wish.pk]), {"score": 9}, follow=True)
    assert "alert-danger" in bad.content.decode()
    # a member or a community administrator is not a resident
    client.force_login(world.member)
    client.post(rate, {"score": 1})
    assert Satisfaction.objects.filter(project=lp.wjl).count() == 1
    body = Client().get(board).content.decode()
    assert "4.0 / 5" in body


def test_the_board_api_rates_too(world: World, lp: ListsProjects) -> None:
    _finish_wjl(world, lp)
    url = reverse("board-project-satisfaction", args=[lp.wjl.pk])
    client = Client()
    assert client.post(url, {"score": 5}, content_type="application/json").status_code in (401, 403)
    client.force_login(world.resident)
    response = client.post(url, {"score": 5}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json() == {"project": lp.wjl.pk, "average": 5.0, "count": 1}
    again = client.post(url, {"score": 5}, content_type="application/json")
    assert again.status_code == 400
    client.force_login(world.member)
    assert client.post(url, {"score": 5}, content_type="application/json").status_code == 403
