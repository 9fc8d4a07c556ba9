"""Issue 4, "done when", tried as new users would, through the pages: a street administrator
convenes a joint meeting, units propose topics, the agenda goes up two days before (the level
above is notified in the app and by e-mail), members sign in by QR code on a phone, minutes and
two action items are recorded, and the next meeting's agenda shows those items."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from gongjian.cobuild.models import (
    ActionItem,
    AgendaItem,
    AgendaSource,
    Attendance,
    JointMeeting,
    MeetingStatus,
)
from gongjian.cobuild.services import meetings as services
from gongjian.core.models import AuditEntry, Notification
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

from .fixtures_meetings import Clock

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
MEETING_DAY = dt.date(2026, 3, 12)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _html(response) -> str:
    return unescape(response.content.decode())


def test_a_street_meeting_from_convening_to_the_next_agenda(
    world: World, client, clock: Clock, django_capture_on_commit_callbacks
) -> None:
    street_org = PartyOrg.objects.get(code="PO-DFL")
    for user, address in [
        (world.kaifu_admin, "kaifu@example.org"),
        (world.liaison, "liaison@example.org"),
        (world.dongfeng_admin, "dongfeng@example.org"),
    ]:
        user.email = address
        user.save()

    # --- 1. ten days ahead, the street administrator convenes the meeting ----------------------
    clock.set(MEETING_DAY - dt.timedelta(days=10))
    client.force_login(world.dongfeng_admin)
    response = client.post(
        reverse("cobuild:meeting_create"),
        {
            "title": "东风路街道2026年第一季度联席会议",
            "convener_org": street_org.pk,
            "convener": "周志凯",
            "alliance": world.alliance.pk,
            "starts_at": "2026-03-12T09:30",
            "ends_at": "2026-03-12T11:30",
            "venue": "东风路街道党群服务中心",
        },
    )
    assert response.status_code == 302, _html(response)
    meeting = JointMeeting.objects.get()
    assert (meeting.level, meeting.area, meeting.status) == ("street", world.dongfeng, MeetingStatus.PLANNED)
    assert meeting.topics_open_on == dt.date(2026, 3, 5) and meeting.agenda_due_on == dt.date(2026, 3, 10)
    assert list(meeting.units.values_list("unit", flat=True)) == [world.minzheng.pk]  # the alliance's unit
    detail = reverse("cobuild:meeting_detail", args=[meeting.pk])

    # topics are not collected yet: the liaison sees the meeting but no "propose" button
    client.force_login(world.liaison)
    page = _html(client.get(detail))
    assert "东风路街道2026年第一季度联席会议" in page
    assert reverse("cobuild:meeting_topic_propose", args=[meeting.pk]) not in page
    assert client.get(reverse("cobuild:meeting_topic_propose", args=[meeting.pk])).status_code == 403

    # --- 2. a week ahead topic collection opens: the liaison is told, and proposes ---------------
    clock.set(MEETING_DAY - dt.timedelta(days=7), hour=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meetings_remind(today=timezone.localdate()) == 1
    note = Notification.objects.get(recipient=world.liaison, kind="cobuild.meeting.topics")
    assert note.url == detail
    assert [m.to for m in mail.outbox] == [["liaison@example.org"]]
    assert services.meetings_remind(today=timezone.localdate()) == 0  # once only

    client.force_login(world.liaison)  # (sessions last 8 hours: sign in again on each new day)
    page = _html(client.get(detail))
    assert reverse("cobuild:meeting_topic_propose", args=[meeting.pk]) in page
    response = client.post(
        reverse("cobuild:meeting_topic_propose", args=[meeting.pk]),
        {"title": "社区居家养老服务", "description": "请民政厅支持", "unit": world.minzheng.pk},
    )
    assert response.status_code == 302, _html(response)
    topic = AgendaItem.objects.get(meeting=meeting)
    assert (topic.source, topic.status, topic.proposed_by_unit) == ("topic", "proposed", world.minzheng)

    # the convener accepts it and puts an item of the street's own
    client.force_login(world.dongfeng_admin)
    decide = reverse("cobuild:agenda_item_decide", args=[topic.pk])
    assert client.post(decide, {"decision": "accept"}).status_code == 302
    client.post(reverse("cobuild:meeting_agenda_add", args=[meeting.pk]), {"title": "老旧小区提质改造"})
    assert AgendaItem.objects.filter(meeting=meeting, status="accepted").count() == 2

    # --- 3. the day before the agenda is due the convener is reminded; then sends it up ---------
    clock.set(MEETING_DAY - dt.timedelta(days=3))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meetings_remind(today=timezone.localdate()) == 1
    assert Notification.objects.filter(
        recipient=world.dongfeng_admin, kind="cobuild.meeting.agenda_due"
    ).exists()

    clock.set(MEETING_DAY - dt.timedelta(days=2), hour=10)
    client.force_login(world.dongfeng_admin)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cobuild:meeting_send_agenda", args=[meeting.pk]))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.AGENDA_SENT and meeting.agenda_sent_at is not None
    sent = Notification.objects.filter(kind="cobuild.meeting.agenda")
    assert {n.recipient for n in sent} == {world.kaifu_admin, world.liaison}  # the level above, the units
    assert sorted(m.to[0] for m in mail.outbox) == ["kaifu@example.org", "liaison@example.org"]
    entry = AuditEntry.objects.filter(action="meeting.send_agenda").get()
    assert entry.changes["to"] == world.kaifu.pk and entry.changes["late"] is False

    # the district (the level above) sees the agenda sent to it
    client.force_login(world.kaifu_admin)
    page = _html(client.get(detail))
    assert "社区居家养老服务" in page and "老旧小区提质改造" in page
    # from now on the agenda changes only with a reason
    client.force_login(world.dongfeng_admin)
    client.post(decide, {"decision": "decline"})
    topic.refresh_from_db()
    assert topic.status == "accepted"
    client.force_login(world.liaison)
    assert client.get(reverse("cobuild:meeting_topic_propose", args=[meeting.pk])).status_code == 403

    # --- 4. the day before, the invitees are reminded --------------------------------------------
    clock.set(MEETING_DAY - dt.timedelta(days=1))
    assert services.meetings_remind(today=timezone.localdate()) >= 1
    assert Notification.objects.filter(recipient=world.liaison, kind="cobuild.meeting.tomorrow").exists()

    # --- 5. on the day, members sign in by QR code on a phone ----------------------------------
    clock.set(MEETING_DAY, hour=9, minute=5)
    client.force_login(world.dongfeng_admin)
    page = _html(client.get(detail))
    assert "<svg" in page
    sign_in_url = re.search(r'value="(http://testserver/cobuild/meetings/\d+/sign-in/\?t=[^"]+)"', page)
    qr_page = _html(client.get(reverse("cobuild:meeting_qr", args=[meeting.pk])))
    link = re.search(r'href="(http://testserver/cobuild/meetings/\d+/sign-in/\?t=[^"]+)"', qr_page)
    assert link is not None and (sign_in_url is None or sign_in_url.group(1) == link.group(1))
    url = link.group(1).replace("http://testserver", "")

    client.force_login(world.member)
    phone = client.get(url, HTTP_USER_AGENT=PHONE)
    assert phone.status_code == 200
    assert "data-sign-in" in _html(phone) and 'name="viewport"' in _html(phone)
    token = url.split("t=")[1]
    assert client.post(url.split("?")[0], {"t": token}, HTTP_USER_AGENT=PHONE).status_code == 302
    assert client.post(url.split("?")[0], {"t": token}, HTTP_USER_AGENT=PHONE).status_code == 302
    assert "data-signed-in" in _html(client.get(url))
    client.force_login(world.liaison)
    client.post(url.split("?")[0], {"t": token})
    rows = Attendance.objects.filter(meeting=meeting).order_by("pk")
    assert [(a.user, a.unit, a.method) for a in rows] == [
        (world.member, None, "qr"),
        (world.liaison, world.minzheng, "qr"),
    ]
    # a made-up code opens nothing
    assert client.get(url.split("?")[0] + "?t=forged").status_code == 403

    client.force_login(world.dongfeng_admin)
    assert client.post(reverse("cobuild:meeting_hold", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD

    # --- 6. a decision with two action items, minutes, archived ------------------------------------
    accepted = list(meeting.agenda.filter(status="accepted").order_by("position"))
    response = client.post(
        reverse("cobuild:meeting_resolution_add", args=[meeting.pk]),
        {
            "text": "建立社区养老服务站",
            "agenda_item": accepted[0].pk,
            "action_1_title": "选址并提交方案",
            "action_1_owner_unit": world.minzheng.pk,
            "action_1_due_on": "2026-04-30",
            "action_2_title": "协调场地改造资金",
            "action_2_owner_org": street_org.pk,
            "action_2_due_on": "2026-06-30",
        },
    )
    assert response.status_code == 302, _html(response)
    actions = list(ActionItem.objects.filter(meeting=meeting).order_by("due_on"))
    assert [(a.title, a.owner_unit, a.owner_org) for a in actions] == [
        ("选址并提交方案", world.minzheng, None),
        ("协调场地改造资金", None, street_org),
    ]
    client.post(
        reverse("cobuild:meeting_pledge_add", args=[meeting.pk]),
        {
            "text": "教授到社区开展讲座",
            "unit": world.minzheng.pk,
            "quantity": 100,
            "measure": "人",
            "at_least": "on",
        },
    )
    client.post(
        reverse("cobuild:meeting_minutes", args=[meeting.pk]),
        {"minutes": "会议逐项讨论了议题，形成决议一项。"},
    )
    assert client.post(reverse("cobuild:meeting_close", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED and meeting.minutes_at is not None
    page = _html(client.get(detail))
    assert "100+ 人" in page and "选址并提交方案" in page
    assert 'data-status="closed"' in page

    # --- 7. the next meeting's agenda shows both items -----------------------------------------
    clock.set(dt.date(2026, 5, 20))
    client.force_login(world.dongfeng_admin)
    response = client.post(
        reverse("cobuild:meeting_create"),
        {
            "title": "东风路街道2026年第二季度联席会议",
            "convener_org": street_org.pk,
            "alliance": world.alliance.pk,
            "starts_at": "2026-06-12T09:30",
            "venue": "省民政厅",
        },
    )
    assert response.status_code == 302
    nxt = JointMeeting.objects.exclude(pk=meeting.pk).get()
    assert nxt.previous == meeting  # the convening organisation's last meeting, by default
    page = _html(client.get(reverse("cobuild:meeting_detail", args=[nxt.pk])))
    follow_ups = page.split("data-follow-ups", 1)[1].split("</ul>", 1)[0]
    assert "选址并提交方案" in follow_ups and "协调场地改造资金" in follow_ups
    assert "overdue" in follow_ups or "逾期" in follow_ups  # 04-30 has passed

    clock.set(dt.date(2026, 6, 10))
    client.force_login(world.dongfeng_admin)
    assert client.post(reverse("cobuild:meeting_send_agenda", args=[nxt.pk])).status_code == 302
    carried = AgendaItem.objects.filter(meeting=nxt, source=AgendaSource.FOLLOW_UP).order_by("position")
    assert [a.action_item for a in carried] == actions
    assert [a.position for a in carried] == [1, 2]  # progress reports come first
    # the unit's liaison closes its own item with a report, and the pack shows what is still open
    client.force_login(world.liaison)
    close = reverse("cobuild:action_close", args=[actions[0].pk])
    assert client.post(close, {"report": ""}).status_code == 200  # refused without a report
    assert client.post(close, {"report": "已选址开福区王家垅，方案已报街道。"}).status_code == 302
    actions[0].refresh_from_db()
    assert actions[0].status == "closed" and actions[0].closed_by == world.liaison
