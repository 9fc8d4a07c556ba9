"""The Changsha 2018 demo: loaded once (``conftest.demo``), checked through ``gongjian indicators``."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Q
from django.test import Client
from stdnum.cn import ric

from gongjian.accounts.models import Role, User
from gongjian.cobuild.models import (
    ActionStatus,
    Agreement,
    AgreementStatus,
    Answer,
    Attendance,
    Clause,
    Consultation,
    JointMeeting,
    MeetingStatus,
    PartTimeSeat,
    SeatStep,
)
from gongjian.core.audit import audit_verify
from gongjian.core.models import AuditEntry
from gongjian.demo.scenario import DEMO_ACCOUNTS, DEMO_PASSWORD
from gongjian.lists.models import Claim, Demand, DemandKind, Project, Resource
from gongjian.members.models import (
    Category,
    CoManagement,
    Household,
    Member,
    MemberCategory,
    MemberReport,
    MobileRecord,
    Standing,
    Station,
    StationCheckIn,
    Transfer,
)
from gongjian.members.selectors import mobile_reminders
from gongjian.orgs.models import Alliance, AllianceMember, Area, Level, PartyOrg, ResidentUnit
from gongjian.service.models import ServiceTeam
from gongjian.stats.management.commands.indicators import today

#: People the article names in a private capacity, and officials other than the one the demo uses
#: in his public role: none of them may become a record.
PRIVATE_PERSONS = (
    "郑松泉",
    "吴先贵",
    "雷晓彬",
    "杨慧",
    "杨灿",
    "吴小燕",
    "杨炯",
    "龚爱林",
    "戴伟平",
    "曾超群",
    "张宏益",
    "张颐佳",
    "周云武",
)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def indicators(area: str, *extra: str) -> dict[str, Any]:
    return json.loads(run("indicators", "--area", area, "--format", "json", *extra))


def test_status_is_empty_before_and_loaded_after(demo, db):
    assert demo["status_before"] == "empty"
    assert demo["status_after"] == "loaded"
    assert run("demo", "--status") == "loaded\n"


def test_load_is_sized_like_the_article(demo, db):
    assert Area.objects.filter(level=Level.DISTRICT).count() == 10
    assert 28 <= Area.objects.filter(level=Level.STREET).count() <= 32
    assert 140 <= Area.objects.filter(level=Level.COMMUNITY).count() <= 160
    # every territorial node above the compounds has its Party organisation
    for area in Area.objects.filter(level__lte=Level.COMMUNITY):
        assert PartyOrg.objects.filter(area=area, unit__isnull=True).exists(), area.name
    # every resident unit has its own Party organisation
    assert not ResidentUnit.objects.filter(party_orgs__isnull=True).exists()


def test_huaichuan_reproduces_the_articles_figures(demo, db):
    huaichuan = Area.objects.get(name="淮川街道")
    old = Area.objects.filter(level=Level.COMPOUND, old_compound=True, path__startswith=huaichuan.path)
    assert old.count() == 371
    assert old.filter(name__in=["石板巷", "财富新世界"]).count() == 2
    data = indicators("淮川街道")
    assert data["area"] == {"code": huaichuan.code, "name": "淮川街道"}
    figures = data["indicators"]
    assert figures["orgs.compound_branches"] == 75
    assert figures["orgs.building_groups"] == 88
    assert figures["coverage.compounds"] == round(75 / 371, 4)
    # on the article's date too: the branches were set up in the three years before it
    on_the_day = indicators("淮川街道", "--date", "2018-09-04")
    assert on_the_day["date"] == "2018-09-04"
    assert on_the_day["indicators"]["orgs.compound_branches"] == 75
    assert on_the_day["indicators"]["orgs.building_groups"] == 88
    # and by code, and in Traditional script (淮川街道 is the same in both)
    assert indicators(huaichuan.code)["indicators"] == figures


def test_jianshanhu_has_four_incubation_bases_with_5000_plus_firms(demo, db):
    jsh = Area.objects.get(name="尖山湖社区")
    bases = ResidentUnit.objects.filter(area__path__startswith=jsh.path, incubator=True)
    assert bases.count() == 4
    assert {"中电软件园", "芯城科技园"} <= set(bases.values_list("name", flat=True))
    assert sum(bases.values_list("hosted_firms", flat=True)) >= 5000
    assert ResidentUnit.objects.filter(name="永雄集团", kind="private").exists()
    figures = indicators("尖山湖社区")["indicators"]
    assert figures["units.resident"] == 5  # 4 bases + 永雄集团
    assert figures["alliance.members"] == 5
    alliance = Alliance.objects.get(area=jsh)
    assert "大服务" in alliance.name


def test_wangjialong_courtyard_branches_and_alliance(demo, db):
    wjl = Area.objects.get(name="王家垅社区")
    branches = PartyOrg.objects.filter(
        area__path__startswith=wjl.path, area__level=Level.COMPOUND, kind="branch", unit__isnull=True
    )
    names = set(branches.values_list("name", flat=True))
    assert {"30号庭院党支部", "43号庭院党支部", "76号庭院党支部"} <= names
    for number in ("30", "43", "76"):
        branch = branches.get(name=f"{number}号庭院党支部")
        assert branch.area.name == f"{number}号庭院"
        assert branch.parent is not None and branch.parent.name == "王家垅社区党委"
    assert indicators("王家垅社区")["indicators"]["orgs.compound_branches"] >= 3
    # 开福区's first alliance, signed at 东风路街道: the three named units
    dongfeng = Area.objects.get(name="东风路街道")
    alliance = Alliance.objects.get(area__path__startswith=dongfeng.path)
    members = set(alliance.members.filter(until__isnull=True).values_list("unit__name", flat=True))
    assert members == {"湖南省民政厅", "长沙市星城公证处", "东风路派出所"}
    assert "开福区首个区域化党建联盟" in alliance.description
    assert indicators("东风路街道")["indicators"]["alliance.members"] == 3


def test_yuelu_first_joint_meeting_has_twelve_units(demo, db):
    yuelu = Area.objects.get(name="岳麓区")
    alliance = Alliance.objects.get(area=yuelu)
    assert alliance.convener.name == "中共岳麓区委"
    assert alliance.since.isoformat() == "2018-06-16"
    units = set(alliance.members.values_list("unit__name", flat=True))
    assert len(units) == 12
    assert {"中南大学", "湖南大学", "湖南师范大学", "中共湖南省委党校", "中铁城建集团"} <= units
    assert indicators("岳麓区")["indicators"]["alliance.members"] == 12


def test_qingshuitang_has_20_plus_provincial_units_and_27_buildings(demo, db):
    qst = Area.objects.get(name="清水塘街道")
    units = ResidentUnit.objects.filter(area__path__startswith=qst.path)
    assert units.filter(rank="provincial").count() >= 20
    assert {"湖南省政协", "湖南省公路局", "中共湖南省委统战部", "长沙银行"} <= set(
        units.values_list("name", flat=True)
    )
    buildings = Area.objects.filter(path__startswith=qst.path, kind_label="商务楼宇")
    assert buildings.count() == 27
    big = Alliance.objects.get(area=qst)
    assert "大工委" in big.name
    assert big.members.filter(unit__rank="provincial").count() >= 20


def test_other_named_places_and_units(demo, db):
    for district, street, community in [
        ("开福区", "望麓园街道", "富雅坪社区"),
        ("岳麓区", "银盆岭街道", "银星社区"),
        ("浏阳市", "淮川街道", "朝阳社区"),
        ("雨花区", "井湾子街道", "融城社区"),
        ("长沙县", "金井镇", "金龙村"),
        ("长沙县", "长龙街道", "湘峰村"),
    ]:
        node = Area.objects.get(name=community)
        assert [a.name for a in Area.objects.get_ancestors(node)] == ["长沙市", district, street]
    gaoxin = Area.objects.get(name="高新区")
    assert (gaoxin.code, gaoxin.kind_label) == ("4301GX", "开发区")
    assert ResidentUnit.objects.get(name="湖南省作家协会").area.name == "银星社区"
    assert ResidentUnit.objects.get(name="金芙蓉影楼").area.path.startswith(
        Area.objects.get(name="淮川街道").path
    )
    fyp = Alliance.objects.get(area__name="富雅坪社区")
    assert set(fyp.members.values_list("unit__name", flat=True)) == {
        "湖南中医药大学第二附属医院",
        "长沙市第一医院",
    }


def test_traditional_input_and_errors(demo, db):
    data = indicators("長沙市")
    assert data["area"] == {"code": "430100", "name": "长沙市"}
    assert set(data["indicators"]) >= {"units.resident", "coverage.compounds"}
    assert data["indicators"]["units.resident"] == ResidentUnit.objects.count()
    with pytest.raises(CommandError, match="ambiguous"):
        run("indicators", "--area", "1栋")
    with pytest.raises(CommandError, match="No area"):
        run("indicators", "--area", "不存在的街道")


def test_every_demo_user_can_log_in(demo, db):
    for account in DEMO_ACCOUNTS:
        client = Client()
        resp = client.post("/accounts/login/", {"username": account.username, "password": DEMO_PASSWORD})
        assert resp.status_code == 302, account.username
        user = User.objects.get(username=account.username)
        assert client.session["_auth_user_id"] == str(user.pk)
        if account.role == "superuser":
            assert user.is_superuser
        else:
            assert Role.objects.filter(user=user, kind=account.role).exists()
    listing = run("demo", "--users")
    assert DEMO_PASSWORD in listing
    for account in DEMO_ACCOUNTS:
        assert account.username in listing


def test_audit_chain_verifies_and_covers_every_record(demo, db):
    verdict = audit_verify()
    assert verdict.ok, verdict.problem
    assert "OK" in run("audit", "verify")
    assert AuditEntry.objects.filter(action="area.create").count() == Area.objects.count()
    assert AuditEntry.objects.filter(action="unit.create").count() == ResidentUnit.objects.count()
    assert AuditEntry.objects.filter(action="party_org.create").count() == PartyOrg.objects.count()
    assert AuditEntry.objects.filter(action="alliance.member_add").count() == AllianceMember.objects.count()
    # members arrive in audited batches: every member is listed (masked) in one batch entry
    listed = [
        row
        for entry in AuditEntry.objects.filter(action="member.bulk_create")
        for row in entry.changes["members"]
    ]
    # each row reads "<pk> <masked ID number> <name>"
    pks = {int(row.split(" ", 1)[0]) for row in listed}
    assert len(listed) == len(pks) == Member.objects.count()
    assert pks == set(Member.objects.values_list("pk", flat=True))
    assert all("********" in row.split(" ")[1] for row in listed)
    assert AuditEntry.objects.filter(action="household.award").count() == Household.objects.count()
    assert AuditEntry.objects.filter(action="station.check_in").count() == StationCheckIn.objects.count()


def test_no_clear_phone_number_and_no_private_person(demo, db):
    for unit in ResidentUnit.objects.all():
        clear = unit.contact_phone_clear()
        assert re.fullmatch(r"138000\d{5}", clear)
        assert clear not in unit.contact_phone_sealed
        assert clear[-5:] not in unit.contact_phone_sealed
        assert unit.contact_phone_masked != clear
    for entry in AuditEntry.objects.filter(action="unit.create"):
        assert not re.search(r"138000\d{5}", json.dumps(entry.changes))
    texts = [f"{o.name}{o.secretary}" for o in PartyOrg.objects.all()]
    texts += [f"{u.name}{u.contact_name}{u.address}" for u in ResidentUnit.objects.all()]
    texts += [f"{a.name}{a.description}" for a in Alliance.objects.all()]
    texts += [f"{m.representative}{m.representative_title}" for m in AllianceMember.objects.all()]
    texts += list(Area.objects.values_list("name", flat=True))
    texts += [f"{u.username}{u.display_name}{u.first_name}{u.last_name}" for u in User.objects.all()]
    texts += list(Member.objects.values_list("name", flat=True))
    texts += list(PartTimeSeat.objects.values_list("person_name", flat=True))
    texts += [
        f"{a.host_liaison}{a.unit_liaison}{a.host_signatory}{a.unit_signatory}"
        for a in Agreement.objects.all()
    ]
    texts += [f"{m.convener}{m.minutes}" for m in JointMeeting.objects.all()]
    texts += list(Attendance.objects.values_list("person_name", flat=True))
    blob = "\n".join(texts)
    for person in PRIVATE_PERSONS:
        assert person not in blob, person


def test_load_refuses_on_data_and_reset_reloads_without_duplicates(demo, db):
    """The demo of these tests was loaded by ``gongjian demo --reset`` over the tests' own world,
    which holds rows in most tables under the demo's own names, codes and account names (see
    ``conftest``): the reset left none of them, and the load holds what it reports, once."""
    # on data, loading without --reset refuses and says how to start over: on the demo as on the world
    with pytest.raises(CommandError, match="--reset"):
        run("demo")
    assert demo["status_with_data"] == "loaded"
    assert "--reset" in demo.get("refused", "")
    # nothing that was there before is left in any table: every row has a newer id than the rows
    # before had (ids are never handed out twice), or another key
    before = demo["rows_before"]
    assert sum(1 for count, _ in before.values() if count) >= 40, "the world should fill most tables"
    old_rows = []
    # (the two one-row tables are kept at id 1: the audit log's head, the new chain's as checked
    # below, and the figures' version)
    for label, (count, top) in before.items():
        if not count or label in ("core.AuditHead", "stats.Version"):
            continue
        manager = apps.get_model(label)._base_manager
        old_rows.append(
            (label, manager.filter(pk__in=top) if isinstance(top, set) else manager.filter(pk__lte=top))
        )
    left = {label: rows.count() for label, rows in old_rows if rows.exists()}
    assert not left, f"rows from before the reset are still there: {left}"
    # and the tables hold what the load reports it wrote, no more
    after = {
        "areas": Area.objects.count(),
        "orgs": PartyOrg.objects.count(),
        "units": ResidentUnit.objects.count(),
        "alliances": Alliance.objects.count(),
        "alliance_members": AllianceMember.objects.count(),
        "people": Member.objects.count(),
        "households": Household.objects.filter(until__isnull=True).count(),  # plaqued: not withdrawn
        "users": User.objects.count(),
    }
    assert after == demo["loaded"], demo["output"]
    codes = list(ResidentUnit.objects.values_list("credit_code", flat=True))
    assert len(set(codes)) == len(codes)
    assert Area.objects.filter(name="王家垅社区").count() == 1
    assert audit_verify().ok
    assert AuditEntry.objects.order_by("seq").first().seq == 1  # a new chain
    assert indicators("淮川街道")["indicators"]["orgs.compound_branches"] == 75
    assert indicators("王家垅社区", "--date", "2018-09-04")["indicators"]["members.direct"] == 152


def test_on_postgresql_the_load_leaves_the_planners_statistics(demo, db):
    """Right after ``gongjian demo`` the first dashboards must not plan for empty tables (without
    statistics one recount took 70 s instead of 6): the load ends with ``ANALYZE``."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL keeps planner statistics; SQLite plans without them")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s)",
            [[Member._meta.db_table, Area._meta.db_table]],
        )
        seen = dict(cursor.fetchall())
    # (exact below ANALYZE's sample of 30,000 rows, an estimate above it)
    for model in (Member, Area):
        assert seen[model._meta.db_table] == pytest.approx(model.objects.count(), rel=0.1), model


