"""The services of appeals: each step in its order, refusals in zh-Hans that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.appeals import services as s
from gongjian.appeals.models import Appeal, AppealEvent, AppealStatus
from gongjian.core.audit import audit_verify
from gongjian.core.models import AuditEntry, Notification
from gongjian.core.synthetic import fake_phone
from gongjian.orgs import services as org_services

PHONE = fake_phone(42)


def _at(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hour, minute))


def _register(world, actor=None, **kw) -> Appeal:
    data = {
        "area": world.wjl_compound,
        "channel": "hotline",
        "kind": "general",
        "title": "楼道灯坏了",
        "resident_name": "居民甲",
        "phone": PHONE,
        "registered_at": _at(2018, 9, 28),
    }
    data.update(kw)
    return s.appeal_register(actor=actor or world.wjl_admin, **data)


def _state(appeal: Appeal) -> tuple:
    row = Appeal.objects.get(pk=appeal.pk)
    return (
        row.status,
        row.assigned_org_id,
        row.answered_at,
        row.solved_at,
        row.closed_at,
        row.callback_result,
        AppealEvent.objects.filter(appeal=appeal).count(),
        AuditEntry.objects.count(),
    )


def test_the_whole_way_by_community_staff(world):
    staff = world.wjl_admin
    appeal = _register(world)
    assert appeal.number == "SQ2018090001"
    assert appeal.status == AppealStatus.REGISTERED
    assert appeal.due_at == _at(2018, 10, 5)  # 7 calendar days (the default setting)
    assert not appeal.working_days
    assert appeal.phone_masked == "138****0042"
    assert appeal.phone_clear() == PHONE
    s.appeal_assign(actor=staff, appeal=appeal, org=world.wjl_branch, at=_at(2018, 9, 28, 11))
    s.appeal_answer(actor=staff, appeal=appeal, answer="已安排电工", at=_at(2018, 9, 28, 15))
    s.appeal_solve(actor=staff, appeal=appeal, note="已更换灯泡", at=_at(2018, 9, 29, 9))
    s.appeal_close(actor=staff, appeal=appeal, at=_at(2018, 9, 29, 10))
    s.appeal_call_back(
        actor=world.dongfeng_admin,
        appeal=appeal,
        result="basically_satisfied",
        channel="phone",
        at=_at(2018, 9, 30, 10),
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED
    assert appeal.outcome == "solved"
    assert appeal.answered_in_time
    assert appeal.callback_result == "basically_satisfied"
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds == ["registered", "assigned", "answered", "solved", "closed", "called_back"]
    actions = list(AuditEntry.objects.filter(object_type="appeals.appeal").values_list("action", flat=True))
    assert actions == [
        "appeal.register",
        "appeal.assign",
        "appeal.answer",
        "appeal.solve",
        "appeal.close",
        "appeal.call_back",
    ]
    # the phone is in no audit entry in clear
    assert not AuditEntry.objects.filter(changes__icontains=PHONE).exists()
    assert audit_verify().ok


def test_numbers_count_within_a_month(world):
    assert _register(world).number == "SQ2018090001"
    assert _register(world).number == "SQ2018090002"
    assert _register(world, registered_at=_at(2018, 10, 2)).number == "SQ2018100001"


def test_working_days_are_copied_from_the_setting(world, settings):
    settings.GONGJIAN_APPEALS_WORKING_DAYS = True
    appeal = _register(world)
    assert appeal.working_days
    assert appeal.due_at == _at(2018, 10, 12)  # past the National Day holiday
    settings.GONGJIAN_APPEALS_WORKING_DAYS = False
    assert Appeal.objects.get(pk=appeal.pk).due_at == _at(2018, 10, 12)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("answer", "只有已派单、尚未答复的诉求才能答复"),
        ("solve", "只有已答复的诉求才能报告已解决或无法解决"),
        ("close", "只有已报告解决或无法解决的诉求才能办结"),
        ("call_back", "只有已办结的诉求才能回访"),
        ("reassign", "只有已派单、尚未办结的诉求才能改派"),
    ],
)
def test_steps_out_of_order_are_refused_and_change_nothing(world, step, message):
    staff = world.wjl_admin
    appeal = _register(world)
    before = _state(appeal)
    calls = {
        "answer": lambda: s.appeal_answer(actor=staff, appeal=appeal, answer="好"),
        "solve": lambda: s.appeal_solve(actor=staff, appeal=appeal),
        "close": lambda: s.appeal_close(actor=staff, appeal=appeal),
        "call_back": lambda: s.appeal_call_back(
            actor=staff, appeal=appeal, result="satisfied", channel="phone"
        ),
        "reassign": lambda: s.appeal_reassign(
            actor=staff, appeal=appeal, org=world.wjl_branch, reason="换人"
        ),
    }
    with pytest.raises(ValidationError, match=message):
        calls[step]()
    assert _state(appeal) == before


def test_assigning_twice_is_refused(world):
    appeal = _register(world)
    s.appeal_assign(actor=world.wjl_admin, appeal=appeal, org=world.wjl_branch)
    before = _state(appeal)
    with pytest.raises(ValidationError, match="只有已登记、尚未派单的诉求才能派单"):
        s.appeal_assign(actor=world.wjl_admin, appeal=appeal, org=world.wjl_committee)
    assert _state(appeal) == before


def test_closing_twice_is_refused(world):
    staff = world.wjl_admin
    appeal = _register(world)
    s.appeal_assign(actor=staff, appeal=appeal, org=world.wjl_branch)
    s.appeal_answer(actor=staff, appeal=appeal, answer="收到")
    s.appeal_solve(actor=staff, appeal=appeal)
    s.appeal_close(actor=staff, appeal=appeal)
    before = _state(appeal)
    with pytest.raises(ValidationError, match="只有已报告解决或无法解决的诉求才能办结"):
        s.appeal_close(actor=world.dongfeng_admin, appeal=appeal)
    assert _state(appeal) == before


def test_times_never_go_backwards_nor_into_the_future(world):
    staff = world.wjl_admin
    appeal = _register(world)
    before = _state(appeal)
    with pytest.raises(ValidationError, match="时间不能倒退"):
        s.appeal_assign(actor=staff, appeal=appeal, org=world.wjl_branch, at=_at(2018, 9, 27))
    with pytest.raises(ValidationError, match="时间不能晚于现在"):
        s.appeal_assign(
            actor=staff, appeal=appeal, org=world.wjl_branch, at=timezone.now() + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="时间不能晚于现在"):
        _register(world, registered_at=timezone.now() + dt.timedelta(hours=2))
    assert _state(appeal) == before
    s.appeal_assign(actor=staff, appeal=appeal, org=world.wjl_branch, at=_at(2018, 9, 29))
    with pytest.raises(ValidationError, match="时间不能倒退"):
        s.appeal_answer(actor=staff, appeal=appeal, answer="好", at=_at(2018, 9, 28, 12))


def test_bad_registrations(world):
    count = Appeal.objects.count()
    with pytest.raises(ValidationError, match="诉求须对应社区、小区或楼栋"):
        _register(world, area=world.dongfeng, actor=world.dongfeng_admin)
    with pytest.raises(ValidationError) as info:
        _register(world, title=" ", resident_name="", channel="fax")
    assert set(info.value.message_dict) == {"title", "resident_name", "channel"}
    with pytest.raises(ValidationError, match="请填写居民的联系电话"):
        _register(world, phone="")
    with pytest.raises(ValidationError, match="电话号码"):
        _register(world, phone="not a phone")
    with pytest.raises(PermissionDenied):
        _register(world, actor=world.jsh_admin)
    with pytest.raises(PermissionDenied):
        _register(world, actor=world.liaison)
    assert Appeal.objects.count() == count


def test_assignment_stays_within_the_scope(world):
    appeal = _register(world)
    before = _state(appeal)
    with pytest.raises(ValidationError, match="请选择您所管辖区域内"):
        s.appeal_assign(actor=world.wjl_admin, appeal=appeal, org=world.jsh_branch)
    with pytest.raises(PermissionDenied):
        s.appeal_assign(actor=world.jsh_admin, appeal=appeal, org=world.jsh_branch)
    assert _state(appeal) == before


def test_reassign_needs_a_reason_and_another_organisation(world):
    staff = world.wjl_admin
    appeal = _register(world)
    s.appeal_assign(actor=staff, appeal=appeal, org=world.wjl_branch)
    with pytest.raises(ValidationError, match="请说明改派的理由"):
        s.appeal_reassign(actor=staff, appeal=appeal, org=world.wjl_committee, reason=" ")
    with pytest.raises(ValidationError, match="已派给该组织"):
        s.appeal_reassign(actor=staff, appeal=appeal, org=world.wjl_branch, reason="换人")
    s.appeal_answer(actor=staff, appeal=appeal, answer="收到")
    s.appeal_reassign(actor=staff, appeal=appeal, org=world.minzheng_org, reason="属省民政厅职责")
    appeal.refresh_from_db()
    assert appeal.assigned_org == world.minzheng_org
    assert appeal.status == AppealStatus.ANSWERED  # the resident was answered already
    event = appeal.events.get(kind="reassigned")
    assert event.note == "属省民政厅职责" and event.org == world.minzheng_org
    # the liaison of 省民政厅 is told, and may now answer and solve, but not close
    assert Notification.objects.filter(recipient=world.liaison, kind="appeals.assigned").exists()
    s.appeal_solve(actor=world.liaison, appeal=appeal, solved=False, note="不属于可解决范围")
    with pytest.raises(PermissionDenied):
        s.appeal_close(actor=world.liaison, appeal=appeal)


def test_unsolvable_needs_a_reason(world):
    staff = world.wjl_admin
    appeal = _register(world)
    s.appeal_assign(actor=staff, appeal=appeal, org=world.wjl_branch)
    s.appeal_answer(actor=staff, appeal=appeal, answer="收到")
    before = _state(appeal)
    with pytest.raises(ValidationError, match="请说明无法解决的原因"):
        s.appeal_solve(actor=staff, appeal=appeal, solved=False)
    assert _state(appeal) == before
    s.appeal_solve(actor=staff, appeal=appeal, solved=False, note="涉及产权纠纷，需司法途径解决")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome) == ("unsolvable", "unsolvable")


def test_a_liaison_handles_only_what_is_assigned_to_their_unit(world):
    appeal = _register(world)
    with pytest.raises(PermissionDenied):
        s.appeal_answer(actor=world.liaison, appeal=appeal, answer="好")
    s.appeal_assign(actor=world.wjl_admin, appeal=appeal, org=world.minzheng_org)
    s.appeal_answer(actor=world.liaison, appeal=appeal, answer="我厅已受理")
    assert s.appeal_actions(actor=world.liaison, appeal=Appeal.objects.get(pk=appeal.pk)) == [
        "solve",
        "hand_off",
        "reveal",
    ]


def test_call_back_not_reached_may_be_tried_again(world):
    staff = world.wjl_admin
    appeal = _register(world)
    s.appeal_assign(actor=staff, appeal=appeal, org=world.wjl_branch)
    s.appeal_answer(actor=staff, appeal=appeal, answer="收到")
    s.appeal_solve(actor=staff, appeal=appeal)
    s.appeal_close(actor=staff, appeal=appeal)
    caller = world.dongfeng_admin
    s.appeal_call_back(actor=caller, appeal=appeal, result="not_reached", channel="phone")
    s.appeal_call_back(actor=caller, appeal=appeal, result="dissatisfied", channel="sms", note="嫌慢")
    with pytest.raises(ValidationError, match="已回访过该居民"):
        s.appeal_call_back(actor=caller, appeal=appeal, result="satisfied", channel="phone")
    assert Appeal.objects.get(pk=appeal.pk).callback_result == "dissatisfied"


def test_a_resident_raises_online_and_rates(world):
    resident = world.resident
    appeal = s.appeal_register(
        actor=resident,
        area=world.wjl_building,
        kind="utilities",
        title="停水",
        phone=PHONE,
        channel="hotline",
    )
    assert appeal.channel == "online"  # whatever was sent
    assert appeal.resident == resident
    assert appeal.resident_name == str(resident)
    assert appeal.due_at - appeal.registered_at == dt.timedelta(hours=24)
    with pytest.raises(PermissionDenied):
        s.appeal_register(actor=resident, area=world.jsh, kind="general", title="x", phone=PHONE)
    with pytest.raises(ValidationError, match="办理结果出来后"):
        s.appeal_rate(actor=resident, appeal=appeal, rating="satisfied")
    staff = world.wjl_admin
    s.appeal_assign(actor=staff, appeal=appeal, org=world.wjl_branch)
    s.appeal_answer(actor=staff, appeal=appeal, answer="已通知水务")
    s.appeal_solve(actor=staff, appeal=appeal)
    assert Notification.objects.filter(recipient=resident, kind="appeals.progress").count() == 2
    with pytest.raises(PermissionDenied):
        s.appeal_rate(actor=world.member, appeal=appeal, rating="satisfied")
    s.appeal_rate(actor=resident, appeal=appeal, rating="satisfied", comment="很快")
    with pytest.raises(ValidationError, match="您已评价过"):
        s.appeal_rate(actor=resident, appeal=appeal, rating="dissatisfied")
    appeal.refresh_from_db()
    assert appeal.resident_rating == "satisfied"
    assert "rate" not in s.appeal_actions(actor=resident, appeal=appeal)


def test_the_clear_phone_needs_a_reason_and_is_audited(world):
    appeal = _register(world)
    with pytest.raises(ValidationError, match="请说明需要查看完整号码的原因"):
        s.appeal_reveal_phone(actor=world.wjl_admin, appeal=appeal, reason="")
    with pytest.raises(PermissionDenied):
        s.appeal_reveal_phone(actor=world.jsh_admin, appeal=appeal, reason="看看")
    assert s.appeal_reveal_phone(actor=world.wjl_admin, appeal=appeal, reason="回访") == PHONE
    entry = AuditEntry.objects.filter(action="pii.reveal").last()
    assert entry is not None and entry.reason == "回访" and PHONE not in str(entry.changes)


def test_an_organisation_no_longer_in_force_is_refused(world):
    appeal = _register(world)
    org_services.party_org_update(actor=world.superuser, org=world.wjl_branch, until=dt.date(2018, 1, 1))
    with pytest.raises(ValidationError, match="请选择您所管辖区域内"):
        s.appeal_assign(actor=world.dongfeng_admin, appeal=appeal, org=world.wjl_branch)
    s.appeal_assign(actor=world.dongfeng_admin, appeal=appeal, org=world.wjl_committee)
