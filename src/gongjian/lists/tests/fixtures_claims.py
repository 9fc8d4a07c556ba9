"""Demands, resources and claims on both sides of the 王家垅/尖山湖 line, for the claims tests and
the scope walk. Everything is written through the services.

The sealed micro-wish requester is ``REQUESTER``: tests assert it appears nowhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gongjian.core.synthetic import id_number
from gongjian.members import services as member_services
from gongjian.members.models import Category, Member
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

from ..models import Claim, Demand, Resource
from ..services import claims as s

REQUESTER_NAME = "王秀英"
REQUESTER_CONTACT = "13900005678"


@dataclass
class ListsClaims:
    jsh_org: PartyOrg
    dongfeng_org: PartyOrg
    member: Member
    demand: Demand  # 王家垅社区, published, one accepted and one waiting claim of 民政厅
    wish: Demand  # a micro-wish of 王家垅社区, published, claimed by the member (waiting)
    resident_demand: Demand  # raised by the resident, waiting for review
    unit_demand: Demand  # raised by 民政厅's liaison, waiting for review
    street_demand: Demand  # 东风路街道's list, published
    jsh_demand: Demand  # 尖山湖社区, published
    resource: Resource  # 民政厅's venue, claimed by 王家垅社区 (waiting)
    jsh_resource: Resource  # 芯城科技园's resource, claimed by 尖山湖社区 (accepted)
    org_resource: Resource  # 王家垅社区党委's draft
    accepted: Claim
    waiting: Claim
    wish_claim: Claim
    resource_claim: Claim
    jsh_claim: Claim


def build_lists_claims(world: World) -> ListsClaims:
    root = world.superuser
    jsh_org = PartyOrg.objects.get(code="PO-JSH")
    dongfeng_org = PartyOrg.objects.get(code="PO-DFL")
    member = member_services.member_create(
        actor=root,
        name="认领党员甲",
        id_number=id_number(77),
        org=world.wjl_committee,
        joined_on=dt.date(2010, 7, 1),
        residence=world.wjl,
        categories=[Category.DIRECT],
    )
    member = member_services.member_link_user(actor=root, member=member, user=world.member)
    deadline = timezone.localdate() + dt.timedelta(days=30)

    demand = s.demand_raise(
        actor=world.wjl_admin,
        owner_org=world.wjl_committee,
        name="楼道照明维修志愿者",
        category="volunteers",
        quantity=5,
        measure="人",
        deadline=deadline,
    )
    demand = s.demand_publish(actor=world.wjl_admin, demand=demand)
    accepted = s.demand_claim(actor=world.liaison, demand=demand, quantity=2)
    accepted = s.claim_accept(actor=world.wjl_admin, claim=accepted)
    waiting = s.demand_claim(actor=world.liaison, demand=demand, quantity=1, note="再派一人")

    wish = s.demand_raise(
        actor=world.wjl_admin,
        owner_org=world.wjl_committee,
        kind="micro_wish",
        name="一副老花镜",
        category="goods",
        requester_first_name="王奶奶",
        requester_name=REQUESTER_NAME,
        requester_contact=REQUESTER_CONTACT,
    )
    wish = s.demand_publish(actor=world.wjl_admin, demand=wish)
    wish_claim = s.demand_claim(actor=world.member, demand=wish, as_member=True)

    resident_demand = s.demand_raise(actor=world.resident, name="小区健身器材修理", category="goods")
    unit_demand = s.demand_raise(
        actor=world.liaison, raised_by_unit=world.minzheng, name="单位停车位共享", category="venue"
    )
    street_demand = s.demand_raise(
        actor=world.dongfeng_admin, owner_org=dongfeng_org, name="街道防汛值守", category="order", quantity=10
    )
    street_demand = s.demand_publish(actor=world.dongfeng_admin, demand=street_demand)
    jsh_demand = s.demand_raise(
        actor=world.jsh_admin, owner_org=jsh_org, name="员工公寓两千床位", category="housing", quantity=2000
    )
    jsh_demand = s.demand_publish(actor=world.jsh_admin, demand=jsh_demand)

    resource = s.resource_create(
        actor=world.liaison,
        provider_unit=world.minzheng,
        name="民政厅多功能会议室",
        kind="venue",
        category="venue",
        capacity=3,
        measure="场",
    )
    resource = s.resource_publish(actor=world.liaison, resource=resource)
    resource_claim = s.resource_claim(actor=world.wjl_admin, resource=resource, org=world.wjl_committee)

    jsh_resource = s.resource_create(
        actor=root,
        provider_unit=world.jsh_firm,
        name="芯城园区人才公寓",
        kind="service",
        category="housing",
        capacity=4,
    )
    jsh_resource = s.resource_publish(actor=root, resource=jsh_resource)
    jsh_claim = s.resource_claim(actor=world.jsh_admin, resource=jsh_resource, org=jsh_org, quantity=2)
    jsh_claim = s.claim_accept(actor=root, claim=jsh_claim)

    org_resource = s.resource_create(
        actor=world.wjl_admin,
        provider_org=world.wjl_committee,
        name="社区党群服务中心活动室",
        kind="venue",
        category="venue",
    )
    return ListsClaims(
        jsh_org=jsh_org,
        dongfeng_org=dongfeng_org,
        member=member,
        demand=demand,
        wish=wish,
        resident_demand=resident_demand,
        unit_demand=unit_demand,
        street_demand=street_demand,
        jsh_demand=jsh_demand,
        resource=resource,
        jsh_resource=jsh_resource,
        org_resource=org_resource,
        accepted=accepted,
        waiting=waiting,
        wish_claim=wish_claim,
        resource_claim=resource_claim,
        jsh_claim=jsh_claim,
    )