# --- the member ledgers -------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2018-09-04", "today"])
def test_member_figures_of_the_article(demo, db, date):
    on = today().isoformat() if date == "today" else date
    wjl = indicators("王家垅社区", "--date", on)["indicators"]
    assert wjl["members.direct"] == 152
    assert wjl["members.co_managed"] == 194
    county = indicators("長沙縣", "--date", on)  # either script
    assert county["area"]["name"] == "长沙县"
    figures = county["indicators"]
    assert figures["members.in_service"] >= 6500
    assert figures["members.reported"] >= 6500
    assert figures["members.retired"] >= 1200
    assert 0.9 < figures["members.report_rate"] <= 1.0
    assert figures["members.mobile"] >= 2
    assert indicators("金龍村", "--date", on)["indicators"]["households.plaqued"] == 119


def test_table_prints_the_article_figures(demo, db):
    text = run("indicators", "--area", "王家垅社区", "--date", "2018-09-04", "--format", "table")
    rows = {line.split()[0]: line.split()[-1] for line in text.splitlines()[2:]}
    assert rows["members.direct"] == "152"
    assert rows["members.co_managed"] == "194"


def test_wangjialong_members_are_its_own_and_its_units(demo, db):
    wjl = Area.objects.get(name="王家垅社区")
    on = dt.date(2018, 9, 4)
    direct = MemberCategory.objects.filter(
        Q(until__isnull=True) | Q(until__gt=on),
        category=Category.DIRECT,
        since__lte=on,
        area__path__startswith=wjl.path,
    ).select_related("member__org__area", "member__residence")
    assert direct.count() == 152
    for entry in direct:
        org = entry.member.org
        assert org.unit_id is None and org.area.path.startswith(wjl.path)
        assert org.name == "王家垅社区党委" or (
            org.parent is not None and org.parent.name == "王家垅社区党委"
        )
        residence = entry.member.residence
        assert residence is not None and residence.path.startswith(wjl.path)
        assert residence.level > Level.COMMUNITY
    co = CoManagement.objects.filter(community=wjl).select_related("unit", "member__org")
    assert co.count() == 194
    assert {row.unit.name for row in co} == {"湖南省民政厅", "长沙市星城公证处", "东风路派出所"}
    for row in co:
        assert row.member.org.unit_id == row.unit_id  # their unit's Party organisation holds them
        assert row.member.work_unit_id == row.unit_id
        assert dt.date(2018, 8, 1) <= row.since < on and row.until is None
    # the demo member account is one of them, and sees itself
    member = Member.objects.get(user__username="member")
    assert member.org.area.path.startswith(wjl.path)


