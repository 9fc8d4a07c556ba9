"""Issue 19, defect 1: a look-up by ID number is a reveal (audited, throttled, misses alerted), and no
birth year sits beside a masked number for a viewer who may not reveal it."""

# ruff: noqa: F811 - the ledgers' API fixtures are imported from test_api and taken as arguments

from __future__ import annotations

from typing import Any

from django.test import Client

from gongjian.core.models import AuditEntry, Notification
from gongjian.members.tests.test_api import Ledgers, api, ledgers, number  # noqa: F401
from gongjian.testing import World

URL = "/api/v1/members/lookup/"


def test_a_found_member_is_written_to_the_audit_log(world: World, api: Any, ledgers: Ledgers) -> None:
    before = AuditEntry.objects.filter(action="pii.lookup").count()
    found = api(world.wjl_admin).post(URL, {"id_number": number(1), "reason": "核对身份"}, format="json")
    assert found.status_code == 200 and found.json()["id"] == ledgers.wjl_m.pk
    entry = AuditEntry.objects.filter(action="pii.lookup").latest("seq")
    assert AuditEntry.objects.filter(action="pii.lookup").count() == before + 1
    assert entry.actor == world.wjl_admin and entry.object_id == str(ledgers.wjl_m.pk)
    assert entry.reason == "核对身份"
    assert number(1) not in str(entry.changes) + entry.object_label + entry.reason


def test_look_ups_are_throttled_per_person_with_a_json_429(
    world: World, api: Any, ledgers: Ledgers, settings: Any
) -> None:
    settings.GONGJIAN_LOOKUP_RATE = "3/hour"
    client = api(world.wjl_admin)
    for _ in range(3):
        assert client.post(URL, {"id_number": number(1)}, format="json").status_code == 200
    refused = client.post(URL, {"id_number": number(1)}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 429 and refused["Content-Type"].startswith("application/json")
    assert "查询" in refused.json()["detail"] and int(refused["Retry-After"]) > 0
    assert AuditEntry.objects.filter(action="pii.lookup").count() == 3
    # another person has their own allowance
    assert api(world.city_admin).post(URL, {"id_number": number(1)}, format="json").status_code == 200


def test_a_burst_of_misses_is_audited_and_told_to_the_level_above(
    world: World, api: Any, ledgers: Ledgers, settings: Any
) -> None:
    settings.GONGJIAN_LOOKUP_MISS_ALERT = "4/hour"
    client = api(world.wjl_admin)
    for n in range(3):
        assert client.post(URL, {"id_number": number(60 + n)}, format="json").status_code == 404
    assert not AuditEntry.objects.filter(action="pii.lookup_misses").exists()
    assert client.post(URL, {"id_number": number(70)}, format="json").status_code == 404
    entry = AuditEntry.objects.get(action="pii.lookup_misses")
    assert entry.actor == world.wjl_admin and entry.changes["misses"] == 4
    told = Notification.objects.filter(kind="pii.lookup_misses")
    assert set(told.values_list("recipient__username", flat=True)) == {world.dongfeng_admin.username}
    # one alert per window, not one per further miss
    assert client.post(URL, {"id_number": number(71)}, format="json").status_code == 404
    assert AuditEntry.objects.filter(action="pii.lookup_misses").count() == 1


def test_no_birth_year_beside_a_masked_number_without_the_right_to_reveal(
    world: World, api: Any, ledgers: Ledgers
) -> None:
    # jsh_admin sees the 民政厅 member (who lives in 尖山湖) but may not change or reveal them.
    seen = api(world.jsh_admin).get(f"/api/v1/members/{ledgers.mz_m.pk}/").json()
    assert seen["id_number_masked"] and seen["birth_year"] is None
    listed = {r["id"]: r for r in api(world.jsh_admin).get("/api/v1/members/").json()["results"]}
    assert listed[ledgers.mz_m.pk]["birth_year"] is None
    assert listed[ledgers.jsh_m.pk]["birth_year"] == 1975
    own = api(world.liaison).get(f"/api/v1/members/{ledgers.mz_m.pk}/").json()
    assert own["birth_year"] == 1975
    page = Client()
    page.force_login(world.jsh_admin)
    html = page.get(f"/ledgers/members/{ledgers.mz_m.pk}/").content.decode()
    assert "1975" not in html
    html = page.get(f"/ledgers/members/{ledgers.jsh_m.pk}/").content.decode()
    assert "1975" in html
