"""``gongjian indicators``: figures for a node's subtree, on a date, as JSON or a table."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongjian.orgs import services
from gongjian.orgs.models import Level
from gongjian.stats.indicators import CATALOGUE
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
    assert list(data["indicators"]) == list(CATALOGUE)  # every id, in catalogue order


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
    services.unit_update(actor=world.superuser, unit=world.minzheng, since=dt.date(2015, 1, 1))
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
    for key, indicator in CATALOGUE.items():
        row = next(line for line in lines if line.startswith(key + " "))
        assert indicator.name_hans in row
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
