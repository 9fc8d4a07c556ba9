"""Recommendations on the demand and resource pages, their scope, and the one-click claim."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from gongjian.lists.models import Claim, ClaimStatus
from gongjian.matching import selectors, services
from gongjian.testing import World

from .product_fixtures import build_product

pytestmark = pytest.mark.django_db


def test_liaison_never_sees_recommendations_outside_reach(world: World) -> None:
    p = build_product(world)
    # on a demand of 王家垅: only the resources the liaison sees (their unit's own)
    found = selectors.demand_recommendations(actor=world.liaison, demand=p.haircut)
    assert found and all(s.resource.provider_unit_id == world.minzheng.pk for s in found)
    # and none of their unit's resources is about teeth: no good match yet, not a barber
    assert selectors.demand_recommendations(actor=world.liaison, demand=p.teeth) == []
    # on 民政厅's resource: only demands within the unit's reach (开福区 and its alliance's area)
    for resource in (p.barbers, p.counsel):
        shown = selectors.resource_recommendations(actor=world.liaison, resource=resource)
        assert p.jsh_teeth not in [s.demand for s in shown]
        assert all(s.demand.area.path.startswith(world.kaifu.path) for s in shown)
    # a demand outside the reach cannot even be asked about
    with pytest.raises(Exception) as err:
        selectors.demand_recommendations(actor=world.liaison, demand=p.jsh_teeth)
    assert type(err.value).__name__ == "Http404"
    # 尖山湖's administrator sees no 开福区 resource recommended for 尖山湖's demand
    jsh = selectors.demand_recommendations(actor=world.jsh_admin, demand=p.jsh_teeth)
    assert all(not s.resource.area.path.startswith(world.kaifu.path) for s in jsh)


def test_pages_show_only_relevant_pairs_with_the_concepts_they_share(world: World) -> None:
    p = build_product(world)
    teeth = selectors.demand_recommendations(actor=world.dongfeng_admin, demand=p.teeth)
    assert [s.resource for s in teeth] == [p.dentist]
    assert teeth[0].reasons[0].startswith("都涉及：口腔、儿童")
    # the barbers are offered to the haircut only, never to the toothache or the lawyer
    shown = selectors.resource_recommendations(actor=world.dongfeng_admin, resource=p.barbers)
    assert [s.demand for s in shown] == [p.haircut]
    assert shown[0].reasons[0].startswith("都涉及：理发")


def test_resource_page_lists_the_demands_it_could_meet(world: World) -> None:
    p = build_product(world)
    shown = selectors.resource_recommendations(actor=world.dongfeng_admin, resource=p.dentist)
    assert shown[0].demand == p.teeth
    assert shown[0].reasons


def test_one_click_offer_by_the_liaison(world: World) -> None:
    p = build_product(world)
    assert services.recommendation_claim_sides(actor=world.liaison, demand=p.haircut, resource=p.barbers) == [
        services.OFFER
    ]
    claim = services.recommendation_claim(
        actor=world.liaison, demand=p.haircut, resource=p.barbers, side="offer"
    )
    assert (claim.claimant_unit, claim.quantity, claim.status) == (world.minzheng, 5, ClaimStatus.PENDING)
    # the liaison may not claim the resource for a community
    with pytest.raises(PermissionDenied):
        services.recommendation_claim(
            actor=world.liaison, demand=p.haircut, resource=p.barbers, side="community"
        )


def test_one_click_claim_for_my_community(world: World) -> None:
    p = build_product(world)
    assert services.COMMUNITY in services.recommendation_claim_sides(
        actor=world.wjl_admin, demand=p.teeth, resource=p.dentist
    )
    claim = services.recommendation_claim(
        actor=world.wjl_admin, demand=p.teeth, resource=p.dentist, side="community"
    )
    assert (claim.resource, claim.claimant_org, claim.quantity) == (p.dentist, world.wjl_committee, 20)


def test_demand_page_shows_recommendations_and_the_button(world: World) -> None:
    p = build_product(world)
    client = Client()
    client.force_login(world.liaison)
    page = client.get(reverse("lists:demand_detail", args=[p.haircut.pk])).content.decode()
    assert "matching-recommendations" in page and "理发志愿服务队" in page
    assert 'data-matching-claim="offer"' in page
    response = client.post(
        reverse("matching:claim", args=[p.haircut.pk]),
        {"resource": p.barbers.pk, "side": "offer", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "lists:demand_detail", args=[p.haircut.pk]
    )
    assert Claim.objects.filter(demand=p.haircut, claimant_unit=world.minzheng).count() == 1
    # a second click is refused with a message, nothing more is written
    client.post(reverse("matching:claim", args=[p.haircut.pk]), {"resource": p.barbers.pk, "side": "offer"})
    assert Claim.objects.filter(demand=p.haircut, claimant_unit=world.minzheng).count() == 1
    # the resident has no claim button and sees no recommendation to act on
    client.force_login(world.resident)
    assert client.post(
        reverse("matching:claim", args=[p.haircut.pk]), {"resource": str(p.barbers.pk), "side": "offer"}
    ).status_code in (403, 404)


def test_demand_page_says_no_good_match_yet_instead_of_an_unrelated_resource(world: World) -> None:
    p = build_product(world)
    client = Client()
    client.force_login(world.liaison)  # 民政厅 offers barbers and a lawyer: nothing about teeth
    page = client.get(reverse("lists:demand_detail", args=[p.teeth.pk])).content.decode()
    assert "暂无合适的匹配" in page
    assert "理发志愿服务队" not in page and 'data-matching-claim="offer"' not in page


def test_resource_page_shows_recommendations(world: World) -> None:
    p = build_product(world)
    client = Client()
    client.force_login(world.wjl_admin)
    page = client.get(reverse("lists:resource_detail", args=[p.dentist.pk])).content.decode()
    assert "儿童口腔检查" in page and 'data-matching-claim="community"' in page


def test_api_recommendations_and_claim(world: World) -> None:
    p = build_product(world)
    client = Client()
    client.force_login(world.liaison)
    rows = client.get(f"/api/v1/matching/demands/{p.haircut.pk}/recommendations/").json()
    assert rows[0]["resource"] == p.barbers.pk and rows[0]["claim_sides"] == ["offer"] and rows[0]["reasons"]
    assert client.get(f"/api/v1/matching/demands/{p.jsh_teeth.pk}/recommendations/").status_code == 404
    rows = client.get(f"/api/v1/matching/resources/{p.barbers.pk}/recommendations/").json()
    assert p.jsh_teeth.pk not in [r["demand"] for r in rows]
    bad = client.post(
        f"/api/v1/matching/demands/{p.haircut.pk}/claim/", {"resource": p.barbers.pk, "side": "sideways"}
    )
    assert bad.status_code == 400 and not Claim.objects.filter(demand=p.haircut).exists()
    ok = client.post(
        f"/api/v1/matching/demands/{p.haircut.pk}/claim/", {"resource": p.barbers.pk, "side": "offer"}
    )
    assert ok.status_code == 201 and ok.json()["quantity"] == 5


def test_a_recommended_claim_asks_for_confirmation_with_the_quantity_then_the_button_goes(
    world: World,
) -> None:
    """Issue 16: the one-click claim first shows what it commits the unit to (quantity, demand,
    resource) with confirm and cancel; once claimed, the button is gone."""
    p = build_product(world)
    client = Client()
    client.force_login(world.liaison)
    page = client.get(reverse("lists:demand_detail", args=[p.haircut.pk])).content.decode()
    # the button opens the confirmation (a GET form), it does not post the claim
    claim_url = reverse("matching:claim", args=[p.haircut.pk])
    assert f'<form method="get" action="{claim_url}"' in page
    confirm = client.get(
        reverse("matching:claim", args=[p.haircut.pk]), {"resource": str(p.barbers.pk), "side": "offer"}
    )
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert p.haircut.name in body and p.barbers.name in body and world.minzheng.name in body
    assert 'data-claim-quantity="5"' in body
    assert 'name="side" value="offer"' in body and "data-claim-confirm" in body
    assert reverse("lists:demand_detail", args=[p.haircut.pk]) in body  # cancel goes back
    assert not Claim.objects.filter(demand=p.haircut).exists()  # nothing claimed yet
    client.post(reverse("matching:claim", args=[p.haircut.pk]), {"resource": p.barbers.pk, "side": "offer"})
    assert Claim.objects.filter(demand=p.haircut, claimant_unit=world.minzheng, quantity=5).count() == 1
    page = client.get(reverse("lists:demand_detail", args=[p.haircut.pk])).content.decode()
    assert 'data-matching-claim="offer"' not in page
    assert (
        services.recommendation_claim_sides(actor=world.liaison, demand=p.haircut, resource=p.barbers) == []
    )
    # the confirmation of a claim already made sends back with a word instead
    again = client.get(
        reverse("matching:claim", args=[p.haircut.pk]), {"resource": str(p.barbers.pk), "side": "offer"}
    )
    assert again.status_code == 302
    # a confirmation names a recommended pair: without one it goes back to the demand
    assert client.get(reverse("matching:claim", args=[p.haircut.pk])).status_code == 302