def test_changsha_county_members_are_reported_where_they_live(demo, db):
    county = Area.objects.get(name="长沙县")
    on = dt.date(2018, 9, 4)
    reports = MemberReport.objects.filter(
        community__path__startswith=county.path, status="confirmed", confirmed_on__lte=on, since__lte=on
    ).select_related("member__work_unit__area", "member__residence", "community")
    assert reports.count() >= 6500
    organs = 0
    for report in reports:
        member = report.member
        residence = member.residence
        assert residence is not None and residence.path.startswith(report.community.path)
        unit = member.work_unit
        if unit is not None and unit.kind == "organ" and unit.area.path.startswith(county.path):
            organs += 1
    assert organs >= 6500
    organ_units = ResidentUnit.objects.filter(kind="organ", area__path__startswith=county.path)
    assert not organ_units.filter(party_orgs__isnull=True).exists()
    paths = set(reports.values_list("community__path", flat=True))
    streets = {
        a.name
        for a in Area.objects.filter(
            level=Level.STREET, path__in={p[: len(county.path) + Area.steplen] for p in paths}
        )
    }
    assert streets == {"金井镇", "长龙街道", "松雅街道"}  # spread over its towns and streets
    retired = MemberCategory.objects.filter(category=Category.RETIRED, area__path__startswith=county.path)
    assert retired.count() >= 1200


