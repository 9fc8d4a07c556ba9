"""Data-quality checks (issue 20 item 6): each finds the bad record planted under 王家垅社区 and not
the clean one, only under the nodes above it; the counts are kept by ``gongjian quality`` and the
daily run; the page and the home show them to administrators within their scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from gongjian.appeals.models import Appeal, AppealStatus
from gongjian.cobuild.models import Agreement, AgreementStatus, PartTimeSeat, SeatStep
from gongjian.core.daily import run_daily
from gongjian.members import services as m
from gongjian.members.models import Category, Member, MemberCategory, MemberReport, MobileRecord
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Area, PartyOrg
from gongjian.stats.models import QualityCount
from gongjian.stats.quality import checks, quality_run
from gongjian.testing import World, build_every_app
from gongjian.web.inbox import inbox_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(world: World) -> World:
    build_every_app(world)
    return world


def _today() -> dt.date:
    return timezone.localdate()


def _ids(key: str, area: Area) -> set[int]:
    rule = next(r for r in checks() if r.id == key)
    assert rule.rows is not None
    return set(rule.rows(area, _today()).values_list("pk", flat=True))


# Each check: (prepare a clean record, make it bad) -> the record's id. The clean record must not be
# found; once made bad it must be.
Plant = Callable[[World], tuple[Callable[[], Any], Callable[[], Any]]]


def _member(name: str) -> Member:
    return Member.objects.get(name=name)


def _transferred(world: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    member = _member("直管0")
    return (lambda: member.pk, lambda: Member.objects.filter(pk=member.pk).update(status="transferred_out"))


def _unconfirmed(world: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    member = _member("在职0")

    def clean() -> int:  # listed 120 days ago, with a confirmed report
        MemberCategory.objects.filter(member=member, category=Category.IN_SERVICE).update(
            since=_today() - dt.timedelta(days=120)
        )
        return member.pk

    return clean, lambda: MemberReport.objects.filter(member=member).update(status="pending")


def _silent(world: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    member = _member("直管0")
    record = MobileRecord.objects.filter(member=member)

    def clean() -> int:  # away 100 days, never reported back: not yet a year
        record.update(since=_today() - dt.timedelta(days=100), last_report_back=None)
        return member.pk

    return clean, lambda: record.update(since=_today() - dt.timedelta(days=400))


def _org_empty(world: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    def bad() -> None:
        org_services.party_org_create(
            actor=world.superuser,
            name="30号庭院第二党支部",
            kind="branch",
            code="PO-WJL-30B",
            area=world.wjl_compound,
            parent=world.wjl_committee,
            since=dt.date(2020, 1, 1),
        )

    return (lambda: world.wjl_committee.pk, bad)


def _org_empty_found() -> int:
    return PartyOrg.objects.get(code="PO-WJL-30B").pk


def _unit(world: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    unit = world.minzheng
    return (lambda: unit.pk, lambda: type(unit).objects.filter(pk=unit.pk).update(contact_name=""))


def _seat(world: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    seat = PartTimeSeat.objects.get(person_name="郑任职")
    assert seat.step == SeatStep.APPOINTED
    return (lambda: seat.pk, lambda: PartTimeSeat.objects.filter(pk=seat.pk).update(until=_today()))


def _agreement(world: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    agreement = Agreement.objects.get(area=world.wjl, status=AgreementStatus.IN_FORCE)
    return (
        lambda: agreement.pk,
        lambda: Agreement.objects.filter(pk=agreement.pk).update(ends_on=_today() - dt.timedelta(days=1)),
    )


def test_the_same_person_on_two_direct_ledgers_is_refused_by_the_database(full: World) -> None:
    """No check is needed: one member per ID number (blind index), one open entry per ledger."""
    member = _member("直管0")
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberCategory.objects.create(
            member=member, category=Category.DIRECT, area=full.jsh, since=_today(), since_known=True
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(name="直管1").update(id_number_index=member.id_number_index)
    assert MemberCategory.objects.filter(member=member, category=Category.DIRECT).count() == 1


def _area(world: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    member = _member("直管0")

    def bad() -> None:  # 1栋 has no organisation of its own
        m.category_add(
            actor=world.superuser,
            member=member,
            category=Category.HARDSHIP,
            area=world.wjl_building,
            since=_today(),
        )

    return (lambda: world.wjl_compound.pk, bad)


def _appeal(world: World) -> tuple[Callable[[], Any], Callable[[], Any]]:
    appeal = Appeal.objects.get(title="王家垅1栋水管爆裂")
    now = timezone.now()
    return (
        lambda: appeal.pk,
        lambda: Appeal.objects.filter(pk=appeal.pk).update(
            status=AppealStatus.CLOSED, solved_at=now, closed_at=now
        ),
    )


PLANTS: dict[str, tuple[Plant, Callable[[int], int] | None]] = {
    "quality.transferred_out_listed": (_transferred, None),
    "quality.in_service_unconfirmed": (_unconfirmed, None),
    "quality.mobile_silent": (_silent, None),
    "quality.orgs_without_members": (_org_empty, lambda _clean: _org_empty_found()),
    "quality.units_incomplete": (_unit, None),
    "quality.seats_past_term": (_seat, None),
    "quality.areas_without_org": (_area, lambda _clean: Area.objects.get(name="1栋").pk),
    "quality.agreements_past_term": (_agreement, None),
    "quality.closed_without_callback": (_appeal, None),
}


def test_every_check_is_named_and_tested() -> None:
    rules = checks()
    assert sorted(r.id for r in rules) == sorted(PLANTS)
    for rule in rules:
        assert rule.hidden and rule.rows is not None
        assert rule.name_hans and rule.name_hant and rule.name_en


@pytest.mark.parametrize("key", sorted(PLANTS))
def test_each_check_finds_its_planted_case_and_not_a_clean_one(full: World, key: str) -> None:
    plant, found_id = PLANTS[key]
    clean, bad = plant(full)
    clean_id = clean()
    assert clean_id not in _ids(key, full.wjl)
    jsh_before = _ids(key, full.jsh)
    bad()
    target = found_id(clean_id) if found_id else clean_id
    for node in (full.wjl, full.dongfeng, full.changsha):
        assert target in _ids(key, node), node.name
    assert _ids(key, full.jsh) == jsh_before
    assert target not in _ids(key, full.gaoxin)


def test_the_run_keeps_counts_per_node_and_the_daily_run_includes_it(full: World) -> None:
    _unit(full)[1]()
    quality_run(node=full.dongfeng)
    kept = QualityCount.objects.get(path=full.wjl.path, check_id="quality.units_incomplete")
    assert kept.count == len(_ids("quality.units_incomplete", full.wjl)) >= 1
    assert not QualityCount.objects.filter(path=full.jsh.path).exists()  # outside the node asked
    outcomes = {o.name: o for o in run_daily()}
    assert outcomes["gongjian.stats.quality.quality_run"].error == ""
    assert QualityCount.objects.filter(path=full.jsh.path).count() == len(checks())


def test_the_command_counts_on_demand_and_refuses_an_unknown_node(full: World) -> None:
    out = StringIO()
    call_command("quality", "--node", full.wjl.code, stdout=out)
    assert "quality.units_incomplete" in out.getvalue()
    assert QualityCount.objects.filter(path=full.wjl.path).count() == len(checks())
    with pytest.raises(Exception, match="No node"):
        call_command("quality", "--node", "NOPE", stdout=StringIO())


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_quality_page_lists_counts_with_drill_down_in_scope(full: World) -> None:
    _unit(full)[1]()
    quality_run()
    resp = _client(full.wjl_admin).get(f"/stats/{full.wjl.code}/quality/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "没有党组织或没有联系人的驻区单位" in body
    assert f"/stats/{full.wjl.code}/quality.units_incomplete/" in body
    drill = _client(full.wjl_admin).get(f"/stats/{full.wjl.code}/quality.units_incomplete/")
    assert drill.status_code == 200 and "湖南省民政厅" in drill.content.decode()
    # a community sees only its own
    assert _client(full.jsh_admin).get(f"/stats/{full.wjl.code}/quality/").status_code == 404
    assert _client(full.jsh_admin).get(f"/stats/{full.jsh.code}/quality/").status_code == 200


def test_the_home_tells_administrators_what_to_check(full: World) -> None:
    _unit(full)[1]()
    quality_run()
    items = {i.kind: i for i in inbox_for(full.wjl_admin)}
    item = items["quality.units_incomplete"]
    assert item.count == len(_ids("quality.units_incomplete", full.wjl))
    assert f"/stats/{full.wjl.code}/quality.units_incomplete/" in item.url
    assert "数据质量" in item.title or "Data quality" in item.title
    # a member is not an administrator: nothing to check
    assert not [i for i in inbox_for(full.member) if i.kind.startswith("quality.")]


def test_the_api_gives_a_checks_records_in_scope(full: World) -> None:
    _unit(full)[1]()
    url = f"/api/v1/stats/{full.wjl.code}/quality.units_incomplete/rows/"
    resp = _client(full.wjl_admin).get(url)
    assert resp.status_code == 200
    assert full.minzheng.pk in [r["id"] for r in resp.json()["results"]]
    assert _client(full.jsh_admin).get(url).status_code == 404
