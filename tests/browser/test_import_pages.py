"""Issue 18 in a real browser at a phone's size: an office checks a ledger (the page says nothing
was written and what an import would do), then imports a file with a bad row (the reasons are on
the page, with the sealed workbook of its own rows to download). With ``GONGJIAN_SCREENSHOTS=1``
both pages are saved as the README's screenshots (``docs/screenshots/import-check-phone.png``,
``docs/screenshots/import-errors-phone.png``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gongjian.members.models import Member
from gongjian.members.tests.test_importexport import row, xlsx

from .conftest import no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _upload(phone, tmp_path: Path, name: str, data: bytes, *, check: bool) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    phone.goto("/ledgers/import/")
    phone.set_input_files("input[name=file]", str(path))
    if check:
        phone.check("input[name=dry_run]")
    phone.click("main form button[type=submit]")
    phone.wait_for_selector("#job-progress[data-status=done], #job-progress[data-status=failed]")


def test_a_check_run_and_a_failed_import_say_what_happened(phone, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    phone.set_default_timeout(30_000)
    phone.login("wjl_admin")

    _upload(phone, tmp_path, "台账.xlsx", xlsx([row(world, 1), row(world, 2)]), check=True)
    assert phone.locator("[data-dry-run]").is_visible()
    assert "没有写入" in phone.locator("#job-progress").inner_text()
    assert Member.objects.count() == 0
    assert no_sideways_scroll(phone)
    if os.environ.get("GONGJIAN_SCREENSHOTS"):
        phone.screenshot(path=str(SHOTS / "import-check-phone.png"), full_page=True)

    bad = xlsx([row(world, 1), row(world, 2, 联系电话="12345"), row(world, 3, 所在党组织代码="PO-NOPE")])
    _upload(phone, tmp_path, "台账.xlsx", bad, check=False)
    reasons = phone.locator("table[data-reasons]").inner_text()
    assert "联系电话不是有效号码" in reasons and "PO-NOPE" in reasons and "12345" not in reasons
    assert phone.locator("a[data-error-book]").is_visible()
    assert "24" in phone.locator("[data-error-book-note]").inner_text()
    assert Member.objects.count() == 0
    assert no_sideways_scroll(phone)
    if os.environ.get("GONGJIAN_SCREENSHOTS"):
        phone.screenshot(path=str(SHOTS / "import-errors-phone.png"), full_page=True)
