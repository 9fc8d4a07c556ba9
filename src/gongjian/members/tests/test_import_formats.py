"""The formats offices save: .xls and .ods written by LibreOffice Calc, and .csv in UTF-8, UTF-8
with BOM and GBK, all imported through the one reader in core. The LibreOffice files are made at
run time from workbooks the test writes (``soffice --headless --convert-to``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongjian.core import pii
from gongjian.core.models import Job
from gongjian.core.tests.libreoffice import libreoffice
from gongjian.members.importexport import HEADERS, import_ledger
from gongjian.members.models import ID_PURPOSE, Member
from gongjian.members.tests.test_importexport import ident, row, xlsx


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _csv_text(world: Any, numbers: range) -> str:
    def cell(value: Any) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    lines = [",".join(HEADERS)]
    lines += [",".join(cell(v) for v in row(world, n)) for n in numbers]
    return "\r\n".join(lines) + "\r\n"


def _imported_ids() -> set[str]:
    return {pii.unseal(m.id_number_sealed, purpose=ID_PURPOSE) for m in Member.objects.all()}


def _check(result: Any, world: Any, numbers: range) -> None:
    assert result.ok, [e.reason for e in result.errors]
    assert result.created == len(numbers)
    assert {ident(n) for n in numbers} <= _imported_ids()  # 18 characters kept, as typed
    member = Member.objects.get(name=f"台账{numbers[0]}")
    assert member.birth_date == dt.date(1975, 3, 14)


@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_a_ledger_saved_by_libreoffice_imports(world, tmp_path, fmt):
    numbers = range(1, 6)
    path = libreoffice(tmp_path, xlsx([row(world, n) for n in numbers]), fmt)
    _check(import_ledger(actor=world.wjl_admin, path=path), world, numbers)


@pytest.mark.parametrize(
    ("encoding", "name"),
    [("utf-8", "utf8.csv"), ("utf-8-sig", "bom.csv"), ("gbk", "gbk.csv"), ("gb18030", "gb.csv")],
)
def test_a_ledger_as_csv_imports_whatever_its_encoding(world, tmp_path, encoding, name):
    numbers = range(1, 4)
    path = tmp_path / name
    path.write_bytes(_csv_text(world, numbers).encode(encoding))
    _check(import_ledger(actor=world.wjl_admin, path=path), world, numbers)
    assert not list(tmp_path.glob("*.csv.xlsx"))  # the converted copy is gone


def test_a_tab_separated_csv_imports(world, tmp_path):
    numbers = range(1, 3)
    path = tmp_path / "tabs.csv"
    path.write_text(_csv_text(world, numbers).replace(",", "\t"), encoding="utf-8")
    _check(import_ledger(actor=world.wjl_admin, path=path), world, numbers)


def test_a_csv_in_an_unknown_encoding_is_a_clear_file_level_error(world, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"\xff\xfe\xfa\x80\x81,\x9f\n" * 3)
    result = import_ledger(actor=world.wjl_admin, path=path)
    assert not result.ok and Member.objects.count() == 0
    assert any("编码无法识别" in e.reason for e in result.errors)


def test_a_csv_uploaded_on_the_page_is_imported_by_the_job(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.wjl_admin)
    numbers = range(1, 3)
    data = _csv_text(world, numbers).encode("gbk")
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(reverse("members:import"), {"file": SimpleUploadedFile("党员台账.csv", data)})
    assert resp.status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.message
    assert job.result["created"] == 2


def test_a_workbook_renamed_to_another_format_is_refused_at_upload(world, client):
    client.force_login(world.wjl_admin)
    data = xlsx([row(world, 1)])
    resp = client.post(reverse("members:import"), {"file": SimpleUploadedFile("ledger.xls", data)})
    assert resp.status_code == 400
    assert Job.objects.count() == 0
