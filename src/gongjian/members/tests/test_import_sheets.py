"""Every sheet of a ledger workbook is accounted for: every sheet with the ledger's columns is
imported (one sheet per ledger works), a sheet with other data fails the import naming it unless
the user chose to skip it, and errors name the sheet they are in."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from gongjian.members.importexport import HEADERS, import_ledger
from gongjian.members.models import Member
from gongjian.members.tests.test_importexport import row


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def book(tmp_path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    path = tmp_path / "ledger.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value in (None, ""):
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    wb.close()
    return path


def ledger(world: Any, numbers: range, **over: Any) -> list[list[Any]]:
    return [HEADERS, *(row(world, n, **over) for n in numbers)]


def test_two_ledger_sheets_are_both_imported_and_named_in_the_result(world, tmp_path):
    path = book(tmp_path, {"党员台账": ledger(world, range(1, 3)), "在职党员": ledger(world, range(3, 6))})
    result = import_ledger(actor=world.wjl_admin, path=path)
    assert result.ok, [e.reason for e in result.errors]
    assert result.created == 5
    assert result.sheets == ["党员台账", "在职党员"]
    assert result.summary()["sheets"][0]["sheet"] == "党员台账、在职党员"


def test_one_sheet_per_ledger_works(world, tmp_path):
    sheets = {
        "说明": [["填表说明"]],
        "直管党员": ledger(world, range(1, 3)),
        "離退休黨員": ledger(world, range(3, 4)),
    }
    result = import_ledger(actor=world.wjl_admin, path=book(tmp_path, sheets))
    assert result.ok, [e.reason for e in result.errors]
    assert result.created == 3


def test_a_sheet_with_other_data_fails_the_import_naming_it_unless_skipped(world, tmp_path):
    sheets = {
        "党员台账": ledger(world, range(1, 3)),
        "统计": [["社区", "人数"], ["东湖社区", 12]],
        "Sheet3": [],
    }
    path = book(tmp_path, sheets)
    result = import_ledger(actor=world.wjl_admin, path=path)
    assert not result.ok and Member.objects.count() == 0
    assert [e.sheet for e in result.errors] == ["统计"]
    assert "统计" in result.errors[0].reason and "跳过" in result.errors[0].reason

    skipped = import_ledger(actor=world.wjl_admin, path=path, skip_other_sheets=True)
    assert skipped.ok and skipped.created == 2
    assert skipped.skipped_sheets == ["统计"] and skipped.summary()["skipped_sheets"] == ["统计"]


def test_a_bad_row_in_the_second_sheet_is_named_with_its_sheet_in_the_error_workbook(world, tmp_path):
    sheets = {
        "党员台账": ledger(world, range(1, 3)),
        "在职党员": [HEADERS, row(world, 3), row(world, 4, 身份证号="123")],
    }
    result = import_ledger(actor=world.wjl_admin, path=book(tmp_path, sheets))
    assert not result.ok and Member.objects.count() == 0
    assert {(e.sheet, e.row) for e in result.errors} == {("在职党员", 3)}
    wb = openpyxl.load_workbook(io.BytesIO(result.error_workbook or b""))
    summary = [[c.value for c in r] for r in wb["错误汇总"].iter_rows(min_row=2)]
    assert summary[0][:2] == ["在职党员", 3]
    assert "在职党员" in wb.sheetnames and "党员台账" not in wb.sheetnames


def test_without_any_ledger_sheet_the_missing_columns_are_named(world, tmp_path):
    path = book(tmp_path, {"党员台账": [["姓名", "性别"], ["张三", "男"]]})
    result = import_ledger(actor=world.wjl_admin, path=path)
    assert not result.ok
    assert any("找不到必填的列" in e.reason for e in result.errors)


def test_header_synonyms_of_the_shared_table_are_read_and_two_phone_columns_are_named(world, tmp_path):
    """One table of header synonyms for both imports (core.excel.HEADER_SYNONYMS): 证件号码 is the ID
    number, 手机 the phone. A mobile and a landline column side by side cannot both be kept (a
    member has one phone), so the import says so, naming both, instead of dropping one."""
    renamed = ["证件号码" if h == "身份证号" else "手机" if h == "联系电话" else h for h in HEADERS]
    result = import_ledger(actor=world.wjl_admin, path=book(tmp_path, {"党员": [renamed, row(world, 1)]}))
    assert result.ok, [e.reason for e in result.errors]
    assert Member.objects.get().phone_masked == "138****0001"

    two = [*renamed, "座机"]
    path = book(tmp_path, {"党员": [two, [*row(world, 2), "0731-84561234"]]})
    result = import_ledger(actor=world.wjl_admin, path=path)
    assert not result.ok and Member.objects.count() == 1
    assert [e.reason for e in result.errors] == [
        "列名重复：“手机”和“座机”都是“联系电话”列，每行只能保存一个联系电话，请只保留一列"
    ]