def test_jinlong_plaques(demo, db):
    jinlong = Area.objects.get(name="金龙村")
    households = Household.objects.filter(area__path__startswith=jinlong.path, until__isnull=True)
    assert households.count() == 119
    for household in households.prefetch_related("members", "neighbours").select_related("awarded_by"):
        assert household.awarded_by.name == "金井镇党委"
        members = list(household.members.all())
        assert len(members) == 1 and members[0].standing == Standing.FULL
        assert members[0].residence_id == household.area_id
        assert 1 <= household.neighbours.count() <= 9
    assert Household.objects.filter(area__path__startswith=jinlong.path, until__isnull=False).count() == 1


def test_station_mobile_members_flags_and_transfers(demo, db):
    station = Station.objects.get(area__name="朝阳社区")
    assert station.name == "朝阳社区流动党员驿站"
    check_ins = StationCheckIn.objects.filter(station=station)
    assert check_ins.count() >= 10
    visitors = set(check_ins.values_list("member_id", flat=True))
    assert len(visitors) >= 4
    assert (
        set(MobileRecord.objects.filter(member_id__in=visitors).values_list("member_id", flat=True))
        == visitors
    )
    admin = User.objects.get(username="admin")
    county = Area.objects.get(name="长沙县")
    reminders = mobile_reminders(actor=admin, within=county, on=today())
    assert len(reminders["report_back_due"]) >= 1
    assert len(reminders["transfer_prompted"]) >= 2
    assert MemberCategory.objects.filter(category=Category.HARDSHIP).count() >= 5
    assert MemberCategory.objects.filter(category=Category.LOST_CONTACT).count() >= 2
    assert Transfer.objects.filter(status="received").count() == 1
    assert Transfer.objects.filter(status="issued").count() == 1
    moved = Transfer.objects.get(status="received").member
    assert moved.org == Transfer.objects.get(status="received").to_org


