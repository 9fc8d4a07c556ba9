"""Services of joint meetings (convening, invitations, the day, recording an agreement): each refusal
is a clear message that changes nothing; each write is one audit entry. Topics and the agenda,
resolutions and action items, consultations: ``test_agenda_services.py``,
``test_resolutions_services.py``, ``test_consultations_services.py``."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongjian.cobuild.models import Agreement, Attendance, JointMeeting, MeetingStatus, MeetingUnit
from gongjian.cobuild.selectors.meetings import sign_in_signature
from gongjian.cobuild.services import meetings as services
from gongjian.core.models import AuditEntry, Notification

from .fixtures_meetings import DAY, build_cobuild_meetings
from .fixtures_meetings import at_day as _at
from .fixtures_meetings import audits as _audits
from .fixtures_meetings import convene as _convene

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
