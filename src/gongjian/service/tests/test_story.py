"""Issue 7, "done when", tried as new users would, on a phone: a member signs up, scans the
rotating sign-in code, signs out, the organiser verifies, the member's hours and points change,
and the employer's quarterly sheet shows them (page, Excel, PDF)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from html import unescape
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.core.models import AuditEntry, Notification
from gongjian.core.pdf import pdf_text
from gongjian.members import services as member_services
from gongjian.members.models import Member
from gongjian.service import services
from gongjian.service.models import Attendance, HoursStatus, PointsEntry, ServiceHours
from gongjian.testing import World, build_ledgers

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
WEEK_BEFORE = dt.date(2026, 5, 16)
DAY = dt.date(2026, 5, 23)


def _at(monkeypatch: pytest.MonkeyPatch, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    monkeypatch.setattr(timezone, "now", lambda: when)
    return when


def _html(response: Any) -> str:
    return unescape(response.content.decode())


def test_sign_up_scan_sign_out_verify_and_the_employer_sheet(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_ledgers(world)
    staff = Member.objects.get(name="在职0")  # works at 省民政厅, registered (双报到) with 王家垅社区
    member_services.member_link_user(actor=world.superuser, member=staff, user=world.member)
    services.points_rule_create(
        actor=world.wjl_admin, name="服务时长积分", area=world.wjl, basis="per_hour", points=Decimal(2)
    )

    # --- the community administrator publishes an activity, a week ahead ----------------------
    _at(monkeypatch, WEEK_BEFORE, 9)
    admin = Client()
    admin.force_login(world.wjl_admin)
    response = admin.post(
        reverse("service:activity_create"),
        {
            "title": "王家垅社区环境整治",
            "organiser_kind": "community",
            "org": world.wjl_committee.pk,
            "place": "社区广场",
            "starts_at": "2026-05-23T08:30",
            "ends_at": "2026-05-23T11:30",
            "signup_limit": 10,
            "audience": "area",
        },
    )
    assert response.status_code == 302, _html(response)
    activity_url = response["Location"]
    pk = int(activity_url.rstrip("/").split("/")[-1])

    # --- the member signs up on their phone -----------------------------------------------------
    phone = Client(HTTP_USER_AGENT=PHONE)
    phone.force_login(world.member)
    page = _html(phone.get(reverse("service:activity_list")))
    assert "王家垅社区环境整治" in page
    page = _html(phone.get(activity_url))
    assert "Sign up" in page or "报名" in page
    phone.post(reverse("service:activity_sign_up", args=[pk]))
    assert Attendance.objects.get(activity_id=pk, member=staff).status == "signed_up"
    assert Notification.objects.filter(recipient=world.member, kind="service.signed_up").count() == 1

    # --- on the day: the organiser's screen shows the code; the member scans it ----------------
    _at(monkeypatch, DAY, 8, 25)
    admin.force_login(world.wjl_admin)  # a week later: sessions expire, people sign in again
    phone.force_login(world.member)
    qr_page = admin.get(reverse("service:activity_qr", args=[pk]))
    assert qr_page.status_code == 200 and "service.js" in _html(qr_page)
    svg = admin.get(reverse("service:activity_qr_svg", args=[pk]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    code = admin.get(reverse("service-activity-code", args=[pk])).json()
    scan_url = code["url"].split("testserver", 1)[1]
    assert "立即签到" in _html(phone.get(scan_url))
    phone.post(scan_url, {"t": code["token"]})
    row = Attendance.objects.get(activity_id=pk, member=staff)
    assert row.signed_in_at is not None and row.sign_in_method == "qr"

    # a photo of the code taken now does not work two minutes later
    _at(monkeypatch, DAY, 10, 40)
    old = phone.post(scan_url, {"t": code["token"]}, follow=True)
    assert "expired" in _html(old) or "过期" in _html(old)
    assert Attendance.objects.get(pk=row.pk).signed_out_at is None

    # --- signing out with the current code: 2h15 in, rounded down to quarters -----------
    code = admin.get(reverse("service-activity-code", args=[pk])).json()
    scan_url = code["url"].split("testserver", 1)[1]
    assert "立即签退" in _html(phone.get(scan_url))
    phone.post(scan_url, {"t": code["token"]})
    row.refresh_from_db()
    assert row.computed_hours == Decimal("2.25")
    assert not ServiceHours.objects.filter(member=staff).exists()  # not verified: nothing counts

    # --- the organiser verifies ---------------------------------------------------------
    detail = _html(admin.get(activity_url))
    assert reverse("service:attendance_verify", args=[row.pk]) in detail
    before = AuditEntry.objects.count()
    response = admin.post(
        reverse("service:attendance_verify", args=[row.pk]), {"hours": "2.25", "reason": ""}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.count() == before + 1
    record = ServiceHours.objects.get(member=staff)
    assert record.status == HoursStatus.VERIFIED and record.hours == Decimal("2.25")
    assert PointsEntry.objects.get(member=staff).points == Decimal("4.50")

    # --- the member's hours and points change on their phone ----------------------------
    mine = phone.get(reverse("service:mine"))
    text = _html(mine)
    assert 'data-mine="hours">2.25<' in text
    assert 'data-mine="points">4.50<' in text

    # --- the employer's liaison reads and downloads the quarterly sheet ------------------
    liaison = Client()
    liaison.force_login(world.liaison)
    query = {"year": 2026, "quarter": 2}
    sheet = _html(liaison.get(reverse("service:feedback", args=[world.minzheng.pk]), query))
    assert "在职0" in sheet and "王家垅社区环境整治" in sheet and ">2.25<" in sheet
    xlsx = liaison.get(reverse("service:feedback_xlsx", args=[world.minzheng.pk]), query)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    cells = [[c.value for c in r] for r in ws.iter_rows()]
    row_of = next(r for r in cells if r[0] == "在职0")
    assert row_of[2] == 2.25 and row_of[3] == 1 and row_of[5] == "王家垅社区环境整治"
    pdf = liaison.get(reverse("service:feedback_pdf", args=[world.minzheng.pk]), query)
    text = pdf_text(pdf.content)
    assert "在职0" in text and "2.25" in text
