"""Pages of joint meetings, action items and consultations: what each user sees and may do, that
buttons follow the services' answers, the meeting pack PDF and the calendar feeds."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import icalendar
import pytest
from django.urls import reverse

from gongjian.cobuild.models import ActionItem, AgendaItem, ConsultationAnswer
from gongjian.cobuild.services import meetings as services
from gongjian.core.models import AuditEntry
from gongjian.core.pdf import pdf_text
from gongjian.testing import World

from .fixtures_meetings import CobuildMeetings, build_cobuild_meetings


@pytest.fixture
def data(world: World) -> CobuildMeetings:
    return build_cobuild_meetings(world)


def _get(client, user, url: str, status: int = 200) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return unescape(response.content.decode())


def test_pages_render_on_a_phone_without_inline_script(client, world, data) -> None:
    urls = [
        reverse("cobuild:meeting_list"),
        reverse("cobuild:meeting_create"),
        reverse("cobuild:meeting_detail", args=[data.street_next.pk]),
        reverse("cobuild:meeting_detail", args=[data.street_held.pk]),
        reverse("cobuild:meeting_qr", args=[data.street_next.pk]),
        reverse("cobuild:meeting_edit", args=[data.street_next.pk]),
        reverse("cobuild:meeting_unit_add", args=[data.community.pk]),
        reverse("cobuild:meeting_agenda_add", args=[data.street_next.pk]),
        reverse("cobuild:action_list"),
        reverse("cobuild:action_detail", args=[data.mz_action.pk]),
        reverse("cobuild:consultation_list"),
        reverse("cobuild:consultation_create"),
        reverse("cobuild:consultation_detail", args=[data.wjl_consultation.pk]),
        reverse("cobuild:consultation_attach", args=[data.wjl_consultation.pk]),
    ]
    for url in urls:
        html = _get(client, world.dongfeng_admin, url)
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url


def test_list_filters(client, world, data) -> None:
    url = reverse("cobuild:meeting_list")
    html = _get(client, world.kaifu_admin, f"{url}?level=community")
    assert "社区联席会议" in html and "第四季度联席会议" not in html
    html = _get(client, world.kaifu_admin, f"{url}?status=closed")
    assert "第三季度联席会议" in html and "第四季度联席会议" not in html
    html = _get(client, world.kaifu_admin, f"{url}?within={world.wjl.pk}")
    assert "社区联席会议" in html and "第三季度联席会议" not in html
    html = _get(client, world.dongfeng_admin, reverse("cobuild:action_list") + "?state=overdue")
    assert "调研加装电梯需求" in html and "制定改造方案" not in html


def test_buttons_follow_what_the_user_may_do(client, world, data) -> None:
    nxt = reverse("cobuild:meeting_detail", args=[data.street_next.pk])
    send = reverse("cobuild:meeting_send_agenda", args=[data.street_next.pk])
    propose = reverse("cobuild:meeting_topic_propose", args=[data.street_next.pk])
    admin = _get(client, world.dongfeng_admin, nxt)
    assert send in admin and propose in admin and "<svg" in admin
    liaison = _get(client, world.liaison, nxt)
    assert send not in liaison and propose in liaison and "<svg" not in liaison
    district = _get(client, world.kaifu_admin, nxt)  # the level above may act too (its subtree)
    assert send in district
    # a closed meeting offers nothing to record
    held = _get(client, world.dongfeng_admin, reverse("cobuild:meeting_detail", args=[data.street_held.pk]))
    assert reverse("cobuild:meeting_pledge_add", args=[data.street_held.pk]) not in held
    assert reverse("cobuild:meeting_agreement_add", args=[data.street_held.pk]) in held
    _get(client, world.dongfeng_admin, reverse("cobuild:meeting_pledge_add", args=[data.street_held.pk]), 403)
    _get(client, world.liaison, reverse("cobuild:meeting_qr", args=[data.street_next.pk]), 403)


@pytest.mark.parametrize("who", ["member", "resident"])
def test_members_and_residents_have_no_meeting_pages(client, world, data, who) -> None:
    user = getattr(world, who)
    _get(client, user, reverse("cobuild:meeting_list"), 403)
    _get(client, user, reverse("cobuild:meeting_detail", args=[data.street_next.pk]), 403)
    _get(client, user, reverse("cobuild:action_list"), 403)


def test_another_areas_pages_are_404_and_change_nothing(client, world, data) -> None:
    client.force_login(world.wjl_admin)
    before = AuditEntry.objects.count()
    for url in [
        reverse("cobuild:meeting_detail", args=[data.street_next.pk]),
        reverse("cobuild:meeting_pack", args=[data.street_next.pk]),
        reverse("cobuild:action_detail", args=[data.mz_action.pk]),
        reverse("cobuild:consultation_detail", args=[data.jsh_consultation.pk]),
    ]:
        assert client.get(url).status_code == 404
    assert client.post(reverse("cobuild:meeting_send_agenda", args=[data.street_next.pk])).status_code == 404
    assert (
        client.post(reverse("cobuild:action_close", args=[data.mz_action.pk]), {"report": "x"}).status_code
        == 404
    )
    assert AuditEntry.objects.count() == before


def test_topics_are_decided_and_moved_on_the_page(client, world, data) -> None:
    client.force_login(world.dongfeng_admin)
    meeting = data.street_next
    topic = AgendaItem.objects.get(meeting=meeting)
    client.post(reverse("cobuild:meeting_agenda_add", args=[meeting.pk]), {"title": "街道议题"})
    decide = reverse("cobuild:agenda_item_decide", args=[topic.pk])
    assert client.post(decide, {"decision": "accept"}).status_code == 302
    assert client.post(decide, {"decision": "move", "position": 1}).status_code == 302
    order = list(
        meeting.agenda.filter(status="accepted").order_by("position").values_list("title", flat=True)
    )
    assert order == ["社区养老服务", "街道议题"]
    # a bad move stays on the form with its message
    response = client.post(decide, {"decision": "move", "position": 5})
    assert response.status_code == 200 and "1 至 2" in unescape(response.content.decode())


def test_the_meeting_pack_pdf_opens_with_its_chinese_text(client, world, data) -> None:
    topic = AgendaItem.objects.get(meeting=data.street_next)
    services.agenda_item_accept(actor=world.dongfeng_admin, item=topic)
    client.force_login(world.dongfeng_admin)
    response = client.get(reverse("cobuild:meeting_pack", args=[data.street_next.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "第四季度联席会议",
        "东风路街道党工委",
        "社区养老服务",
        "调研加装电梯需求",
        "制定改造方案",
        "湖南省民政厅",
    ):
        assert expected in text, expected
    assert "overdue" in text or "逾期" in text  # 调研加装电梯需求 is past due
    assert "issue" not in text.lower()
    assert "暂无未认领的需求" in text  # none published in the area yet
    held = pdf_text(client.get(reverse("cobuild:meeting_pack", args=[data.street_held.pk])).content)
    assert "50+" in held and "志愿者参加服务" in held


def _events(body: bytes) -> list[Any]:
    return list(icalendar.Calendar.from_ical(body).walk("VEVENT"))


def test_calendar_feeds_per_area_and_for_calendar_apps(client, world, data) -> None:
    client.force_login(world.kaifu_admin)
    response = client.get(reverse("cobuild:meeting_ics_area", args=[world.dongfeng.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert {str(e["summary"]) for e in events} == {"第三季度联席会议", "第四季度联席会议", "社区联席会议"}
    nxt = next(e for e in events if str(e["summary"]) == "第四季度联席会议")
    assert str(nxt["location"]) == "省民政厅会议室"
    assert nxt.decoded("dtstart") == data.street_next.starts_at
    assert str(nxt["uid"]) == f"joint-meeting-{data.street_next.pk}@gongjian"
    assert f"/cobuild/meetings/{data.street_next.pk}/" in str(nxt["url"])
    # an area outside the scope is a 404
    assert client.get(reverse("cobuild:meeting_ics_area", args=[world.jsh.pk])).status_code == 404

    # the liaison's own feed, through the signed address a calendar app uses (no session)
    html = _get(client, world.liaison, reverse("cobuild:meeting_list"))
    feed = re.search(r'value="http://testserver(/cobuild/calendar/[^"]+\.ics)"', html)
    assert feed is not None
    client.logout()
    response = client.get(feed.group(1))
    assert response.status_code == 200
    assert {str(e["summary"]) for e in _events(response.content)} == {"第三季度联席会议", "第四季度联席会议"}
    assert client.get(feed.group(1).replace(".ics", "x.ics")).status_code == 404
    # scoped when fetched: a cancelled meeting stays, marked; a new password revokes the address
    services.meeting_cancel(actor=world.dongfeng_admin, meeting=data.street_next, reason="改期")
    cancelled = next(
        e for e in _events(client.get(feed.group(1)).content) if str(e["summary"]) == "第四季度联席会议"
    )
    assert str(cancelled["status"]) == "CANCELLED"
    world.liaison.set_password("a-new-horse-battery")
    world.liaison.save()
    assert client.get(feed.group(1)).status_code == 404


def test_sign_in_page_needs_the_code(client, world, data) -> None:
    url = reverse("cobuild:meeting_sign_in", args=[data.street_next.pk])
    _get(client, world.member, url, 403)
    _get(client, world.member, url + "?t=forged", 403)
    client.logout()
    assert client.get(url + "?t=x").status_code == 302  # to the login page first
    token = services.meeting_sign_in_token(actor=world.dongfeng_admin, meeting=data.street_next)
    html = _get(client, world.member, f"{url}?t={token}")
    assert "第四季度联席会议" in html
    assert "data-sign-in" not in html  # five days ahead: not open yet
    assert "Signing in is open from" in html or "签到" in html


def test_action_items_are_closed_from_their_page_by_the_owner(client, world, data) -> None:
    url = reverse("cobuild:action_detail", args=[data.mz_action.pk])
    html = _get(client, world.liaison, url)
    assert reverse("cobuild:action_close", args=[data.mz_action.pk]) in html
    html = _get(client, world.liaison, reverse("cobuild:action_detail", args=[data.street_action.pk]))
    assert reverse("cobuild:action_close", args=[data.street_action.pk]) not in html
    response = client.post(reverse("cobuild:action_close", args=[data.street_action.pk]), {"report": "x"})
    assert response.status_code == 403
    response = client.post(
        reverse("cobuild:action_close", args=[data.mz_action.pk]), {"report": "已完成调研"}
    )
    assert response.status_code == 302
    assert ActionItem.objects.get(pk=data.mz_action.pk).status == "closed"


def test_a_resident_answers_a_consultation_of_their_area_once(client, world, data) -> None:
    url = reverse("cobuild:consultation_detail", args=[data.wjl_consultation.pk])
    html = _get(client, world.resident, url)
    assert "是否在主干道加装路灯？" in html and "data-answer-choices" in html
    assert "1栋101" not in html  # the households' answers are for the staff
    answer = reverse("cobuild:consultation_answer", args=[data.wjl_consultation.pk])
    assert client.post(answer, {"answer": "for", "comment": "好"}).status_code == 302
    html = _get(client, world.resident, url)
    assert "data-own-answer" in html and "data-answer-choices" not in html
    assert (
        ConsultationAnswer.objects.filter(consultation=data.wjl_consultation, user=world.resident).count()
        == 1
    )
    _get(client, world.resident, reverse("cobuild:consultation_detail", args=[data.jsh_consultation.pk]), 404)
    _get(client, world.resident, reverse("cobuild:consultation_create"), 403)


def test_staff_record_a_households_answer_and_see_the_results_bar(client, world, data) -> None:
    client.force_login(world.wjl_admin)
    answer = reverse("cobuild:consultation_answer", args=[data.wjl_consultation.pk])
    response = client.post(answer, {"respondent": "430104199001011234", "answer": "for"})
    assert response.status_code == 200  # refused on the form
    assert "切勿使用身份证号或电话号码" in unescape(response.content.decode())
    assert client.post(answer, {"respondent": "2栋301", "answer": "for"}).status_code == 302
    html = _get(
        client, world.wjl_admin, reverse("cobuild:consultation_detail", args=[data.wjl_consultation.pk])
    )
    assert "2栋301" in html and "progress-stacked" in html
    assert re.search(r"data-support-rate>66[.,]7%", html)
