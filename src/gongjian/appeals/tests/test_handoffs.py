"""Hand-offs (转办) with acceptance: the organisation handling an appeal hands it to another with a
reason; the receiving side accepts it (the appeal is then theirs) or returns it with a reason, or it
goes back by itself when not accepted in time; until then the first organisation owns it (首接负责)
and the time limit does not move. Each step on the timeline, audited, told to the other side.
Service, page and API."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gongjian.appeals import selectors
from gongjian.appeals import services as s
from gongjian.appeals.models import Appeal, AppealEvent, AppealHandoff
from gongjian.core.models import AuditEntry, Notification
from gongjian.core.synthetic import fake_phone
from gongjian.web import inbox


def _with_minzheng(world) -> Appeal:
    """A hotline appeal about 王家垅30号庭院, assigned to 省民政厅机关党委 and answered by its liaison."""
    appeal = s.appeal_register(
        actor=world.wjl_admin,
        area=world.wjl_compound,
        channel="hotline",
        kind="general",
        title="芯城小区门口井盖松动",
        resident_name="居民己",
        phone=fake_phone(71),
    )
    s.appeal_assign(actor=world.wjl_admin, appeal=appeal, org=world.minzheng_org)
    return s.appeal_answer(actor=world.liaison, appeal=appeal, answer="已受理，正在核实")


def _frozen(appeal: Appeal) -> tuple:
    row = Appeal.objects.get(pk=appeal.pk)
    return (
        row.status,
        row.assigned_org_id,
        row.due_at,
        AppealHandoff.objects.filter(appeal=appeal).count(),
        AppealEvent.objects.filter(appeal=appeal).count(),
        AuditEntry.objects.count(),
    )


def test_handed_off_and_accepted_the_appeal_is_the_receivers_and_its_limit_stays(world) -> None:
    appeal = _with_minzheng(world)
    due = appeal.due_at
    handoff = s.appeal_hand_off(
        actor=world.liaison, appeal=appeal, org=world.jsh_branch, reason="井盖属芯城小区"
    )

    # until it is accepted, 省民政厅 owns the appeal: it cannot be solved nor reassigned meanwhile
    row = Appeal.objects.get(pk=appeal.pk)
    assert row.assigned_org == world.minzheng_org and handoff.status == "pending"
    assert handoff.answer_by == handoff.asked_at + dt.timedelta(hours=24)
    assert s.appeal_actions(actor=world.liaison, appeal=row) == ["reveal"]
    with pytest.raises(ValidationError, match="转办正在等待接收"):
        s.appeal_solve(actor=world.liaison, appeal=row)
    # the receiving side sees the appeal, is told, and may accept or return it
    assert Notification.objects.filter(recipient=world.jsh_admin, kind="appeal.hand_off").exists()
    assert list(selectors.appeal_list(actor=world.jsh_admin, handed_to_me=True)) == [row]
    waiting = {i.kind: i for i in inbox.inbox_for(world.jsh_admin)}["appeals.handoffs_to_accept"]
    assert waiting.count == 1 and "handoff=on" in waiting.url
    assert s.appeal_actions(actor=world.jsh_admin, appeal=row) == ["accept_handoff", "return_handoff"]
    with pytest.raises(PermissionDenied):
        s.appeal_accept_handoff(actor=world.wjl_admin, appeal=row)

    s.appeal_accept_handoff(actor=world.jsh_admin, appeal=row, note="已安排物业")

    row = Appeal.objects.get(pk=appeal.pk)
    assert row.assigned_org == world.jsh_branch and row.due_at == due and row.answered_at is not None
    assert AppealHandoff.objects.get(pk=handoff.pk).status == "accepted"
    assert "appeals.handoffs_to_accept" not in {i.kind for i in inbox.inbox_for(world.jsh_admin)}
    kinds = list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True))
    assert kinds[-2:] == ["handed_off", "accepted"]
    assert Notification.objects.filter(recipient=world.liaison, kind="appeal.accept_handoff").exists()
    actions = list(AuditEntry.objects.filter(object_type="appeals.appeal").values_list("action", flat=True))
    assert actions[-2:] == ["appeal.hand_off", "appeal.accept_handoff"]
    # now the receiver handles it, and the liaison no longer sees it
    s.appeal_solve(actor=world.jsh_admin, appeal=row, note="已更换井盖")
    assert not selectors.appeal_list(actor=world.liaison).filter(pk=appeal.pk).exists()


def test_returned_with_a_reason_the_appeal_stays_with_the_first_receiver(world) -> None:
    appeal = _with_minzheng(world)
    s.appeal_hand_off(actor=world.liaison, appeal=appeal, org=world.jsh_branch, reason="井盖属芯城小区")
    before = _frozen(appeal)
    with pytest.raises(ValidationError, match="请说明退回的原因"):
        s.appeal_return_handoff(actor=world.jsh_admin, appeal=appeal, reason=" ")
    assert _frozen(appeal) == before

    s.appeal_return_handoff(actor=world.jsh_admin, appeal=appeal, reason="井盖属市政，不属小区")

    row = Appeal.objects.get(pk=appeal.pk)
    assert row.assigned_org == world.minzheng_org
    assert AppealHandoff.objects.get(appeal=appeal).return_reason == "井盖属市政，不属小区"
    told = Notification.objects.get(recipient=world.liaison, kind="appeal.return_handoff")
    assert "井盖属市政" in told.body
    assert not selectors.appeal_list(actor=world.jsh_admin).filter(pk=appeal.pk).exists()
    assert "solve" in s.appeal_actions(actor=world.liaison, appeal=row)


def test_not_accepted_in_time_it_goes_back_by_itself(world, settings) -> None:
    settings.GONGJIAN_APPEALS_HANDOFF_HOURS = 4
    appeal = _with_minzheng(world)
    handoff = s.appeal_hand_off(
        actor=world.liaison, appeal=appeal, org=world.jsh_branch, reason="井盖属芯城小区"
    )
    assert s.appeal_handoffs_expire(now=timezone.now() + dt.timedelta(hours=3)) == 0
    assert s.appeal_handoffs_expire(now=timezone.now() + dt.timedelta(hours=5)) == 1
    handoff.refresh_from_db()
    assert handoff.status == "expired" and handoff.decided_at == handoff.answer_by
    assert Appeal.objects.get(pk=appeal.pk).assigned_org == world.minzheng_org
    event = AppealEvent.objects.filter(appeal=appeal).last()
    assert event is not None and event.kind == "returned" and "未按时接收" in event.note
    assert Notification.objects.filter(recipient=world.liaison, kind="appeal.expire_handoff").exists()
    assert s.appeal_handoffs_expire(now=timezone.now() + dt.timedelta(hours=6)) == 0


def test_bad_hand_offs_are_refused_and_change_nothing(world) -> None:
    appeal = _with_minzheng(world)
    before = _frozen(appeal)
    with pytest.raises(ValidationError, match="请说明转办的理由"):
        s.appeal_hand_off(actor=world.liaison, appeal=appeal, org=world.jsh_branch, reason="")
    with pytest.raises(ValidationError, match="已派给该组织"):
        s.appeal_hand_off(actor=world.liaison, appeal=appeal, org=world.minzheng_org, reason="换")
    with pytest.raises(PermissionDenied):
        s.appeal_hand_off(actor=world.jsh_admin, appeal=appeal, org=world.jsh_branch, reason="换")
    assert _frozen(appeal) == before
    s.appeal_hand_off(actor=world.liaison, appeal=appeal, org=world.jsh_branch, reason="井盖属芯城小区")
    with pytest.raises(ValidationError, match="已有一项转办正在等待接收"):
        s.appeal_hand_off(actor=world.wjl_admin, appeal=appeal, org=world.wjl_branch, reason="换")


def test_hand_off_and_accept_through_the_pages_and_the_api(world) -> None:
    appeal = _with_minzheng(world)
    detail = reverse("appeals:detail", args=[appeal.pk])
    liaison = Client()
    liaison.force_login(world.liaison)
    page = unescape(liaison.get(detail).content.decode())
    assert 'data-action="hand_off"' in page
    posted = liaison.post(
        reverse("appeals:hand_off", args=[appeal.pk]),
        {"hand_off-org": world.jsh_branch.pk, "hand_off-reason": "井盖属芯城小区"},
    )
    assert posted.status_code == 302
    receiver = Client()
    receiver.force_login(world.jsh_admin)
    page = unescape(receiver.get(detail).content.decode())
    assert "data-handoff" in page and 'data-action="accept_handoff"' in page
    api = APIClient()
    api.force_authenticate(world.jsh_admin)
    response = api.post(f"/api/v1/appeals/{appeal.pk}/accept-hand-off/", {"note": "好"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["assigned_org"] == world.jsh_branch.pk
    assert "accepted" in [e["kind"] for e in api.get(f"/api/v1/appeals/{appeal.pk}/events/").json()]
