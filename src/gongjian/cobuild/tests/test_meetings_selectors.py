"""Selectors of meetings, action items and consultations: who sees what, written once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from gongjian.cobuild.selectors import meetings as selectors
from gongjian.cobuild.services import meetings as services
from gongjian.testing import World

from .fixtures_meetings import CobuildMeetings, build_cobuild_meetings


@pytest.fixture
def data(world: World) -> CobuildMeetings:
    return build_cobuild_meetings(world)


def _titles(rows) -> set[str]:
    return {r.title for r in rows}


def test_administrators_see_the_meetings_of_their_subtree(world, data) -> None:
    street = {"第三季度联席会议", "第四季度联席会议"}
    assert _titles(selectors.meeting_list(actor=world.city_admin)) == street | {
        "社区联席会议",
        "园区共建联席会议",
    }
    # the district is the level above the street: it sees the agendas sent to it
    assert _titles(selectors.meeting_list(actor=world.kaifu_admin)) == street | {"社区联席会议"}
    assert _titles(selectors.meeting_list(actor=world.dongfeng_admin)) == street | {"社区联席会议"}
    assert _titles(selectors.meeting_list(actor=world.wjl_admin)) == {"社区联席会议"}
    assert _titles(selectors.meeting_list(actor=world.jsh_admin)) == {"园区共建联席会议"}
    with pytest.raises(Http404):
        selectors.meeting_get(actor=world.wjl_admin, pk=data.street_held.pk)


def test_a_liaison_sees_the_meetings_their_unit_is_invited_to(world, data) -> None:
    assert _titles(selectors.meeting_list(actor=world.liaison)) == {"第三季度联席会议", "第四季度联席会议"}
    assert selectors.meeting_get(actor=world.liaison, pk=data.street_next.pk) == data.street_next
    with pytest.raises(Http404):
        selectors.meeting_get(actor=world.liaison, pk=data.community.pk)
    # and the agenda, attendance, pledges and decisions of those meetings
    assert selectors.pledge_list(actor=world.liaison, meeting=data.street_held).count() == 1
    assert selectors.resolution_list(actor=world.liaison, meeting=data.street_held).count() == 1
    # but not their history (the convener's staff and the level above only)
    assert not selectors.meeting_history(actor=world.liaison, meeting=data.street_held).exists()
    assert selectors.meeting_history(actor=world.kaifu_admin, meeting=data.street_held).exists()


@pytest.mark.parametrize("who", ["member", "resident"])
def test_members_and_residents_see_no_meeting(world, data, who) -> None:
    user = getattr(world, who)
    assert not selectors.meeting_list(actor=user).exists()
    assert not selectors.action_item_list(actor=user, state="all").exists()
    with pytest.raises(Http404):
        selectors.meeting_get(actor=user, pk=data.street_next.pk)


def test_the_sign_in_code_opens_a_meeting_to_anyone_signed_in(world, data) -> None:
    token = services.meeting_sign_in_token(actor=world.dongfeng_admin, meeting=data.street_next)
    assert (
        selectors.meeting_for_sign_in(actor=world.member, pk=data.street_next.pk, token=token)
        == data.street_next
    )
    for bad in ("", "x" * 27, services.meeting_sign_in_token(actor=world.jsh_admin, meeting=data.jsh_held)):
        with pytest.raises(PermissionDenied):
            selectors.meeting_for_sign_in(actor=world.member, pk=data.street_next.pk, token=bad)


def test_action_items_by_scope_and_state(world, data) -> None:
    today = timezone.localdate()
    assert _titles(selectors.action_item_list(actor=world.dongfeng_admin)) == {
        "调研加装电梯需求",
        "制定改造方案",
    }
    assert _titles(selectors.action_item_list(actor=world.dongfeng_admin, state="overdue")) == {
        "调研加装电梯需求"
    }
    assert _titles(selectors.action_item_list(actor=world.jsh_admin, state="all")) == {"夜间开放停车场"}
    assert not selectors.action_item_list(actor=world.wjl_admin, state="all").exists()
    # a liaison: the items of meetings their unit attends, and their own unit's anywhere
    assert _titles(selectors.action_item_list(actor=world.liaison)) == {"调研加装电梯需求", "制定改造方案"}
    with pytest.raises(Http404):
        selectors.action_item_get(actor=world.liaison, pk=data.jsh_action.pk)
    services.action_item_close(actor=world.liaison, item=data.mz_action, report="已完成")
    assert _titles(selectors.action_item_list(actor=world.liaison, state="closed")) == {"调研加装电梯需求"}
    assert not selectors.action_item_list(actor=world.liaison, state="overdue", today=today).exists()


def test_follow_ups_show_on_the_next_agenda_before_it_is_sent(world, data) -> None:
    rows = selectors.meeting_follow_ups(actor=world.dongfeng_admin, meeting=data.street_next)
    assert rows == [data.mz_action, data.street_action]
    assert selectors.meeting_follow_ups(actor=world.dongfeng_admin, meeting=data.street_held) == []
    assert selectors.meeting_follow_ups(actor=world.wjl_admin, meeting=data.community) == []


def test_consultations_for_administrators_and_residents_of_the_area(world, data) -> None:
    def questions(user):
        return {c.question for c in selectors.consultation_list(actor=user)}

    assert questions(world.wjl_admin) == {"是否在主干道加装路灯？"}
    assert questions(world.dongfeng_admin) == {"是否在主干道加装路灯？"}
    assert questions(world.jsh_admin) == {"园区周末是否开放？"}
    assert questions(world.resident) == {"是否在主干道加装路灯？"}  # lives in 王家垅社区
    assert questions(world.member) == set() and questions(world.liaison) == set()
    # a resident sees their own answer only, the staff every answer
    assert (
        selectors.consultation_answer_list(actor=world.wjl_admin, consultation=data.wjl_consultation).count()
        == 2
    )
    assert not selectors.consultation_answer_list(
        actor=world.resident, consultation=data.wjl_consultation
    ).exists()
    with pytest.raises(Http404):
        selectors.consultation_get(actor=world.resident, pk=data.jsh_consultation.pk)


def test_results_support_rate_and_turnout(world, data) -> None:
    results = selectors.consultation_results(actor=world.wjl_admin, consultation=data.wjl_consultation)
    assert (results.answered, results.in_favour, results.against, results.no_opinion) == (2, 1, 1, 0)
    assert results.support_rate == 0.5 and results.turnout == 0.2
    empty = selectors.consultation_results(actor=world.jsh_admin, consultation=data.jsh_consultation)
    assert empty.support_rate is None and empty.turnout == 0.0


def test_the_street_light_case_gives_99_percent(world) -> None:
    """湘峰村: 99 households of 100 in favour of street lights."""
    today = timezone.localdate()
    consultation = services.consultation_create(
        actor=world.wjl_admin,
        area=world.wjl,
        org=world.wjl_committee,
        question="是否安装路灯？",
        opens_on=today,
        closes_on=today + dt.timedelta(days=7),
        asked=100,
    )
    for n in range(100):
        services.consultation_answer(
            actor=world.wjl_admin,
            consultation=consultation,
            respondent=f"{n // 10 + 1}组{n % 10 + 1}号",
            answer="for" if n < 99 else "abstain",
        )
    results = selectors.consultation_results(actor=world.wjl_admin, consultation=consultation)
    assert results.support_rate == 0.99 and results.turnout == 1.0


def test_calendar_feed_addresses_name_their_user_and_are_revoked_with_the_password(world, data) -> None:
    token = selectors.calendar_feed_token(actor=world.liaison, area=None)
    user, area = selectors.calendar_feed_owner(token=token)
    assert (user, area) == (world.liaison, None)
    with pytest.raises(Http404):
        selectors.calendar_feed_owner(token=token[:-2] + "xx")
    world.liaison.set_password("another-horse-battery")
    world.liaison.save()
    with pytest.raises(Http404):
        selectors.calendar_feed_owner(token=token)
