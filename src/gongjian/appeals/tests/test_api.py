"""The appeals API: scoped lists and objects, strict input, the steps, errors in zh-Hans."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gongjian.appeals.models import Appeal
from gongjian.appeals.tests.fixtures import build_appeals
from gongjian.core.models import AuditEntry
from gongjian.core.synthetic import fake_phone


@pytest.fixture
def appeals(world):
    return build_appeals(world)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_and_detail_are_scoped(world, appeals):
    client = _api(world.jsh_admin)
    data = client.get("/api/v1/appeals/").json()
    assert [r["number"] for r in data["results"]] == [appeals["jsh_closed"].number]
    assert client.get(f"/api/v1/appeals/{appeals['wjl_assigned'].pk}/").status_code == 404
    detail = client.get(f"/api/v1/appeals/{appeals['jsh_closed'].pk}/").json()
    assert detail["phone_masked"] == "138****0004" and "phone" not in detail
    assert detail["callback_result"] == "satisfied" and detail["actions"] == ["reveal"]
    events = client.get(f"/api/v1/appeals/{appeals['jsh_closed'].pk}/events/").json()
    assert [e["kind"] for e in events][-1] == "called_back"
    liaison = _api(world.liaison).get("/api/v1/appeals/").json()
    assert [r["number"] for r in liaison["results"]] == [appeals["wjl_assigned"].number]
    assert _api(world.member).get("/api/v1/appeals/").json()["count"] == 0
    city = _api(world.city_admin)
    assert city.get("/api/v1/appeals/", {"overdue": "1"}).json()["count"] == 1
    assert city.get("/api/v1/appeals/", {"within": world.jsh.pk}).json()["count"] == 1
    assert city.get("/api/v1/appeals/", {"status": "nonsense"}).status_code == 400
    assert city.get("/api/v1/appeals/", {"from": "2018-13-01"}).status_code == 400
    assert _api(world.jsh_admin).get("/api/v1/appeals/", {"within": world.wjl.pk}).status_code == 404


def test_register_and_steps(world):
    client = _api(world.wjl_admin)
    body = {
        "area": world.wjl_compound.pk,
        "channel": "hotline",
        "kind": "general",
        "title": "噪音扰民",
        "resident_name": "居民庚",
        "phone": fake_phone(5),
        "registered_at": "2018-09-28T10:00:00+08:00",
    }
    response = client.post("/api/v1/appeals/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["number"] == "SQ2018090001" and created["due_at"].startswith("2018-10-05T10:00")
    assert created["actions"] == ["assign", "reveal"]
    pk = created["id"]
    steps = [
        ("assign", {"org": world.wjl_branch.pk, "at": "2018-09-28T11:00:00+08:00"}),
        ("answer", {"answer": "已与对方沟通", "at": "2018-09-28T16:00:00+08:00"}),
        ("solve", {"solved": True, "at": "2018-09-29T09:00:00+08:00"}),
        ("close", {"at": "2018-09-29T10:00:00+08:00"}),
    ]
    for step, data in steps:
        response = client.post(f"/api/v1/appeals/{pk}/{step}/", data, format="json")
        assert response.status_code == 200, (step, response.json())
    # the call-back is independent of the handling: the street makes it
    data = {"result": "dissatisfied", "channel": "phone", "at": "2018-09-30T10:00:00+08:00"}
    response = _api(world.dongfeng_admin).post(f"/api/v1/appeals/{pk}/call-back/", data, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    phone = client.post(f"/api/v1/appeals/{pk}/reveal-phone/", {"reason": "回访"}, format="json").json()
    assert phone == {"phone": fake_phone(5)}


def test_strict_input_and_errors(world, appeals):
    client = _api(world.wjl_admin)
    before = (AuditEntry.objects.count(), Appeal.objects.count())
    response = client.post(
        "/api/v1/appeals/",
        {"area": world.wjl.pk, "kind": "general", "title": "x", "phone": fake_phone(6), "status": "closed"},
        format="json",
    )
    assert response.status_code == 400 and "status" in response.json()
    pk = appeals["wjl_overdue"].pk
    response = client.post(
        f"/api/v1/appeals/{pk}/answer/", {"answer": "好"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "只有已派单、尚未答复的诉求才能答复" in str(response.json())
    response = client.post(f"/api/v1/appeals/{pk}/assign/", {"org": world.jsh_branch.pk}, format="json")
    assert response.status_code == 400
    # outside the scope: 404 for every step
    other = _api(world.jsh_admin)
    assert (
        other.post(f"/api/v1/appeals/{pk}/assign/", {"org": world.jsh_branch.pk}, format="json").status_code
        == 404
    )
    # a liaison may not assign what they can see
    liaison = _api(world.liaison)
    mine = appeals["wjl_assigned"].pk
    assert liaison.post(f"/api/v1/appeals/{mine}/close/", {}, format="json").status_code == 403
    assert (AuditEntry.objects.count(), Appeal.objects.count()) == before


def test_a_resident_raises_online(world):
    client = _api(world.resident)
    response = client.post(
        "/api/v1/appeals/",
        {"area": world.wjl.pk, "kind": "utilities", "title": "停电", "phone": fake_phone(8)},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["channel"] == "online"
    assert client.get("/api/v1/appeals/", {"mine": "1"}).json()["count"] == 1
    refused = client.post(
        "/api/v1/appeals/",
        {"area": world.jsh.pk, "kind": "general", "title": "x", "phone": fake_phone(8)},
        format="json",
    )
    assert refused.status_code == 403


def test_the_schema_documents_the_appeals(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/appeals/", "/api/v1/appeals/{id}/call-back/", "/api/v1/appeals/{id}/reveal-phone/"):
        assert path in schema
