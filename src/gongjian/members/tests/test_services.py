from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from gongjian.core.models import AuditEntry
from gongjian.core.synthetic import id_number
from gongjian.members import selectors, services
from gongjian.members.models import Category, Member, MemberCategory, TransferStatus
from gongjian.orgs import services as org_services


def _member(world, n=1, **kw):
    data = dict(
        actor=world.wjl_admin,
        name=f"党员{n}",
        id_number=id_number(n, birth=dt.date(1970, 5, 6)),
        org=world.wjl_committee,
        joined_on=dt.date(1995, 7, 1),
        phone=f"138000{n:05d}",
        residence=world.wjl_building,
        categories=[Category.DIRECT],
    )
    data.update(kw)
    return services.member_create(**data)


def test_member_is_sealed_masked_and_found_by_blind_index(world):
    m = _member(world)
    clear = id_number(1, birth=dt.date(1970, 5, 6))
    row = Member.objects.get(pk=m.pk)
    assert clear not in row.id_number_sealed and clear[:6] == row.id_number_masked[:6]
    assert row.id_number_masked == clear[:6] + "********" + clear[-4:]
    assert row.birth_date == dt.date(1970, 5, 6) and row.gender == "M"
    assert selectors.member_find_by_id_number(actor=world.wjl_admin, id_number=clear) == row
    assert selectors.member_find_by_id_number(actor=world.jsh_admin, id_number=clear) is None
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM members_member")
        assert clear not in str(cur.fetchall())
    assert clear not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_bad_or_duplicate_id_numbers_change_nothing(world):
    _member(world)
    before = Member.objects.count()
    with pytest.raises(ValidationError):
        _member(world, 2, id_number="430121197005060011")  # wrong check character
    with pytest.raises(ValidationError):
        _member(world, 3, id_number=id_number(1, birth=dt.date(1970, 5, 6)))
    with pytest.raises(ValidationError):
        _member(world, 4, birth_date=dt.date(1971, 1, 1))
    with pytest.raises(ValidationError):
        _member(world, 5, gender="F")
    assert Member.objects.count() == before


