"""``gongjian translations compile``: build .mo files from the .po files with polib (no gettext needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po → .mo). Extract new strings with 'makemessages'."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["compile"])
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for po_path in sorted(Path(settings.PACKAGE_DIR).rglob("locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        if not options["quiet"]:
            self.stdout.write(f"{count} catalogue(s) compiled")
