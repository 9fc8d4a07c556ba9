"""Services of demands and micro-wishes: raised, reviewed, published, rejected, withdrawn, expired."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.core.audit import audit_verify
from gongjian.core.models import AuditEntry
from gongjian.lists.models import ClaimStatus, Demand, DemandStatus, Project
from gongjian.lists.services import claims as s
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
