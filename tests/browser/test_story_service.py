"""Story 4 (issue 16), phone and desktop: a Party member finds an activity from their home and signs
up (told in the bell: the confirmation); 30 minutes before the start the reminder job (what
``gongjian remind`` runs, on a fixed clock) texts them (the console gateway's record) and rings the
bell; at the activity the organiser shows the sign-in code and the member's phone opens the page the
code points to and signs in, later out; the organiser verifies the hours from the activity's page;
the member is told in the bell and by e-mail and sees the verified hours on their home.

Scanning is the one address the member's phone opens without a click: the code's own address,
asked of the organiser's code endpoint as the camera would read it off the screen.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.accounts.models import User
from gongjian.core.synthetic import id_number
from gongjian.members import services as member_services
from gongjian.service import services
from gongjian.service.models import Attendance
from gongjian.testing import World

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "王家垅社区环境整治"


def _scan(pk: int) -> str:
    """The address the sign-in code points to now (what the phone's camera reads)."""
    organiser = Client()
    organiser.force_login(User.objects.get(username="wjl_admin"))
    code = organiser.get(reverse("service-activity-code", args=[pk])).json()
    return "/" + code["url"].split("://", 1)[1].split("/", 1)[1]


def test_a_member_signs_up_is_reminded_signs_in_by_qr_and_sees_verified_hours(
    people: Any, world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    User.objects.filter(username="member").update(email="member@example.org")
    me = member_services.member_create(
        actor=world.superuser,
        name="党员乙",
        id_number=id_number(41),
        org=world.wjl_committee,
        joined_on=dt.date(2005, 7, 1),
        phone="13700004321",
        residence=world.wjl_building,
    )
    member_services.member_link_user(actor=world.superuser, member=me, user=world.member)
    start = timezone.now() + dt.timedelta(minutes=20)
    activity = services.activity_create(
        actor=world.wjl_admin,
        title=TITLE,
        organiser_kind="community",
        org=world.wjl_committee,
        place="社区广场",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        signup_limit=10,
    )
    caplog.set_level(logging.INFO, logger="gongjian.core.sms")
    member = people("member")
    admin = people("wjl_admin")

    # the member finds the activity from their home and signs up
    member.sign_in()
    line = member.inbox("service.activities_near")
    assert line.count() == 1
    member.click(line.locator("a.inbox-act"))
    member.click(member.page.locator("main a", has_text=TITLE).first)
    member.click(f"form[action='{reverse('service:activity_sign_up', args=[activity.pk])}'] button")
    row = Attendance.objects.get(activity=activity, member=me)
    assert row.status == "signed_up"
    member.bell()
    assert TITLE in member.text()  # the confirmation

    # 30 minutes before the start, the reminder job on a fixed clock: a text and the bell
    call_command("remind", at=(start - dt.timedelta(minutes=25)).isoformat(timespec="minutes"))
    texts = [r.getMessage() for r in caplog.records if r.name == "gongjian.core.sms"]
    assert any(TITLE in t and "137****4321" in t for t in texts), texts
    assert not any("13700004321" in t for t in texts)
    member.home()
    member.bell()
    assert member.page.locator("[data-notification]", has_text=TITLE).count() >= 2

    # at the activity: the organiser shows the code; the member's phone opens it and signs in
    admin.sign_in()
    admin.menu("/service/")
    admin.click(admin.page.locator("main a[href$='/service/activities/']").first)
    admin.click(admin.page.locator("main a", has_text=TITLE).first)
    admin.click(admin.page.locator("main a[href$='/code/']"))
    member.page.goto(_scan(activity.pk))
    member.check()
    assert "立即签到" in member.text()
    member.submit()
    row.refresh_from_db()
    assert row.signed_in_at is not None and row.sign_in_method == "qr"

    # two hours and forty minutes later (the server's clock moves), a fresh code signs out
    later = start + dt.timedelta(hours=2, minutes=40)
    monkeypatch.setattr(timezone, "now", lambda: later)
    member.page.goto(_scan(activity.pk))
    member.submit()
    row.refresh_from_db()
    assert row.signed_out_at is not None and row.computed_hours is not None
    hours = row.computed_hours  # from signing in (before the start) to signing out
    assert Decimal("2.5") <= hours <= Decimal("3")

    # the organiser verifies from the activity's page
    admin.click(admin.page.locator("main a", has_text="返回活动"))
    admin.click(admin.page.locator("main a[href$='/verify/']").first)
    admin.submit()
    row.refresh_from_db()
    assert row.hours_record is not None and row.hours_record.hours == hours

    # the member is told in the bell and by e-mail and sees the verified hours on their home
    assert any("member@example.org" in m.to for m in mail.outbox)
    member.home()
    assert member.unread() >= 1
    member.click(member.page.locator("main a[href$='/service/mine/']").first)
    assert Decimal(member.page.inner_text("[data-mine=hours]").strip()) == hours

    for person in (member, admin):
        person.assert_accessible()
