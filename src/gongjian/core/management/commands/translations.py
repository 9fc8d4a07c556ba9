"""``gongjian translations compile``: build .mo files from the .po files with polib (no gettext needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "compile: build .mo files from the .po catalogues (no gettext needed). "
        "hant: fill zh_Hant from zh_Hans with OpenCC (s2t) wherever zh_Hant is empty or was filled this "
        "way before (entries a person edited keep their text; drop the 'opencc' comment to mark one). "
        "Extract new strings with: gongjian makemessages -l zh_Hans -l zh_Hant -l en --no-obsolete"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["compile", "hant"])
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "hant":
            self._hant()
            return
        count = 0
        for po_path in sorted(Path(settings.PACKAGE_DIR).rglob("locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            count += 1
        if not options["quiet"]:
            self.stdout.write(f"{count} catalogue(s) compiled")

    def _hant(self) -> None:
        import opencc

        convert = opencc.OpenCC("s2t").convert
        filled = 0
        for hans_path in sorted(Path(settings.PACKAGE_DIR).rglob("locale/zh_Hans/LC_MESSAGES/*.po")):
            hant_path = Path(str(hans_path).replace("zh_Hans", "zh_Hant"))
            hans = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(hans_path))}
            hant = polib.pofile(str(hant_path))
            for entry in hant:
                source = hans.get((entry.msgctxt, entry.msgid))
                if source is None or not source.translated():
                    continue
                automatic = "opencc" in (entry.tcomment or "")
                if entry.translated() and not automatic:
                    continue
                if source.msgid_plural:
                    entry.msgstr_plural = {k: convert(v) for k, v in source.msgstr_plural.items()}
                else:
                    entry.msgstr = convert(source.msgstr)
                entry.tcomment = "opencc"
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                filled += 1
            hant.save()
        self.stdout.write(f"{filled} zh_Hant entries filled from zh_Hans")
