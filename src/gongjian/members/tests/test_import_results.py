"""Honest results on the job page: a check says nothing was written and what an import would do;
an empty file says there was nothing to import; the first 20 reasons are on the page; a problem
of the file itself is named as such."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongjian.core.excel import PAGE_REASONS
from gongjian.core.models import Job
from gongjian.members.models import Member
from gongjian.members.tests.test_importexport import row, xlsx


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _run(client: Any, capture: Any, data: bytes, **form: Any) -> tuple[Job, str]:
    with capture(execute=True):
        resp = client.post(reverse("members:import"), {"file": SimpleUploadedFile("台账.xlsx", data), **form})
    assert resp.status_code == 302
    job = Job.objects.get(pk=int(resp["Location"].rstrip("/").split("/")[-1]))
    page = client.get(resp["Location"], headers={"HX-Request": "true"}).content.decode()
    return job, page


def test_a_check_says_in_its_title_that_nothing_was_written(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.wjl_admin)
    job, page = _run(
        client, django_capture_on_commit_callbacks, xlsx([row(world, 1), row(world, 2)]), dry_run="on"
    )
    assert job.status == Job.Status.DONE and job.result["dry_run"] is True
    assert "data-dry-run" in page and "没有写入" in page  # zh-Hans by default
    assert "已完成" not in page and "将新增 2 条" in page
    assert Member.objects.count() == 0


def test_an_empty_template_says_there_was_nothing_to_import(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.wjl_admin)
    job, page = _run(client, django_capture_on_commit_callbacks, xlsx([]))
    assert job.status == Job.Status.DONE
    assert "data-nothing" in page


def test_the_first_reasons_are_on_the_page_with_sheet_and_row(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.wjl_admin)
    rows = [row(world, n, 身份证号="123") for n in range(1, PAGE_REASONS + 6)]
    job, page = _run(client, django_capture_on_commit_callbacks, xlsx(rows))
    assert job.status == Job.Status.FAILED
    reasons = job.result["reasons"]
    assert len(reasons) == PAGE_REASONS
    assert reasons[0]["sheet"] == "党员台账" and reasons[0]["row"] == 2
    assert "data-reasons" in page and page.count("<tr><td>党员台账</td>") == PAGE_REASONS
    assert job.result["file_level"] is False


def test_a_problem_of_the_file_is_named_as_such(world, client, django_capture_on_commit_callbacks):
    client.force_login(world.wjl_admin)
    data = xlsx([["张三"]], headers=["姓名"])
    job, page = _run(client, django_capture_on_commit_callbacks, data)
    assert job.status == Job.Status.FAILED
    assert job.result["file_level"] is True and job.result["bad_rows"] == 0
    assert "找不到必填的列" in page and "文件本身有问题" in page


# --- what offices type -----------------------------------------------------------------------


def test_id_numbers_and_phones_as_offices_type_them_are_read(world, tmp_path):
    from gongjian.core import pii
    from gongjian.members.importexport import import_ledger
    from gongjian.members.models import ID_PURPOSE
    from gongjian.members.tests.test_importexport import ident, write

    def full_width(text: str) -> str:
        return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in text)

    typed = {
        1: ("'" + ident(1), "(0731)84561234"),
        2: (full_width(ident(2)), "+86 138 0000 1111"),
        3: ("\u00a0" + ident(3) + "\u3000", "0731-8456 1234 转 802"),
        4: (ident(4).lower(), "（0731）84561234"),
    }
    rows = [row(world, n, 身份证号=id_text, 联系电话=phone) for n, (id_text, phone) in typed.items()]
    result = import_ledger(actor=world.wjl_admin, path=write(tmp_path, xlsx(rows)))
    assert result.ok, [e.reason for e in result.errors]
    assert result.created == 4
    kept = {pii.unseal(m.id_number_sealed, purpose=ID_PURPOSE) for m in Member.objects.all()}
    assert {ident(n).upper() for n in typed} <= kept


def test_dates_kept_as_serial_numbers_in_general_cells_are_dates(world, tmp_path):
    from gongjian.members.importexport import import_ledger
    from gongjian.members.tests.test_importexport import write

    serial = (dt.date(1975, 3, 14) - dt.date(1899, 12, 30)).days  # what Excel keeps: 27467
    joined = (dt.date(2000, 7, 1) - dt.date(1899, 12, 30)).days
    result = import_ledger(
        actor=world.wjl_admin,
        path=write(tmp_path, xlsx([row(world, 1, 出生日期=serial, 入党时间=float(joined))])),
    )
    assert result.ok, [e.reason for e in result.errors]
    member = Member.objects.get()
    assert member.birth_date == dt.date(1975, 3, 14) and member.joined_on == dt.date(2000, 7, 1)


def test_totals_and_notes_rows_are_skipped_and_said_on_the_page(
    world, client, django_capture_on_commit_callbacks
):
    client.force_login(world.wjl_admin)
    blank = [""] * (len(row(world, 1)) - 1)
    rows = [row(world, 1), row(world, 2), ["合计：2 人", *blank], ["填表人：王敏", *blank]]
    job, page = _run(client, django_capture_on_commit_callbacks, xlsx(rows))
    assert job.status == Job.Status.DONE, job.result
    assert job.result["created"] == 2 and job.result["rows"] == 2
    assert job.result["note_rows"] == [{"sheet": "党员台账", "row": 4}, {"sheet": "党员台账", "row": 5}]
    assert "data-note-rows" in page


def test_a_phone_that_is_not_a_phone_is_refused_as_units_refuse_it(world, tmp_path):
    """The ledger once took any 5 to 20 digits as a phone; now libphonenumber judges, as for units."""
    from gongjian.core.excel import PHONE_REASON
    from gongjian.members.importexport import import_ledger
    from gongjian.members.tests.test_importexport import write

    rows = [row(world, 1, 联系电话="12345"), row(world, 2, 联系电话="88886666"), row(world, 3)]
    before = Member.objects.count()
    result = import_ledger(actor=world.wjl_admin, path=write(tmp_path, xlsx(rows)))
    assert not result.ok and Member.objects.count() == before
    assert [(e.row, e.reason) for e in result.errors] == [(2, PHONE_REASON), (3, PHONE_REASON)]
    assert "12345" not in str(result.summary())  # the reason never repeats the number
