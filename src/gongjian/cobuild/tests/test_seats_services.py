"""Expanded committees and part-time seats: the workflow, its errors (which change nothing), who
may take each step, and the audit entry every write leaves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.cobuild.models import Committee, CommitteeKind, PartTimeSeat, SeatStep
from gongjian.cobuild.services import seats as svc
from gongjian.core.models import AuditEntry
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

TODAY = timezone.localdate()
CLAUSES = [("consult", "每季度召开一次党建联席会"), ("resources", "单位会议室向社区居民开放")]


def _audits() -> int:
    return AuditEntry.objects.count()


def _last(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-seq").first()
    assert entry is not None, action
    return entry


def _street_org() -> PartyOrg:
    return PartyOrg.objects.get(code="PO-DFL")


def _jsh_org() -> PartyOrg:
    return PartyOrg.objects.get(code="PO-JSH")


# --- committees and seats -------------------------------------------------------------------------


def _committee(world: World, org: PartyOrg | None = None, actor=None) -> Committee:
    return svc.committee_create(
        actor=actor or world.wjl_admin, org=org or world.wjl_committee, established_on=dt.date(2018, 3, 1)
    )


def _recommend(world: World, committee: Committee, actor=None, **kw) -> PartTimeSeat:
    data: dict[str, Any] = dict(
        actor=actor or world.wjl_admin,
        committee=committee,
        person_name="李兼职",
        unit=world.minzheng,
        unit_title="处长",
        duty="兼职委员",
        recommended_on=TODAY - dt.timedelta(days=30),
    )
    data.update(kw)
    return svc.seat_recommend(**data)


def test_committee_kind_follows_the_level(world: World) -> None:
    before = _audits()
    committee = _committee(world)
    assert committee.kind == CommitteeKind.COMMUNITY and committee.area == world.wjl
    assert committee.name == "王家垅社区“大党委”"
    assert _audits() == before + 1
    street = svc.committee_create(
        actor=world.dongfeng_admin, org=_street_org(), established_on=dt.date(2018, 3, 1), kind="street"
    )
    assert street.kind == CommitteeKind.STREET
    with pytest.raises(ValidationError):
        _committee(world)  # one per organisation
    with pytest.raises(ValidationError):
        svc.committee_create(actor=world.jsh_admin, org=_jsh_org(), established_on=TODAY, kind="street")
    with pytest.raises(ValidationError):
        _committee(world, org=world.wjl_branch)  # a compound's branch
    with pytest.raises(ValidationError):
        _committee(world, org=world.minzheng_org, actor=world.superuser)
    with pytest.raises(PermissionDenied):
        svc.committee_create(actor=world.wjl_admin, org=_jsh_org(), established_on=TODAY)
    assert Committee.objects.count() == 2


def test_seat_workflow_with_approval_from_the_level_above(world: World) -> None:
    committee = _committee(world)
    seat = _recommend(world, committee)
    assert seat.step == SeatStep.RECOMMENDED and seat.since == seat.recommended_on
    assert svc.seat_actions_allowed(actor=world.wjl_admin, seat=seat) == {"screen", "reject"}
    seat = svc.seat_screen(actor=world.wjl_admin, seat=seat, screened_on=TODAY - dt.timedelta(days=20))
    # the community cannot approve its own community's seats
    assert "approve" not in svc.seat_actions_allowed(actor=world.wjl_admin, seat=seat)
    before = _audits()
    with pytest.raises(PermissionDenied):
        svc.seat_approve(actor=world.wjl_admin, seat=seat)
    with pytest.raises(PermissionDenied):
        svc.seat_reject(actor=world.wjl_admin, seat=seat, reason="不行")
    assert _audits() == before
    seat.refresh_from_db()
    assert seat.step == SeatStep.SCREENED
    assert svc.seat_actions_allowed(actor=world.dongfeng_admin, seat=seat) == {"approve", "reject"}
    seat = svc.seat_approve(actor=world.dongfeng_admin, seat=seat, approved_on=TODAY - dt.timedelta(days=10))
    assert seat.approved_by == world.dongfeng_admin
    with pytest.raises(ValidationError):
        svc.seat_appoint(actor=world.wjl_admin, seat=seat, since=TODAY, until=TODAY)
    seat = svc.seat_appoint(
        actor=world.wjl_admin,
        seat=seat,
        since=TODAY - dt.timedelta(days=5),
        until=TODAY + dt.timedelta(days=1800),
    )
    assert seat.certificate_no == f"{(TODAY - dt.timedelta(days=5)).year}-{world.wjl.code}-001"
    assert PartTimeSeat.objects.filter(PartTimeSeat.in_force_on(TODAY), pk=seat.pk).exists()
    # the unit's liaison records the notice in the unit
    assert svc.seat_actions_allowed(actor=world.liaison, seat=seat) == {"announce"}
    seat = svc.seat_announce(actor=world.liaison, seat=seat)
    assert seat.step == SeatStep.ANNOUNCED and seat.announced_on == TODAY
    seat = svc.seat_end(actor=world.wjl_admin, seat=seat, until=TODAY, reason="工作调动")
    assert seat.step == SeatStep.ENDED
    assert not PartTimeSeat.objects.filter(PartTimeSeat.in_force_on(TODAY), pk=seat.pk).exists()
    assert PartTimeSeat.objects.filter(
        PartTimeSeat.in_force_on(TODAY - dt.timedelta(days=1)), pk=seat.pk
    ).exists()
    actions = list(
        AuditEntry.objects.filter(object_type="cobuild.parttimeseat")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "seat.recommend",
        "seat.screen",
        "seat.approve",
        "seat.appoint",
        "seat.announce",
        "seat.end",
    ]


def test_street_committee_seats_are_approved_by_the_district(world: World) -> None:
    committee = svc.committee_create(actor=world.dongfeng_admin, org=_street_org(), established_on=TODAY)
    seat = _recommend(world, committee, actor=world.dongfeng_admin)
    seat = svc.seat_screen(actor=world.dongfeng_admin, seat=seat)
    with pytest.raises(PermissionDenied):
        svc.seat_approve(actor=world.dongfeng_admin, seat=seat)
    with pytest.raises(PermissionDenied):
        svc.seat_approve(actor=world.wjl_admin, seat=seat)
    assert svc.seat_approve(actor=world.kaifu_admin, seat=seat).step == SeatStep.APPROVED
    other = svc.seat_screen(
        actor=world.dongfeng_admin,
        seat=_recommend(world, committee, actor=world.dongfeng_admin, person_name="王二"),
    )
    assert svc.seat_approve(actor=world.superuser, seat=other).step == SeatStep.APPROVED


def test_steps_out_of_order_are_refused(world: World) -> None:
    seat = _recommend(world, _committee(world))
    for call in (
        lambda: svc.seat_approve(actor=world.superuser, seat=seat),
        lambda: svc.seat_appoint(
            actor=world.superuser, seat=seat, since=TODAY, until=TODAY + dt.timedelta(days=9)
        ),
        lambda: svc.seat_announce(actor=world.superuser, seat=seat),
        lambda: svc.seat_end(actor=world.superuser, seat=seat, until=TODAY),
    ):
        with pytest.raises(ValidationError) as exc:
            call()
        assert "step" in exc.value.message_dict
    seat.refresh_from_db()
    assert seat.step == SeatStep.RECOMMENDED


def test_reject_at_screening_and_at_approval(world: World) -> None:
    committee = _committee(world)
    first = _recommend(world, committee)
    with pytest.raises(ValidationError):
        svc.seat_reject(actor=world.wjl_admin, seat=first, reason="")
    first = svc.seat_reject(actor=world.wjl_admin, seat=first, reason="不符合条件")
    assert first.step == SeatStep.REJECTED and first.note == "不符合条件"
    assert _last("seat.reject").reason == "不符合条件"
    second = svc.seat_screen(actor=world.wjl_admin, seat=_recommend(world, committee))
    second = svc.seat_reject(actor=world.dongfeng_admin, seat=second, reason="名额已满")
    assert second.step == SeatStep.REJECTED
    assert not svc.seat_actions_allowed(actor=world.superuser, seat=second)


def test_recommend_checks_the_unit_and_the_person(world: World) -> None:
    committee = _committee(world)
    with pytest.raises(ValidationError):
        _recommend(world, committee, unit=world.jsh_firm, actor=world.superuser)  # sits elsewhere
    with pytest.raises(ValidationError):
        _recommend(world, committee, person_name=" ")
    with pytest.raises(PermissionDenied):
        _recommend(world, committee, actor=world.jsh_admin)
    with pytest.raises(PermissionDenied):
        _recommend(world, committee, actor=world.liaison)
    _recommend(world, committee)
    with pytest.raises(ValidationError):
        _recommend(world, committee)  # already recommended
    assert PartTimeSeat.objects.count() == 1
