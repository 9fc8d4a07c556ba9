"""Every page in zh-Hans (default), zh-Hant and English: the Chinese catalogues are complete."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(Path(settings.PACKAGE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_chinese_catalogues_are_complete_and_keep_placeholders(language):
    po = _catalogue(language)
    assert len(po) > 100
    missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
    assert not missing, f"untranslated in {language}: {missing[:10]}"
    for entry in po:
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(entry.msgid)), entry.msgid


def test_the_two_chinese_catalogues_hold_the_same_messages():
    hans = {e.msgid for e in _catalogue("zh_Hans")}
    hant = {e.msgid for e in _catalogue("zh_Hant")}
    assert hans == hant


def test_merge_fills_only_empty_entries_and_missing_lists_what_is_left(tmp_path, settings):
    import json
    from io import StringIO

    from django.core.management import call_command

    folder = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=1; plural=0;"}
    po.append(polib.POEntry(msgid="Agreement", msgstr=""))
    po.append(polib.POEntry(msgid="Meeting", msgstr="会议"))
    po.append(polib.POEntry(msgid="End", msgctxt="seat", msgstr=""))
    po.append(polib.POEntry(msgid="%(n)d seat", msgid_plural="%(n)d seats", msgstr_plural={0: ""}))
    po.append(polib.POEntry(msgid="Left alone", msgstr=""))
    po.save(str(folder / "django.po"))
    settings.PACKAGE_DIR = tmp_path
    texts = tmp_path / "t.json"
    texts.write_text(
        json.dumps(
            {
                "Agreement": "协议",
                "Meeting": "不应替换",
                "seat\u0004End": "任期结束",
                "%(n)d seat": ["%(n)d 席", "%(n)d 席"],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    call_command("translations", "merge", str(texts), stdout=StringIO())
    merged = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(folder / "django.po"))}
    assert merged[(None, "Agreement")].msgstr == "协议"
    assert merged[(None, "Meeting")].msgstr == "会议"  # translated entries are kept
    assert merged[("seat", "End")].msgstr == "任期结束"
    assert merged[(None, "%(n)d seat")].msgstr_plural[0] == "%(n)d 席"
    out = StringIO()
    call_command("translations", "missing", stdout=out)
    assert json.loads(out.getvalue()) == {"Left alone": ""}
