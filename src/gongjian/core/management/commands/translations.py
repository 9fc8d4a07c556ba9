"""``gongjian translations compile|hant|merge|missing``: keep the catalogues with polib (no gettext needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "compile: build .mo files from the .po catalogues (no gettext needed). "
        "hant: fill zh_Hant from zh_Hans with OpenCC (s2t) wherever zh_Hant is empty or was filled this "
        "way before (entries a person edited keep their text; drop the 'opencc' comment to mark one). "
        "merge FILE.json…: set zh_Hans translations from JSON objects {msgid: text, or [singular, plural]; "
        "key 'context\\u0004msgid' for a msgctxt}, only where the entry is still empty (or with --replace). "
        "missing: print the zh_Hans entries still untranslated, as a JSON object to fill in. "
        "Extract new strings with: gongjian makemessages -l zh_Hans -l zh_Hant -l en --no-obsolete"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["compile", "hant", "merge", "missing"])
        parser.add_argument("files", nargs="*", help="JSON files (merge)")
        parser.add_argument("--replace", action="store_true", help="merge: also replace translated entries")
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "hant":
            self._hant()
            return
        if options["action"] == "merge":
            self._merge([Path(f) for f in options["files"]], replace=options["replace"])
            return
        if options["action"] == "missing":
            self._missing()
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

    @staticmethod
    def _hans() -> Path:
        return Path(settings.PACKAGE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

    def _merge(self, files: list[Path], *, replace: bool) -> None:
        if not files:
            raise CommandError("merge needs at least one JSON file")
        texts: dict[str, Any] = {}
        for path in files:
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            if not isinstance(data, dict):
                raise CommandError(f"{path}: a JSON object of msgid → translation is expected")
            texts.update(data)
        po = polib.pofile(str(self._hans()))
        filled = 0
        for entry in po:
            key = f"{entry.msgctxt}\u0004{entry.msgid}" if entry.msgctxt else entry.msgid
            text = texts.get(key)
            if text is None or (entry.translated() and not replace):
                continue
            if entry.msgid_plural:
                forms = text if isinstance(text, list) else [text, text]
                entry.msgstr_plural = (
                    {0: forms[-1]} if len(entry.msgstr_plural) == 1 else dict(enumerate(forms))
                )
            else:
                entry.msgstr = text[0] if isinstance(text, list) else text
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            filled += 1
        po.save()
        self.stdout.write(f"{filled} zh_Hans entries filled from {len(files)} file(s)")

    def _missing(self) -> None:
        po = polib.pofile(str(self._hans()))
        missing = {
            (f"{e.msgctxt}\u0004{e.msgid}" if e.msgctxt else e.msgid): (
                [e.msgid, e.msgid_plural] if e.msgid_plural else ""
            )
            for e in po
            if not e.translated() and not e.obsolete
        }
        self.stdout.write(json.dumps(missing, ensure_ascii=False, indent=1))

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
