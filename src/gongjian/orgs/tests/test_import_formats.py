"""The map import reads what LibreOffice Calc saves (.ods, .xls), and a .csv named like its sheet."""

from __future__ import annotations

import pytest

from gongjian.core.tests.libreoffice import libreoffice
from gongjian.orgs.importexport import SHEET_UNITS, export_subtree, import_map
from gongjian.orgs.models import Area
from gongjian.orgs.tests.test_importexport import UNIT_H, unit_row
from gongjian.testing import credit_code


@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_an_exported_map_saved_by_libreoffice_reimports_unchanged(world, tmp_path, fmt):
    data = export_subtree(actor=world.wjl_admin, area=world.wjl)
    path = libreoffice(tmp_path, data, fmt, stem="map")
    before = Area.objects.count()
    result = import_map(actor=world.wjl_admin, path=path)
    assert result.ok, [e.reason for e in result.errors]
    assert result.summary()["created"] == 0 and result.summary()["unchanged"] > 0
    assert Area.objects.count() == before


def test_a_csv_named_like_a_sheet_imports_into_that_sheet(world, tmp_path):
    path = tmp_path / f"{SHEET_UNITS}.csv"
    rows = [UNIT_H, unit_row(credit_code(6006), "表格企业", world.wjl.code)]
    path.write_bytes(("\n".join(",".join(str(v) for v in r) for r in rows) + "\n").encode("gbk"))
    result = import_map(actor=world.wjl_admin, path=path)
    assert result.ok, [e.reason for e in result.errors]
    assert result.summary()["created"] == 1
