"""Services of a joint meeting's topics and agenda: each refusal is a clear message that changes
nothing; each write is one audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.cobuild.models import AgendaItem, MeetingStatus
from gongjian.cobuild.services import meetings as services
from gongjian.core.models import AuditEntry, Notification

from .fixtures_meetings import DAY, build_cobuild_meetings
from .fixtures_meetings import audits as _audits
from .fixtures_meetings import convene as _convene

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
    kinds = set(
        Notification.objects.filter(kind__startswith="cobuild.").values_list("recipient__username", "kind")
    )
    assert ("liaison", "meeting.convene") in set(
        Notification.objects.values_list("recipient__username", "kind")
    )
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
