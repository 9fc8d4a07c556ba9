"""The offline command: CSV in (any script, BOM or not), the JSON contract out, clear errors."""

from __future__ import annotations

import json

import pytest
from django.core.management.base import CommandError

from gongjian.matching.cli import run_match
from gongjian.matching.csvio import CsvError, read_demands, read_resources
from gongjian.matching.management.commands.match import Command

D_HEADER = "id,title,description,category,quantity,area,lat,lng,deadline\n"
R_HEADER = (
    "id,title,description,category,capacity,provider,area,lat,lng,radius_km,available_from,available_to\n"
)


@pytest.fixture
def files(tmp_path):
    d = tmp_path / "D.csv"
    r = tmp_path / "R.csv"
    d.write_text(
        D_HEADER
        + "d1,孩子牙疼,,,10,430105004001,28.226,112.990,2027-01-31\n"
        + "d2,老人想學用智慧手機,不會掃碼,人才智力,5,430105004001,,,\n"
        + "d3,修电视,,,1,430111004001,,,\n",
        encoding="utf-8-sig",  # with a BOM
    )
    r.write_text(
        R_HEADER
        + "r1,兒童齲齒檢查,口腔醫院進社區,醫療健康,8,u1,430105004002,28.222,112.986,10,2026-01-01,2027-12-31\n"
        + "r2,老年人智能手机培训,教微信扫码,expertise,20,u2,430105004001,,,,,\n",
        encoding="utf-8",
    )
    return d, r


def test_json_contract(files):
    out = json.loads(run_match(*files, top=5, fmt="json"))
    assert set(out) == {"recommendations", "allocation", "unallocated"}
    assert set(out["recommendations"]) == {"d1", "d2", "d3"}
    first = out["recommendations"]["d1"][0]
    assert set(first) == {"resource", "score", "reasons"} and first["resource"] == "r1"
    assert isinstance(first["score"], float) and all(isinstance(x, str) for x in first["reasons"])
    assert {"demand": "d1", "resource": "r1", "quantity": 8} in out["allocation"]
    assert {"demand": "d2", "resource": "r2", "quantity": 5} in out["allocation"]
    assert out["unallocated"] == ["d3"]
    assert out["recommendations"]["d3"] == []


def test_table_for_people(files):
    table = run_match(*files, top=2, fmt="table")
    assert "兒童齲齒檢查" in table and "分配方案 Allocation" in table and "d3" in table


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("row", "where", "what"),
    [
        ("d1,孩子牙疼,,,lots,,,,", "D.csv 第2行，列 quantity", "positive whole number, not 'lots'"),
        ("d1,孩子牙疼,,,0,,,,", "D.csv 第2行，列 quantity", "not '0'"),
        ("d1,,,,1,,,,", "D.csv 第2行，列 title", "must not be empty"),
        ("d1,孩子牙疼,,,1,,95,112,", "D.csv 第2行，列 lat", "between -90 and 90"),
        ("d1,孩子牙疼,,,1,,28.2,,", "D.csv 第2行，列 lng", "give both lat and lng"),
        ("d1,孩子牙疼,,,1,,,,2027-13-01", "D.csv 第2行，列 deadline", "YYYY-MM-DD"),
        ("d1,孩子牙疼,,,1,王家垅,,,", "D.csv 第2行，列 area", "division code"),
    ],
)
def test_bad_demand_rows_name_row_and_column(tmp_path, row, where, what):
    path = write(tmp_path, "D.csv", D_HEADER + row + "\n")
    with pytest.raises(CsvError) as error:
        read_demands(path)
    message = str(error.value)
    assert where in message and what in message
    assert "row 2" in message


def test_duplicate_ids_missing_columns_and_encoding(tmp_path):
    dup = write(tmp_path, "R.csv", R_HEADER + "r1,a,,,1,,,,,,,\nr1,b,,,1,,,,,,,\n")
    with pytest.raises(CsvError, match="第3行，列 id：与第2行重复"):
        read_resources(dup)
    missing = write(tmp_path, "R2.csv", "id,title\nr1,a\n")
    with pytest.raises(CsvError, match="column capacity: this column is missing"):
        read_resources(missing)
    gbk = write(tmp_path, "D2.csv", D_HEADER + "d1,孩子牙疼,,,1,,,,\n", encoding="gbk")
    with pytest.raises(CsvError, match="not UTF-8"):
        read_demands(gbk)
    backwards = write(tmp_path, "R3.csv", R_HEADER + "r1,a,,,1,,,,,,2027-02-01,2027-01-01\n")
    with pytest.raises(CsvError, match="available_to"):
        read_resources(backwards)


def test_command_reports_errors_and_prints_nothing(files, tmp_path, capsys):
    d, _ = files
    bad = write(tmp_path, "bad.csv", R_HEADER + "r1,a,,,many,,,,,,,\n")
    command = Command()
    with pytest.raises(CommandError) as error:
        command.execute(
            demands=str(d),
            resources=str(bad),
            top=5,
            output_format="json",
            date=None,
            evaluate=False,
            verbosity=0,
            no_color=True,
            force_color=False,
            skip_checks=True,
        )
    assert "bad.csv 第2行，列 capacity" in str(error.value)
    assert capsys.readouterr().out == ""


def test_command_prints_the_contract(files, capsys):
    d, r = files
    Command().execute(
        demands=str(d),
        resources=str(r),
        top=1,
        output_format="json",
        date="2026-12-01",
        evaluate=False,
        verbosity=0,
        no_color=True,
        force_color=False,
        skip_checks=True,
    )
    out = json.loads(capsys.readouterr().out)
    assert [x["resource"] for x in out["recommendations"]["d1"]] == ["r1"]


def test_command_evaluate_prints_the_quality_table(monkeypatch, capsys):
    import gongjian.matching.evaluate as evaluate

    monkeypatch.setattr(evaluate, "report", lambda fmt: f"figures as {fmt}")
    Command().execute(
        demands=None,
        resources=None,
        top=5,
        output_format=None,
        date=None,
        evaluate=True,
        verbosity=0,
        no_color=True,
        force_color=False,
        skip_checks=True,
    )
    assert capsys.readouterr().out.strip() == "figures as table"
