"""Templates that prevent errors (issue 18, item 4), for the ledger and the map: the ID-number, code
and phone columns are formatted as Text (so Excel keeps 18 digits, also after LibreOffice saves the
file), closed choices have lists to pick from, the example row's codes come from the user's own
scope so a copied row imports, and a 说明 sheet explains in plain Chinese; the template is offered
on the import page."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from openpyxl.utils import get_column_letter

from gongjian.core.excel import EXAMPLE_MARK
from gongjian.core.tests.libreoffice import libreoffice
from gongjian.members.importexport import HEADERS, SHEET, import_ledger, template_workbook
from gongjian.members.models import Member
from gongjian.members.tests.test_importexport import ident, write
from gongjian.orgs import importexport as map_io
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit
from gongjian.testing import credit_code


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def text_columns(data: bytes, sheet: str) -> set[str]:
    """The headers of the columns whose cells are formatted as Text (@)."""
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    headers = [c.value for c in ws[1]]
    found: set[str] = set()
    for i, header in enumerate(headers, start=1):
        letter = get_column_letter(i)
        if ws.column_dimensions[letter].number_format == "@":
            found.add(str(header))
    return found


def validations(data: bytes, sheet: str) -> dict[str, list[str]]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    headers = [c.value for c in ws[1]]
    lists = {}
    for dv in ws.data_validations.dataValidation:
        col = next(iter(dv.sqref.ranges)).min_col
        lists[headers[col - 1]] = dv.formula1.strip('"').split(",")
    return lists


def test_the_ledger_template_has_text_columns_lists_a_real_example_and_notes(world, client, tmp_path):
    data = template_workbook(actor=world.wjl_admin)
    assert {"身份证号", "联系电话", "所在党组织代码", "居住区划代码", "工作单位信用代码"} <= text_columns(
        data, SHEET
    )
    assert "姓名" not in text_columns(data, SHEET)
    lists = validations(data, SHEET)
    assert lists["性别"] == ["男", "女"] and "预备" in lists["党员类型"] and "大学本科" in lists["学历"]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [SHEET, "说明"]
    notes = str([[c.value for c in r] for r in wb["说明"].iter_rows()])
    assert "文本" in notes and "合计" in notes
    example = dict(zip(HEADERS, [c.value for c in wb[SHEET][2]], strict=False))
    org = PartyOrg.objects.get(code=example["所在党组织代码"])  # a code that exists
    assert org.area.path.startswith(world.wjl.path)  # in the user's own scope
    assert example["姓名"].startswith(EXAMPLE_MARK)
    assert sum(ch.isdigit() for ch in example["身份证号"]) < 15  # described, never a number

    # the example row, copied without its mark and given an ID number, imports
    filled: dict[str, Any] = {**example, "姓名": "照抄示例", "身份证号": ident(1), "出生日期": "1975-03-14"}
    filled["入党时间"] = "1995-07-01"
    wb[SHEET].append([filled[h] for h in HEADERS])
    buf = io.BytesIO()
    wb.save(buf)
    result = import_ledger(actor=world.wjl_admin, path=write(tmp_path, buf.getvalue(), "filled.xlsx"))
    assert result.ok, [e.reason for e in result.errors]
    assert Member.objects.filter(name="照抄示例").count() == 1

    # offered on the import page
    client.force_login(world.wjl_admin)
    page = client.get(reverse("members:import"))
    assert reverse("members:import_template").encode() in page.content
    got = client.get(reverse("members:import_template"))
    assert got.status_code == 200 and "身份证号" in text_columns(got.content, SHEET)


def test_libreoffice_keeps_the_text_columns_so_an_id_number_stays_18_digits(world, tmp_path):
    data = template_workbook(actor=world.wjl_admin)
    saved = libreoffice(tmp_path, data, "xlsx", stem="template")  # opened and saved by LibreOffice Calc
    assert {"身份证号", "联系电话", "所在党组织代码"} <= text_columns(saved.read_bytes(), SHEET)


def test_the_map_template_has_text_columns_lists_real_codes_and_a_copied_example_imports(world, tmp_path):
    data = map_io.template_workbook(actor=world.wjl_admin)
    assert {"区划代码", "上级代码"} <= text_columns(data, map_io.SHEET_AREAS)
    assert {"统一社会信用代码", "联系电话", "所在区划代码"} <= text_columns(data, map_io.SHEET_UNITS)
    assert "小区网格" in validations(data, map_io.SHEET_AREAS)["层级"]
    assert "非公企业" in validations(data, map_io.SHEET_UNITS)["类别"]
    wb = openpyxl.load_workbook(io.BytesIO(data))
    area_example = [c.value for c in wb[map_io.SHEET_AREAS][2]]
    assert area_example[3] == world.wjl.code  # the parent is the user's own area
    org_example = [c.value for c in wb[map_io.SHEET_ORGS][2]]
    assert PartyOrg.objects.filter(code=org_example[5]).exists()
    unit_example = [c.value for c in wb[map_io.SHEET_UNITS][2]]
    assert Area.objects.filter(code=unit_example[4]).exists()

    # the example rows, copied without their mark (and a real credit code), import
    for sheet, values in (
        (map_io.SHEET_AREAS, area_example),
        (map_io.SHEET_ORGS, org_example),
        (map_io.SHEET_UNITS, unit_example),
    ):
        copied = [str(values[0]).removeprefix(EXAMPLE_MARK), *values[1:]]
        if sheet == map_io.SHEET_UNITS:
            copied[0] = credit_code(7801)
        wb[sheet].append(copied)
    buf = io.BytesIO()
    wb.save(buf)
    result = map_io.import_map(actor=world.wjl_admin, path=write(tmp_path, buf.getvalue(), "map.xlsx"))
    assert result.ok, [(e.sheet, e.row, e.reason) for e in result.errors]
    assert Area.objects.filter(code=f"{world.wjl.code}099").exists()
    assert ResidentUnit.objects.filter(credit_code=credit_code(7801)).exists()