def _clear_numbers(members: list[Member]) -> list[str]:
    return [m.id_number_clear() for m in members]


def test_id_numbers_are_valid_and_unique(demo, db):
    members = list(Member.objects.only("pk", "id_number_sealed", "id_number_masked", "birth_date", "gender"))
    assert len(members) >= 8000
    numbers = _clear_numbers(members)
    bad = []
    for member, number in zip(members, numbers, strict=True):
        try:
            ric.validate(number)
        except Exception:
            bad.append(member.pk)
            continue
        if ric.get_birth_date(number) != member.birth_date or number[:6] != member.id_number_masked[:6]:
            bad.append(member.pk)
    assert not bad, f"{len(bad)} members have an invalid ID number (pks {bad[:5]})"
    assert len(set(numbers)) == len(numbers), "two members share an ID number"


def test_no_clear_id_number_in_the_tables(demo, db):
    sample = list(Member.objects.order_by("pk")[::97])
    assert len(sample) >= 80
    clear = _clear_numbers(sample)
    tables = [m._meta.db_table for m in apps.get_app_config("members").get_models(include_auto_created=True)]
    tables.append(AuditEntry._meta.db_table)
    leaked: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            text = "\n".join("\t".join(str(v) for v in row) for row in cursor.fetchall()).upper()
            found = sum(1 for number in clear if number.upper() in text)
            if found:
                leaked[table] = found
    assert not leaked, f"clear ID numbers found in tables: {sorted(leaked.items())}"
    # and the masked form is what a page shows
    for member, number in zip(sample, clear, strict=True):
        assert member.id_number_masked == number[:6] + "*" * 8 + number[-4:]


