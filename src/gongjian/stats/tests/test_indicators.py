"""``gongjian indicators``: figures for a node's subtree, on a date, as JSON or a table."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongjian.core.synthetic import id_number
from gongjian.members import services as member_services
from gongjian.members.models import Category
from gongjian.orgs import services
from gongjian.orgs.models import Level, PartyOrg
from gongjian.stats.indicators import CATALOGUE, SHOWN
from gongjian.stats.management.commands.indicators import today


def run(*args: str) -> str:
    out = StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def figures(area: str, *extra: str) -> dict[str, Any]:
    return json.loads(run("--area", area, "--format", "json", *extra))


def test_json_follows_the_contract(world):
    data = figures("王家垅社区", "--date", "2024-05-01")
    assert list(data) == ["area", "date", "indicators"]
    assert data["area"] == {"code": world.wjl.code, "name": "王家垅社区"}
    assert data["date"] == "2024-05-01"
    assert list(data["indicators"]) == SHOWN  # every id shown, in catalogue order


def test_json_keeps_chinese_readable(world):
    text = run("--area", "430100", "--format", "json")
    assert "长沙市" in text  # ensure_ascii=False
    assert "\\u" not in text


def test_default_date_is_today_in_china(world):
    assert figures("长沙市")["date"] == today().isoformat()


def test_counts_only_the_subtree(world):
    services.party_org_create(
        actor=world.superuser,
        name="30号庭院1栋党小组",
        kind="group",
        code="PO-WJL-30-1",
        area=world.wjl_building,
        parent=world.wjl_branch,
    )
    wjl = figures("王家垅社区")["indicators"]
    jsh = figures("尖山湖社区")["indicators"]
    city = figures("长沙市")["indicators"]
    dongfeng = figures("东风路街道")["indicators"]
    assert wjl == {
        **wjl,
        "units.resident": 1,  # 省民政厅
        "alliance.members": 0,  # the alliance is convened by the street, above the community
        "orgs.compound_branches": 1,
        "orgs.building_groups": 1,
        "coverage.compounds": 1.0,
    }
    assert jsh["units.resident"] == 1  # 芯城科技园
    assert jsh["alliance.members"] == 1
    assert jsh["orgs.building_groups"] == 0
    assert dongfeng["alliance.members"] == 1
    assert city["units.resident"] == 2
    assert city["alliance.members"] == 2
    assert city["orgs.compound_branches"] == 2
    assert city["orgs.building_groups"] == 1
    assert city["coverage.compounds"] == 1.0


def test_coverage_counts_compounds_without_a_branch(world):
    services.area_create(actor=world.superuser, parent=world.wjl, name="石板巷", level=Level.COMPOUND)
    services.area_create(actor=world.superuser, parent=world.wjl, name="43号庭院", level=Level.COMPOUND)
    assert figures("王家垅社区")["indicators"]["coverage.compounds"] == round(1 / 3, 4)
    assert figures("長沙市")["indicators"]["coverage.compounds"] == round(2 / 4, 4)


def test_respects_dates(world):
    services.start_correct(
        actor=world.superuser, row=world.minzheng, since=dt.date(2015, 1, 1), reason="据入驻协议"
    )
    services.unit_update(actor=world.superuser, unit=world.minzheng, until=dt.date(2020, 1, 1))
    assert figures("王家垅社区", "--date", "2014-12-31")["indicators"]["units.resident"] == 0
    assert figures("王家垅社区", "--date", "2019-12-31")["indicators"]["units.resident"] == 1
    assert (
        figures("王家垅社区", "--date", "2020-01-01")["indicators"]["units.resident"] == 0
    )  # until is exclusive
    assert figures("长沙市", "--date", "2021-06-01")["indicators"]["units.resident"] == 1
    member = world.jsh_alliance.members.get()
    services.alliance_member_end(actor=world.superuser, member=member, until=dt.date(2022, 1, 1))
    assert figures("尖山湖社区", "--date", "2021-12-31")["indicators"]["alliance.members"] == 1
    assert figures("尖山湖社区", "--date", "2022-01-01")["indicators"]["alliance.members"] == 0


def test_names_match_in_either_script_and_by_code(world):
    assert figures("長沙市")["area"] == {"code": "430100", "name": "长沙市"}
    assert figures("開福區")["area"]["name"] == "开福区"
    assert figures(" 王家垅社区 ")["area"]["code"] == world.wjl.code
    assert figures("4301gx")["area"]["name"] == "高新区"


def test_table_format(world):
    text = run("--area", "王家垅社区", "--format", "table", "--date", "2024-05-01")
    lines = text.splitlines()
    assert "王家垅社区" in lines[0] and "2024-05-01" in lines[0]
    assert lines[1].split() == ["id", "名称", "数值"]
    for key in SHOWN:
        row = next(line for line in lines if line.startswith(key + " "))
        assert CATALOGUE[key].name_hans in row
    assert "1.0000 (100.00%)" in text
    english = run("--area", "王家垅社区", "--format", "table", "--language", "en")
    assert "Resident units" in english


def test_unknown_area_is_a_clear_error(world):
    with pytest.raises(CommandError, match="No area is named or coded '不存在社区'"):
        run("--area", "不存在社区")


def test_near_names_are_suggested(world):
    with pytest.raises(CommandError) as exc:
        run("--area", "王家垅")
    assert "王家垅社区" in str(exc.value) and world.wjl.code in str(exc.value)


def test_ambiguous_name_lists_the_candidates(world):
    other = services.area_create(
        actor=world.superuser, parent=world.jsh_compound, name="1栋", level=Level.BUILDING
    )
    with pytest.raises(CommandError, match="ambiguous") as exc:
        run("--area", "1栋")
    assert world.wjl_building.code in str(exc.value)
    assert other.code in str(exc.value)
    assert figures(other.code)["area"]["code"] == other.code


def test_bad_date_is_a_clear_error(world):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--area", "长沙市", "--date", "2018-02-30")


# --- member ledgers ----------------------------------------------------------------------------

ARTICLE = dt.date(2018, 9, 4)
MEMBER_IDS = (
    "members.direct",
    "members.in_service",
    "members.mobile",
    "members.retired",
    "members.co_managed",
    "members.reported",
    "members.report_rate",
    "households.plaqued",
)


def on(area: str, date: dt.date | str) -> dict[str, Any]:
    return figures(area, "--date", str(date))["indicators"]


def new_member(world: Any, n: int, org: Any, **extra: Any) -> Any:
    """A member with a synthetic name and an ID number generated here (never printed)."""
    return member_services.member_create(
        actor=world.superuser,
        name=f"测试党员{n}号",
        id_number=id_number(n, birth=dt.date(1970, 1, 1) + dt.timedelta(days=n)),
        org=org,
        joined_on=dt.date(2000, 7, 1),
        **extra,
    )


def test_member_indicators_are_in_the_catalogue_in_three_languages(world):
    for key in MEMBER_IDS:
        indicator = CATALOGUE[key]
        assert indicator.name_hans and indicator.name_hant and indicator.name_en
        assert indicator.rows is not None  # every figure opens its records
    assert CATALOGUE["members.report_rate"].kind == "ratio"
    assert CATALOGUE["members.direct"].name("zh-hant") == "直管黨員"
    data = on("长沙市", ARTICLE)
    assert {key: data[key] for key in MEMBER_IDS} == {
        **dict.fromkeys(MEMBER_IDS, 0),
        "members.report_rate": None,  # no in-service member: no data, never 0 %
    }


def test_ledgers_count_only_the_subtree_and_respect_dates(world):
    su = world.superuser
    wjl_member = new_member(world, 1, world.wjl_branch)  # listed at 30号庭院, inside 王家垅社区
    direct = member_services.category_add(
        actor=su, member=wjl_member, category=Category.DIRECT, since=dt.date(2018, 1, 1)
    )
    member_services.category_add(
        actor=su, member=wjl_member, category=Category.RETIRED, since=dt.date(2018, 6, 1)
    )
    jsh_member = new_member(world, 2, world.jsh_branch)
    member_services.category_add(
        actor=su, member=jsh_member, category=Category.DIRECT, since=dt.date(2019, 1, 1)
    )
    record = member_services.mobile_record_create(
        actor=su, member=jsh_member, destination="广东省深圳市", since=dt.date(2018, 5, 1)
    )
    # a flag is not a ledger
    member_services.category_add(
        actor=su, member=wjl_member, category=Category.HARDSHIP, since=dt.date(2017, 1, 1)
    )

    wjl, jsh, city = on("王家垅社区", ARTICLE), on("尖山湖社区", ARTICLE), on("长沙市", ARTICLE)
    assert (wjl["members.direct"], wjl["members.retired"], wjl["members.mobile"]) == (1, 1, 0)
    assert (jsh["members.direct"], jsh["members.retired"], jsh["members.mobile"]) == (0, 0, 1)
    assert (city["members.direct"], city["members.retired"], city["members.mobile"]) == (1, 1, 1)
    assert on("东风路街道", ARTICLE)["members.direct"] == 1
    assert on("高新区", ARTICLE)["members.direct"] == 0
    assert on(world.wjl_building.code, ARTICLE)["members.direct"] == 0  # listed at the compound, above
    assert on("王家垅社区", "2017-12-31")["members.direct"] == 0
    assert on("王家垅社区", "2018-05-31")["members.retired"] == 0
    assert on("尖山湖社区", "2019-01-01")["members.direct"] == 1
    assert on("长沙市", "2019-01-01")["members.direct"] == 2

    member_services.category_end(actor=su, entry=direct, until=dt.date(2020, 1, 1))
    member_services.mobile_record_end(actor=su, record=record, until=dt.date(2019, 3, 1))
    assert on("王家垅社区", "2019-12-31")["members.direct"] == 1
    assert on("王家垅社区", "2020-01-01")["members.direct"] == 0  # until is exclusive
    assert on("尖山湖社区", "2019-02-28")["members.mobile"] == 1
    assert on("尖山湖社区", "2019-03-01")["members.mobile"] == 0
    # the rows behind a figure are the members themselves
    rows = CATALOGUE["members.direct"].rows
    assert rows is not None
    assert list(rows(world.wjl, ARTICLE)) == [wjl_member]


def test_in_service_reported_and_report_rate(world):
    su = world.superuser
    reported = new_member(
        world, 11, world.minzheng_org, residence=world.wjl_building, work_unit=world.minzheng
    )
    pending = new_member(
        world, 12, world.minzheng_org, residence=world.wjl_building, work_unit=world.minzheng
    )
    declined = new_member(
        world, 13, world.minzheng_org, residence=world.wjl_building, work_unit=world.minzheng
    )
    elsewhere = new_member(
        world, 14, world.jsh_firm_org, residence=world.jsh_compound, work_unit=world.jsh_firm
    )
    for m in (reported, pending, declined, elsewhere):
        entry = member_services.category_add(
            actor=su, member=m, category=Category.IN_SERVICE, since=dt.date(2017, 1, 1)
        )
    assert entry.area == world.jsh  # the in-service ledger lists members where they live
    report = member_services.member_report_create(
        actor=su, member=reported, community=world.wjl, since=dt.date(2018, 1, 10)
    )
    member_services.member_report_decide(actor=su, report=report, confirm=True, on=dt.date(2018, 2, 1))
    member_services.member_report_create(
        actor=su, member=pending, community=world.wjl, since=dt.date(2018, 1, 10)
    )
    no = member_services.member_report_create(
        actor=su, member=declined, community=world.wjl, since=dt.date(2018, 1, 10)
    )
    member_services.member_report_decide(actor=su, report=no, confirm=False, on=dt.date(2018, 2, 1))
    far = member_services.member_report_create(
        actor=su, member=elsewhere, community=world.jsh, since=dt.date(2018, 3, 1)
    )
    member_services.member_report_decide(actor=su, report=far, confirm=True, on=dt.date(2018, 3, 1))

    wjl = on("王家垅社区", ARTICLE)
    assert (wjl["members.in_service"], wjl["members.reported"], wjl["members.report_rate"]) == (3, 1, 0.3333)
    jsh = on("尖山湖社区", ARTICLE)
    assert (jsh["members.in_service"], jsh["members.reported"], jsh["members.report_rate"]) == (1, 1, 1.0)
    city = on("长沙市", ARTICLE)
    assert (city["members.in_service"], city["members.reported"], city["members.report_rate"]) == (4, 2, 0.5)
    assert on("开福区", ARTICLE)["members.reported"] == 1
    # not yet confirmed on the date: not reported
    assert on("王家垅社区", "2018-01-20")["members.reported"] == 0
    assert on("王家垅社区", "2018-02-01")["members.reported"] == 1
    # no in-service member at all: no data (None, "—（无数据）"), neither 0 % nor an error
    assert on("王家垅社区", "2016-12-31")["members.report_rate"] is None
    # a reported member who leaves the in-service ledger no longer counts
    open_entry = reported.categories.get(category=Category.IN_SERVICE, until__isnull=True)
    member_services.category_end(actor=su, entry=open_entry, until=dt.date(2019, 1, 1))
    later = on("王家垅社区", "2019-06-01")
    assert (later["members.in_service"], later["members.reported"], later["members.report_rate"]) == (
        2,
        0,
        0.0,
    )
    rows = CATALOGUE["members.report_rate"].rows
    assert rows is not None and list(rows(world.changsha, ARTICLE).order_by("pk")) == [reported, elsewhere]


def test_co_managed_counts_rows_of_communities_in_the_subtree(world):
    su = world.superuser
    a = new_member(world, 21, world.minzheng_org, work_unit=world.minzheng)
    b = new_member(world, 22, world.jsh_firm_org, work_unit=world.jsh_firm)
    row = member_services.co_management_add(
        actor=su, member=a, community=world.wjl, unit=world.minzheng, since=dt.date(2018, 8, 28)
    )
    member_services.co_management_add(
        actor=su, member=b, community=world.jsh, unit=world.jsh_firm, since=dt.date(2017, 5, 1)
    )
    assert on("王家垅社区", "2018-08-27")["members.co_managed"] == 0
    assert on("王家垅社区", ARTICLE)["members.co_managed"] == 1
    assert on("东风路街道", ARTICLE)["members.co_managed"] == 1
    assert on("尖山湖社区", ARTICLE)["members.co_managed"] == 1
    assert on("长沙市", ARTICLE)["members.co_managed"] == 2
    assert on("长沙市", "2018-01-01")["members.co_managed"] == 1
    member_services.co_management_end(actor=su, row=row, until=dt.date(2020, 1, 1))
    assert on("王家垅社区", "2019-12-31")["members.co_managed"] == 1
    assert on("王家垅社区", "2020-01-01")["members.co_managed"] == 0
    rows = CATALOGUE["members.co_managed"].rows
    assert rows is not None and list(rows(world.wjl, ARTICLE)) == [row]


def test_plaqued_households_count_plaques_in_force(world):
    su = world.superuser
    a = new_member(world, 31, world.wjl_branch, residence=world.wjl_building)
    b = new_member(world, 32, world.jsh_branch, residence=world.jsh_compound)
    dongfeng_org = PartyOrg.objects.get(code="PO-DFL")
    dongfanghong_org = services.party_org_create(
        actor=su, name="东方红街道党工委", kind="working_committee", code="PO-DFH", area=world.dongfanghong
    )
    here = member_services.household_award(
        actor=su,
        area=world.wjl_building,
        address="30号庭院1栋101",
        members=[a],
        neighbours=["30号庭院1栋102", "30号庭院1栋201"],
        awarded_by=dongfeng_org,
        since=dt.date(2018, 7, 1),
    )
    member_services.household_award(
        actor=su,
        area=world.jsh_compound,
        address="芯城小区2栋301",
        members=[b],
        neighbours=["芯城小区2栋302"],
        awarded_by=dongfanghong_org,
        since=dt.date(2017, 1, 1),
    )
    assert on("王家垅社区", "2018-06-30")["households.plaqued"] == 0
    assert on("王家垅社区", ARTICLE)["households.plaqued"] == 1
    assert on(world.wjl_building.code, ARTICLE)["households.plaqued"] == 1
    assert on("尖山湖社区", ARTICLE)["households.plaqued"] == 1
    assert on("长沙市", ARTICLE)["households.plaqued"] == 2
    member_services.household_withdraw(actor=su, household=here, until=dt.date(2020, 1, 1), reason="迁出")
    assert on("王家垅社区", "2019-12-31")["households.plaqued"] == 1
    assert on("王家垅社区", "2020-01-01")["households.plaqued"] == 0
    rows = CATALOGUE["households.plaqued"].rows
    assert rows is not None and list(rows(world.wjl, ARTICLE)) == [here]
