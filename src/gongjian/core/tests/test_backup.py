"""Issue 19, defect 7: ``gongjian backup`` / ``gongjian restore`` round-trip every table, the media
and the audit checkpoints; personal data stays sealed in the archive; a wrong key, a wrong
passphrase and a database holding data are refused with a clear message and change nothing."""

from __future__ import annotations

import base64
import gzip
import tarfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongjian.core.audit import audit_checkpoint, audit_verify
from gongjian.core.backup import BackupError, backup_keys, backup_restore, backup_write, table_counts
from gongjian.demo.scenario import clear_all
from gongjian.members.models import Member
from gongjian.testing import World, build_ledgers

PASSPHRASE = "长沙共建-backup-2026"


@pytest.fixture
def filled(world: World, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    (tmp_path / "media" / "minutes").mkdir(parents=True)
    (tmp_path / "media" / "minutes" / "会议纪要.pdf").write_bytes(b"%PDF-1.4 minutes")
    build_ledgers(world)
    audit_checkpoint()
    members = {m.pk: (m.id_number_clear(), m.phone_clear()) for m in Member.objects.all()}
    return {"members": members, "counts": table_counts()}


def test_a_backup_restores_into_an_empty_database_and_verifies(
    filled: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    archive = tmp_path / "backup.tar.gz"
    passfile = tmp_path / "pass.txt"
    passfile.write_text(PASSPHRASE + "\n", encoding="utf-8")
    call_command("backup", str(archive), passphrase_file=str(passfile), stdout=StringIO())
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only
    # personal data stays sealed: no clear ID or phone number anywhere in the archive
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        dump = tar.extractfile("data.json").read().decode()  # type: ignore[union-attr]
    assert {"manifest.json", "data.json", "keys.enc", "audit-checkpoints.jsonl"} <= set(names)
    assert "media/minutes/会议纪要.pdf" in names
    for id_number, phone in filled["members"].values():
        assert id_number not in dump and (not phone or phone not in dump)
    assert settings.GONGJIAN_PII_KEY not in gzip.decompress(archive.read_bytes()).decode("latin-1")

    clear_all()
    (Path(settings.MEDIA_ROOT) / "minutes" / "会议纪要.pdf").unlink()
    out = StringIO()
    call_command("restore", str(archive), stdout=out)
    report = out.getvalue()
    assert "audit verify: OK" in report and "as in the backup" in report, report
    assert "kept figures agree" in report
    assert table_counts() == filled["counts"]
    assert {m.pk: (m.id_number_clear(), m.phone_clear()) for m in Member.objects.all()} == filled["members"]
    assert (Path(settings.MEDIA_ROOT) / "minutes" / "会议纪要.pdf").read_bytes() == b"%PDF-1.4 minutes"
    assert audit_verify().ok


def test_a_wrong_key_is_refused_as_a_wrong_key_and_nothing_changes(
    filled: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    archive = tmp_path / "backup.tar.gz"
    backup_write(archive, passphrase=PASSPHRASE)
    clear_all()
    settings.GONGJIAN_PII_KEY = base64.urlsafe_b64encode(b"\x02" * 32).decode()
    with pytest.raises(CommandError, match="wrong key"):
        call_command("restore", str(archive), stdout=StringIO())
    assert sum(table_counts().values()) == 0 or not Member.objects.exists()


def test_a_database_holding_data_is_not_overwritten(filled: dict[str, Any], tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar.gz"
    backup_write(archive, passphrase=PASSPHRASE)
    with pytest.raises(BackupError, match="not empty"):
        backup_restore(archive)
    assert table_counts() == filled["counts"]


def test_the_keys_open_with_the_passphrase_only(
    filled: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    archive = tmp_path / "backup.tar.gz"
    backup_write(archive, passphrase=PASSPHRASE)
    with pytest.raises(BackupError, match="wrong passphrase"):
        backup_keys(archive, passphrase="not the passphrase at all")
    assert backup_keys(archive, passphrase=PASSPHRASE)["GONGJIAN_PII_KEY"] == settings.GONGJIAN_PII_KEY
    with pytest.raises(BackupError, match="at least 12"):
        backup_write(tmp_path / "short.tar.gz", passphrase="short")
    assert not (tmp_path / "short.tar.gz").exists()
    keys = tmp_path / "keys"
    passfile = tmp_path / "pass.txt"
    passfile.write_text(PASSPHRASE, encoding="utf-8")
    call_command("restore", str(archive), keys_to=str(keys), passphrase_file=str(passfile), stdout=StringIO())
    assert (keys / "gongjian_pii_key").read_text() == settings.GONGJIAN_PII_KEY
    assert (keys / "gongjian_pii_key").stat().st_mode & 0o077 == 0
