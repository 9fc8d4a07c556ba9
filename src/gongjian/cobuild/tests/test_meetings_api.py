"""The API of joint meetings, action items and consultations: scope, the flow, errors in the
caller's language, and the PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from gongjian.cobuild.models import AgendaItem, Attendance, JointMeeting
from gongjian.cobuild.services import meetings as services
from gongjian.core.models import AuditEntry
from gongjian.core.pdf import pdf_text
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

from .fixtures_meetings import CobuildMeetings, build_cobuild_meetings


@pytest.fixture
def api(world: World) -> Any:
    def as_user(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


@pytest.fixture
def data(world: World) -> CobuildMeetings:
    return build_cobuild_meetings(world)


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_meeting_lists_are_scoped(world, api, data) -> None:
    assert _ids(api(world.liaison).get("/api/v1/meetings/")) == {data.street_held.pk, data.street_next.pk}
    assert _ids(api(world.wjl_admin).get("/api/v1/meetings/")) == {data.community.pk}
    assert _ids(api(world.member).get("/api/v1/meetings/")) == set()
    assert api(world.wjl_admin).get(f"/api/v1/meetings/{data.street_held.pk}/").status_code == 404
    assert api(world.wjl_admin).get("/api/v1/meetings/", {"within": world.jsh.pk}).status_code == 404
    kaifu = api(world.kaifu_admin)
    assert _ids(kaifu.get("/api/v1/meetings/", {"level": "community"})) == {data.community.pk}
    assert _ids(kaifu.get("/api/v1/meetings/", {"status": "closed"})) == {data.street_held.pk}
    assert kaifu.get("/api/v1/meetings/", {"status": "nonsense"}).status_code == 400
    row = kaifu.get(f"/api/v1/meetings/{data.street_next.pk}/").json()
    assert (
        row["level"] == "street" and row["convener_org_name"] == "东风路街道党工委" and row["unit_count"] == 1
    )


def test_the_cycle_through_the_api(world, api, data) -> None:
    admin = api(world.dongfeng_admin)
    street_org = PartyOrg.objects.get(code="PO-DFL")
    starts = timezone.localtime() + dt.timedelta(days=3)
    response = admin.post(
        "/api/v1/meetings/",
        {
            "title": "临时联席会议",
            "convener_org": street_org.pk,
            "alliance": world.alliance.pk,
            "starts_at": starts.isoformat(),
            "venue": "会议室",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    meeting = JointMeeting.objects.get(pk=response.json()["id"])
    assert meeting.previous == data.street_held  # the last one before it (the next is in five days)
    base = f"/api/v1/meetings/{meeting.pk}"
    assert [u["unit"] for u in admin.get(f"{base}/units/").json()] == [world.minzheng.pk]

    # the liaison proposes, the convener accepts
    topic = api(world.liaison).post(f"{base}/topics/", {"title": "社区食堂"}, format="json")
    assert topic.status_code == 201, topic.content
    assert topic.json()["proposed_by_unit"] == world.minzheng.pk
    item = topic.json()["id"]
    assert (
        api(world.liaison).post(f"/api/v1/agenda-items/{item}/accept/", {}, format="json").status_code == 403
    )
    assert (
        admin.post(f"/api/v1/agenda-items/{item}/accept/", {}, format="json").json()["status"] == "accepted"
    )
    agenda = admin.get(f"{base}/agenda/").json()
    assert [i["title"] for i in agenda["items"]] == ["社区食堂"]
    assert {a["title"] for a in agenda["follow_ups"]} == {"调研加装电梯需求", "制定改造方案"}

    sent = admin.post(f"{base}/send-agenda/", format="json")
    assert sent.status_code == 200 and sent.json()["status"] == "agenda_sent"
    refused = admin.post(f"/api/v1/agenda-items/{item}/decline/", {}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    sources = [i["source"] for i in admin.get(f"{base}/agenda/").json()["items"]]
    assert sources == ["follow_up", "follow_up", "topic"]

    # sign in with the code (a member, who sees no meeting otherwise)
    token = services.meeting_sign_in_token(actor=world.dongfeng_admin, meeting=meeting)
    member = api(world.member)
    assert member.get(f"{base}/").status_code == 404
    assert member.post(f"{base}/sign-in/", {"token": "nope"}, format="json").status_code == 403
    signed = member.post(f"{base}/sign-in/", {"token": token}, format="json")
    assert signed.status_code in (200, 400)  # 400 outside the window: three days ahead
    assert not Attendance.objects.filter(meeting=meeting).exists()
    assert "Signing in is open" in str(signed.json()) or "签到" in str(signed.json())

    # cancel needs a reason
    assert admin.post(f"{base}/cancel/", {}, format="json").status_code == 400
    assert admin.post(f"{base}/cancel/", {"reason": "改期"}, format="json").json()["status"] == "cancelled"


def test_decisions_actions_and_closing_through_the_api(world, api, data) -> None:
    admin = api(world.dongfeng_admin)
    held = data.street_held
    # the held meeting's record: attendance, pledges, decisions
    assert len(admin.get(f"/api/v1/meetings/{held.pk}/attendance/").json()) == 1
    pledges = api(world.liaison).get(f"/api/v1/meetings/{held.pk}/pledges/").json()
    assert pledges[0]["quantity"] == 50 and pledges[0]["at_least"] is True
    decisions = admin.get(f"/api/v1/meetings/{held.pk}/resolutions/").json()
    assert [a["title"] for a in decisions[0]["actions"]] == ["调研加装电梯需求", "制定改造方案"]
    # the meeting is closed: nothing more is recorded on it
    refused = admin.post(f"/api/v1/meetings/{held.pk}/pledges/", {"text": "再来"}, format="json")
    assert refused.status_code == 400

    # action items: the liaison's list, overdue filter, closing with a report
    liaison = api(world.liaison)
    overdue = liaison.get("/api/v1/action-items/", {"state": "overdue"}).json()["results"]
    assert [a["title"] for a in overdue] == ["调研加装电梯需求"] and overdue[0]["overdue"] is True
    url = f"/api/v1/action-items/{data.mz_action.pk}/close/"
    assert liaison.post(url, {}, format="json").status_code == 400
    before = AuditEntry.objects.count()
    closed = liaison.post(url, {"report": "已完成调研"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert AuditEntry.objects.count() == before + 1
    other = f"/api/v1/action-items/{data.street_action.pk}/close/"
    assert liaison.post(other, {"report": "x"}, format="json").status_code == 403
    assert api(world.wjl_admin).post(other, {"report": "x"}, format="json").status_code == 404
    assert api(world.jsh_admin).get(f"/api/v1/action-items/{data.mz_action.pk}/").status_code == 404


def test_service_errors_come_in_the_callers_language(world, api, data) -> None:
    admin = api(world.dongfeng_admin)
    response = admin.post(
        f"/api/v1/meetings/{data.street_next.pk}/agenda/",
        {"title": " "},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert AgendaItem.objects.filter(meeting=data.street_next).count() == 1


def test_unknown_fields_are_refused_on_update(world, api, data) -> None:
    response = api(world.dongfeng_admin).patch(
        f"/api/v1/meetings/{data.street_next.pk}/", {"area": world.wjl.pk, "venue": "新会场"}, format="json"
    )
    assert response.status_code == 400 and "area" in response.json()
    ok = api(world.dongfeng_admin).patch(
        f"/api/v1/meetings/{data.street_next.pk}/", {"venue": "新会场"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["venue"] == "新会场"


def test_the_meeting_pack_pdf(world, api, data) -> None:
    response = api(world.liaison).get(f"/api/v1/meetings/{data.street_next.pk}/pack/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "第四季度联席会议" in text and "调研加装电梯需求" in text
    assert api(world.wjl_admin).get(f"/api/v1/meetings/{data.street_next.pk}/pack/").status_code == 404


def test_consultations_through_the_api(world, api, data) -> None:
    consultation = data.wjl_consultation
    base = f"/api/v1/consultations/{consultation.pk}"
    resident = api(world.resident)
    assert _ids(resident.get("/api/v1/consultations/")) == {consultation.pk}
    assert resident.get(f"/api/v1/consultations/{data.jsh_consultation.pk}/").status_code == 404
    assert resident.get(f"{base}/answers/").json() == []
    answered = resident.post(f"{base}/answers/", {"answer": "for"}, format="json")
    assert (
        answered.status_code == 201
        and answered.json()["online"] is True
        and answered.json()["respondent"] == ""
    )
    assert resident.post(f"{base}/answers/", {"answer": "for"}, format="json").status_code == 400
    results = resident.get(f"{base}/results/").json()
    assert results == {
        "asked": 10,
        "answered": 3,
        "in_favour": 2,
        "against": 1,
        "no_opinion": 0,
        "support_rate": 0.6667,
        "turnout": 0.3,
    }
    staff = api(world.wjl_admin)
    refused = staff.post(f"{base}/answers/", {"answer": "for", "respondent": "13800001234"}, format="json")
    assert refused.status_code == 400 and "respondent" in refused.json()
    assert len(staff.get(f"{base}/answers/").json()) == 3
    assert api(world.liaison).get(f"{base}/").status_code == 404
    row = staff.get(f"{base}/").json()
    assert row["results"]["support_rate"] == 0.6667 and row["is_open"] is True

    created = api(world.dongfeng_admin).post(
        "/api/v1/consultations/",
        {
            "area": world.wjl.pk,
            "org": world.wjl_committee.pk,
            "kind": "deliberation",
            "question": "议事：停车位分配",
            "opens_on": timezone.localdate().isoformat(),
            "closes_on": timezone.localdate().isoformat(),
            "resolution": data.resolution.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["resolution"] == data.resolution.pk
    attach = api(world.dongfeng_admin).post(
        f"{base}/attach/", {"resolution": data.resolution.pk, "decision": "加装路灯"}, format="json"
    )
    assert attach.status_code == 200 and attach.json()["decision"] == "加装路灯"
