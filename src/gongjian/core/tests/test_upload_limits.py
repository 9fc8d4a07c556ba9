"""Upload limits: a decompression bomb is refused from the zip directory before anything inflates
it, in bounded memory; rows and cells are counted while reading."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongjian.core import excel
from gongjian.core.excel import ExcelError, RowBudget, check_container
from gongjian.core.models import Job

MiB = 1024 * 1024


def _bomb(path: Path, inflated_mib: int = 100) -> Path:
    """An .xlsx-shaped zip whose sheet inflates to ``inflated_mib`` MiB of one repeated byte
    (a few hundred KB on disk)."""
    block = b"0" * MiB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(inflated_mib):
                member.write(block)
    return path


def _workbook(path: Path, rows: int, cols: int = 3) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("党员台账")
    for r in range(rows):
        for c in range(cols):
            sheet.write_string(r, c, f"r{r}c{c}")
    book.close()
    return path


def test_a_bomb_is_refused_from_the_directory_in_bounded_memory(tmp_path):
    bomb = _bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 2 * MiB
    tracemalloc.start()
    try:
        with pytest.raises(ExcelError, match="解压后过大"):
            check_container(bomb)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MiB  # nothing was inflated


def test_open_workbook_checks_a_file_before_reading_it(tmp_path):
    with pytest.raises(ExcelError, match="解压后过大"):
        excel.open_workbook(_bomb(tmp_path / "bomb.xlsx"))


def test_the_inflated_total_is_a_limit_of_its_own(tmp_path):
    book = _workbook(tmp_path / "ok.xlsx", rows=50)
    check_container(book)  # a real workbook passes
    with pytest.raises(ExcelError, match="解压后过大"):
        check_container(book, max_inflated=1024)


def test_a_damaged_zip_is_a_clear_error(tmp_path):
    book = _workbook(tmp_path / "ok.xlsx", rows=50)
    data = bytearray(book.read_bytes())
    start = data.index(b"PK\x03\x04", 100)  # corrupt a member's data after its header
    data[start + 60 : start + 90] = b"\xff" * 30
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    with pytest.raises(ExcelError, match="文件无法读取"):
        check_container(damaged)


def test_rows_and_cells_are_counted_while_reading():
    budget = RowBudget(max_rows=10, max_cells=100)
    budget.take(10, 50)
    with pytest.raises(ExcelError, match="行数超过上限"):
        budget.take(1, 1)
    with pytest.raises(ExcelError, match="单元格数超过上限"):
        RowBudget(max_rows=10, max_cells=100).take(5, 101)


def test_a_sheet_reader_stops_past_the_row_limit(tmp_path, monkeypatch):
    from gongjian.core.excel import Column, SheetReader

    monkeypatch.setattr(excel, "MAX_ROWS", 20)
    book = excel.open_workbook(_workbook(tmp_path / "rows.xlsx", rows=30))
    reader = SheetReader.open(book, "党员台账", [Column("a", "r0c0", required=True)])
    with pytest.raises(ExcelError, match="行数超过上限"):
        list(reader.records())


def test_a_bomb_uploaded_on_the_page_is_refused_at_once_and_nothing_is_kept(
    world, client, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    client.force_login(world.wjl_admin)
    data = _bomb(tmp_path / "bomb.xlsx").read_bytes()
    resp = client.post(reverse("orgs:import"), {"file": SimpleUploadedFile("map.xlsx", data)})
    assert resp.status_code == 400  # the form again, with the reason
    assert "2048 MB" in resp.content.decode()
    assert Job.objects.count() == 0
    uploads = Path(settings.MEDIA_ROOT) / "jobs" / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
