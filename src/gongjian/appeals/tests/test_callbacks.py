"""Independent call-backs (回访): made by someone who did not handle the appeal, with how the
resident was reached; the result drives the satisfaction rate, a resident who says it was not
solved takes the closure out of the resolution rate; the handling unit hears the result and the
call-back staff hear of the closure; closures not called back are flagged and filtered. Service,
page and API."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gongjian.appeals import services as s
from gongjian.appeals.models import Appeal, AppealClosure, AppealEvent
from gongjian.core.models import AuditEntry, Notification
from gongjian.core.synthetic import fake_phone
from gongjian.stats import tally
from gongjian.stats.registry import catalogue

from .fixtures import build_appeals


@pytest.fixture
def appeals(world):
    return build_appeals(world)


def _handled_by_community(world, *, title: str = "楼道灯不亮", n: int = 61) -> Appeal:
    """Registered by hotline, answered and solved by 王家垅社区's staff for 省民政厅, closed."""
    staff = world.wjl_admin
    appeal = s.appeal_register(
        actor=staff,
        area=world.wjl_compound,
        channel="wechat",
        kind="general",
        title=title,
        resident_name="居民戊",
        phone=fake_phone(n),
    )
    s.appeal_assign(actor=staff, appeal=appeal, org=world.minzheng_org)
    s.appeal_answer(actor=staff, appeal=appeal, answer="已派电工")
    s.appeal_solve(actor=staff, appeal=appeal, note="已更换灯泡")
    return s.appeal_close(actor=staff, appeal=appeal)


def _frozen(appeal: Appeal) -> tuple:
    row = Appeal.objects.get(pk=appeal.pk)
    return (
        row.callback_result,
        row.callback_channel,
        row.called_back_by_id,
        AppealEvent.objects.filter(appeal=appeal).count(),
        AuditEntry.objects.count(),
    )


def test_whoever_handled_the_appeal_may_not_call_back(world) -> None:
    appeal = _handled_by_community(world)
    before = _frozen(appeal)
    assert "call_back" not in s.appeal_actions(actor=world.wjl_admin, appeal=appeal)
    with pytest.raises(PermissionDenied, match="回访须由未办理该诉求的人进行"):
        s.appeal_call_back(actor=world.wjl_admin, appeal=appeal, result="satisfied", channel="phone")
    # the liaison of the unit assigned speaks for the handler, and is no administrator anyway
    with pytest.raises(PermissionDenied):
        s.appeal_call_back(actor=world.liaison, appeal=appeal, result="satisfied", channel="phone")
    assert _frozen(appeal) == before
    assert "call_back" in s.appeal_actions(actor=world.dongfeng_admin, appeal=appeal)


def test_the_street_calls_back_with_its_channel_and_the_unit_hears_the_result(world) -> None:
    appeal = _handled_by_community(world)
    # the closure told the call-back staff: the street (the community's staff handled it)
    assert Notification.objects.filter(recipient=world.dongfeng_admin, kind="appeal.close").exists()
    assert not Notification.objects.filter(recipient=world.wjl_admin, kind="appeal.close").exists()

    s.appeal_call_back(
        actor=world.dongfeng_admin, appeal=appeal, result="dissatisfied", channel="wechat", solved=False
    )

    row = Appeal.objects.get(pk=appeal.pk)
    assert (row.callback_result, row.callback_channel, row.callback_solved) == (
        "dissatisfied",
        "wechat",
        False,
    )
    assert row.called_back_by == world.dongfeng_admin
    (closure,) = AppealClosure.objects.filter(appeal=appeal)
    assert (closure.callback_channel, closure.callback_solved) == ("wechat", False)
    assert closure.called_back_by == world.dongfeng_admin
    event = AppealEvent.objects.get(appeal=appeal, kind="called_back")
    assert "微信回访" in event.note and "居民说未解决" in event.note
    entry = AuditEntry.objects.filter(action="appeal.call_back").latest("pk")
    assert entry.changes["channel"] == "wechat" and entry.changes["solved"] is False
    # the handling unit (省民政厅's liaison) hears the result
    told = Notification.objects.get(recipient=world.liaison, kind="appeal.call_back")
    assert "不满意" in told.body


