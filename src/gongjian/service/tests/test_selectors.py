"""Who sees which service records: administrators their subtree, liaisons their unit's activities
and their reported staff's verified hours, members and volunteers what is open to them and their
own records."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from gongjian.accounts.models import User
from gongjian.service import selectors
from gongjian.service.models import HoursStatus
from gongjian.testing import World, build_ledgers

from .fixtures import build_service


@pytest.fixture
def rows(world: World) -> dict[str, list[Any]]:
    build_ledgers(world)
    return build_service(world)


def _names(qs: Any) -> set[str]:
    return {str(o) for o in qs}


def test_administrators_see_their_subtree(world: World, rows: dict[str, list[Any]]) -> None:
    wjl_team, jsh_team, unit_team = rows["team"]
    assert set(selectors.team_list(actor=world.wjl_admin)) == {wjl_team, unit_team}
    assert set(selectors.team_list(actor=world.jsh_admin)) == {jsh_team}
    assert set(selectors.team_list(actor=world.city_admin)) == set(rows["team"])
    assert set(selectors.team_list(actor=world.superuser)) == set(rows["team"])
    wjl_act, jsh_act, unit_act = rows["activity"]
    assert set(selectors.activity_list(actor=world.dongfeng_admin)) == {wjl_act, unit_act}
    assert set(selectors.activity_list(actor=world.jsh_admin)) == {jsh_act}
    assert set(selectors.volunteer_list(actor=world.jsh_admin)) == {rows["volunteer"][1]}
    wjl_hours = selectors.hours_list(actor=world.wjl_admin)
    assert rows["hours"][0] in wjl_hours and rows["hours"][1] not in wjl_hours
    assert rows["logged"][0] in wjl_hours
    with pytest.raises(Http404):
        selectors.activity_get(actor=world.wjl_admin, pk=jsh_act.pk)
    with pytest.raises(Http404):
        selectors.points_entry_get(actor=world.wjl_admin, pk=rows["entry"][1].pk)


def test_the_liaison_sees_their_unit_and_their_reported_staff(
    world: World, rows: dict[str, list[Any]]
) -> None:
    assert set(selectors.team_list(actor=world.liaison)) == {rows["team"][2]}
    assert set(selectors.activity_list(actor=world.liaison)) == {rows["activity"][2]}
    hours = selectors.hours_list(actor=world.liaison)
    # the verified hours of 在职0 (their staff, registered with 王家垅社区), not the pending ones
    assert set(hours) == {rows["hours"][0]}
    assert rows["hours"][0].status == HoursStatus.VERIFIED
    assert not selectors.volunteer_list(actor=world.liaison).exists()
    assert not selectors.points_entry_list(actor=world.liaison).exists()


def test_members_and_volunteers_see_what_is_open_to_them_and_their_own(
    world: World, rows: dict[str, list[Any]]
) -> None:
    # the member role on 王家垅社区 opens the community's activities, not 尖山湖's
    seen = set(selectors.activity_list(actor=world.member))
    assert rows["activity"][0] in seen and rows["activity"][2] in seen and rows["activity"][1] not in seen
    assert not selectors.team_list(actor=world.member).exists()
    # the resident is the volunteer 志愿者甲: their team, their record, their community's activities
    assert set(selectors.team_list(actor=world.resident)) == {rows["team"][0]}
    assert set(selectors.volunteer_list(actor=world.resident)) == {rows["volunteer"][0]}
    assert rows["activity"][0] in selectors.activity_list(actor=world.resident)
    staff_user = User.objects.get(username="staff0")
    mine = selectors.my_service(actor=staff_user)
    assert mine["verified_hours"] == Decimal(2) and mine["pending_hours"] == Decimal("1.5")
    assert mine["points"] == Decimal(0) and mine["points_pending"] == 1  # the claim waits
    assert set(selectors.points_entry_list(actor=staff_user)) == {rows["entry"][0]}
    # another person's attendance answers 404
    with pytest.raises(Http404):
        selectors.attendance_get(actor=world.resident, pk=rows["attendance"][0].pk)


def test_the_feedback_hours_of_an_employer(world: World, rows: dict[str, list[Any]]) -> None:
    record = rows["hours"][0]
    year, quarter = record.on.year, (record.on.month - 1) // 3 + 1
    sheet = selectors.feedback_hours(actor=world.liaison, unit=world.minzheng, year=year, quarter=quarter)
    assert [(r["member"].name, r["hours"], r["activities"]) for r in sheet] == [("在职0", Decimal(2), 1)]
    assert sheet[0]["items"][0]["title"] == "王家垅社区环境整治"
    with pytest.raises(Http404):
        selectors.feedback_hours(actor=world.jsh_admin, unit=world.minzheng, year=year, quarter=quarter)
    # the same unit's sheet seen by the community administrator where the member registered
    assert (
        len(selectors.feedback_hours(actor=world.wjl_admin, unit=world.minzheng, year=year, quarter=quarter))
        == 1
    )