# --- co-building ------------------------------------------------------------------------------


def test_part_time_members_of_the_article(demo, db):
    figures = indicators("長沙市", "--date", "2018-09-04")["indicators"]
    assert figures["parttime.street"] == 426
    assert figures["parttime.community"] == 2061
    # re-appointed in 2023: part-time members are in force today too, fewer than in 2018
    now = indicators("长沙市")["indicators"]
    assert 0 < now["parttime.street"] < 426
    assert 0 < now["parttime.community"] < 2061
    # 王家垅社区's committee has recommendations waiting for the street's approval
    waiting = PartTimeSeat.objects.filter(
        committee__area__name="王家垅社区", step__in=[SeatStep.RECOMMENDED, SeatStep.SCREENED]
    )
    assert waiting.count() == 2


@pytest.mark.parametrize("date", ["2018-09-04", "today"])
def test_yuelu_joint_meeting_and_its_agreements(demo, db, date):
    extra = ("--date", date) if date != "today" else ()
    figures = indicators("岳麓區", *extra)["indicators"]
    assert figures["meetings.joint"] >= 1
    assert figures["agreements.in_force"] >= 26
    first = JointMeeting.objects.get(title="岳麓区区域化党建第一次联席会议")
    assert first.convener == "周志凯"
    assert first.starts_at.date() == dt.date(2018, 6, 16)
    assert first.units.count() == 12
    pledged = {(p.quantity, p.at_least) for p in first.pledges.all()}
    assert {(100, True), (1500, True)} <= pledged
    assert first.agreements.count() == 26
    assert first.agreements.values("unit_org").distinct().count() == 26


def test_next_yuelu_meeting_collects_topics_with_open_actions(demo, db):
    upcoming = JointMeeting.objects.filter(status=MeetingStatus.PLANNED, area__name="岳麓区").get()
    assert upcoming.topics_open_on <= today() < upcoming.starts_at.date()
    assert upcoming.agenda.filter(status="proposed").exists()
    # the open action items of the meeting before: one overdue, one not yet due
    open_items = upcoming.previous.actions.filter(status=ActionStatus.OPEN)
    assert sorted(a.due_on < today() for a in open_items) == [False, True]