def test_the_call_back_drives_the_satisfaction_and_resolution_rates(world) -> None:
    unsolved = _handled_by_community(world, title="楼道灯不亮", n=62)
    solved = _handled_by_community(world, title="井盖松动", n=63)
    not_asked = _handled_by_community(world, title="垃圾未清运", n=64)
    caller = world.dongfeng_admin
    s.appeal_call_back(actor=caller, appeal=unsolved, result="dissatisfied", channel="phone", solved=False)
    s.appeal_call_back(actor=caller, appeal=solved, result="satisfied", channel="phone", solved=True)
    s.appeal_call_back(actor=caller, appeal=not_asked, result="basically_satisfied", channel="visit")
    today = timezone.localdate()
    figures = catalogue()
    # 3 closed as solved by the unit; the resident of one says not solved: 2 of 3
    assert figures["appeals.resolution_rate"].compute(world.wjl, today) == pytest.approx(2 / 3, abs=1e-4)
    assert figures["appeals.satisfaction_rate"].compute(world.wjl, today) == pytest.approx(2 / 3, abs=1e-4)
    assert figures["appeals.callback_rate"].compute(world.wjl, today) == 1.0
    assert tally.verify() == {}


def test_bad_call_back_input_is_refused_and_changes_nothing(world) -> None:
    appeal = _handled_by_community(world)
    before = _frozen(appeal)
    caller = world.dongfeng_admin
    with pytest.raises(ValidationError, match="请选择回访方式"):
        s.appeal_call_back(actor=caller, appeal=appeal, result="satisfied", channel="")
    with pytest.raises(ValidationError, match="未联系上居民"):
        s.appeal_call_back(actor=caller, appeal=appeal, result="not_reached", channel="phone", solved=True)
    assert _frozen(appeal) == before


def test_after_a_reopening_the_new_round_has_its_own_handlers(world) -> None:
    appeal = _handled_by_community(world)
    s.appeal_call_back(actor=world.dongfeng_admin, appeal=appeal, result="dissatisfied", channel="phone")
    s.appeal_reopen(actor=world.wjl_admin, appeal=appeal, reason="居民来电说灯又坏了")
    # the street handles the second round; the community's staff may now call back
    s.appeal_solve(actor=world.dongfeng_admin, appeal=appeal, note="更换线路")
    s.appeal_close(actor=world.dongfeng_admin, appeal=appeal)
    assert s.appeal_handlers(Appeal.objects.get(pk=appeal.pk)) == {world.dongfeng_admin.pk}
    s.appeal_call_back(actor=world.wjl_admin, appeal=appeal, result="satisfied", channel="phone", solved=True)
    assert Appeal.objects.get(pk=appeal.pk).called_back_by == world.wjl_admin


def test_closures_not_called_back_are_flagged_and_filtered(world, appeals) -> None:
    pending = _handled_by_community(world)
    client = Client()
    client.force_login(world.city_admin)
    home = reverse("appeals:home")
    page = unescape(client.get(home + "?not_called_back=on").content.decode())
    assert pending.number in page and appeals["jsh_closed"].number not in page
    assert "未回访" in page and "data-not-called-back" in page
    page = unescape(client.get(home + "?channel=wechat").content.decode())
    assert pending.number in page and appeals["wjl_overdue"].number not in page
    api = APIClient()
    api.force_authenticate(world.city_admin)
    data = api.get("/api/v1/appeals/", {"not_called_back": "1"}).json()
    assert [r["number"] for r in data["results"]] == [pending.number]
    data = api.get("/api/v1/appeals/", {"channel": "walk_in"}).json()
    assert [r["number"] for r in data["results"]] == [appeals["jsh_closed"].number]
    assert api.get("/api/v1/appeals/", {"channel": "pigeon"}).status_code == 400


def test_the_api_call_back_needs_a_channel_and_an_independent_caller(world) -> None:
    appeal = _handled_by_community(world)
    url = f"/api/v1/appeals/{appeal.pk}/call-back/"
    street = APIClient()
    street.force_authenticate(world.dongfeng_admin)
    response = street.post(url, {"result": "satisfied"}, format="json")
    assert response.status_code == 400 and "channel" in response.json()
    handler = APIClient()
    handler.force_authenticate(world.wjl_admin)
    response = handler.post(url, {"result": "satisfied", "channel": "phone"}, format="json")
    assert response.status_code == 403
    response = street.post(url, {"result": "satisfied", "channel": "sms", "solved": True}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["callback_channel"], body["callback_solved"], body["callback_result"]) == (
        "sms",
        True,
        "satisfied",
    )
