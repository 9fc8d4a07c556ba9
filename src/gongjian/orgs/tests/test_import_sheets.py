"""Every sheet of a map workbook is accounted for: a sheet is read for what its header holds
(areas, Party organisations or resident units), whatever its name and place, also in a file saved
by LibreOffice; two sheets of units are both read; a sheet with other data fails the import,
named, unless the user chose to skip it; errors name the sheet as the user wrote it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongjian.core.models import Job
from gongjian.core.tests.libreoffice import libreoffice
from gongjian.orgs import importexport
from gongjian.orgs.importexport import AREA_COLUMNS, import_map
from gongjian.orgs.models import Area, ResidentUnit
from gongjian.orgs.tests.test_importexport import UNIT_H, _upload, rows_of, unit_row, write, xlsx
from gongjian.testing import credit_code


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def area_rows(world, *codes: str) -> list[list[object]]:
    header = [c.header for c in AREA_COLUMNS]
    return [
        header,
        *([code, f"网格{code[-2:]}", "小区网格", world.wjl.code, "网格", "否", ""] for code in codes),
    ]


def test_sheets_are_read_by_their_header_whatever_their_name_and_order(world, tmp_path):
    wjl = world.wjl.code
    data = xlsx(
        {
            "Sheet1": [UNIT_H, unit_row(credit_code(7101), "甲企业", f"{wjl}-G1")],
            "网格": area_rows(world, f"{wjl}-G1", f"{wjl}-G2"),
            "企业（二）": [UNIT_H, unit_row(credit_code(7102), "乙企业", f"{wjl}-G2")],
            "说明": [["填表说明：本表不导入"]],
        }
    )
    path = libreoffice(tmp_path, data, "ods", stem="map")  # as LibreOffice Calc saves it
    result = import_map(actor=world.wjl_admin, path=path)
    assert result.ok, [(e.sheet, e.row, e.reason) for e in result.errors]
    assert Area.objects.filter(code__in=[f"{wjl}-G1", f"{wjl}-G2"]).count() == 2
    assert set(ResidentUnit.objects.filter(name__in=["甲企业", "乙企业"]).values_list("name", flat=True)) == {
        "甲企业",
        "乙企业",
    }
    counts = {s["sheet"]: s["created"] for s in result.summary()["sheets"]}
    assert counts == {"areas": 2, "units": 2}


def test_a_bad_row_is_named_with_the_users_sheet_and_duplicates_across_sheets_are_found(world, tmp_path):
    wjl = world.wjl.code
    data = xlsx(
        {
            "企业一": [UNIT_H, unit_row(credit_code(7201), "甲企业", wjl)],
            "企业二": [UNIT_H, unit_row(credit_code(7201), "甲企业重复", wjl), unit_row("BAD", "坏", wjl)],
        }
    )
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok and not ResidentUnit.objects.filter(name="甲企业").exists()
    reasons = {(e.sheet, e.row): e.reason for e in result.errors}
    assert reasons[("企业二", 2)] == f"统一社会信用代码“{credit_code(7201)}”与工作表“企业一”第 2 行重复"
    assert reasons[("企业二", 3)].startswith("统一社会信用代码“BAD”无效")
    assert rows_of(result.error_workbook or b"", "企业二")[2][2] == "坏"  # the user's sheet, their row


def test_a_sheet_with_other_data_fails_the_import_naming_it_unless_skipped(world, tmp_path):
    data = xlsx(
        {
            "单位": [UNIT_H, unit_row(credit_code(7301), "丙企业", world.wjl.code)],
            "统计": [["社区", "单位数"], ["王家垅社区", 12]],
            "Sheet3": [],
        }
    )
    path = write(tmp_path, data)
    result = import_map(actor=world.wjl_admin, path=path)
    assert not result.ok and not ResidentUnit.objects.filter(name="丙企业").exists()
    assert [(e.sheet, e.row) for e in result.errors] == [("统计", 0)]
    assert "统计" in result.errors[0].reason and "跳过" in result.errors[0].reason
    assert result.summary()["file_level"]

    skipped = import_map(actor=world.wjl_admin, path=path, skip_other_sheets=True)
    assert skipped.ok and skipped.summary()["created"] == 1
    assert skipped.summary()["skipped_sheets"] == ["统计"]


def test_a_sheet_named_like_the_map_without_its_columns_says_which_are_missing(world, tmp_path):
    data = xlsx({"驻区单位": [["名称", "地址"], ["丁企业", "某路 1 号"]]})
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok
    assert [(e.sheet, e.reason) for e in result.errors] == [
        ("驻区单位", "找不到必填的列：统一社会信用代码、类别、所在区划代码")
    ]


def test_header_synonyms_from_the_shared_table_are_read(world, tmp_path):
    header = ["社会信用代码" if h == "统一社会信用代码" else h for h in UNIT_H]
    data = xlsx({"单位名录": [header, unit_row(credit_code(7401), "戊企业", world.wjl.code)]})
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert result.ok, [e.reason for e in result.errors]
    assert ResidentUnit.objects.filter(name="戊企业").exists()


def test_the_page_offers_to_skip_other_sheets_and_the_job_names_them(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.wjl_admin)
    assert b'name="skip_other_sheets"' in client.get(reverse("orgs:import")).content
    data = xlsx(
        {
            "单位": [UNIT_H, unit_row(credit_code(7501), "己企业", world.wjl.code)],
            "统计": [["社区", "单位数"], ["王家垅社区", 12]],
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("orgs:import"), {"file": _upload(data), "skip_other_sheets": "on"})
    job = Job.objects.get(pk=int(resp["Location"].rstrip("/").split("/")[-1]))
    assert job.status == Job.Status.DONE and job.result["skipped_sheets"] == ["统计"]
    page = client.get(resp["Location"])
    assert b"data-skipped" in page.content and "统计".encode() in page.content
    assert job.kind == importexport.JOB_KIND


def test_a_mobile_and_a_landline_column_are_refused_by_name_not_one_dropped(world, tmp_path):
    header = ["手机" if h == "联系电话" else h for h in UNIT_H] + ["座机"]
    data = xlsx({"单位": [header, [*unit_row(credit_code(7601), "庚企业", world.wjl.code), "0731-84561234"]]})
    result = import_map(actor=world.wjl_admin, path=write(tmp_path, data))
    assert not result.ok and not ResidentUnit.objects.filter(name="庚企业").exists()
    assert [e.reason for e in result.errors] == [
        "列名重复：“手机”和“座机”都是“联系电话”列，每行只能保存一个联系电话，请只保留一列"
    ]
