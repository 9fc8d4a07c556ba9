"""Issue 23: a liaison's page of all their unit's recommendations (the home line opens it), the claim
through the confirmation told to the community, "not a match", and the feedback kept as labels the
evaluation can replay."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from gongjian.core.models import AuditEntry, Notification
from gongjian.lists.models import Claim
from gongjian.lists.services import claims as lists_services
from gongjian.matching import selectors, services
from gongjian.matching.evaluate import load
from gongjian.matching.models import FeedbackOutcome, RecommendationFeedback
from gongjian.testing import World
from gongjian.web.inbox import inbox_for

from .product_fixtures import build_product

pytestmark = pytest.mark.django_db


def test_home_line_opens_every_recommendation_of_the_unit(world: World) -> None:
    p = build_product(world)
    line = next(i for i in inbox_for(world.liaison) if i.kind == "matching.demands_matched")
    assert line.url == reverse("matching:recommendations")
    client = Client()
    client.force_login(world.liaison)
    page = client.get(line.url).content.decode()
    groups = selectors.unit_recommendations(actor=world.liaison)
    # each of 民政厅's resources with recommendations has its section, with the demands and reasons
    assert {g.resource for g in groups} >= {p.barbers}
    for group in groups:
        assert group.resource.name in page
        for s in group.suggestions:
            assert s.demand.name in page and s.reasons[0] in page
    assert f'action="{reverse("matching:claim", args=[p.haircut.pk])}"' in page
    assert p.jsh_teeth.name not in page  # outside the unit's reach


def test_the_page_says_no_good_match_when_there_is_none(world: World) -> None:
    client = Client()
    client.force_login(world.liaison)
    page = client.get(reverse("matching:recommendations")).content.decode()
    assert "data-no-match" in page


def test_claim_through_the_confirmation_is_recorded_told_and_kept_as_feedback(world: World) -> None:
    p = build_product(world)
    shown = next(
        s
        for s in selectors.resource_recommendations(actor=world.liaison, resource=p.barbers)
        if s.demand == p.haircut
    )
    client = Client()
    client.force_login(world.liaison)
    confirm = client.get(
        reverse("matching:claim", args=[p.haircut.pk]),
        {"resource": str(p.barbers.pk), "side": "offer", "next": reverse("matching:recommendations")},
    )
    assert 'data-claim-quantity="5"' in confirm.content.decode()
    assert not Claim.objects.filter(demand=p.haircut).exists()
    client.post(
        reverse("matching:claim", args=[p.haircut.pk]),
        {"resource": p.barbers.pk, "side": "offer", "next": reverse("matching:recommendations")},
    )
    claim = Claim.objects.get(demand=p.haircut, claimant_unit=world.minzheng)
    assert AuditEntry.objects.filter(action="claim.create", object_id=str(claim.pk)).exists()
    # the community keeping the demand's list is told (the bell)
    assert Notification.objects.filter(recipient=world.wjl_admin, kind="claim.create").exists()
    feedback = RecommendationFeedback.objects.get(demand=p.haircut, resource=p.barbers)
    assert feedback.outcome == FeedbackOutcome.CLAIMED and feedback.claim == claim
    assert feedback.score == pytest.approx(shown.score) and feedback.reasons == list(shown.reasons)
    assert feedback.by == world.liaison


def test_not_a_match_is_recorded_and_the_pair_is_not_recommended_again(world: World) -> None:
    p = build_product(world)
    assert p.haircut in [
        s.demand for s in selectors.resource_recommendations(actor=world.liaison, resource=p.barbers)
    ]
    client = Client()
    client.force_login(world.liaison)
    page = client.get(reverse("matching:recommendations")).content.decode()
    assert "data-matching-decline" in page
    client.post(
        reverse("matching:decline", args=[p.haircut.pk]),
        {"resource": p.barbers.pk, "side": "offer", "next": reverse("matching:recommendations")},
    )
    feedback = RecommendationFeedback.objects.get(demand=p.haircut, resource=p.barbers)
    assert feedback.outcome == FeedbackOutcome.DECLINED and feedback.claim is None
    assert AuditEntry.objects.filter(action="matching.recommendation_decline").count() == 1
    assert p.haircut not in [
        s.demand for s in selectors.resource_recommendations(actor=world.liaison, resource=p.barbers)
    ]
    assert p.barbers not in [
        s.resource for s in selectors.demand_recommendations(actor=world.liaison, demand=p.haircut)
    ]
    assert not Claim.objects.filter(demand=p.haircut).exists()
    # twice is refused with a word, nothing more written; a side the actor does not hold is refused
    response = client.post(
        reverse("matching:decline", args=[p.haircut.pk]),
        {"resource": p.barbers.pk, "side": "offer"},
        follow=True,
    )
    assert "declined already" in response.content.decode() or "已" in response.content.decode()
    assert RecommendationFeedback.objects.count() == 1


def test_feedback_exports_as_labels_the_evaluation_reads(world: World, tmp_path) -> None:
    p = build_product(world)
    services.recommendation_claim(actor=world.liaison, demand=p.haircut, resource=p.barbers, side="offer")
    claim = services.recommendation_claim(
        actor=world.liaison, demand=p.lawyer, resource=p.counsel, side="offer"
    )
    lists_services.claim_decline(actor=world.wjl_admin, claim=claim, reason="已有律师")
    services.recommendation_decline(actor=world.liaison, demand=p.teeth, resource=p.barbers, side="offer")
    call_command("match_feedback", out=str(tmp_path))
    labelled = load(tmp_path)
    ids = {d.id for d in labelled.demands}
    assert ids == {f"D{p.haircut.pk}", f"D{p.lawyer.pk}", f"D{p.teeth.pk}"}
    assert labelled.relevant[f"D{p.haircut.pk}"] == frozenset({f"R{p.barbers.pk}"})
    assert labelled.relevant[f"D{p.lawyer.pk}"] == frozenset()  # the owner declined the claim
    assert set(labelled.split.values()) == {"feedback"}
    with (tmp_path / "declined.csv").open(encoding="utf-8") as f:
        declined = {(r["demand"], r["resource"], r["outcome"]) for r in csv.DictReader(f)}
    assert declined == {
        (f"D{p.lawyer.pk}", f"R{p.counsel.pk}", "claim_declined"),
        (f"D{p.teeth.pk}", f"R{p.barbers.pk}", "not_a_match"),
    }


def test_api_not_a_match(world: World) -> None:
    p = build_product(world)
    client = Client()
    client.force_login(world.liaison)
    url = f"/api/v1/matching/demands/{p.haircut.pk}/decline/"
    bad = client.post(url, {"resource": p.barbers.pk, "side": "sideways"})
    assert bad.status_code == 400 and not RecommendationFeedback.objects.exists()
    ok = client.post(url, {"resource": p.barbers.pk, "side": "offer"})
    assert ok.status_code == 201 and ok.json()["outcome"] == "declined"
    rows = client.get(f"/api/v1/matching/resources/{p.barbers.pk}/recommendations/").json()
    assert p.haircut.pk not in [r["demand"] for r in rows]
