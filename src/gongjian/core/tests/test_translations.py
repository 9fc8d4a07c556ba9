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
