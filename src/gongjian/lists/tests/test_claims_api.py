"""API of demands, resources and claims: flows from both sides, filters, scope and errors."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from gongjian.accounts.models import User
from gongjian.core.models import AuditEntry
from gongjian.lists.models import Claim, Demand, Project
from gongjian.lists.tests.fixtures_claims import (
    REQUESTER_CONTACT,
    REQUESTER_NAME,
    ListsClaims,
    build_lists_claims,
)
from gongjian.testing import World


@pytest.fixture
def lc(world: World) -> ListsClaims:
    return build_lists_claims(world)


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_community_publishes_two_units_claim_and_it_accepts_one(world: World) -> None:
    admin = _client(world.wjl_admin)
    resp = admin.post(
        "/api/v1/demands/",
        {"owner_org": world.wjl_committee.pk, "name": "社区义诊医生", "category": "health", "quantity": 2},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["status"] == "raised"
    assert admin.post(f"/api/v1/demands/{pk}/publish/").json()["status"] == "published"
    liaison = _client(world.liaison)
    assert pk in [d["id"] for d in liaison.get("/api/v1/demands/").json()["results"]]
    claim = liaison.post(f"/api/v1/demands/{pk}/claim/", {"quantity": 2, "note": "派两名医生"}, format="json")
    assert claim.status_code == 201, claim.content
    claim_id = claim.json()["id"]
    # the claimant cannot accept its own claim; the owner can
    assert liaison.post(f"/api/v1/claims/{claim_id}/accept/").status_code == 403
    accepted = admin.post(f"/api/v1/claims/{claim_id}/accept/")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted.json()["project"]
    assert Project.objects.filter(claim_id=claim_id).exists()
    assert admin.get(f"/api/v1/demands/{pk}/").json()["claimed"] == 2


def test_errors_are_clear_and_change_nothing(world: World, lc: ListsClaims) -> None:
    liaison = _client(world.liaison)
    before = (AuditEntry.objects.count(), Claim.objects.count())
    resp = liaison.post(f"/api/v1/demands/{lc.demand.pk}/claim/", {"quantity": 99}, format="json")
    assert resp.status_code == 400 and "quantity" in resp.json()
    resp = liaison.post(
        f"/api/v1/demands/{lc.demand.pk}/claim/", {"quantity": 1, "claimed": 5}, format="json"
    )
    assert resp.status_code == 400 and "claimed" in resp.json()
    zh = liaison.post(
        f"/api/v1/demands/{lc.demand.pk}/claim/",
        {"quantity": 99},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert zh.status_code == 400
    assert (AuditEntry.objects.count(), Claim.objects.count()) == before
    # outside the scope: 404, not 403
    assert _client(world.jsh_admin).post(f"/api/v1/claims/{lc.waiting.pk}/accept/").status_code == 404
    assert _client(world.resident).get(f"/api/v1/demands/{lc.demand.pk}/").status_code == 404


def test_review_reject_withdraw_and_update(world: World, lc: ListsClaims) -> None:
    admin = _client(world.wjl_admin)
    resident = _client(world.resident)
    pk = lc.resident_demand.pk
    assert resident.patch(f"/api/v1/demands/{pk}/", {"quantity": 3}, format="json").json()["quantity"] == 3
    assert admin.post(f"/api/v1/demands/{pk}/review/").status_code == 200
    assert admin.post(f"/api/v1/demands/{pk}/reject/", {}, format="json").status_code == 400
    rejected = admin.post(f"/api/v1/demands/{pk}/reject/", {"reason": "物业负责"}, format="json")
    assert rejected.json()["status"] == "rejected" and rejected.json()["reject_reason"] == "物业负责"
    assert resident.patch(f"/api/v1/demands/{pk}/", {"quantity": 4}, format="json").status_code == 400
    unit = _client(world.liaison)
    resp = unit.post(f"/api/v1/demands/{lc.unit_demand.pk}/withdraw/", {"reason": "不再需要"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"


def test_a_resident_raises_for_their_community(world: World) -> None:
    resp = _client(world.resident).post(
        "/api/v1/demands/", {"name": "儿童游乐设施", "category": "goods"}, format="json"
    )
    assert resp.status_code == 201
    assert resp.json()["area"] == world.wjl.pk and resp.json()["source"] == "resident"


def test_micro_wish_requester_never_in_the_api(world: World, lc: ListsClaims) -> None:
    admin = _client(world.wjl_admin)
    resp = admin.post(
        "/api/v1/demands/",
        {
            "owner_org": world.wjl_committee.pk,
            "kind": "micro_wish",
            "name": "一台电风扇",
            "category": "goods",
            "requester_first_name": "张爷爷",
            "requester_name": "张建国",
            "requester_contact": "13700001111",
        },
        format="json",
    )
    assert resp.status_code == 201
    bodies = [resp.content.decode()]
    for user in (world.wjl_admin, world.city_admin, world.member, world.liaison):
        client = _client(user)
        bodies.append(client.get("/api/v1/demands/").content.decode())
        bodies.append(client.get(f"/api/v1/demands/{lc.wish.pk}/").content.decode())
        bodies.append(client.get("/api/v1/claims/").content.decode())
    text = "\n".join(bodies)
    assert "王奶奶" in text and "张爷爷" in text
    for secret in (REQUESTER_NAME, REQUESTER_CONTACT, "张建国", "13700001111"):
        assert secret not in text
    audit = json.dumps(list(AuditEntry.objects.values()), ensure_ascii=False, default=str)
    assert "张建国" not in audit and "13700001111" not in audit
    assert "requester_sealed" not in text


def test_a_member_claims_a_micro_wish(world: World, lc: ListsClaims) -> None:
    wish = Demand.objects.get(pk=lc.wish.pk)
    member = _client(world.member)
    resp = member.post(f"/api/v1/claims/{lc.wish_claim.pk}/withdraw/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "withdrawn"
    resp = member.post(f"/api/v1/demands/{wish.pk}/claim/", {"as_member": True}, format="json")
    assert resp.status_code == 201 and resp.json()["claimant"] == lc.member.name


def test_resources_and_their_claims(world: World, lc: ListsClaims) -> None:
    liaison = _client(world.liaison)
    resp = liaison.post(
        "/api/v1/resources/",
        {
            "provider_unit": world.minzheng.pk,
            "name": "志愿讲师团",
            "kind": "people",
            "category": "expertise",
            "capacity": 5,
            "service_areas": [world.wjl.pk],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    assert resp.json()["service_areas"] == [world.wjl.pk] and resp.json()["status"] == "draft"
    assert liaison.post(f"/api/v1/resources/{pk}/publish/").json()["status"] == "published"
    admin = _client(world.wjl_admin)
    assert pk in [r["id"] for r in admin.get("/api/v1/resources/?status=published").json()["results"]]
    claim = admin.post(
        f"/api/v1/resources/{pk}/claim/", {"org": world.wjl_committee.pk, "quantity": 5}, format="json"
    )
    assert claim.status_code == 201, claim.content
    assert claim.json()["claimant"] == world.wjl.name
    assert admin.post(f"/api/v1/claims/{claim.json()['id']}/accept/").status_code == 403
    done = liaison.post(f"/api/v1/claims/{claim.json()['id']}/accept/")
    assert done.status_code == 200
    assert liaison.get(f"/api/v1/resources/{pk}/").json()["status"] == "used_up"
    assert _client(world.jsh_admin).get(f"/api/v1/resources/{pk}/").status_code == 404


def test_filters_and_claim_sides(world: World, lc: ListsClaims) -> None:
    admin = _client(world.city_admin)
    ids = {d["id"] for d in admin.get(f"/api/v1/demands/?within={world.gaoxin.pk}").json()["results"]}
    assert ids == {lc.jsh_demand.pk}
    ids = {d["id"] for d in admin.get("/api/v1/demands/?kind=micro_wish").json()["results"]}
    assert ids == {lc.wish.pk}
    ids = {d["id"] for d in admin.get("/api/v1/demands/?status=raised&category=venue").json()["results"]}
    assert ids == {lc.unit_demand.pk}
    ids = {d["id"] for d in admin.get("/api/v1/demands/?q=ygg").json()["results"]}  # 员工公寓
    assert ids == {lc.jsh_demand.pk}
    assert _client(world.wjl_admin).get(f"/api/v1/demands/?within={world.jsh.pk}").status_code == 404
    assert admin.get("/api/v1/demands/?status=nonsense").status_code == 400
    liaison = _client(world.liaison)
    made = {c["id"] for c in liaison.get("/api/v1/claims/?side=made").json()["results"]}
    assert made == {lc.accepted.pk, lc.waiting.pk}
    pending = {c["id"] for c in liaison.get("/api/v1/claims/?status=pending").json()["results"]}
    assert pending == {lc.waiting.pk, lc.resource_claim.pk}


def test_openapi_schema_lists_the_endpoints(client: object) -> None:
    from django.test import Client

    resp = Client().get("/api/schema/")
    assert resp.status_code == 200
    body = resp.content.decode()
    for route in (
        "/api/v1/demands/{id}/claim/",
        "/api/v1/resources/{id}/claim/",
        "/api/v1/claims/{id}/accept/",
    ):
        assert route in body
