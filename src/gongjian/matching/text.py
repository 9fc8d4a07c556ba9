"""Text for matching: one script, one width, and tokens that survive short colloquial writing.

``normalise`` is the project's search key (``gongjian.core.text.search_key``: NFKC folds full-width
letters and digits to half-width, OpenCC ``t2s`` folds Traditional to Simplified, lower case, no
spaces), so 兒童齲齒檢查 and 儿童龋齿检查 are one text.

``Analyzer.tokens`` gives three kinds of token, kept apart by a prefix so TF-IDF weighs them apart:

* words from jieba's dictionary and algorithm (precise mode, no HMM guessing, so the same text always
  cuts the same way), through ``rjieba`` (jieba-rs, the same dictionary and the same cuts, in Rust),
  without one-character words and the stop words of ``data/stopwords.txt``;
* ``~xy`` character bigrams of every run of Han characters: robust to typos, names and words jieba
  does not know (王家垅, 四点半课堂);
* concept tokens from the concept lexicon ``data/lexicon.tsv`` (over 300 concepts of community
  services, each with its colloquial and formal forms in both scripts and the categories it belongs
  to: 心口疼, 胸悶, 心梗, 高血压 → 心血管专科; 不想上學, 逃课, 沉迷手机 → 厌学; 開會, 会议室, 议事 →
  会议室), so 看心臟病要跑大醫院 meets 心血管专科义诊. ``@need`` concepts say *what* is needed or
  offered: a pair is relevant only when both sides share one (``score.py``). ``%context`` concepts
  say *who* (儿童, 老人) or *how* (义诊, 上门, 培训): they rank relevant pairs and never make one.

Concepts are found in one pass (Aho-Corasick) and a form inside a longer form found at the same
place does not count (老年人智能手机培训 names 智能手机, not 手机; 电梯广告 is 广告, not 电梯).

Categories are folded the same way with ``data/categories.tsv`` (``health``, 医疗, 醫療健康 → health).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import ahocorasick
import rjieba

from gongjian.core.text import search_key

DATA = Path(__file__).resolve().parent / "data"
WORD, BIGRAM, CONCEPT, CONTEXT = "", "~", "@", "%"
_HAN_RUN = re.compile(r"[\u3400-\u9fff]{2,}")
_WORDLIKE = re.compile(r"[\u3400-\u9fffa-z]")
# jieba's ``re_han_default``: jieba cuts each such run of Han letters, letters and digits on its own
_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")


def normalise(text: str) -> str:
    """One script (Simplified), half-width, lower case, no spaces."""
    return search_key(text or "")


def _data_lines(name: str) -> Iterable[str]:
    for raw in (DATA / name).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            yield raw.rstrip("\n")


@dataclass(frozen=True)
class Category:
    code: str
    name: str


@cache
def _categories() -> tuple[dict[str, Category], dict[str, Category]]:
    by_code: dict[str, Category] = {}
    by_alias: dict[str, Category] = {}
    for line in _data_lines("categories.tsv"):
        code, name, aliases = ([*line.split("\t"), "", ""])[:3]
        category = Category(code.strip(), name.strip())
        by_code[category.code] = category
        for alias in [category.code, category.name, *aliases.split()]:
            by_alias[normalise(alias)] = category
    return by_code, by_alias


def category_code(text: str) -> str:
    """The category's code (``health``) for a code or a name in either script; ``""`` when empty.

    A text that names no known category is kept (normalised), so two equal unknown texts still match.
    """
    key = normalise(text)
    if not key:
        return ""
    known = _categories()[1].get(key)
    return known.code if known else key


def category_name(code: str) -> str:
    """The Chinese name shown in reasons (``health`` → 医疗健康); an unknown code is shown as it is."""
    known = _categories()[0].get(code)
    return known.name if known else code


@cache
def _stopwords() -> frozenset[str]:
    return frozenset(normalise(w) for line in _data_lines("stopwords.txt") for w in line.split())


@dataclass(frozen=True)
class Concept:
    name: str
    need: bool  # kind N: what is needed or offered; otherwise who (W) or how (M)
    categories: tuple[str, ...]
    who: bool = False  # kind W


@cache
def lexicon() -> dict[str, Concept]:
    """The concepts of ``data/lexicon.tsv`` by name."""
    out: dict[str, Concept] = {}
    for line in _data_lines("lexicon.tsv"):
        name, kind_, categories, _forms = line.split("\t")
        codes = tuple(c for c in categories.split() if c != "-")
        out[normalise(name)] = Concept(normalise(name), kind_.strip() == "N", codes, kind_.strip() == "W")
    return out


@dataclass(frozen=True)
class ConceptNames:
    """The lexicon's concepts by kind, each in the lexicon's order."""

    needs: tuple[str, ...]  # N
    who: tuple[str, ...]  # W
    how: tuple[str, ...]  # M


@cache
def concept_names() -> ConceptNames:
    concepts = lexicon().values()
    return ConceptNames(
        tuple(c.name for c in concepts if c.need),
        tuple(c.name for c in concepts if c.who),
        tuple(c.name for c in concepts if not c.need and not c.who),
    )


@cache
def _places() -> tuple[str, ...]:
    """Place names (``data/places.txt``): a concept form inside one does not count (水塘 in 清水塘)."""
    return tuple(normalise(w) for line in _data_lines("places.txt") for w in line.split())


@cache
def _concepts() -> ahocorasick.Automaton:
    """Every form of the lexicon, found at every position in one pass (Aho-Corasick); each form's
    value is ``(length, concepts)`` (a form may name more than one concept)."""
    concepts_of: dict[str, list[str]] = {}
    for line in _data_lines("lexicon.tsv"):
        name, _kind, _categories, forms = line.split("\t")
        for form in [name, *forms.split()]:
            key = normalise(form)
            if key and normalise(name) not in concepts_of.setdefault(key, []):
                concepts_of[key].append(normalise(name))
    for place in _places():
        concepts_of.setdefault(place, [])  # found, so it covers what is inside it, and names nothing
    automaton = ahocorasick.Automaton()
    for form, names in concepts_of.items():
        automaton.add_word(form, (len(form), tuple(names)))
    automaton.make_automaton()
    return automaton


class Analyzer:
    """Turns a text into tokens (see the module's docstring). One per process: ``analyzer()``."""

    def __init__(self) -> None:
        self._jieba = rjieba.Jieba()
        self._stop = _stopwords()
        self._concepts = _concepts()

    @lru_cache(maxsize=1 << 17)  # noqa: B019 (one analyzer a process, kept for its life)
    def _block_words(self, block: str) -> tuple[str, ...]:
        return tuple(
            w
            for w in self._jieba.cut(block, False)
            if len(w) >= 2 and w not in self._stop and _WORDLIKE.search(w)
        )

    def words(self, norm: str) -> list[str]:
        """jieba's words of the text. jieba cuts each run of Han letters and digits on its own, so
        cutting run by run, remembered, gives the same words."""
        return [w for block in _BLOCK.findall(norm) for w in self._block_words(block)]

    def concepts(self, norm: str) -> list[str]:
        """The concepts named in the text, in order of first mention. A form found inside a longer
        form found over it does not count (智能手机 in 老年人智能手机培训 is not also 手机)."""
        found = sorted(
            ((end - length + 1, end, names) for end, (length, names) in self._concepts.iter(norm)),
            key=lambda m: (m[0], -m[1]),
        )
        kept: list[str] = []
        reach = -1  # the furthest end of a form kept so far
        for _start, end, names in found:
            if end <= reach:  # inside a longer form that starts at or before it
                continue
            reach = end
            kept.extend(names)
        return list(dict.fromkeys(kept))

    @lru_cache(maxsize=1 << 16)  # noqa: B019 (one analyzer a process, kept for its life)
    def tokens(self, norm: str) -> tuple[str, ...]:
        """Tokens of an already normalised text."""
        out = [WORD + w for w in self.words(norm)]
        for run in _HAN_RUN.findall(norm):
            out.extend(BIGRAM + run[i : i + 2] for i in range(len(run) - 1))
        known = lexicon()
        out.extend((CONCEPT if known[c].need else CONTEXT) + c for c in self.concepts(norm))
        return tuple(out)

    def tokens_of(self, text: str) -> tuple[str, ...]:
        return self.tokens(normalise(text))

    def tokenize_all(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        return [self.tokens(normalise(t)) for t in texts]


@cache
def analyzer() -> Analyzer:
    return Analyzer()


def display(token: str) -> str:
    """How a token reads in a reason: the word or the concept without its prefix."""
    return token[1:] if token[:1] in (BIGRAM, CONCEPT, CONTEXT) else token


def kind(token: str) -> str:
    return token[:1] if token[:1] in (BIGRAM, CONCEPT, CONTEXT) else WORD
