"""``gongjian restore ARCHIVE``: read a backup into an empty database, then verify it."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.core.audit import audit_verify
from gongjian.core.backup import BackupError, backup_keys, backup_restore

from ._passphrase import passphrase_from


class Command(BaseCommand):
    help = (
        "Read a backup into this empty, migrated database (refused under a wrong GONGJIAN_PII_KEY or "
        "into a database holding data), then check every table's count, the audit chain and the kept "
        "figures. --keys-to DIR only writes the backup's keys (needs its passphrase)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--keys-to", type=Path, help="write the backup's keys into this folder, and stop")
        parser.add_argument("--passphrase-file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        try:
            if options["keys_to"] is not None:
                keys = backup_keys(
                    archive, passphrase=passphrase_from(options["passphrase_file"], confirm=False)
                )
                folder = Path(options["keys_to"])
                folder.mkdir(parents=True, exist_ok=True)
                for name, value in keys.items():
                    target = folder / name.lower()
                    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "w") as out:
                        out.write(value)
                self.stdout.write(f"keys written to {folder} (gongjian_secret_key, gongjian_pii_key)")
                return
            result = backup_restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.differences:
            lines = ", ".join(
                f"{k}: {a} → {b}" for k, a, b in ((k, *v) for k, v in result.differences.items())
            )
            raise CommandError(f"restored, but table counts differ from the backup's: {lines}")
        self.stdout.write(
            f"{sum(result.counts.values())} rows in {len(result.counts)} tables, as in the backup"
        )
        self.stdout.write(f"{result.media_files} media files")
        verdict = audit_verify()
        if not verdict.ok:
            raise CommandError(f"audit verify FAILED at entry #{verdict.seq}: {verdict.problem}")
        self.stdout.write(f"audit verify: OK, {verdict.entries} entries, chain intact")
        said = StringIO()
        call_command("tally", "verify", stdout=said)
        self.stdout.write(f"tally verify: {said.getvalue().splitlines()[0]}")