def test_reveal_needs_permission_and_reason_and_is_audited(world):
    m = _member(world)
    with pytest.raises(ValidationError):
        services.member_reveal(actor=world.wjl_admin, member=m, field="id_number", reason="")
    with pytest.raises(PermissionDenied):
        services.member_reveal(actor=world.jsh_admin, member=m, field="id_number", reason="查看")
    assert (
        services.member_reveal(actor=world.wjl_admin, member=m, field="phone", reason="联系") == "13800000001"
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.action == "pii.reveal" and entry.reason == "联系" and entry.changes == {"field": "phone"}


def test_categories_are_dated_relations_with_history(world):
    m = _member(world, residence=world.wjl_building)
    services.category_add(
        actor=world.wjl_admin, member=m, category=Category.RETIRED, since=dt.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.category_add(actor=world.wjl_admin, member=m, category=Category.RETIRED)
    direct = MemberCategory.objects.get(member=m, category=Category.DIRECT)
    services.category_end(actor=world.wjl_admin, entry=direct, until=dt.date(2021, 1, 1))
    on_2020 = selectors.member_list(
        actor=world.wjl_admin, within=world.wjl, category=Category.DIRECT, on=dt.date(2020, 6, 1)
    )
    on_2022 = selectors.member_list(
        actor=world.wjl_admin, within=world.wjl, category=Category.DIRECT, on=dt.date(2022, 6, 1)
    )
    assert list(on_2020) == [m] and list(on_2022) == []
    assert selectors.category_history(actor=world.wjl_admin, member=m).count() == 2


def test_in_service_member_is_listed_where_they_live_and_reports_there(world):
    m = services.member_create(
        actor=world.liaison,
        name="在职党员",
        id_number=id_number(7),
        org=world.minzheng_org,
        joined_on=dt.date(2005, 1, 1),
        residence=world.jsh_compound,
        work_unit=world.minzheng,
        categories=[Category.IN_SERVICE],
    )
    entry = MemberCategory.objects.get(member=m)
    assert entry.area == world.jsh
    report = services.member_report_create(
        actor=world.liaison, member=m, skills="法律咨询", since=dt.date(2026, 1, 2)
    )
    assert report.community == world.jsh
    with pytest.raises(PermissionDenied):
        services.member_report_decide(actor=world.wjl_admin, report=report, confirm=True)
    services.member_report_decide(actor=world.jsh_admin, report=report, confirm=True, on=dt.date(2026, 1, 5))
    services.report_contact_add(
        actor=world.jsh_admin, report=report, on=dt.date(2026, 2, 1), kind="activity", description="社区普法"
    )
    sheet = selectors.feedback_sheet(actor=world.liaison, unit_id=world.minzheng.pk, year=2026, quarter=1)
    assert [(r["member"], r["activities"]) for r in sheet] == [(m, 1)]


def test_a_membership_moves_once(world):
    m = _member(world)
    target = org_services.party_org_create(
        actor=world.city_admin, name="尖山湖社区第二支部", kind="branch", code="PO-JSH-2", area=world.jsh
    )
    t = services.transfer_issue(actor=world.wjl_admin, member=m, to_org=target, letter_no="L-001")
    with pytest.raises(ValidationError):
        services.transfer_issue(actor=world.wjl_admin, member=m, to_org=target, letter_no="L-002")
    with pytest.raises(PermissionDenied):
        services.transfer_receive(actor=world.wjl_admin, transfer=t)
    services.transfer_receive(actor=world.jsh_admin, transfer=t)
    with pytest.raises(ValidationError):
        services.transfer_receive(actor=world.jsh_admin, transfer=t)
    m.refresh_from_db()
    t.refresh_from_db()
    assert m.org == target and t.status == TransferStatus.RECEIVED
    assert (
        MemberCategory.objects.get(member=m, category=Category.DIRECT, until__isnull=True).area == world.jsh
    )


def test_household_needs_a_full_member_and_one_to_nine_neighbours(world):
    m = _member(world)
    street_org = org_services.party_org_create(
        actor=world.city_admin,
        name="东风路街道党工委二",
        kind="working_committee",
        code="PO-DFL-2",
        area=world.dongfeng,
    )
    with pytest.raises(ValidationError):
        services.household_award(
            actor=world.dongfeng_admin,
            area=world.wjl_building,
            address="1栋101",
            members=[m],
            neighbours=[],
            awarded_by=street_org,
        )
    with pytest.raises(PermissionDenied):
        services.household_award(
            actor=world.wjl_admin,
            area=world.wjl_building,
            address="1栋101",
            members=[m],
            neighbours=["1栋102"],
            awarded_by=street_org,
        )
    h = services.household_award(
        actor=world.dongfeng_admin,
        area=world.wjl_building,
        address="1栋101",
        members=[m],
        neighbours=["1栋102", "1栋103"],
        awarded_by=street_org,
    )
    assert h.neighbours.count() == 2
    assert list(selectors.household_list(actor=world.wjl_admin)) == [h]
    assert list(selectors.household_list(actor=world.jsh_admin)) == []


def test_bulk_create_validates_like_member_create_and_is_all_or_nothing(world):
    from gongjian.members.bulk import MemberRow, members_bulk_create

    rows = [
        MemberRow(
            name=f"批量{i}",
            id_number=id_number(100 + i, birth=dt.date(1980, 2, 3)),
            org=world.wjl_committee,
            joined_on=dt.date(2001, 7, 1),
            residence=world.wjl_building,
            categories=[(Category.DIRECT, world.wjl, dt.date(2001, 7, 1))],
            co_managed=(world.wjl, world.minzheng, dt.date(2018, 8, 1)) if i % 2 else None,
        )
        for i in range(5)
    ]
    assert members_bulk_create(actor=world.wjl_admin, rows=rows, batch_size=2) == 5
    assert (
        selectors.member_list(actor=world.wjl_admin, within=world.wjl, category=Category.DIRECT).count() == 5
    )
    assert selectors.co_management_list(actor=world.wjl_admin, within=world.wjl).count() == 2
    entries = AuditEntry.objects.filter(action="member.bulk_create")
    assert entries.count() == 3 and sum(len(e.changes["members"]) for e in entries) == 5
    before = Member.objects.count()
    bad = [
        MemberRow(
            name="新人", id_number=id_number(200), org=world.wjl_committee, joined_on=dt.date(2001, 7, 1)
        ),
        rows[0],
    ]
    with pytest.raises(ValidationError):
        members_bulk_create(actor=world.wjl_admin, rows=bad)
    assert Member.objects.count() == before
    with pytest.raises(PermissionDenied):
        members_bulk_create(
            actor=world.jsh_admin,
            rows=[
                MemberRow(
                    name="越界",
                    id_number=id_number(300),
                    org=world.wjl_committee,
                    joined_on=dt.date(2001, 7, 1),
                )
            ],
        )


def test_services_check_every_linked_row_against_the_scope(world):
    m = _member(world)
    with pytest.raises(PermissionDenied):
        services.member_update(actor=world.wjl_admin, member=m, residence=world.jsh_compound)
    with pytest.raises(PermissionDenied):
        services.member_update(actor=world.wjl_admin, member=m, work_unit=world.jsh_firm)
    with pytest.raises(PermissionDenied):
        services.category_add(actor=world.wjl_admin, member=m, category=Category.RETIRED, area=world.jsh)
    with pytest.raises(ValidationError):
        services.co_management_add(actor=world.wjl_admin, member=m, community=world.wjl, unit=world.minzheng)
    station = services.station_create(actor=world.wjl_admin, name="流动党员驿站", area=world.wjl)
    with pytest.raises(ValidationError):
        services.station_check_in(actor=world.wjl_admin, station=station, member=m)
    services.mobile_record_create(
        actor=world.wjl_admin, member=m, destination="广东省深圳市", since=dt.date(2026, 1, 1)
    )
    assert services.station_check_in(actor=world.wjl_admin, station=station, member=m).member == m


def test_pages_never_show_a_birth_date_beside_the_masked_number(world, client):
    """The mask hides exactly the birth date: showing both would rebuild the whole ID number."""
    m = _member(world)
    client.force_login(world.wjl_admin)
    for url in (f"/ledgers/members/{m.pk}/", f"/ledgers/area/{world.wjl.pk}/"):
        body = client.get(url).content.decode()
        assert m.id_number_masked in body or url.endswith(f"/{world.wjl.pk}/")
        assert m.birth_date.strftime("%Y-%m-%d") not in body
        assert m.birth_date.strftime("%Y%m%d") not in body
