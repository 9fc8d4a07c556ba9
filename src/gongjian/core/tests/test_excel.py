from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter

from gongjian.core import excel, pii
from gongjian.core.excel import (
    BookWriter,
    CellError,
    Column,
    Enumeration,
    ExcelError,
    RowError,
    SheetReader,
    as_bool,
    as_date,
    as_decimal,
    as_int,
    as_text,
    error_workbook,
    find_sheet,
    neutralise,
    open_workbook,
    unguard,
)

COLUMNS = (
    Column("code", "区划代码", True),
    Column("name", "名称", True),
    Column("phone", "联系电话"),
)


def _book(sheets: dict[str, list[list[object]]]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
    wb.close()
    return buf.getvalue()


@pytest.mark.parametrize(
    "text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "'=x", "''=x", "'abc", "abc", "", "'"]
)
def test_guard_is_reversible(text):
    assert unguard(neutralise(text)) == text


def test_guard_marks_what_could_run():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("-1") == "'-1"
    assert neutralise("王家垅社区") == "王家垅社区"
    assert neutralise("'abc") == "'abc"


def test_writer_writes_text_as_text_and_never_a_formula():
    book = BookWriter()
    out = book.sheet("表")
    out.header(["名称", "数"])
    out.append(["=1+1", 3])
    out.append(["@SUM(A1:A2)", Decimal("28.123457")])
    out.append([dt.date(2018, 1, 2), True])
    data = book.close()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["表"]
    assert ws["A2"].value == "'=1+1"
    assert ws["A2"].data_type == "s"
    assert ws["A3"].value == "'@SUM(A1:A2)"
    assert ws["B3"].value == pytest.approx(28.123457)
    assert ws["A4"].value.date() == dt.date(2018, 1, 2)
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_reader_maps_headers_in_either_script_and_keeps_row_numbers():
    data = _book(
        {
            "區劃": [
                ["某区区划表"],  # a title row above the headers
                [],
                ["名稱", "备注", "區劃代碼*"],
                ["王家壠社區", "x", 430105001001],
                [],
                ["【示例】示例", "", "1"],
                ["'=bad", "", "4301GX"],
            ]
        }
    )
    book = open_workbook(data)
    name = find_sheet(book, "区划")
    assert name == "區劃"
    reader = SheetReader.open(book, name, COLUMNS)
    assert reader.missing == []
    assert reader.header_row == 3
    records = list(reader.records())
    assert [r.row for r in records] == [4, 7]
    assert as_text(records[0]["code"]) == "430105001001"  # a code typed as a number
    assert as_text(records[0]["name"]) == "王家壠社區"
    assert records[0]["phone"] == ""  # absent optional column
    assert as_text(records[1]["name"]) == "=bad"


def test_reader_reports_missing_required_headers():
    book = open_workbook(_book({"区划": [["名称", "类别"], ["x", "y"]]}))
    reader = SheetReader.open(book, "区划", COLUMNS)
    assert [c.header for c in reader.missing] == ["区划代码"]


def test_reader_rejects_what_is_not_a_workbook(tmp_path):
    with pytest.raises(ExcelError) as exc:
        open_workbook(b"this is not a workbook")
    assert "xlsx" in exc.value.message
    with pytest.raises(ExcelError):
        open_workbook(tmp_path / "missing.xlsx")


def test_converters():
    assert as_text(12.0) == "12" and as_text(1.5) == "1.5" and as_text(None) == ""
    assert as_text(dt.datetime(2018, 1, 2)) == "2018-01-02"
    assert as_bool("是") is True and as_bool("否") is False and as_bool("") is False
    assert as_bool("Y") is True and as_bool(True) is True
    with pytest.raises(CellError):
        as_bool("也许")
    assert as_int(3.0) == 3 and as_int("1,200") == 1200 and as_int("") is None
    with pytest.raises(CellError):
        as_int("三")
    with pytest.raises(CellError):
        as_int(-1, minimum=0)
    with pytest.raises(CellError):
        as_int(1.5)
    assert as_decimal(28.123457) == Decimal("28.123457") and as_decimal("") is None
    with pytest.raises(CellError):
        as_decimal("北纬28度")
    with pytest.raises(CellError):
        as_decimal("NaN")
    assert as_date(dt.date(2018, 1, 2)) == dt.date(2018, 1, 2)
    assert as_date("2018/1/2") == as_date("2018年1月2日") == dt.date(2018, 1, 2)
    with pytest.raises(CellError):
        as_date("去年")


def test_enumeration_reads_either_script_and_synonyms():
    kinds = Enumeration("类别", [("organ", "机关"), ("social", "社会组织")], {"社团": "social"})
    assert kinds.parse("機關") == "organ"
    assert kinds.parse("社會組織") == "social"
    assert kinds.parse("社团") == "social"
    assert kinds.parse("organ") == "organ"
    assert kinds.label("social") == "社会组织"
    with pytest.raises(CellError) as exc:
        kinds.parse("公司")
    assert "机关、社会组织" in exc.value.message
    with pytest.raises(CellError):
        kinds.parse("")
    assert kinds.parse("", default="organ") == "organ"


def test_error_workbook_lists_bad_rows_with_reasons_and_masks_personal_data(tmp_path):
    source = tmp_path / "in.xlsx"
    source.write_bytes(
        _book(
            {
                "区划": [
                    ["区划代码", "名称", "联系电话"],
                    ["A1", "好行", "13800001234"],
                    ["", "坏行", "13800005678"],
                    ["A3", "=坏", ""],
                ]
            }
        )
    )
    errors = [
        RowError("区划", 3, "请填写区划代码"),
        RowError("区划", 3, "名称不对"),
        RowError("区划", 4, "第二个原因"),
        RowError("", 0, "整个文件的问题"),
    ]
    data = error_workbook(
        errors, source=source, header_rows={"区划": 1}, masked_headers={"联系电话": pii.mask_phone}
    )
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [excel.SUMMARY_SHEET, "区划"]
    summary = [[c.value for c in row] for row in wb[excel.SUMMARY_SHEET].iter_rows()]
    assert summary[0] == ["工作表", "行号", "错误原因"]
    assert ["区划", 3, "请填写区划代码；名称不对"] in summary
    detail = [[c.value for c in row] for row in wb["区划"].iter_rows()]
    assert detail[0] == ["行号", "区划代码", "名称", "联系电话", "错误原因"]
    assert detail[1] == [3, None, "坏行", "138****5678", "请填写区划代码；名称不对"]
    assert detail[2][0] == 4 and detail[2][2] == "'=坏"  # still guarded
    assert len(detail) == 3  # the good row is not copied
    assert "13800005678" not in str(detail)
