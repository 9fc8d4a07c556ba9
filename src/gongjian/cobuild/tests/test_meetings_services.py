"""Services of joint meetings, action items and consultations: each refusal is a clear message that
changes nothing; each write is one audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.cobuild.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    Attendance,
    ConsultationAnswer,
    JointMeeting,
    MeetingStatus,
    MeetingUnit,
)
from gongjian.cobuild.selectors.meetings import sign_in_signature
from gongjian.cobuild.services import meetings as services
from gongjian.core.models import AuditEntry, Notification
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

from .fixtures_meetings import Clock, build_cobuild_meetings

DAY = dt.date(2026, 9, 10)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def street_org(world: World) -> PartyOrg:
    return PartyOrg.objects.get(code="PO-DFL")


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _convene(world: World, org: PartyOrg, **kw: Any) -> JointMeeting:
    args: dict[str, Any] = {
        "actor": world.dongfeng_admin,
        "title": "联席会议",
        "convener_org": org,
        "alliance": world.alliance,
        "starts_at": _at(DAY),
    }
    args.update(kw)
    return services.meeting_convene(**args)


def _audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


# --- convening ---------------------------------------------------------------------------------


def test_convene_takes_level_area_units_and_previous_and_audits_once(world, street_org, clock) -> None:
    clock.set(DAY - dt.timedelta(days=20))
    first = _convene(world, street_org, starts_at=_at(DAY - dt.timedelta(days=1)))
    before = AuditEntry.objects.count()
    meeting = _convene(world, street_org, convener="周志凯", venue="会议室")
    assert (meeting.level, meeting.area, meeting.previous) == ("street", world.dongfeng, first)
    assert MeetingUnit.objects.get(meeting=meeting).unit == world.minzheng
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "meeting.convene"
    assert entry.changes["units"] == [world.minzheng.pk] and entry.changes["convener"] == "周志凯"
    assert meeting.topics_open_on == DAY - dt.timedelta(days=7)
    assert meeting.agenda_due_on == DAY - dt.timedelta(days=2)


def test_the_meeting_day_is_the_local_day(world, street_org, clock) -> None:
    """07:00 in Changsha is 23:00 the day before in UTC: the cycle counts from the local day."""
    clock.set(DAY - dt.timedelta(days=20))
    meeting = _convene(world, street_org, starts_at=_at(DAY, hour=7))
    meeting.refresh_from_db()
    assert meeting.day == DAY and meeting.agenda_due_on == DAY - dt.timedelta(days=2)


@pytest.mark.parametrize(
    ("who", "error"),
    [("wjl_admin", PermissionDenied), ("liaison", PermissionDenied), ("member", PermissionDenied)],
)
def test_convene_outside_scope_is_refused(world, street_org, who, error) -> None:
    before = AuditEntry.objects.count()
    with pytest.raises(error):
        _convene(world, street_org, actor=getattr(world, who))
    assert JointMeeting.objects.count() == 0 and AuditEntry.objects.count() == before


def test_convene_refuses_bad_input_with_a_message(world, street_org) -> None:
    cases = [
        ({"title": "  "}, "title"),
        ({"convener_org": world.minzheng_org}, "convener_org"),  # a unit's organisation
        ({"level": "district"}, "level"),  # 东风路街道 is a street
        ({"area": world.wjl_building}, "area"),  # no meeting in a building
        ({"ends_at": _at(DAY, hour=8)}, "ends_at"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as exc:
            _convene(world, street_org, **kwargs)
        assert field in exc.value.message_dict, kwargs
    # an organisation convenes in its own area only
    with pytest.raises(ValidationError):
        _convene(world, world.wjl_committee, actor=world.dongfeng_admin, area=world.dongfeng)
    assert JointMeeting.objects.count() == 0


def test_previous_must_be_the_same_organisations_earlier_meeting(world, street_org) -> None:
    other = _convene(world, world.wjl_committee, alliance=None, starts_at=_at(DAY - dt.timedelta(days=30)))
    with pytest.raises(ValidationError) as exc:
        _convene(world, street_org, previous=other)
    assert "previous" in exc.value.message_dict


def test_units_change_before_the_meeting_is_held_only(world, street_org, clock) -> None:
    clock.set(DAY - dt.timedelta(days=1))
    meeting = _convene(world, street_org, alliance=None)
    services.meeting_unit_add(
        actor=world.dongfeng_admin, meeting=meeting, unit=world.minzheng, representative="甲"
    )
    with pytest.raises(ValidationError):
        services.meeting_unit_add(actor=world.dongfeng_admin, meeting=meeting, unit=world.minzheng)
    with pytest.raises(PermissionDenied):  # not on the street's map
        services.meeting_unit_add(actor=world.dongfeng_admin, meeting=meeting, unit=world.jsh_firm)
    with pytest.raises(PermissionDenied):
        services.meeting_unit_add(actor=world.liaison, meeting=meeting, unit=world.minzheng)
    services.meeting_unit_remove(actor=world.dongfeng_admin, meeting=meeting, unit=world.minzheng)
    assert not MeetingUnit.objects.filter(meeting=meeting).exists()
    assert _audits("meeting.unit_add") == 1 and _audits("meeting.unit_remove") == 1
    services.meeting_unit_add(actor=world.dongfeng_admin, meeting=meeting, unit=world.minzheng)
    services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="议题")
    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    clock.set(DAY)
    services.meeting_hold(actor=world.dongfeng_admin, meeting=meeting)
    with pytest.raises(ValidationError):
        services.meeting_unit_remove(actor=world.dongfeng_admin, meeting=meeting, unit=world.minzheng)


# --- topics and the agenda -----------------------------------------------------------------------


def test_topics_are_collected_from_a_week_before_until_the_agenda_is_sent(world, street_org, clock) -> None:
    clock.set(DAY - dt.timedelta(days=8))
    meeting = _convene(world, street_org)
    with pytest.raises(ValidationError) as exc:
        services.agenda_topic_propose(actor=world.liaison, meeting=meeting, title="早了")
    assert (DAY - dt.timedelta(days=7)).isoformat() in " ".join(exc.value.messages)
    assert not services.topic_propose_allowed(actor=world.liaison, meeting=meeting)

    clock.set(DAY - dt.timedelta(days=7))
    assert services.topic_propose_allowed(actor=world.liaison, meeting=meeting)
    topic = services.agenda_topic_propose(actor=world.liaison, meeting=meeting, title="养老")
    assert topic.proposed_by_unit == world.minzheng and topic.status == "proposed"
    own = services.agenda_topic_propose(actor=world.dongfeng_admin, meeting=meeting, title="街道议题")
    assert own.proposed_by_unit is None and own.source == "topic"
    # neither a unit that is not invited nor a member proposes
    for outsider in (world.jsh_admin, world.member):
        with pytest.raises(PermissionDenied):
            services.agenda_topic_propose(actor=outsider, meeting=meeting, title="越界")
    with pytest.raises(ValidationError):  # for an invited unit only
        services.agenda_topic_propose(actor=world.liaison, meeting=meeting, title="x", unit=world.jsh_firm)
    assert _audits("agenda.propose") == 2

    # undecided topics hold the agenda back
    with pytest.raises(ValidationError) as exc:
        services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    assert "2" in " ".join(exc.value.messages)
    services.agenda_item_accept(actor=world.dongfeng_admin, item=topic)
    services.agenda_item_decline(actor=world.dongfeng_admin, item=own)
    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    with pytest.raises(ValidationError):
        services.agenda_topic_propose(actor=world.liaison, meeting=meeting, title="晚了")


def test_an_empty_agenda_is_not_sent(world, street_org) -> None:
    meeting = _convene(world, street_org)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    assert "议程" in " ".join(exc.value.messages)  # the agenda is empty (zh-Hans, the default)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED and AuditEntry.objects.count() == before


def test_the_agenda_is_ordered_and_frozen_once_sent_except_with_a_reason(world, street_org, clock) -> None:
    clock.set(DAY - dt.timedelta(days=3))
    meeting = _convene(world, street_org)
    a = services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="甲")
    b = services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="乙")
    c = services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="丙")
    services.agenda_item_move(actor=world.dongfeng_admin, item=c, position=1)
    order = list(
        AgendaItem.objects.filter(meeting=meeting).order_by("position").values_list("title", flat=True)
    )
    assert order == ["丙", "甲", "乙"]
    with pytest.raises(ValidationError):
        services.agenda_item_move(actor=world.dongfeng_admin, item=a, position=9)

    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    for call in (
        lambda: services.agenda_item_decline(actor=world.dongfeng_admin, item=b),
        lambda: services.agenda_item_move(actor=world.dongfeng_admin, item=b, position=1),
        lambda: services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="丁"),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert "reason" in exc.value.message_dict
    services.agenda_item_decline(actor=world.dongfeng_admin, item=b, reason="主讲人出差")
    entry = AuditEntry.objects.filter(action="agenda.decline").get()
    assert entry.reason == "主讲人出差"
    # the level above sees the agenda but does not convene: a liaison may not touch it at all
    with pytest.raises(PermissionDenied):
        services.agenda_item_accept(actor=world.liaison, item=b, reason="x")


def test_sending_the_agenda_notifies_the_level_above_and_the_units(world, street_org, clock) -> None:
    clock.set(DAY - dt.timedelta(days=2))
    meeting = _convene(world, street_org)
    services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="议题")
    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    notes = Notification.objects.filter(kind="cobuild.meeting.agenda")
    assert {n.recipient for n in notes} == {world.kaifu_admin, world.liaison}
    assert all(n.url == f"/cobuild/meetings/{meeting.pk}/" for n in notes)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.AGENDA_SENT
    with pytest.raises(ValidationError):
        services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)


def test_follow_ups_of_the_organisations_earlier_meetings_go_on_the_agenda(world, street_org, clock) -> None:
    data = build_cobuild_meetings(world)
    nxt = data.street_next
    # a meeting of another organisation does not carry them
    clock.set(timezone.localdate())
    services.agenda_item_add(actor=world.wjl_admin, meeting=data.community, title="社区议题")
    services.meeting_send_agenda(actor=world.wjl_admin, meeting=data.community)
    assert not AgendaItem.objects.filter(meeting=data.community, source="follow_up").exists()

    services.agenda_item_accept(actor=world.dongfeng_admin, item=AgendaItem.objects.get(meeting=nxt))
    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=nxt)
    rows = list(AgendaItem.objects.filter(meeting=nxt, status="accepted").order_by("position"))
    assert [r.action_item for r in rows[:2]] == [data.mz_action, data.street_action]
    assert [r.source for r in rows] == ["follow_up", "follow_up", "topic"]
    assert "已逾期" in rows[0].description  # overdue


def test_reminders_are_sent_once_each(world, street_org, clock) -> None:
    clock.set(DAY - dt.timedelta(days=10))
    meeting = _convene(world, street_org)
    assert services.meetings_remind(today=DAY - dt.timedelta(days=10)) == 0
    assert services.meetings_remind(today=DAY - dt.timedelta(days=7)) == 1  # topics open: the liaison
    assert services.meetings_remind(today=DAY - dt.timedelta(days=6)) == 0
    assert services.meetings_remind(today=DAY - dt.timedelta(days=3)) == 1  # agenda due: the convener
    assert services.meetings_remind(today=DAY - dt.timedelta(days=1)) == 2  # tomorrow: liaison, convener
    assert services.meetings_remind(today=DAY - dt.timedelta(days=1)) == 0
    kinds = set(Notification.objects.values_list("recipient__username", "kind"))
    assert kinds == {
        ("liaison", "cobuild.meeting.topics"),
        ("dongfeng_admin", "cobuild.meeting.agenda_due"),
        ("liaison", "cobuild.meeting.tomorrow"),
        ("dongfeng_admin", "cobuild.meeting.tomorrow"),
    }
    meeting.status = MeetingStatus.CANCELLED
    meeting.save()
    Notification.objects.all().delete()
    assert services.meetings_remind(today=DAY - dt.timedelta(days=1)) == 0


# --- on the day ----------------------------------------------------------------------------------


def test_sign_in_by_code_once_inside_the_window(world, street_org, clock) -> None:
    clock.set(DAY - dt.timedelta(days=3))
    meeting = _convene(world, street_org)
    token = services.meeting_sign_in_token(actor=world.dongfeng_admin, meeting=meeting)
    assert token == sign_in_signature(meeting)
    with pytest.raises(PermissionDenied):  # only the convener's staff get the code
        services.meeting_sign_in_token(actor=world.liaison, meeting=meeting)
    with pytest.raises(ValidationError):  # too early
        services.attendance_sign_in(actor=world.member, meeting=meeting, token=token)
    clock.set(DAY, hour=7)  # two hours before 09:00
    with pytest.raises(PermissionDenied):
        services.attendance_sign_in(actor=world.member, meeting=meeting, token=token + "x")
    row = services.attendance_sign_in(actor=world.member, meeting=meeting, token=token)
    again = services.attendance_sign_in(actor=world.member, meeting=meeting, token=token)
    assert row.pk == again.pk and Attendance.objects.filter(meeting=meeting).count() == 1
    assert _audits("meeting.sign_in") == 1
    liaison_row = services.attendance_sign_in(actor=world.liaison, meeting=meeting, token=token)
    assert liaison_row.unit == world.minzheng
    clock.set(DAY + dt.timedelta(days=1), hour=0)  # the day is over
    with pytest.raises(ValidationError):
        services.attendance_sign_in(actor=world.resident, meeting=meeting, token=token)
    # another meeting's code does not open this one
    other = _convene(world, street_org, starts_at=_at(DAY + dt.timedelta(days=1)))
    with pytest.raises(PermissionDenied):
        services.attendance_sign_in(actor=world.resident, meeting=other, token=token)


def test_staff_attendance_pledges_minutes_and_closing(world, street_org, clock) -> None:
    clock.set(DAY)
    meeting = _convene(world, street_org)
    with pytest.raises(ValidationError):
        services.attendance_add(actor=world.dongfeng_admin, meeting=meeting, person_name="甲")
    services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="议题")
    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    services.attendance_add(
        actor=world.dongfeng_admin, meeting=meeting, person_name="代表甲", unit=world.minzheng
    )
    with pytest.raises(ValidationError):
        services.attendance_add(actor=world.dongfeng_admin, meeting=meeting, person_name="13800001234")
    with pytest.raises(ValidationError):  # pledges at the held meeting
        services.pledge_add(actor=world.dongfeng_admin, meeting=meeting, text="讲座")
    services.meeting_hold(actor=world.dongfeng_admin, meeting=meeting)
    pledge = services.pledge_add(
        actor=world.dongfeng_admin,
        meeting=meeting,
        text="教授讲座",
        quantity=100,
        measure="人",
        at_least=True,
    )
    assert (pledge.quantity, pledge.measure, pledge.at_least) == (100, "人", True)
    with pytest.raises(ValidationError) as exc:
        services.pledge_add(actor=world.dongfeng_admin, meeting=meeting, text="x", measure="人")
    assert "quantity" in exc.value.message_dict
    with pytest.raises(ValidationError):  # nothing to archive yet
        services.meeting_close(actor=world.dongfeng_admin, meeting=meeting)
    services.meeting_minutes_record(actor=world.dongfeng_admin, meeting=meeting, minutes="纪要")
    services.meeting_close(actor=world.dongfeng_admin, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and meeting.minutes_at is not None
    with pytest.raises(ValidationError):
        services.meeting_minutes_record(actor=world.dongfeng_admin, meeting=meeting, minutes="改")
    assert [_audits(a) for a in ("meeting.pledge", "meeting.minutes", "meeting.close")] == [1, 1, 1]


def test_hold_waits_for_the_day_and_cancel_needs_a_reason(world, street_org, clock) -> None:
    clock.set(DAY - dt.timedelta(days=2))
    meeting = _convene(world, street_org)
    with pytest.raises(ValidationError):  # the agenda first
        services.meeting_hold(actor=world.dongfeng_admin, meeting=meeting)
    services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="议题")
    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    with pytest.raises(ValidationError):  # not the day yet
        services.meeting_hold(actor=world.dongfeng_admin, meeting=meeting)
    with pytest.raises(ValidationError) as exc:
        services.meeting_cancel(actor=world.dongfeng_admin, meeting=meeting, reason=" ")
    assert "reason" in exc.value.message_dict
    services.meeting_cancel(actor=world.dongfeng_admin, meeting=meeting, reason="台风")
    assert AuditEntry.objects.filter(action="meeting.cancel").get().reason == "台风"
    assert Notification.objects.filter(kind="cobuild.meeting.cancelled", recipient=world.liaison).exists()


# --- resolutions and action items ----------------------------------------------------------------


def test_a_decision_with_action_items_is_all_or_nothing(world, street_org, clock) -> None:
    clock.set(DAY)
    meeting = _convene(world, street_org)
    services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="议题")
    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    with pytest.raises(ValidationError):  # decisions at the held meeting
        services.resolution_record(actor=world.dongfeng_admin, meeting=meeting, text="决议")
    services.meeting_hold(actor=world.dongfeng_admin, meeting=meeting)
    good = {"title": "调研", "owner_unit": world.minzheng, "due_on": DAY + dt.timedelta(days=30)}
    bad_cases = [
        {"title": "无主", "due_on": DAY},
        {"title": "早了", "owner_unit": world.minzheng, "due_on": DAY - dt.timedelta(days=1)},
        {"title": "越界", "owner_unit": world.jsh_firm, "due_on": DAY},
        {"title": "无期", "owner_org": street_org, "due_on": None},
    ]
    before = AuditEntry.objects.count()
    for bad in bad_cases:
        with pytest.raises(ValidationError):
            services.resolution_record(
                actor=world.dongfeng_admin, meeting=meeting, text="决议", actions=[good, bad]
            )
    assert ActionItem.objects.count() == 0 and AuditEntry.objects.count() == before
    resolution = services.resolution_record(
        actor=world.dongfeng_admin,
        meeting=meeting,
        text="决议",
        actions=[good, {"title": "方案", "owner_org": street_org, "due_on": DAY + dt.timedelta(days=60)}],
    )
    assert resolution.actions.count() == 2 and AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "resolution.record" and len(entry.changes["actions"]) == 2
    extra = services.action_item_add(
        actor=world.dongfeng_admin,
        resolution=resolution,
        title="补充",
        owner_org=world.minzheng_org,
        due_on=DAY,
    )
    assert extra.meeting == meeting


def test_closing_an_action_item_needs_a_report_and_the_right_person(world) -> None:
    data = build_cobuild_meetings(world)
    item = data.mz_action
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.action_item_close(actor=world.liaison, item=item, report="  ")
    assert "report" in exc.value.message_dict
    with pytest.raises(PermissionDenied):  # not their unit's item
        services.action_item_close(actor=world.liaison, item=data.street_action, report="已完成")
    with pytest.raises(PermissionDenied):
        services.action_item_close(actor=world.jsh_admin, item=item, report="已完成")
    with pytest.raises(ValidationError):
        services.action_item_close(
            actor=world.liaison,
            item=item,
            report="已完成",
            closed_on=timezone.localdate() + dt.timedelta(days=1),
        )
    assert AuditEntry.objects.count() == before
    assert services.action_item_close_allowed(actor=world.liaison, item=item)
    closed = services.action_item_close(actor=world.liaison, item=item, report="已调研12栋楼")
    assert (closed.status, closed.closed_by, closed.report) == ("closed", world.liaison, "已调研12栋楼")
    assert not services.action_item_close_allowed(actor=world.liaison, item=closed)
    with pytest.raises(ValidationError):
        services.action_item_close(actor=world.dongfeng_admin, item=closed, report="再关")
    # the street's staff close the street's own item
    services.action_item_close(actor=world.dongfeng_admin, item=data.street_action, report="方案已定")
    assert _audits("action.close") == 2


def test_record_an_agreement_signed_at_the_meeting(world) -> None:
    data = build_cobuild_meetings(world)
    agreement = Agreement.objects.create(
        number="XY-1",
        title="结对共建协议",
        host_org=world.wjl_committee,
        unit_org=world.minzheng_org,
        area=world.wjl,
        unit=world.minzheng,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2028, 12, 31),
    )
    with pytest.raises(ValidationError):  # not held yet
        services.meeting_record_agreement(
            actor=world.dongfeng_admin, meeting=data.street_next, agreement=agreement
        )
    with pytest.raises(PermissionDenied):
        services.meeting_record_agreement(actor=world.liaison, meeting=data.street_held, agreement=agreement)
    services.meeting_record_agreement(
        actor=world.dongfeng_admin, meeting=data.street_held, agreement=agreement
    )
    agreement.refresh_from_db()
    assert agreement.meeting == data.street_held
    assert _audits("meeting.agreement") == 1
    with pytest.raises(PermissionDenied):  # not 尖山湖's agreement
        services.meeting_record_agreement(actor=world.jsh_admin, meeting=data.jsh_held, agreement=agreement)
    with pytest.raises(ValidationError):  # one meeting each
        services.meeting_record_agreement(actor=world.superuser, meeting=data.jsh_held, agreement=agreement)


# --- consultations -------------------------------------------------------------------------------


def test_consultation_answers_by_staff_and_by_residents(world, clock) -> None:
    clock.set(DAY)
    consultation = services.consultation_create(
        actor=world.wjl_admin,
        area=world.wjl,
        org=world.wjl_committee,
        question="是否加装路灯？",
        opens_on=DAY,
        closes_on=DAY + dt.timedelta(days=7),
        asked=100,
    )
    services.consultation_answer(
        actor=world.wjl_admin, consultation=consultation, respondent="1栋101", answer="for"
    )
    with pytest.raises(ValidationError):  # the same door twice
        services.consultation_answer(
            actor=world.wjl_admin, consultation=consultation, respondent="1栋101", answer="for"
        )
    for label in ("430104199001011234", "13800001234", "user:5"):
        with pytest.raises(ValidationError) as exc:
            services.consultation_answer(
                actor=world.wjl_admin, consultation=consultation, respondent=label, answer="for"
            )
        assert "respondent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.consultation_answer(
            actor=world.wjl_admin, consultation=consultation, respondent="1栋103", answer="maybe"
        )
    # a resident of the area answers once, themself
    assert services.consultation_answer_allowed(actor=world.resident, consultation=consultation)
    own = services.consultation_answer(actor=world.resident, consultation=consultation, answer="against")
    assert own.user == world.resident
    assert not services.consultation_answer_allowed(actor=world.resident, consultation=consultation)
    with pytest.raises(ValidationError):
        services.consultation_answer(actor=world.resident, consultation=consultation, answer="for")
    # others are not asked
    for outsider in (world.jsh_admin, world.member, world.liaison):
        with pytest.raises(PermissionDenied):
            services.consultation_answer(
                actor=outsider, consultation=consultation, answer="for", respondent="2栋"
            )
    assert ConsultationAnswer.objects.filter(consultation=consultation).count() == 2
    assert _audits("consultation.answer") == 2


def test_consultation_dates_are_enforced(world, clock) -> None:
    clock.set(DAY)
    consultation = services.consultation_create(
        actor=world.wjl_admin,
        area=world.wjl,
        org=world.wjl_committee,
        question="问题",
        opens_on=DAY + dt.timedelta(days=1),
        closes_on=DAY + dt.timedelta(days=3),
    )
    with pytest.raises(ValidationError):  # not open yet
        services.consultation_answer(actor=world.resident, consultation=consultation, answer="for")
    clock.set(DAY + dt.timedelta(days=4))
    with pytest.raises(ValidationError):  # closed
        services.consultation_answer(actor=world.resident, consultation=consultation, answer="for")
    # staff enter a paper answer on the day it was given, inside the dates
    row = services.consultation_answer(
        actor=world.wjl_admin,
        consultation=consultation,
        respondent="3栋2单元401",
        answer="for",
        answered_on=DAY + dt.timedelta(days=2),
    )
    assert timezone.localtime(row.at).date() == DAY + dt.timedelta(days=2)
    with pytest.raises(ValidationError):
        services.consultation_create(
            actor=world.wjl_admin,
            area=world.wjl,
            org=world.wjl_committee,
            question="问题",
            opens_on=DAY,
            closes_on=DAY - dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        services.consultation_create(
            actor=world.wjl_admin,
            area=world.jsh,
            org=world.wjl_committee,
            question="越界",
            opens_on=DAY,
            closes_on=DAY,
        )


def test_attach_a_consultation_to_the_decision_it_informed(world) -> None:
    data = build_cobuild_meetings(world)
    consultation = data.wjl_consultation
    with pytest.raises(ValidationError):
        services.consultation_attach(actor=world.wjl_admin, consultation=consultation)
    with pytest.raises(PermissionDenied):  # the street's decision is not the community's to link
        services.consultation_attach(
            actor=world.wjl_admin, consultation=consultation, resolution=data.resolution
        )
    services.consultation_attach(
        actor=world.dongfeng_admin,
        consultation=consultation,
        resolution=data.resolution,
        decision="主干道加装路灯",
    )
    consultation.refresh_from_db()
    assert consultation.resolution == data.resolution and consultation.decision == "主干道加装路灯"
    assert _audits("consultation.attach") == 1
