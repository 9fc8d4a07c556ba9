"""Services of resolutions and action items: each refusal is a clear message that changes nothing;
each write is one audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.cobuild.models import ActionItem
from gongjian.cobuild.services import meetings as services
from gongjian.core.models import AuditEntry

from .fixtures_meetings import DAY, build_cobuild_meetings
from .fixtures_meetings import audits as _audits
from .fixtures_meetings import convene as _convene

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


def test_the_invited_units_hear_of_the_meeting_its_changes_its_outcomes_and_its_minutes(
    world, street_org, clock
) -> None:
    """Convened, changed, an outcome, a decision, the minutes archived: each reaches the liaison
    of the invited unit (民政局 of the alliance) in the bell, with the meeting's page."""
    from gongjian.core.models import Notification

    def kinds() -> list[str]:
        rows = Notification.objects.filter(recipient=world.liaison, kind__in=told).order_by("pk")
        return list(rows.values_list("kind", flat=True))

    told = [
        "meeting.convene",
        "meeting.update",
        "agenda.outcome",
        "resolution.record",
        "meeting.close",
    ]
    clock.set(DAY - dt.timedelta(days=10))
    meeting = _convene(world, street_org)
    assert kinds() == ["meeting.convene"]
    services.meeting_update(actor=world.dongfeng_admin, meeting=meeting, venue="街道二楼会议室")
    assert "街道二楼会议室" in Notification.objects.get(recipient=world.liaison, kind="meeting.update").body
    clock.set(DAY)
    item = services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="停车难")
    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    services.meeting_hold(actor=world.dongfeng_admin, meeting=meeting)
    services.agenda_item_outcome(actor=world.dongfeng_admin, item=item, outcome="错时停车")
    services.resolution_record(actor=world.dongfeng_admin, meeting=meeting, text="开放单位车位")
    services.meeting_minutes_record(actor=world.dongfeng_admin, meeting=meeting, minutes="纪要")
    services.meeting_close(actor=world.dongfeng_admin, meeting=meeting)
    assert kinds() == told
    outcome = Notification.objects.get(recipient=world.liaison, kind="agenda.outcome")
    assert "错时停车" in outcome.body and outcome.url == f"/cobuild/meetings/{meeting.pk}/"
    assert not Notification.objects.filter(recipient=world.dongfeng_admin, kind__in=told).exists()