def test_wangjialong_agreements_on_six_commitments(demo, db):
    units = {"湖南省民政厅", "长沙市星城公证处", "东风路派出所"}
    six = {
        Clause.CONSULT,
        Clause.AFFAIRS,
        Clause.RESOURCES,
        Clause.CIVILITY,
        Clause.PROBLEMS,
        Clause.ACTIVITIES,
    }
    for on in (dt.date(2018, 9, 4), today()):
        in_force = Agreement.objects.filter(Agreement.in_force_on(on), host_org__area__name="王家垅社区")
        assert {a.unit.name for a in in_force} == units
        for agreement in in_force:
            assert {c.kind for c in agreement.clauses.all()} == six
    assert (
        Agreement.objects.filter(host_org__area__name="王家垅社区", status=AgreementStatus.IN_FORCE).count()
        == 3
    )
    # every agreement's creation is in the audit log
    assert AuditEntry.objects.filter(action="agreement.demo_load").count() == Agreement.objects.count()


def test_xiangfeng_street_lights_99_percent(demo, db):
    poll = Consultation.objects.get(area__name="湘峰村")
    answered = poll.answers.count()
    assert round(poll.answers.filter(answer=Answer.FOR).count() / answered, 2) == 0.99
    assert "路灯" in poll.question


# --- the three lists --------------------------------------------------------------------------


def test_yuelu_meeting_claimed_53_projects(demo, db):
    figures = indicators("岳麓區", "--date", "2018-09-04")["indicators"]
    assert figures["projects.claimed"] >= 53
    first = JointMeeting.objects.get(title="岳麓区区域化党建第一次联席会议")
    at_meeting = Project.objects.filter(meeting=first)
    assert at_meeting.count() == 53
    assert at_meeting.filter(name="送课进校园").exists()
    # both sides claimed: demands by units, resources by communities; every project from its claim
    assert at_meeting.filter(demand__isnull=False, claim__claimant_unit__isnull=False).exists()
    assert at_meeting.filter(resource__isnull=False, claim__claimant_org__isnull=False).exists()
    assert Claim.objects.filter(meeting=first).count() == 53


def test_jianshanhu_housing_for_2000_in_two_days(demo, db):
    demand = Demand.objects.get(name="永雄集团新招员工住房")
    assert demand.area.name == "尖山湖社区"
    assert demand.raised_by_unit.name == "永雄集团"
    assert demand.quantity == demand.claimed == 2000
    projects = list(demand.projects.all())
    assert len(projects) == 2
    assert all(p.completed_at - demand.published_at <= dt.timedelta(days=2) for p in projects)


def test_writers_hospitals_and_the_photo_studio(demo, db):
    yinxing = Project.objects.filter(area__name="银星社区", resource__provider_unit__name="湖南省作家协会")
    assert yinxing.count() == 3
    assert any("毛泽东文学院" in p.name for p in yinxing)
    fuyaping = Project.objects.filter(area__name="富雅坪社区", resource__provider_unit__kind="hospital")
    assert fuyaping.values("lead_unit").distinct().count() == 2
    order = Project.objects.get(area__name="石板巷")
    assert order.lead_unit.name == "金芙蓉影楼"
    assert order.claim.claimant_unit.name == "金芙蓉影楼"


def test_micro_wishes_keep_their_requesters_sealed(demo, db):
    wishes = Demand.objects.filter(kind=DemandKind.MICRO_WISH)
    assert wishes.count() == 3
    for wish in wishes:
        assert wish.requester_first_name and wish.requester_sealed
        assert wish.requester_first_name not in wish.requester_sealed
    assert indicators("王家垅社区")["indicators"]["microwishes.fulfilled"] >= 1
    # open entries to try claiming in the demo
    assert indicators("王家垅社区")["indicators"]["demands.open"] >= 1
    assert Resource.objects.filter(provider_unit__name="湖南省民政厅", status="published").exists()


# --- service and the claiming session -----------------------------------------------------------


