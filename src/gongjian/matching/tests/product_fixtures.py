"""Demands and resources of 东风路街道 for the product tests of matching (issue #6, item 2), built on
the named world, the lists' claims and the joint meetings, all through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.cobuild.tests.fixtures_meetings import CobuildMeetings, build_cobuild_meetings
from gongjian.lists.models import Demand, Resource
from gongjian.lists.services import claims as s
from gongjian.lists.tests.fixtures_claims import ListsClaims, build_lists_claims
from gongjian.orgs import services as org_services
from gongjian.orgs.models import ResidentUnit
from gongjian.testing import World, credit_code


@dataclass
class Product:
    lists: ListsClaims
    meetings: CobuildMeetings
    hospital: ResidentUnit  # 开福区口腔医院, in 东风路街道 (no liaison)
    teeth: Demand  # 王家垅社区: 儿童口腔检查, 20 人
    haircut: Demand  # 王家垅社区: 老人理发, 5 人
    lawyer: Demand  # 王家垅社区: 法律咨询讲座, 2 场
    jsh_teeth: Demand  # 尖山湖社区 (高新区): outside 民政厅's reach
    dentist: Resource  # 开福区口腔医院: 儿童龋齿检查, 30
    barbers: Resource  # 省民政厅: 理发志愿服务队, 10
    counsel: Resource  # 省民政厅: 法律顾问讲座, 3


def build_product(world: World) -> Product:
    root = world.superuser
    lists = build_lists_claims(world)
    meetings = build_cobuild_meetings(world)
    deadline = timezone.localdate() + dt.timedelta(days=60)
    hospital = org_services.unit_create(
        actor=root,
        name="开福区口腔医院",
        credit_code=credit_code(3003),
        kind="hospital",
        rank="district",
        area=world.dongfeng,
    )

    def demand(name: str, description: str, category: str, quantity: int, measure: str) -> Demand:
        d = s.demand_raise(
            actor=world.wjl_admin,
            owner_org=world.wjl_committee,
            name=name,
            description=description,
            category=category,
            quantity=quantity,
            measure=measure,
            deadline=deadline,
        )
        return s.demand_publish(actor=world.wjl_admin, demand=d)

    teeth = demand("儿童口腔检查", "小区孩子牙疼的多，想请牙医来给娃看看蛀牙", "health", 20, "人")
    haircut = demand("老人上门理发", "行动不便的老人需要志愿者上门理发", "volunteers", 5, "人")
    lawyer = demand("法律咨询讲座", "居民想了解遗产继承和物业纠纷的法律知识", "expertise", 2, "场")
    jsh_teeth = s.demand_raise(
        actor=world.jsh_admin,
        owner_org=lists.jsh_org,
        name="园区员工子女口腔检查",
        description="孩子牙疼，想做龋齿检查",
        category="health",
        quantity=10,
        deadline=deadline,
    )
    jsh_teeth = s.demand_publish(actor=world.jsh_admin, demand=jsh_teeth)

    def resource(
        unit: ResidentUnit, actor: Actor, name: str, description: str, category: str, cap: int
    ) -> Resource:
        r = s.resource_create(
            actor=actor,
            provider_unit=unit,
            name=name,
            description=description,
            kind="service",
            category=category,
            capacity=cap,
        )
        return s.resource_publish(actor=actor, resource=r)

    dentist = resource(hospital, root, "儿童龋齿检查", "口腔医生进社区为儿童免费检查龋齿、涂氟", "health", 30)
    barbers = resource(
        world.minzheng, world.liaison, "理发志愿服务队", "机关志愿者为老人提供上门理发服务", "volunteers", 10
    )
    counsel = resource(
        world.minzheng,
        world.liaison,
        "法律顾问讲座",
        "法律顾问为居民讲解继承、物业纠纷等法律知识",
        "expertise",
        3,
    )
    return Product(
        lists=lists,
        meetings=meetings,
        hospital=hospital,
        teeth=teeth,
        haircut=haircut,
        lawyer=lawyer,
        jsh_teeth=jsh_teeth,
        dentist=dentist,
        barbers=barbers,
        counsel=counsel,
    )
