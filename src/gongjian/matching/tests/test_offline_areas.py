"""``gongjian match`` takes areas as people write them: a division code, or a name on the map in
either script (with the place above to tell two apart); an unknown or ambiguous name is an error
that changes nothing and, when ambiguous, lists each place with its code."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongjian.matching.csvio import AreaCandidate, CsvError, read_demands
from gongjian.matching.selectors import area_name_candidates
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Level
from gongjian.testing import WORLD_SINCE

D_HEADER = "id,title,description,category,quantity,area,lat,lng,deadline\n"
R_HEADER = (
    "id,title,description,category,capacity,provider,area,lat,lng,radius_km,available_from,"
    "available_to,service_areas\n"
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(d, r):
    call_command("match", demands=str(d), resources=str(r), top=3, output_format="json")


@pytest.mark.django_db
def test_names_in_either_script_resolve_to_codes_on_the_map(world, tmp_path, capsys):
    d = write(
        tmp_path,
        "D.csv",
        D_HEADER
        + "d1,孩子牙疼,,,4,王家垅社區,,,\n"
        + "d2,孩子牙疼,,,2,高新區,,,\n"
        + f"d3,孩子牙疼,,,1,{world.wjl.code},,,\n",
    )
    r = write(
        tmp_path,
        "R.csv",
        R_HEADER + "r1,儿童龋齿检查,,,10,u1,开福区/东风路街道,,,,,,高新区；東風路街道\n",
    )
    run(d, r)
    out = json.loads(capsys.readouterr().out)
    allocated = {a["demand"]: a["quantity"] for a in out["allocation"]}
    # d1 (王家垅社区, written in 繁體) and d3 (its code) lie in the resource's street; d2 in 高新区,
    # which the resource serves by name
    assert allocated == {"d1": 4, "d2": 2, "d3": 1}
    demands = read_demands(d, lambda text: area_name_candidates(text=text))
    assert [x.area for x in demands] == [world.wjl.code, world.gaoxin.code, world.wjl.code]


@pytest.mark.django_db
def test_an_ambiguous_name_lists_the_places_with_their_codes(world, tmp_path, capsys):
    other = org_services.area_create(
        actor=world.superuser,
        parent=world.dongfanghong,
        name="王家垅社区",
        level=Level.COMMUNITY,
        kind_label="社区",
        since=WORLD_SINCE,
    )
    d = write(tmp_path, "D.csv", D_HEADER + "d1,孩子牙疼,,,4,王家垅社区,,,\n")
    r = write(tmp_path, "R.csv", R_HEADER + "r1,儿童龋齿检查,,,10,u1,,,,,,,\n")
    with pytest.raises(CommandError) as error:
        run(d, r)
    message = str(error.value)
    assert "D.csv 第2行，列 area" in message and "在地图上有2处" in message
    assert f"{world.wjl.code} 长沙市 开福区 东风路街道 王家垅社区" in message
    assert f"{other.code} 长沙市 高新区 东方红街道 王家垅社区" in message
    assert capsys.readouterr().out == ""
    # the place above tells them apart
    picked = read_demands(
        write(tmp_path, "D2.csv", D_HEADER + "d1,孩子牙疼,,,4,高新區/王家垅社区,,,\n"),
        lambda text: area_name_candidates(text=text),
    )
    assert picked[0].area == other.code


@pytest.mark.django_db
def test_an_unknown_name_is_an_error_naming_row_and_column(world, tmp_path, capsys):
    d = write(tmp_path, "D.csv", D_HEADER + "d1,孩子牙疼,,,4,王家垅社区,,,\n")
    r = write(tmp_path, "R.csv", R_HEADER + "r1,儿童龋齿检查,,,10,u1,,,,,,,火星街道\n")
    with pytest.raises(CommandError) as error:
        run(d, r)
    message = str(error.value)
    assert "R.csv 第2行，列 service_areas" in message and "地图上没有名为“火星街道”的区域" in message
    assert "no area on the map is named '火星街道'" in message
    assert capsys.readouterr().out == ""


def test_without_a_map_a_name_is_not_a_code(tmp_path):
    d = write(tmp_path, "D.csv", D_HEADER + "d1,孩子牙疼,,,4,王家垅社区,,,\n")
    with pytest.raises(CsvError, match="must be a division code"):
        read_demands(d)
    many = [AreaCandidate(f"43010500{n}", f"地方{n}") for n in range(12)]
    with pytest.raises(CsvError) as error:
        read_demands(d, lambda text: many)
    assert "在地图上有12处" in str(error.value) and "另有4处" in str(error.value)
