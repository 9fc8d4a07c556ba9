"""The service API: teams, volunteers (masked, audited reveal), activities with sign-up and the
QR scan, verification, hours, points, my-service; scoped, and bad input answered with 400."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gongjian.accounts.models import User
from gongjian.core.models import AuditEntry
from gongjian.service import qr
from gongjian.service.models import Activity, ServiceHours
from gongjian.testing import World, build_ledgers

from .fixtures import build_service


@pytest.fixture
def rows(world: World) -> dict[str, list[Any]]:
    build_ledgers(world)
    return build_service(world)


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_teams_and_volunteers(world: World, rows: dict[str, list[Any]]) -> None:
    api = _client(world.wjl_admin)
    listed = api.get(reverse("service-team-list")).json()["results"]
    assert {t["name"] for t in listed} == {"王家垅党员360服务队", "民政厅志愿服务队"}
    created = api.post(
        reverse("service-team-list"),
        {"name": "帮扶小队", "area": world.wjl.pk, "org": world.wjl_committee.pk},
    )
    assert created.status_code == 201, created.content
    team = created.json()["id"]
    members = api.post(reverse("service-team-members", args=[team]), {"volunteer": rows["volunteer"][0].pk})
    assert members.status_code == 201 and members.json()["phone_masked"] == "139****0000"
    duty = api.post(
        reverse("service-team-duties", args=[team]),
        {"kind": "patrol", "weekdays": "135", "starts": "19:00", "ends": "20:00", "route": "一环"},
    )
    assert duty.status_code == 201
    assert (
        api.post(reverse("service-team-set-status", args=[team]), {"active": False}).json()["active"] is False
    )
    # outside the scope: 404; an unknown field: 400 and nothing written
    assert api.get(reverse("service-team-detail", args=[rows["team"][1].pk])).status_code == 404
    before = AuditEntry.objects.count()
    bad = api.post(reverse("service-team-list"), {"name": "x", "area": world.wjl.pk, "colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.json()
    assert AuditEntry.objects.count() == before
    # volunteers are masked; the clear phone needs a reason and is audited
    volunteer = rows["volunteer"][0]
    data = api.get(reverse("volunteer-detail", args=[volunteer.pk])).json()
    assert data["phone_masked"] == "139****0000" and "phone" not in data
    assert api.post(reverse("volunteer-reveal", args=[volunteer.pk]), {}).status_code == 400
    revealed = api.post(reverse("volunteer-reveal", args=[volunteer.pk]), {"reason": "通知活动"})
    assert revealed.json() == {"phone": "13900000000"}
    assert AuditEntry.objects.filter(action="pii.reveal", object_type="service.volunteer").count() == 1
    assert (
        _client(world.jsh_admin)
        .post(reverse("volunteer-reveal", args=[volunteer.pk]), {"reason": "x"})
        .status_code
        == 404
    )


def test_activity_sign_up_scan_verify_and_my_service(world: World, rows: dict[str, list[Any]]) -> None:
    admin = _client(world.wjl_admin)
    start = timezone.now() + dt.timedelta(minutes=30)
    created = admin.post(
        reverse("service-activity-list"),
        {
            "title": "敬老院探访",
            "organiser_kind": "community",
            "org": world.wjl_committee.pk,
            "place": "敬老院",
            "starts_at": start.isoformat(),
            "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
            "signup_limit": 5,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    volunteer = _client(world.resident)  # the resident is 志愿者甲, no Party data
    assert volunteer.post(reverse("service-activity-sign-up", args=[pk])).status_code == 201
    assert volunteer.get(reverse("service-activity-code", args=[pk])).status_code == 403
    code = admin.get(reverse("service-activity-code", args=[pk])).json()
    assert code["step_seconds"] == qr.QR_STEP_SECONDS and code["token"] in code["url"]
    assert volunteer.post(reverse("service-activity-scan", args=[pk]), {"token": "nope"}).status_code == 400
    signed_in = volunteer.post(reverse("service-activity-scan", args=[pk]), {"token": code["token"]})
    assert signed_in.status_code == 200 and signed_in.json()["signed_in_at"]
    # the organiser records the sign-out by hand (the volunteer's phone ran out)
    activity = Activity.objects.get(pk=pk)
    recorded = admin.post(
        reverse("service-activity-attendance", args=[pk]),
        {
            "volunteer": rows["volunteer"][0].pk,
            "signed_in_at": activity.starts_at.isoformat(),
            "signed_out_at": (activity.starts_at + dt.timedelta(minutes=80)).isoformat(),
        },
        format="json",
    )
    assert recorded.status_code == 201 and recorded.json()["computed_hours"] == "1.25"
    attendance = recorded.json()["id"]
    assert volunteer.post(reverse("service-attendance-verify", args=[attendance]), {}).status_code == 403
    verified = admin.post(reverse("service-attendance-verify", args=[attendance]), {})
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    mine = volunteer.get(reverse("my-service")).json()
    assert mine["verified_hours"] == "1.25" and mine["points"] == "0.00"  # volunteers earn no Party points


def test_hours_and_points(world: World, rows: dict[str, list[Any]]) -> None:
    staff = _client(User.objects.get(username="staff0"))
    logged = staff.post(
        reverse("service-hours-list"),
        {"on": timezone.localdate().isoformat(), "hours": "2.5", "description": "走访"},
    )
    assert logged.status_code == 201 and logged.json()["status"] == "pending"
    record = logged.json()["id"]
    assert staff.post(reverse("service-hours-decide", args=[record]), {"approve": True}).status_code == 403
    admin = _client(world.wjl_admin)
    decided = admin.post(
        reverse("service-hours-decide", args=[record]), {"approve": True, "hours": "2", "reason": "核实"}
    )
    assert decided.json()["hours"] == "2.00" and decided.json()["status"] == "verified"
    corrected = admin.post(
        reverse("service-hours-correct", args=[record]), {"hours": "1.75", "reason": "核对"}
    )
    assert corrected.json()["hours"] == "1.75"
    assert ServiceHours.objects.get(pk=record).hours == 1.75
    # points: the rules that apply, a claim and its approval
    rules = staff.get(reverse("points-rule-list")).json()["results"]
    assert "王家垅社区先锋示范" in {r["name"] for r in rules} and "尖山湖社区先锋示范" not in {
        r["name"] for r in rules
    }
    claim_rule = rows["rule"][0]
    assert (
        staff.post(
            reverse("points-entry-list"), {"rule": claim_rule.pk, "on": timezone.localdate().isoformat()}
        ).status_code
        == 400
    )
    entry = rows["entry"][0]
    assert (
        _client(world.jsh_admin)
        .post(reverse("points-entry-decide", args=[entry.pk]), {"approve": True})
        .status_code
        == 404
    )
    approved = admin.post(reverse("points-entry-decide", args=[entry.pk]), {"approve": True})
    assert approved.json()["status"] == "approved" and approved.json()["points"] == "5.00"
    mine = staff.get(reverse("my-service")).json()
    # 5 claimed + 1.75 from the verified (corrected) hours under the hour rule
    assert mine["points"] == "6.75" and mine["verified_hours"] == "3.75"
    # a rule can be made by an administrator only, where they administer
    made = admin.post(
        reverse("points-rule-list"),
        {
            "name": "月度服务",
            "area": world.wjl.pk,
            "basis": "per_hour",
            "points": "1",
            "cap": "10",
            "cap_period": "month",
        },
    )
    assert made.status_code == 201
    assert (
        admin.post(
            reverse("points-rule-list"),
            {"name": "x", "area": world.jsh.pk, "basis": "per_hour", "points": "1"},
        ).status_code
        == 403
    )
