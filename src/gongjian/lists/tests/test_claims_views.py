"""Pages of demands, resources and claims: lists with filters, buttons only when allowed, the
review and claim flows, exports, the resident's page, and micro-wish confidentiality."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongjian.accounts.models import User
from gongjian.core.models import AuditEntry
from gongjian.lists.models import Claim, ClaimStatus, Demand, DemandStatus, Project, Resource
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


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_home_for_each_role(world: World, lc: ListsClaims) -> None:
    for role in ("city_admin", "wjl_admin", "liaison", "member", "resident"):
        resp = _client(getattr(world, role)).get(reverse("lists:home"))
        assert resp.status_code == 200, role
    body = _client(world.wjl_admin).get(reverse("lists:home")).content.decode()
    assert lc.resident_demand.name in body  # to review
    assert (
        reverse("lists:resident_raise") in _client(world.resident).get(reverse("lists:home")).content.decode()
    )


def test_demand_list_filters_and_search(world: World, lc: ListsClaims) -> None:
    client = _client(world.city_admin)
    body = client.get(reverse("lists:demand_list")).content.decode()
    assert lc.demand.name in body and lc.jsh_demand.name in body
    body = client.get(reverse("lists:demand_list"), {"q": "ygg"}).content.decode()
    assert lc.jsh_demand.name in body and lc.demand.name not in body
    body = client.get(reverse("lists:demand_list"), {"within": world.gaoxin.pk}).content.decode()
    assert lc.jsh_demand.name in body and lc.demand.name not in body
    body = client.get(
        reverse("lists:demand_list"), {"kind": "micro_wish", "status": "published"}
    ).content.decode()
    assert lc.wish.name in body and lc.demand.name not in body
    assert (
        _client(world.wjl_admin).get(reverse("lists:demand_list"), {"within": world.jsh.pk}).status_code
        == 404
    )


def test_claim_buttons_only_when_allowed(world: World, lc: ListsClaims) -> None:
    url = reverse("lists:demand_detail", args=[lc.demand.pk])
    assert 'id="demand-claim"' in _client(world.liaison).get(url).content.decode()
    admin = _client(world.wjl_admin).get(url).content.decode()
    assert 'id="demand-claim"' not in admin
    assert reverse("lists:claim_accept", args=[lc.waiting.pk]) in admin
    assert (
        reverse("lists:claim_accept", args=[lc.waiting.pk])
        not in _client(world.liaison).get(url).content.decode()
    )
    assert _client(world.jsh_admin).get(url).status_code == 404


def test_review_publishes_or_rejects(world: World, lc: ListsClaims) -> None:
    url = reverse("lists:demand_review", args=[lc.resident_demand.pk])
    assert _client(world.resident).get(url).status_code == 403
    admin = _client(world.wjl_admin)
    resp = admin.post(url, {"decision": "reject", "reason": ""})
    assert resp.status_code == 200  # the form again, with the message
    assert Demand.objects.get(pk=lc.resident_demand.pk).status == DemandStatus.RAISED
    resp = admin.post(url, {"decision": "publish"})
    assert resp.status_code == 302
    assert Demand.objects.get(pk=lc.resident_demand.pk).status == DemandStatus.PUBLISHED


def test_a_unit_claims_and_the_owner_accepts_on_the_pages(world: World, lc: ListsClaims) -> None:
    liaison = _client(world.liaison)
    url = reverse("lists:demand_claim", args=[lc.street_demand.pk])
    assert liaison.get(url).status_code == 200
    resp = liaison.post(url, {"unit": world.minzheng.pk, "quantity": 20})
    assert resp.status_code == 200 and "quantity" in resp.context["form"].errors  # only 10 asked
    resp = liaison.post(url, {"unit": world.minzheng.pk, "quantity": 4, "note": "四名民警"})
    assert resp.status_code == 302
    claim = Claim.objects.get(demand=lc.street_demand)
    assert _client(world.wjl_admin).post(reverse("lists:claim_accept", args=[claim.pk])).status_code == 404
    resp = _client(world.dongfeng_admin).post(reverse("lists:claim_accept", args=[claim.pk]))
    assert resp.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED and Project.objects.filter(claim=claim).exists()
    mine = liaison.get(reverse("lists:my_claims")).content.decode()
    assert lc.street_demand.name in mine


def test_decline_and_withdraw_pages(world: World, lc: ListsClaims) -> None:
    admin = _client(world.wjl_admin)
    url = reverse("lists:claim_decline", args=[lc.waiting.pk])
    assert admin.post(url, {"reason": ""}).status_code == 200
    assert admin.post(url, {"reason": "已满"}).status_code == 302
    assert Claim.objects.get(pk=lc.waiting.pk).status == ClaimStatus.DECLINED
    resp = admin.post(reverse("lists:claim_withdraw", args=[lc.resource_claim.pk]))
    assert resp.status_code == 302
    assert Claim.objects.get(pk=lc.resource_claim.pk).status == ClaimStatus.WITHDRAWN


def test_resources_on_the_pages(world: World, lc: ListsClaims) -> None:
    liaison = _client(world.liaison)
    resp = liaison.post(
        reverse("lists:resource_create"),
        {
            "provider": f"unit:{world.minzheng.pk}",
            "name": "民政法律讲座",
            "kind": "people",
            "category": "expertise",
            "capacity": 3,
            "service_areas": [world.wjl.pk],
        },
    )
    assert resp.status_code == 302, resp.context["form"].errors if resp.context else resp
    resource = Resource.objects.get(name="民政法律讲座")
    assert list(resource.service_areas.all()) == [world.wjl]
    assert liaison.post(reverse("lists:resource_publish", args=[resource.pk])).status_code == 302
    admin = _client(world.wjl_admin)
    detail = admin.get(reverse("lists:resource_detail", args=[resource.pk])).content.decode()
    assert 'id="resource-claim"' in detail
    resp = admin.post(
        reverse("lists:resource_claim", args=[resource.pk]), {"org": world.wjl_committee.pk, "quantity": 1}
    )
    assert resp.status_code == 302
    body = admin.get(reverse("lists:resource_list"), {"q": "mzfl"}).content.decode()
    assert "民政法律讲座" in body and lc.resource.name not in body


def test_exports(world: World, lc: ListsClaims) -> None:
    client = _client(world.wjl_admin)
    resp = client.get(reverse("lists:demand_export"), {"kind": "micro_wish"})
    assert resp.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 2 and rows[1][1] == "一副老花镜"
    assert REQUESTER_NAME not in repr(rows) and REQUESTER_CONTACT not in repr(rows)
    resp = client.get(reverse("lists:resource_export"))
    assert resp.status_code == 200


def test_formula_text_is_neutralised_in_exports(world: World) -> None:
    from gongjian.lists.services import claims as s

    s.demand_raise(
        actor=world.wjl_admin, owner_org=world.wjl_committee, name="=HYPERLINK(1)", category="other"
    )
    resp = _client(world.wjl_admin).get(reverse("lists:demand_export"))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(resp.content)).get_sheet_by_index(0).to_python()
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_the_residents_page(world: World) -> None:
    client = _client(world.resident)
    assert client.get(reverse("lists:demand_create")).status_code == 302
    page = client.get(reverse("lists:resident_raise"))
    assert page.status_code == 200 and "王家垅社区" in page.content.decode()
    resp = client.post(reverse("lists:resident_raise"), {"name": "增设快递柜", "category": "goods"})
    assert resp.status_code == 302
    demand = Demand.objects.get(name="增设快递柜")
    assert demand.area == world.wjl and demand.raised_by == world.resident
    assert _client(world.member).get(reverse("lists:resident_raise")).status_code == 403


def test_micro_wish_requester_on_no_page(world: World, lc: ListsClaims) -> None:
    bodies = []
    for user in (world.city_admin, world.wjl_admin, world.member, world.liaison):
        client = _client(user)
        for url in (
            reverse("lists:home"),
            reverse("lists:demand_list"),
            reverse("lists:demand_detail", args=[lc.wish.pk]),
            reverse("lists:claim_list"),
            reverse("lists:claim_detail", args=[lc.wish_claim.pk])
            if user != world.liaison
            else reverse("lists:home"),
        ):
            resp = client.get(url)
            assert resp.status_code == 200, (user, url)
            bodies.append(resp.content.decode())
    text = "\n".join(bodies)
    assert "王奶奶" in text
    assert REQUESTER_NAME not in text and REQUESTER_CONTACT not in text


def test_a_raise_form_for_administrators(world: World) -> None:
    client = _client(world.wjl_admin)
    assert client.get(reverse("lists:demand_create")).status_code == 200
    before = AuditEntry.objects.count()
    resp = client.post(
        reverse("lists:demand_create"),
        {
            "owner_org": world.wjl_committee.pk,
            "kind": "micro_wish",
            "name": "轮椅一台",
            "category": "goods",
            "quantity": 1,
            "urgency": "normal",
            "requester_first_name": "刘爷爷",
        },
    )
    assert resp.status_code == 200  # the full name is missing
    assert AuditEntry.objects.count() == before
    resp = client.post(
        reverse("lists:demand_create"),
        {
            "owner_org": world.wjl_committee.pk,
            "kind": "micro_wish",
            "name": "轮椅一台",
            "category": "goods",
            "quantity": 1,
            "urgency": "normal",
            "requester_first_name": "刘爷爷",
            "requester_name": "刘德明",
            "requester_contact": "13600002222",
        },
    )
    assert resp.status_code == 302
    detail = client.get(resp["Location"]).content.decode()
    assert "刘爷爷" in detail and "刘德明" not in detail and "13600002222" not in detail
