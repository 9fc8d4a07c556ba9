"""Agreements, committees and seats on both sides of the 王家垅/尖山湖 line, for scope tests (the
scope walk and this app's tests), made through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.cobuild.models import Agreement, Committee, PartTimeSeat
from gongjian.cobuild.services import agreements as svc
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

CLAUSES = [
    ("consult", "每季度召开一次党建联席会议，共商社区治理"),
    ("resources", "单位会议室、食堂每周向社区居民开放一次"),
    ("teams", "在职党员到社区报到，每人每年服务不少于20小时"),
]


@dataclass
class CobuildAgreements:
    """What the world holds after ``build_cobuild_agreements``."""

    wjl_in_force: Agreement  # 王家垅社区党委 × 省民政厅机关党委, signed, in force
    wjl_draft: Agreement  # the same pair, a draft proposed by the unit's liaison
    street: Agreement  # 东风路街道党工委 × 省民政厅机关党委, signed
    jsh: Agreement  # 尖山湖社区党委 × 芯城科技园党支部, signed
    wjl_committee: Committee  # 王家垅社区“大党委”
    street_committee: Committee  # 东风路街道“大工委”
    jsh_committee: Committee  # 尖山湖社区“大党委”
    seats: dict[str, PartTimeSeat]


def _sign(world: World, agreement: Agreement, actor: Actor, on: dt.date) -> Agreement:
    return svc.agreement_sign(
        actor=actor, agreement=agreement, signed_on=on, host_signatory="王书记", unit_signatory="李书记"
    )


def build_cobuild_agreements(world: World) -> CobuildAgreements:
    today = timezone.localdate()
    start = today - dt.timedelta(days=120)
    end = today + dt.timedelta(days=900)
    root = world.superuser
    street_org = PartyOrg.objects.get(code="PO-DFL")
    jsh_org = PartyOrg.objects.get(code="PO-JSH")

    def agreement(host: PartyOrg, unit_org: PartyOrg, actor: Actor) -> Agreement:
        return svc.agreement_create(
            actor=actor,
            host_org=host,
            unit_org=unit_org,
            starts_on=start,
            ends_on=end,
            clauses=CLAUSES,
            host_liaison="社区联络员",
            host_liaison_title="党委委员",
            unit_liaison="单位联络员",
            unit_liaison_title="机关党委专职副书记",
            yearly_plan="联合开展主题党日4次；共同解决居民难题不少于3件。",
        )

    wjl_in_force = _sign(
        world, agreement(world.wjl_committee, world.minzheng_org, world.wjl_admin), root, start
    )
    svc.agreement_review(
        actor=root, agreement=wjl_in_force, year=start.year, rating="good", summary="共建任务全部完成"
    )
    wjl_draft = agreement(world.wjl_committee, world.minzheng_org, world.liaison)
    street = _sign(world, agreement(street_org, world.minzheng_org, world.dongfeng_admin), root, start)
    jsh = _sign(world, agreement(jsh_org, world.jsh_firm_org, world.jsh_admin), root, start)

    established = dt.date(2018, 3, 1)
    wjl_committee = svc.committee_create(
        actor=world.wjl_admin, org=world.wjl_committee, established_on=established
    )
    street_committee = svc.committee_create(
        actor=world.dongfeng_admin, org=street_org, established_on=established
    )
    jsh_committee = svc.committee_create(actor=world.jsh_admin, org=jsh_org, established_on=established)

    def recommend(committee: Committee, name: str, unit: object) -> PartTimeSeat:
        return svc.seat_recommend(
            actor=root,
            committee=committee,
            person_name=name,
            unit=unit,  # type: ignore[arg-type]
            unit_title="副厅长" if unit == world.minzheng else "总经理",
            duty="兼职委员",
            recommended_on=today - dt.timedelta(days=60),
            recommended_by="单位党组织",
        )

    def appoint(seat: PartTimeSeat) -> PartTimeSeat:
        seat = svc.seat_screen(actor=root, seat=seat, screened_on=today - dt.timedelta(days=50))
        seat = svc.seat_approve(actor=root, seat=seat, approved_on=today - dt.timedelta(days=40))
        return svc.seat_appoint(
            actor=root,
            seat=seat,
            since=today - dt.timedelta(days=30),
            until=today + dt.timedelta(days=1800),
            appointed_on=today - dt.timedelta(days=30),
        )

    seats = {
        "recommended": recommend(wjl_committee, "周推荐", world.minzheng),
        "screened": svc.seat_screen(actor=root, seat=recommend(wjl_committee, "吴考察", world.minzheng)),
        "appointed": appoint(recommend(wjl_committee, "郑任职", world.minzheng)),
        "rejected": svc.seat_reject(
            actor=root, seat=recommend(wjl_committee, "冯未任", world.minzheng), reason="名额已满"
        ),
        "street": svc.seat_announce(
            actor=root, seat=appoint(recommend(street_committee, "陈街道", world.minzheng))
        ),
        "jsh": appoint(recommend(jsh_committee, "褚尖山", world.jsh_firm)),
    }
    return CobuildAgreements(
        wjl_in_force=wjl_in_force,
        wjl_draft=wjl_draft,
        street=street,
        jsh=jsh,
        wjl_committee=wjl_committee,
        street_committee=street_committee,
        jsh_committee=jsh_committee,
        seats=seats,
    )
