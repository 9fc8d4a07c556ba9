"""Pages of service: every page opens for its roles, forms write through the services, bad input
is shown on the form and changes nothing, the organiser's code screen uses a static script only."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongjian.core.models import AuditEntry
from gongjian.service.models import HoursStatus, ServiceTeam, Volunteer
from gongjian.testing import World, build_ledgers

from .fixtures import build_service


@pytest.fixture
def rows(world: World) -> dict[str, list[Any]]:
    build_ledgers(world)
    return build_service(world)


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return unescape(response.content.decode())


def test_pages_open_for_an_administrator(world: World, rows: dict[str, list[Any]]) -> None:
    client = Client()
    client.force_login(world.wjl_admin)
    team, activity, volunteer = rows["team"][0], rows["activity"][0], rows["volunteer"][0]
    for name in ["home", "team_list", "team_create", "volunteer_list", "volunteer_create", "activity_list"]:
        _get(client, reverse(f"service:{name}"))
    for name in ["hours_list", "points", "rule_create", "activity_create", "mine"]:
        _get(client, reverse(f"service:{name}"))
    page = _get(client, reverse("service:team_detail", args=[team.pk]))
    assert "王家垅社区主干道" in page and "志愿者甲" in page and "139****0000" in page
    assert "13900000000" not in page
    page = _get(client, reverse("service:activity_detail", args=[activity.pk]))
    assert "在职0" in page and reverse("service:activity_qr", args=[activity.pk]) in page
    qr = _get(client, reverse("service:activity_qr", args=[activity.pk]))
    assert "gongjian/service.js" in qr and "<script>" not in qr.replace('<script src="', "")
    _get(client, reverse("service:volunteer_detail", args=[volunteer.pk]))
    _get(client, reverse("service:hours_decide", args=[rows["logged"][0].pk]))
    _get(client, reverse("service:feedback", args=[world.minzheng.pk]))
    # outside the subtree: 404
    assert client.get(reverse("service:team_detail", args=[rows["team"][1].pk])).status_code == 404


def test_forms_write_through_services_and_bad_input_changes_nothing(
    world: World, rows: dict[str, list[Any]]
) -> None:
    client = Client()
    client.force_login(world.wjl_admin)
    before = AuditEntry.objects.count()
    response = client.post(reverse("service:volunteer_create"), {"name": "新志愿者", "area": world.jsh.pk})
    assert response.status_code == 200 and not Volunteer.objects.filter(name="新志愿者").exists()
    response = client.post(
        reverse("service:team_duty_add", args=[rows["team"][0].pk]), {"kind": "patrol", "weekdays": "9"}
    )
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content or b"alert-danger" in response.content
    assert AuditEntry.objects.count() == before
    response = client.post(
        reverse("service:team_create"),
        {"name": "楼栋帮扶小队", "area": world.wjl_compound.pk, "org": world.wjl_branch.pk},
    )
    assert response.status_code == 302
    team = ServiceTeam.objects.get(name="楼栋帮扶小队")
    client.post(reverse("service:team_status", args=[team.pk]), {"active": "0", "note": "合并"})
    team.refresh_from_db()
    assert not team.active
    # the clear phone: a reason, and the read is audited
    volunteer = rows["volunteer"][0]
    page = client.post(reverse("service:volunteer_reveal", args=[volunteer.pk]), {"reason": "联系"})
    assert "13900000000" in page.content.decode()
    assert AuditEntry.objects.filter(action="pii.reveal").count() == 1
    # logged hours verified on the page
    logged = rows["logged"][0]
    client.post(reverse("service:hours_decide", args=[logged.pk]), {"decision": "approve", "hours": "1.5"})
    logged.refresh_from_db()
    assert logged.status == HoursStatus.VERIFIED
    # a claim approved with the button
    entry = rows["entry"][0]
    client.post(reverse("service:entry_decide", args=[entry.pk]), {"decision": "approve"})
    entry.refresh_from_db()
    assert entry.status == "approved"


def test_a_member_and_a_volunteer_on_their_phones(world: World, rows: dict[str, list[Any]]) -> None:
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (iPhone)")
    phone.force_login(world.resident)  # 志愿者甲
    page = _get(phone, reverse("service:mine"))
    assert "志愿者甲" in page
    page = _get(phone, reverse("service:activity_list"))
    assert "民政政策进社区" in page and "尖山湖" not in page
    unit_activity = rows["activity"][2]
    page = _get(phone, reverse("service:activity_detail", args=[unit_activity.pk]))
    assert reverse("service:activity_sign_up", args=[unit_activity.pk]) in page
    phone.post(reverse("service:activity_sign_up", args=[unit_activity.pk]))
    page = _get(phone, reverse("service:mine"))
    assert "民政政策进社区" in page
    # the organiser's pages are refused; another community's activity is not found
    assert phone.get(reverse("service:activity_qr", args=[unit_activity.pk])).status_code == 403
    assert phone.get(reverse("service:activity_detail", args=[rows["activity"][1].pk])).status_code == 404
    # a scan page without a valid code shows that it expired, and signs nothing
    page = _get(phone, reverse("service:activity_scan", args=[unit_activity.pk]) + "?t=old")
    assert "expired" in page or "过期" in page
    staff = Client()
    staff.force_login(rows["logged"][0].logged_by)
    page = _get(staff, reverse("service:hours_log"))
    response = staff.post(
        reverse("service:hours_log"), {"on": "2026-01-01", "hours": "0.3", "description": "x"}
    )
    assert response.status_code == 200  # not a quarter of an hour: shown on the form
