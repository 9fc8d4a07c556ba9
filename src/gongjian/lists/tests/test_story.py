"""Issue 5's "done when", as users do it: a community publishes a demand, two units claim it from
their own accounts, the community accepts one, a project appears with a milestone, reaches 100%,
and a resident rates it on the public board."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from gongjian.accounts.services import role_grant, user_create
from gongjian.lists.models import Claim, ClaimStatus, DemandStatus, Project, Satisfaction
from gongjian.lists.services import claims as claim_services
from gongjian.lists.services import projects as project_services
from gongjian.lists.tests.fixtures_projects import png_bytes
from gongjian.orgs import services as org_services
from gongjian.testing import PASSWORD, World, credit_code


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def _second_unit_liaison(world: World) -> Any:
    """东风路派出所 in 东风路街道 (开福区), with its Party branch and a liaison account."""
    police = org_services.unit_create(
        actor=world.superuser,
        name="东风路派出所",
        credit_code=credit_code(3003, "430105"),
        kind="organ",
        rank="district",
        area=world.dongfeng,
    )
    org_services.party_org_create(
        actor=world.superuser, name="东风路派出所党支部", kind="branch", code="PU-POLICE", unit=police
    )
    liaison = user_create(actor=None, username="police", password=PASSWORD, display_name="police")
    role_grant(actor=None, user=liaison, kind="unit_liaison", unit=police)
    return liaison


def test_publish_two_claims_accept_one_project_to_100_and_a_residents_rating(world: World) -> None:
    police_liaison = _second_unit_liaison(world)
    staff = Client()
    staff.force_login(world.wjl_admin)
    # the community raises and publishes a demand on its list
    demand = claim_services.demand_raise(
        actor=world.wjl_admin,
        name="社区老年食堂助餐志愿者",
        category="volunteers",
        owner_org=world.wjl_committee,
        quantity=1,
        measure="支队伍",
    )
    claim_services.demand_publish(actor=world.wjl_admin, demand=demand)
    # two units claim it, each from its own account, through the demand's page
    claim_url = reverse("lists:demand_claim", args=[demand.pk])
    for user in (world.liaison, police_liaison):
        liaison = Client()
        liaison.force_login(user)
        assert liaison.get(reverse("lists:demand_detail", args=[demand.pk])).status_code == 200
        assert liaison.post(claim_url, {"quantity": 1, "note": "可以承担"}).status_code == 302
    claims = list(Claim.objects.filter(demand=demand).order_by("pk"))
    assert [c.claimant_unit.name for c in claims if c.claimant_unit] == ["湖南省民政厅", "东风路派出所"]
    assert all(c.status == ClaimStatus.PENDING for c in claims)
    # the community accepts one; the other can no longer fit
    assert staff.post(reverse("lists:claim_accept", args=[claims[0].pk])).status_code == 302
    with pytest.raises(ValidationError) as refused:
        claim_services.claim_accept(actor=world.wjl_admin, claim=claims[1])
    assert "quantity" in refused.value.message_dict
    demand.refresh_from_db()
    assert demand.claimed == 1 and demand.first_claimed_at is not None
    project = Project.objects.get(claim=claims[0])
    assert project.demand == demand and project.lead_unit == world.minzheng
    assert demand.status == DemandStatus.IN_PROGRESS
    # a milestone, reaching 100%, with a photo as evidence; then done
    milestone = project_services.milestone_add(actor=world.liaison, project=project, title="排班上岗")
    project_services.milestone_update(actor=world.liaison, milestone=milestone, percent=100)
    project.refresh_from_db()
    assert project.percent == 100
    photo = SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")
    project_services.evidence_add(actor=world.liaison, project=project, upload=photo, public=True)
    project_services.project_complete(actor=world.liaison, project=project)
    project.refresh_from_db()
    assert project.completed_at is not None
    # a resident of the community rates it on the public board
    resident = Client()
    resident.force_login(world.resident)
    board = resident.get(reverse("lists:board", args=[world.wjl.pk])).content.decode()
    assert "社区老年食堂助餐志愿者" in board and "100%" in board
    rate = reverse("lists:board_rate", args=[project.pk])
    assert resident.post(rate, {"score": 5, "comment": "很方便"}).status_code == 302
    assert Satisfaction.objects.get(project=project, user=world.resident).score == 5
