"""Chinese text: one search key for both scripts, and pinyin initials.

Pure functions, no Django. ``search_key("長沙")`` equals ``search_key("长沙")``; ``initials("王家垅社区")``
is ``"wjlsq"``, so typing ``wjl`` finds it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin

_t2s = opencc.OpenCC("t2s")
_SPACE = re.compile(r"\s+")
_ASCII_QUERY = re.compile(r"^[a-z0-9]+$")
_HAN = re.compile(r"[\u3400-\u9fff]")


@lru_cache(maxsize=65536)
def search_key(text: str) -> str:
    """Canonical form for matching: NFKC, Traditional folded to Simplified, lower case, no spaces."""
    folded = unicodedata.normalize("NFKC", text or "")
    return _SPACE.sub("", _t2s.convert(folded)).lower()


@lru_cache(maxsize=65536)
def initials(text: str) -> str:
    """Pinyin initials of the Han characters; letters and digits kept as they are (lower case)."""
    out: list[str] = []
    for syllable in lazy_pinyin(search_key(text), style=Style.FIRST_LETTER, errors="default"):
        out.extend(ch for ch in syllable.lower() if ch.isalnum())
    return "".join(out)


def is_initials_query(query: str) -> bool:
    """True when the query is plain Latin letters/digits, so it may be pinyin initials."""
    return bool(_ASCII_QUERY.match(search_key(query)))


def has_han(text: str) -> bool:
    return bool(_HAN.search(text or ""))


def same_word(a: str, b: str) -> bool:
    """長沙 and 长沙 are the same word."""
    return search_key(a) == search_key(b)