def test_service_teams_and_verified_hours_of_the_article(demo, db):
    assert indicators("融城社區")["indicators"]["teams.service"] == 7
    county = indicators("長沙縣", "--date", "2018-09-04")["indicators"]
    assert county["service.volunteers"] >= 7700
    assert county["service.hours"] > 0
    squad = ServiceTeam.objects.get(name="淮川街道党员帮扶小分队")
    assert squad.memberships.filter(until__isnull=True, member__isnull=False).count() == 45
    patrol = ServiceTeam.objects.get(name="党员360服务队")
    assert patrol.duties.filter(kind="patrol").count() == 2  # twice a day
    volunteers = ServiceTeam.objects.get(name="中南大学青年志愿者服务队")
    assert volunteers.memberships.filter(volunteer__isnull=False).count() >= 40


def test_yuelu_claiming_session_proposes_pairs_with_reasons_and_commits_claims(demo, db):
    from gongjian.matching import services as matching

    admin = User.objects.get(username="changsha")
    meeting = JointMeeting.objects.get(title="岳麓区区域化党建供需对接会")
    session = matching.session_start(actor=admin, meeting=meeting)
    pairs = session.proposal["pairs"]
    assert len(pairs) >= 5 and all(p["reasons"] for p in pairs)
    names = {Demand.objects.get(pk=d).name for d in session.proposal["unallocated"]}
    assert "加装电梯资金缺口" in names  # what nothing offered stays for 交办
    first = pairs[0]
    matching.pair_accept(
        actor=admin, session=session, demand_id=first["demand"], resource_id=first["resource"]
    )
    matching.session_commit(actor=admin, session=session)
    claim = Claim.objects.get(demand_id=first["demand"], meeting=meeting)
    assert claim.status == "accepted" and claim.project is not None


def test_kept_figures_equal_the_figures_counted_from_rows(demo, db):
    """The figures the pages read (kept tallies) against a recount from the rows, at a sample of
    nodes at every level and on three dates, and the whole kept state against the rows."""
    from gongjian.stats import tally
    from gongjian.stats.indicators import compute_all, from_rows

    nodes = [Area.objects.get(depth=1)]
    for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.COMPOUND):
        nodes += list(Area.objects.filter(level=level).order_by("path")[::40][:3])
    nodes += list(Area.objects.filter(name__in=["王家垅社区", "淮川街道", "金龙村", "尖山湖社区"]))
    for date in (dt.date(2018, 9, 4), dt.date(2017, 12, 31), today()):
        for node in nodes:
            assert compute_all(node, date) == from_rows(node, date), (node.name, date)
    assert tally.verify() == {}


def test_demo_command_migrates_a_fresh_database_first(tmp_path: Path) -> None:
    """`gongjian demo` on a database nobody migrated works (it migrates first), as design.md promises."""
    env = {**os.environ, "GONGJIAN_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "gongjian", "demo", "--status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "empty"


# --- honours: the demo's own campaigns -----------------------------------------------------------


def test_a_county_rates_its_towns_by_service_hours_over_a_period(demo, db):
    from gongjian.honours.models import Campaign

    rating = Campaign.objects.get(area__name="长沙县", honour="志愿服务先进镇（街道）")
    assert (rating.figures_from, rating.figures_on) == (dt.date(2018, 1, 1), dt.date(2018, 9, 4))
    assert rating.status == "awarded"
    entries = list(rating.entries.order_by("rank"))
    assert len(entries) >= 3 and all(e.area is not None and e.area.level == 3 for e in entries)
    parts = [e.parts.get() for e in entries]
    assert all(p.figures_from == dt.date(2018, 1, 1) and p.readings for p in parts)
    assert parts[0].value > 0  # the demo's 2018 activities there were verified
    assert [p.value for p in parts] == sorted((p.value for p in parts), reverse=True)
    assert [h.rank for h in rating.honours.order_by("rank")] == [1, 2]


def test_a_street_names_its_excellent_members_from_nominated_demo_members(demo, db):
    from gongjian.honours.models import Campaign

    excellent = Campaign.objects.get(area__name="东风路街道", honour="优秀共产党员")
    entries = list(excellent.entries.select_related("member").order_by("rank"))
    assert len(entries) == 3 and all(e.nominated and e.member is not None for e in entries)
    assert all("*" in e.name and e.name != e.member.name for e in entries)  # masked on the public list
    assert [e.score for e in entries] == sorted((e.score for e in entries), reverse=True)
    assert all("演示数据" in p.evidence for e in entries for p in e.parts.all())
    assert excellent.honours.count() == 2
