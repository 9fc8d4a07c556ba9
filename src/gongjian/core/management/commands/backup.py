"""``gongjian backup ARCHIVE``: the database, media, audit checkpoints and keys in one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.core.backup import BackupError, backup_write

from ._passphrase import passphrase_from


class Command(BaseCommand):
    help = (
        "Write one archive (tar.gz, mode 0600) with every table, the media, the audit checkpoints and "
        "the keys sealed under a passphrase (--passphrase-file, or GONGJIAN_BACKUP_PASSPHRASE, or asked)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--passphrase-file", type=Path, help="a file whose first line is the passphrase")

    def handle(self, *args: Any, **options: Any) -> None:
        passphrase = passphrase_from(options["passphrase_file"], confirm=True)
        try:
            result = backup_write(Path(options["archive"]), passphrase=passphrase)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(result.counts.values())
        self.stdout.write(
            f"backup written to {result.path}: {rows} rows in {len(result.counts)} tables, "
            f"audit log up to entry #{result.audit_seq}"
        )
