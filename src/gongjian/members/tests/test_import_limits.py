"""The ledger import stops reading past the upload limits, naming the limit; nothing is written."""

from __future__ import annotations

import pytest

from gongjian.core import excel
from gongjian.members.models import Member
from gongjian.members.tests.test_importexport import imported, row


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_ledger_past_the_row_limit_fails_naming_the_limit_and_writes_nothing(world, tmp_path, monkeypatch):
    before = Member.objects.count()
    monkeypatch.setattr(excel, "MAX_ROWS", 3)
    result = imported(world, tmp_path, [row(world, n) for n in range(1, 6)])
    assert not result.ok
    assert any("行数超过上限" in e.reason for e in result.errors)
    assert Member.objects.count() == before


def test_a_ledger_past_the_cell_limit_fails_naming_the_limit(world, tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "MAX_CELLS", 40)
    result = imported(world, tmp_path, [row(world, n) for n in range(1, 6)])
    assert not result.ok
    assert any("单元格数超过上限" in e.reason for e in result.errors)


def test_a_ledger_within_the_limits_imports(world, tmp_path):
    result = imported(world, tmp_path, [row(world, n) for n in range(1, 6)])
    assert result.ok and result.created == 5
