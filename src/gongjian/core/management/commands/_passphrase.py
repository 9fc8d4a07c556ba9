"""Where the backup passphrase comes from: a file, the environment, or the terminal."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from django.core.management.base import CommandError


def passphrase_from(path: Path | None, *, confirm: bool) -> str:
    if path is not None:
        try:
            return Path(path).read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as exc:
            raise CommandError(f"cannot read the passphrase from {path}: {exc}") from exc
    env = os.environ.get("GONGJIAN_BACKUP_PASSPHRASE", "")
    if env:
        return env
    if not sys.stdin.isatty():
        raise CommandError("give the passphrase: --passphrase-file, or GONGJIAN_BACKUP_PASSPHRASE")
    first = getpass.getpass("backup passphrase: ")
    if confirm and getpass.getpass("again: ") != first:
        raise CommandError("the two passphrases differ")
    return first
