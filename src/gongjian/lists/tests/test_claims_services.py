"""Services of demands, resources and claims: lifecycle, permissions, errors, audit entries, the
quantity rule and the confidentiality of micro-wish requesters."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.cobuild.models import JointMeeting
from gongjian.core.audit import audit_verify
from gongjian.core.models import AuditEntry
from gongjian.lists.models import (
    Claim,
    ClaimStatus,
    Demand,
    DemandStatus,
    Project,
    Resource,
    ResourceStatus,
)
from gongjian.lists.services import claims as s
from gongjian.lists.tests.fixtures_claims import (
    REQUESTER_CONTACT,
    REQUESTER_NAME,
    ListsClaims,
    build_lists_claims,
)
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


# --- demands ---------------------------------------------------------------------------------


def test_an_administrator_raises_reviews_and_publishes(world: World) -> None:
    demand = s.demand_raise(
        actor=world.wjl_admin,
        owner_org=world.wjl_committee,
        name="社区议事厅",
        category="venue",
        quantity=1,
        measure="场",
        deadline=timezone.localdate() + dt.timedelta(days=10),
        urgency="urgent",
    )
    assert demand.status == DemandStatus.RAISED and demand.source == "community"
    assert demand.area == world.wjl and demand.raised_by == world.wjl_admin
    demand = s.demand_review(actor=world.wjl_admin, demand=demand)
    assert demand.reviewed_at is not None and demand.status == DemandStatus.RAISED
    demand = s.demand_publish(actor=world.wjl_admin, demand=demand)
    assert demand.status == DemandStatus.PUBLISHED and demand.published_at is not None
    actions = list(
        AuditEntry.objects.filter(object_type="lists.demand", object_id=str(demand.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["demand.raise", "demand.review", "demand.publish"]
    assert audit_verify().ok


def test_only_the_list_owner_reviews(world: World) -> None:
    demand = s.demand_raise(
        actor=world.liaison, raised_by_unit=world.minzheng, name="停车位", category="venue"
    )
    assert demand.owner_org == world.wjl_committee and demand.source == "unit_report"
    for outsider in (world.liaison, world.jsh_admin, world.member, world.resident):
        with pytest.raises(PermissionDenied):
            s.demand_publish(actor=outsider, demand=demand)
    # the street above the community keeps it too
    assert s.demand_publish(actor=world.dongfeng_admin, demand=demand).status == DemandStatus.PUBLISHED


def test_reject_needs_a_reason_and_changes_nothing_without(world: World) -> None:
    demand = s.demand_raise(actor=world.resident, name="楼道灯坏了", category="goods")
    assert demand.source == "resident" and demand.owner_org == world.wjl_committee
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        s.demand_reject(actor=world.wjl_admin, demand=demand, reason="  ")
    assert "reason" in exc.value.message_dict
    assert AuditEntry.objects.count() == before
    demand = s.demand_reject(actor=world.wjl_admin, demand=demand, reason="已由物业处理")
    assert demand.status == DemandStatus.REJECTED and demand.reject_reason == "已由物业处理"
    with pytest.raises(ValidationError):
        s.demand_publish(actor=world.wjl_admin, demand=demand)


def test_raising_refuses_bad_input_and_strangers(world: World) -> None:
    with pytest.raises(ValidationError):
        s.demand_raise(actor=world.wjl_admin, owner_org=world.wjl_committee, name=" ", category="venue")
    with pytest.raises(ValidationError):
        s.demand_raise(
            actor=world.wjl_admin, owner_org=world.wjl_committee, name="x", category="venue", quantity=0
        )
    with pytest.raises(ValidationError):
        s.demand_raise(
            actor=world.wjl_admin,
            owner_org=world.wjl_committee,
            name="x",
            category="venue",
            deadline=timezone.localdate() - dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):  # another community's list
        s.demand_raise(actor=world.wjl_admin, owner_org=world.jsh_branch, name="x", category="venue")
    with pytest.raises(PermissionDenied):  # another unit
        s.demand_raise(actor=world.liaison, raised_by_unit=world.jsh_firm, name="x", category="venue")
    with pytest.raises(PermissionDenied):  # a member is not a resident
        s.demand_raise(actor=world.member, name="x", category="venue")
    assert not Demand.objects.exists()


def test_update_only_while_raised(world: World) -> None:
    demand = s.demand_raise(actor=world.resident, name="健身器材", category="goods")
    demand = s.demand_update(actor=world.resident, demand=demand, name="健身器材维修", quantity=2)
    assert demand.name == "健身器材维修" and demand.quantity == 2
    entry = AuditEntry.objects.filter(action="demand.update").get()
    assert entry.changes["quantity"] == [1, 2]
    with pytest.raises(ValidationError):
        s.demand_update(actor=world.resident, demand=demand, claimed=5)
    s.demand_publish(actor=world.wjl_admin, demand=demand)
    with pytest.raises(ValidationError):
        s.demand_update(actor=world.wjl_admin, demand=demand, name="改名")


def test_withdraw_declines_waiting_claims(world: World) -> None:
    demand = _published(world)
    claim = s.demand_claim(actor=world.liaison, demand=demand)
    with pytest.raises(PermissionDenied):
        s.demand_withdraw(actor=world.liaison, demand=demand, reason="x")
    demand = s.demand_withdraw(actor=world.wjl_admin, demand=demand, reason="需求已取消")
    assert demand.status == DemandStatus.WITHDRAWN
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DECLINED
    entry = AuditEntry.objects.get(action="demand.withdraw")
    assert entry.reason == "需求已取消" and entry.changes["declined_claims"] == [claim.pk]


def test_demands_expire_past_the_deadline_once(world: World) -> None:
    demand = _published(world, deadline=timezone.localdate() + dt.timedelta(days=2))
    later = _published(world, deadline=timezone.localdate() + dt.timedelta(days=20))
    claim = s.demand_claim(actor=world.liaison, demand=demand)
    today = timezone.localdate() + dt.timedelta(days=3)
    assert s.demands_expire(today=today) == 1
    assert s.demands_expire(today=today) == 0
    demand.refresh_from_db()
    later.refresh_from_db()
    claim.refresh_from_db()
    assert demand.status == DemandStatus.EXPIRED and later.status == DemandStatus.PUBLISHED
    assert claim.status == ClaimStatus.DECLINED
    assert AuditEntry.objects.filter(action="demand.expire").count() == 1


# --- micro-wishes ----------------------------------------------------------------------------


def test_a_micro_wish_keeps_its_requester_sealed(world: World, lc: ListsClaims) -> None:
    wish = Demand.objects.get(pk=lc.wish.pk)
    assert wish.requester_first_name == "王奶奶"
    assert REQUESTER_NAME not in wish.requester_sealed and REQUESTER_CONTACT not in wish.requester_sealed
    from gongjian.core import pii
    from gongjian.lists.models import MICRO_WISH_PURPOSE

    assert (
        pii.unseal(wish.requester_sealed, purpose=MICRO_WISH_PURPOSE)
        == f"{REQUESTER_NAME} {REQUESTER_CONTACT}"
    )
    audit = json.dumps(list(AuditEntry.objects.values()), ensure_ascii=False, default=str)
    assert REQUESTER_NAME not in audit and REQUESTER_CONTACT not in audit


def test_a_micro_wish_needs_a_first_name_and_keeps_the_name_out_of_the_wish(world: World) -> None:
    base = {
        "actor": world.wjl_admin,
        "owner_org": world.wjl_committee,
        "kind": "micro_wish",
        "category": "goods",
    }
    with pytest.raises(ValidationError):
        s.demand_raise(name="一台收音机", requester_name="李桂兰", **base)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as exc:
        s.demand_raise(
            name="李桂兰想要一台收音机",
            requester_name="李桂兰",
            requester_first_name="李奶奶",
            **base,  # type: ignore[arg-type]
        )
    assert "name" in exc.value.message_dict
    assert "李桂兰" not in str(exc.value)
    with pytest.raises(ValidationError):
        s.demand_raise(
            actor=world.wjl_admin,
            owner_org=world.wjl_committee,
            name="x",
            category="goods",
            requester_name="李桂兰",
        )


def test_a_member_claims_a_micro_wish_of_their_community(world: World, lc: ListsClaims) -> None:
    assert lc.wish_claim.claimant_member == lc.member and lc.wish_claim.status == ClaimStatus.PENDING
    with pytest.raises(ValidationError):  # one waiting claim each
        s.demand_claim(actor=world.member, demand=lc.wish, as_member=True)
    with pytest.raises(PermissionDenied):  # a general demand is not a micro-wish
        s.demand_claim(actor=world.member, demand=lc.demand, as_member=True)
    with pytest.raises(PermissionDenied):  # no member record behind the account
        s.demand_claim(actor=world.resident, demand=lc.wish, as_member=True)
    claim = s.claim_accept(actor=world.wjl_admin, claim=lc.wish_claim)
    assert claim.status == ClaimStatus.ACCEPTED
    wish = Demand.objects.get(pk=lc.wish.pk)
    assert wish.claimed == 1 and wish.first_claimed_at is not None
    assert Project.objects.filter(claim=claim).exists()


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


def test_resources_by_each_provider_and_their_checks(world: World, lc: ListsClaims) -> None:
    mine = s.resource_create(
        actor=world.member, as_member=True, name="书法课", kind="people", category="expertise"
    )
    assert mine.provider_member == lc.member and mine.area == world.wjl
    with pytest.raises(PermissionDenied):
        s.resource_create(actor=world.resident, as_member=True, name="x", kind="people", category="expertise")
    with pytest.raises(PermissionDenied):
        s.resource_create(
            actor=world.liaison, provider_unit=world.jsh_firm, name="x", kind="venue", category="venue"
        )
    with pytest.raises(ValidationError):
        s.resource_create(
            actor=world.liaison,
            provider_unit=world.minzheng,
            name="x",
            kind="venue",
            category="venue",
            available_from=timezone.localdate() + dt.timedelta(days=5),
            available_until=timezone.localdate() + dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        s.resource_publish(actor=world.wjl_admin, resource=mine)
    assert s.resource_publish(actor=world.member, resource=mine).status == ResourceStatus.PUBLISHED
    assert s.resource_withdraw(actor=world.member, resource=mine, reason="时间冲突").status == "withdrawn"


def test_resources_expire_after_their_window(world: World) -> None:
    resource = s.resource_create(
        actor=world.liaison,
        provider_unit=world.minzheng,
        name="会议室",
        kind="venue",
        category="venue",
        available_until=timezone.localdate() + dt.timedelta(days=1),
    )
    s.resource_publish(actor=world.liaison, resource=resource)
    later = timezone.localdate() + dt.timedelta(days=2)
    assert s.resources_expire(today=later) == 1
    assert s.resources_expire(today=later) == 0
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.EXPIRED


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
