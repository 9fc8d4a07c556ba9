"""Services of claims from both sides: accepted, declined, withdrawn, never over-claimed, 交办.
Demands and resources: ``test_demands_services.py``, ``test_resources_services.py``."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.cobuild.models import JointMeeting
from gongjian.core.models import AuditEntry
from gongjian.lists.models import Claim, ClaimStatus, Demand, DemandStatus, Project, Resource, ResourceStatus
from gongjian.lists.services import claims as s
from gongjian.lists.tests.fixtures_claims import ListsClaims, build_lists_claims
from gongjian.orgs import services as org_services
from gongjian.testing import World


@pytest.fixture
def lc(world: World) -> ListsClaims:
    return build_lists_claims(world)


def _published(world: World, quantity: int = 3, **kwargs: object) -> Demand:
    demand = s.demand_raise(
        actor=world.wjl_admin,
        owner_org=world.wjl_committee,
        name="助老志愿者",
        category="volunteers",
        quantity=quantity,
        **kwargs,  # type: ignore[arg-type]
    )
    return s.demand_publish(actor=world.wjl_admin, demand=demand)


def _held_meeting(world: World, lc: ListsClaims) -> JointMeeting:
    return JointMeeting.objects.create(
        title="东风路街道联席会议",
        level="street",
        area=world.dongfeng,
        convener_org=lc.dongfeng_org,
        starts_at=timezone.now(),
        status="held",
    )


# --- claims ----------------------------------------------------------------------------------


def test_claim_accept_forms_a_project_and_records_times(world: World, lc: ListsClaims) -> None:
    demand = Demand.objects.get(pk=lc.demand.pk)
    assert demand.claimed == 2 and demand.first_claimed_at is not None
    assert demand.status == DemandStatus.IN_PROGRESS  # the project took it on
    project = Project.objects.get(claim=lc.accepted)
    assert project.demand == demand and project.lead_unit == world.minzheng
    entry = AuditEntry.objects.get(action="claim.accept", object_id=str(lc.accepted.pk))
    assert entry.changes["claimed"] == 2 and entry.actor == world.wjl_admin


def test_only_the_owner_accepts_or_declines(world: World, lc: ListsClaims) -> None:
    for outsider in (world.liaison, world.jsh_admin, world.member, world.resident):
        with pytest.raises(PermissionDenied):
            s.claim_accept(actor=outsider, claim=lc.waiting)
        with pytest.raises(PermissionDenied):
            s.claim_decline(actor=outsider, claim=lc.waiting, reason="x")
    # the resource's provider is its unit's liaison, not the community
    with pytest.raises(PermissionDenied):
        s.claim_accept(actor=world.wjl_admin, claim=lc.resource_claim)
    claim = s.claim_accept(actor=world.liaison, claim=lc.resource_claim)
    assert claim.status == ClaimStatus.ACCEPTED
    assert Resource.objects.get(pk=lc.resource.pk).claimed == 1


def test_decline_with_reason_and_withdraw_while_waiting(world: World, lc: ListsClaims) -> None:
    with pytest.raises(ValidationError):
        s.claim_decline(actor=world.wjl_admin, claim=lc.waiting, reason="")
    claim = s.claim_decline(actor=world.wjl_admin, claim=lc.waiting, reason="人数已够")
    assert claim.status == ClaimStatus.DECLINED and claim.decline_reason == "人数已够"
    with pytest.raises(ValidationError):
        s.claim_withdraw(actor=world.liaison, claim=claim)
    with pytest.raises(PermissionDenied):
        s.claim_withdraw(actor=world.jsh_admin, claim=lc.resource_claim)
    claim = s.claim_withdraw(actor=world.wjl_admin, claim=lc.resource_claim, reason="改期")
    assert claim.status == ClaimStatus.WITHDRAWN


def test_quantities_are_never_over_claimed(world: World) -> None:
    demand = _published(world, quantity=3)
    with pytest.raises(ValidationError):  # more than the demand asks
        s.demand_claim(actor=world.liaison, demand=demand, quantity=4)
    first = s.demand_claim(actor=world.liaison, demand=demand, quantity=2)
    s.claim_accept(actor=world.wjl_admin, claim=first)
    second = s.demand_claim(actor=world.liaison, demand=demand, quantity=1)
    third = Claim.objects.create(
        demand=demand, claimant_unit=world.minzheng, quantity=1, claimed_at=timezone.now()
    )
    s.claim_accept(actor=world.wjl_admin, claim=second)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        s.claim_accept(actor=world.wjl_admin, claim=third)
    assert "0" in " ".join(exc.value.messages)
    demand.refresh_from_db()
    third.refresh_from_db()
    assert demand.claimed == 3 and third.status == ClaimStatus.PENDING
    assert AuditEntry.objects.count() == before
    with pytest.raises(ValidationError):
        s.demand_claim(actor=world.liaison, demand=demand)


def test_reach_of_a_unit(world: World, lc: ListsClaims) -> None:
    # 民政厅 sits in 开福区: 东风路街道's demand is within reach, 尖山湖社区 (高新区) is not
    assert s.demand_claim(actor=world.liaison, demand=lc.street_demand).claimant_unit == world.minzheng
    with pytest.raises(ValidationError) as exc:
        s.demand_claim(actor=world.liaison, demand=lc.jsh_demand)
    assert "unit" in exc.value.message_dict
    # joining an alliance convened in 尖山湖社区 brings it within reach
    org_services.alliance_member_add(actor=world.superuser, alliance=world.jsh_alliance, unit=world.minzheng)
    assert s.demand_claim(actor=world.liaison, demand=lc.jsh_demand).status == ClaimStatus.PENDING


def test_a_claim_needs_a_published_demand(world: World, lc: ListsClaims) -> None:
    with pytest.raises(ValidationError):
        s.demand_claim(actor=world.liaison, demand=lc.unit_demand)


def test_a_community_claims_a_resource_serving_it(world: World, lc: ListsClaims) -> None:
    with pytest.raises(ValidationError):  # 民政厅's venue serves 开福区, not 尖山湖社区
        s.resource_claim(actor=world.jsh_admin, resource=lc.resource, org=lc.jsh_org)
    with pytest.raises(PermissionDenied):  # not theirs to claim for
        s.resource_claim(actor=world.jsh_admin, resource=lc.resource, org=world.wjl_committee)
    with pytest.raises(ValidationError):  # a draft takes no claims
        s.resource_claim(actor=world.wjl_admin, resource=lc.org_resource, org=world.wjl_committee)
    jsh = Resource.objects.get(pk=lc.jsh_resource.pk)
    assert jsh.claimed == 2 and jsh.status == ResourceStatus.PUBLISHED
    more = s.resource_claim(actor=world.jsh_admin, resource=jsh, org=lc.jsh_org, quantity=2)
    s.claim_accept(actor=world.superuser, claim=more)
    jsh.refresh_from_db()
    assert jsh.claimed == 4 and jsh.status == ResourceStatus.USED_UP
    project = Project.objects.get(claim=more)
    assert project.resource == jsh and project.lead_unit == world.jsh_firm


def test_resource_with_listed_areas_serves_them(world: World, lc: ListsClaims) -> None:
    resource = s.resource_create(
        actor=world.liaison,
        provider_unit=world.minzheng,
        name="法律咨询",
        kind="people",
        category="expertise",
        capacity=10,
        service_areas=[world.jsh],
    )
    resource = s.resource_publish(actor=world.liaison, resource=resource)
    claim = s.resource_claim(actor=world.jsh_admin, resource=resource, org=lc.jsh_org)
    assert claim.claimant_org == lc.jsh_org
    with pytest.raises(ValidationError):
        s.resource_claim(actor=world.wjl_admin, resource=resource, org=world.wjl_committee)


def test_a_meeting_assigns_an_unclaimed_demand(world: World, lc: ListsClaims) -> None:
    meeting = _held_meeting(world, lc)
    demand = lc.street_demand
    with pytest.raises(PermissionDenied):
        s.demand_assign(actor=world.wjl_admin, demand=demand, unit=world.minzheng, meeting=meeting)
    claim = s.demand_assign(actor=world.dongfeng_admin, demand=demand, unit=world.minzheng, meeting=meeting)
    assert claim.assigned and claim.meeting == meeting and claim.status == ClaimStatus.ACCEPTED
    demand.refresh_from_db()
    assert demand.claimed == demand.quantity and demand.first_claimed_at is not None
    assert Project.objects.get(claim=claim).meeting == meeting
    assert AuditEntry.objects.filter(action="demand.assign").count() == 1
    with pytest.raises(ValidationError):  # claimed now
        s.demand_assign(actor=world.dongfeng_admin, demand=demand, unit=world.minzheng, meeting=meeting)


def test_meeting_staff_record_a_claim_made_at_the_meeting(world: World, lc: ListsClaims) -> None:
    meeting = _held_meeting(world, lc)
    claim = s.demand_claim(
        actor=world.dongfeng_admin, demand=lc.street_demand, unit=world.minzheng, meeting=meeting, quantity=3
    )
    assert claim.meeting == meeting and claim.claimed_by == world.dongfeng_admin
    assert s.demand_record_allowed(actor=world.dongfeng_admin, demand=lc.street_demand)
    assert not s.demand_record_allowed(actor=world.wjl_admin, demand=lc.street_demand)
    with pytest.raises(PermissionDenied):
        s.demand_claim(actor=world.jsh_admin, demand=lc.street_demand, unit=world.minzheng, meeting=meeting)


def test_allowed_answers_match_the_roles(world: World, lc: ListsClaims) -> None:
    assert s.demand_claim_allowed(actor=world.liaison, demand=lc.demand)
    assert not s.demand_claim_allowed(actor=world.jsh_admin, demand=lc.demand)
    assert s.demand_claim_allowed(actor=world.member, demand=lc.wish)
    assert not s.demand_claim_allowed(actor=world.member, demand=lc.demand)
    assert s.demand_review_allowed(actor=world.wjl_admin, demand=lc.resident_demand)
    assert not s.demand_review_allowed(actor=world.resident, demand=lc.resident_demand)
    assert s.resource_claim_allowed(actor=world.wjl_admin, resource=lc.resource)
    assert not s.resource_claim_allowed(actor=world.jsh_admin, resource=lc.resource)
    assert s.claim_accept_allowed(actor=world.wjl_admin, claim=lc.waiting)
    assert not s.claim_accept_allowed(actor=world.liaison, claim=lc.waiting)
    assert s.claim_withdraw_allowed(actor=world.liaison, claim=lc.waiting)
    assert s.demand_raise_allowed(actor=world.resident) and not s.demand_raise_allowed(actor=world.member)
