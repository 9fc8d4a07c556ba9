"""Who sees which agreements, committees and seats: the rules of the selectors, role by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from gongjian.cobuild.models import AgreementStatus, SeatStep
from gongjian.cobuild.selectors import agreements as sel
from gongjian.cobuild.services import agreements as svc
from gongjian.cobuild.tests.fixtures_agreements import build_cobuild_agreements
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

TODAY = timezone.localdate()


def _numbers(qs) -> set[str]:
    return set(qs.values_list("number", flat=True))


def test_agreements_by_role(world: World) -> None:
    c = build_cobuild_agreements(world)
    # a cross pairing: 尖山湖社区 with 省民政厅 (which sits in 王家垅社区), made by the city
    cross = svc.agreement_create(
        actor=world.city_admin,
        host_org=PartyOrg.objects.get(code="PO-JSH"),
        unit_org=world.minzheng_org,
        starts_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=365),
        clauses=[("activities", "联合开展志愿服务")],
    )
    wjl = {c.wjl_in_force.number, c.wjl_draft.number}
    expected = {
        "city_admin": wjl | {c.street.number, c.jsh.number, cross.number},
        "kaifu_admin": wjl | {c.street.number, cross.number},  # the unit sits in 开福区
        "dongfeng_admin": wjl | {c.street.number, cross.number},
        "wjl_admin": wjl | {c.street.number, cross.number},  # joined by a unit sitting in 王家垅
        "jsh_admin": {c.jsh.number, cross.number},  # hosted in 尖山湖
        "liaison": wjl | {c.street.number, cross.number},  # their unit's
        "member": set(),
        "resident": set(),
    }
    for role, numbers in expected.items():
        assert _numbers(sel.agreement_list(actor=getattr(world, role))) == numbers, role
    assert _numbers(sel.agreement_list(actor=world.superuser)) == expected["city_admin"]
    with pytest.raises(Http404):
        sel.agreement_get(actor=world.jsh_admin, pk=c.wjl_in_force.pk)
    with pytest.raises(Http404):
        sel.agreement_get(actor=world.member, pk=c.wjl_in_force.pk)


def test_status_filter_and_search(world: World) -> None:
    c = build_cobuild_agreements(world)
    actor = world.city_admin
    assert c.wjl_draft.number in _numbers(sel.agreement_list(actor=actor, status=AgreementStatus.DRAFT))
    in_force = _numbers(sel.agreement_list(actor=actor, status=AgreementStatus.IN_FORCE))
    assert in_force == {c.wjl_in_force.number, c.street.number, c.jsh.number}
    # later, from the dates alone (no refresh has run)
    later = c.jsh.ends_on + dt.timedelta(days=1)
    assert _numbers(sel.agreement_list(actor=actor, status=AgreementStatus.EXPIRED, on=later)) == in_force
    earlier = c.jsh.starts_on - dt.timedelta(days=1)
    assert not _numbers(sel.agreement_list(actor=actor, status=AgreementStatus.IN_FORCE, on=earlier))
    row = sel.agreement_list(actor=actor).get(pk=c.wjl_in_force.pk)
    assert row.status_today == AgreementStatus.IN_FORCE  # type: ignore[attr-defined]
    for query in ("民政", "民政廳", "mzt", "wjl", c.jsh.number, "芯城"):
        assert _numbers(sel.agreement_list(actor=actor, q=query)), query
    assert _numbers(sel.agreement_list(actor=actor, q="芯城")) == {c.jsh.number}
    assert _numbers(sel.agreement_list(actor=actor, within=world.jsh)) == {c.jsh.number}
    assert _numbers(sel.agreement_list(actor=actor, unit=world.jsh_firm)) == {c.jsh.number}


def test_host_and_unit_choices(world: World) -> None:
    liaison_hosts = set(sel.agreement_host_choices(actor=world.liaison).values_list("code", flat=True))
    assert liaison_hosts == {"PO-WJL"}  # the community their unit sits in
    wjl_hosts = set(sel.agreement_host_choices(actor=world.wjl_admin).values_list("code", flat=True))
    assert wjl_hosts == {"PO-WJL"}  # not the compound's branch
    dongfeng = set(sel.agreement_host_choices(actor=world.dongfeng_admin).values_list("code", flat=True))
    assert dongfeng == {"PO-WJL", "PO-DFL"}
    assert set(sel.agreement_unit_org_choices(actor=world.liaison)) == {world.minzheng_org}
    assert set(sel.agreement_unit_org_choices(actor=world.jsh_admin)) == {world.jsh_firm_org}
    assert not sel.agreement_host_choices(actor=world.member).exists()


def test_committees_and_seats_by_role(world: World) -> None:
    c = build_cobuild_agreements(world)
    committees = {
        "city_admin": {c.wjl_committee, c.street_committee, c.jsh_committee},
        "dongfeng_admin": {c.wjl_committee, c.street_committee},
        "wjl_admin": {c.wjl_committee},
        "jsh_admin": {c.jsh_committee},
        "liaison": {c.wjl_committee, c.street_committee},  # where their unit has seats
        "member": set(),
        "resident": set(),
    }
    for role, expected in committees.items():
        assert set(sel.committee_list(actor=getattr(world, role))) == expected, role
    seats = c.seats
    assert set(sel.seat_list(actor=world.jsh_admin)) == {seats["jsh"]}
    assert set(sel.seat_list(actor=world.liaison)) == {s for k, s in seats.items() if k != "jsh"}
    assert set(sel.seat_list(actor=world.wjl_admin)) == {
        seats[k] for k in ("recommended", "screened", "appointed", "rejected")
    }
    assert not sel.seat_list(actor=world.member).exists()
    # seats in office today, counted per committee
    counts = {row.pk: row.seats_in_force for row in sel.committee_list(actor=world.city_admin)}  # type: ignore[attr-defined]
    assert counts == {c.wjl_committee.pk: 1, c.street_committee.pk: 1, c.jsh_committee.pk: 1}
    pending = {row.pk: row.seats_pending for row in sel.committee_list(actor=world.city_admin)}  # type: ignore[attr-defined]
    assert pending[c.wjl_committee.pk] == 2
    groups = {
        g["step"]: g["seats"]
        for g in sel.committee_seats_by_step(actor=world.wjl_admin, committee=c.wjl_committee)
    }
    assert groups[SeatStep.SCREENED] == [seats["screened"]] and groups[SeatStep.REJECTED] == [
        seats["rejected"]
    ]
    assert sel.seat_list(actor=world.city_admin, q="郑").get() == seats["appointed"]
    assert sel.seat_list(actor=world.city_admin, q="xckjy").get() == seats["jsh"]  # 芯城科技园
    assert set(sel.seat_list(actor=world.city_admin, on=TODAY)) == {
        seats["appointed"],
        seats["street"],
        seats["jsh"],
    }


def test_approval_queue_is_the_level_above(world: World) -> None:
    c = build_cobuild_agreements(world)
    screened = c.seats["screened"]
    assert list(sel.seat_approval_queue(actor=world.wjl_admin)) == []
    assert list(sel.seat_approval_queue(actor=world.dongfeng_admin)) == [screened]
    assert list(sel.seat_approval_queue(actor=world.kaifu_admin)) == [screened]
    assert list(sel.seat_approval_queue(actor=world.liaison)) == []
    assert list(sel.agreement_signing_queue(actor=world.wjl_admin)) == [c.wjl_draft]
    assert list(sel.agreement_signing_queue(actor=world.liaison)) == []
