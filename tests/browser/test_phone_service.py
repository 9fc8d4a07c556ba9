"""Issue 7's story in a real browser at a phone's size: a member signs up for an activity, scans
the rotating code to sign in and later to sign out, the organiser verifies, and the member's hours
and points change on their phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.members import services as member_services
from gongjian.members.models import Member
from gongjian.service import services
from gongjian.service.models import Attendance
from gongjian.testing import build_ledgers

from .conftest import no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)


def _scan_path(admin: Client, pk: int) -> str:
    code = admin.get(reverse("service-activity-code", args=[pk])).json()
    return "/" + code["url"].split("://", 1)[1].split("/", 1)[1]


def test_sign_up_scan_in_and_out_verify_and_see_hours_on_a_phone(phone, world, monkeypatch):
    build_ledgers(world)
    staff = Member.objects.get(name="在职0")
    member_services.member_link_user(actor=world.superuser, member=staff, user=world.member)
    services.points_rule_create(
        actor=world.wjl_admin, name="服务时长积分", area=world.wjl, basis="per_hour", points=Decimal(2)
    )
    start = timezone.now() + dt.timedelta(minutes=5)
    activity = services.activity_create(
        actor=world.wjl_admin,
        title="王家垅社区环境整治",
        organiser_kind="community",
        org=world.wjl_committee,
        place="社区广场",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        signup_limit=10,
    )
    admin = Client()
    admin.force_login(world.wjl_admin)

    # the member signs up from the activity's page on their phone
    phone.login("member")
    phone.goto(reverse("service:activity_detail", args=[activity.pk]))
    assert no_sideways_scroll(phone)
    phone.locator(f"form[action='{reverse('service:activity_sign_up', args=[activity.pk])}'] button").click()
    phone.wait_for_load_state()
    assert Attendance.objects.get(activity=activity, member=staff).status == "signed_up"

    # on the spot: the organiser's screen shows the code, the phone opens it and signs in
    phone.goto(_scan_path(admin, activity.pk))
    assert no_sideways_scroll(phone)
    assert "立即签到" in phone.inner_text("main")
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state()
    row = Attendance.objects.get(activity=activity, member=staff)
    assert row.signed_in_at is not None and row.sign_in_method == "qr"

    # two and a half hours later (the server's clock moves), a fresh code signs out
    later = start + dt.timedelta(hours=2, minutes=40)
    monkeypatch.setattr(timezone, "now", lambda: later)
    phone.goto(_scan_path(admin, activity.pk))
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state()
    row.refresh_from_db()
    assert row.signed_out_at is not None and row.computed_hours == Decimal("2.50")

    # the organiser verifies; the member's hours and points change on their phone
    services.attendance_verify(actor=world.wjl_admin, attendance=row, hours=row.computed_hours)
    phone.goto(reverse("service:mine"))
    assert no_sideways_scroll(phone)
    assert Decimal(phone.inner_text("[data-mine=hours]").strip()) == Decimal("2.5")
    assert Decimal(phone.inner_text("[data-mine=points]").strip()) == Decimal(5)  # 2 a verified hour
