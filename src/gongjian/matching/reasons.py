"""Why a pair is recommended, in Chinese, from the parts of its score.

    都涉及：口腔、儿童 · 同一街道，相距1.2公里 · 已签订共建协议 · 类别一致：医疗健康 · 以往合作项目2个

What both texts are about is said with the concepts of the lexicon they share (``data/lexicon.tsv``):
the needs first (口腔, 心血管专科), then who and how (儿童, 义诊), the most telling first. A word or a
pair of characters the texts happen to share (清洁, 手机) is never quoted: it is not a reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from . import text as tx
from .candidates import IntArray
from .engine_data import ScoreParts
from .score import RELATIONS, PairScores, TextVectors, pair_products

RELATION_TEXT = {"community": "同一社区", "street": "同一街道", "district": "同一区县", "": ""}
SHARED_SHOWN = 3
_KIND_ORDER = {tx.CONCEPT: 0, tx.CONTEXT: 1, tx.WORD: 2, tx.BIGRAM: 2}
_QUOTED = 2  # kinds ordered below this are quoted (concepts); words and bigrams never are


def shared_terms(
    vectors: TextVectors, d: IntArray, r: IntArray, shown: int = SHARED_SHOWN
) -> list[list[str]]:
    """For each pair, up to ``shown`` concepts both texts name, needs first, most telling first."""
    product = pair_products(vectors, d, r)
    vocabulary = vectors.vocabulary
    if product.nnz == 0:
        return [[] for _ in range(len(d))]
    kinds = np.array([_KIND_ORDER[tx.kind(str(t))] for t in vocabulary], dtype=np.int64)
    quoted = kinds < _QUOTED
    words = [tx.display(str(t)) for t in vocabulary]
    rows = np.repeat(np.arange(len(d)), np.diff(product.indptr))
    order = np.lexsort((-product.data, kinds[product.indices], rows))
    columns = product.indices[order].tolist()
    bounds = np.searchsorted(rows[order], np.arange(len(d) + 1)).tolist()
    out: list[list[str]] = []
    for k in range(len(d)):
        chosen: list[str] = []
        for col in columns[bounds[k] : bounds[k + 1]]:
            if not quoted[col]:
                break  # sorted by kind: the rest are words and bigrams
            word = words[col]
            if any(word in c or c in word for c in chosen):
                continue
            chosen.append(word)
            if len(chosen) == shown:
                break
        out.append(chosen)
    return out


def location_reason(relation: str, distance_km: float | None) -> str:
    where = RELATION_TEXT.get(relation, "")
    if distance_km is None or math.isnan(distance_km):
        return where or "在服务范围内"
    far = f"相距{distance_km:.1f}公里"
    return f"{where}，{far}" if where else far


def reasons_for(parts: ScoreParts, category: str, shared: Sequence[str]) -> tuple[str, ...]:
    """The reasons of one pair: what both are about first, then where, then the relations."""
    out = [f"都涉及：{'、'.join(shared)}"] if shared else []
    out.append(location_reason(parts.relation, parts.distance_km))
    if parts.agreement:
        out.append("已签订共建协议")
    if parts.category == 1.0 and category:
        out.append(f"类别一致：{tx.category_name(category)}")
    if parts.past_projects:
        out.append(f"以往合作项目{parts.past_projects}个")
    if parts.load:
        out.append(f"提供方在办项目{parts.load}个")
    return tuple(out)


def parts_of(scores: PairScores, positions: IntArray) -> list[ScoreParts]:
    """The parts of the pairs at ``positions`` (plain Python values, rounded for display)."""
    text = np.round(scores.text[positions], 4).tolist()
    category = np.round(scores.category[positions].astype(np.float64), 4).tolist()
    proximity = np.round(scores.proximity[positions], 4).tolist()
    distance = np.round(scores.distance_km[positions], 2).tolist()
    relation = scores.relation[positions].tolist()
    agreement = scores.agreement[positions].tolist()
    past = scores.past_projects[positions].tolist()
    load = scores.load[positions].tolist()
    return [
        ScoreParts(
            text=text[n],
            category=category[n],
            proximity=proximity[n],
            distance_km=None if math.isnan(distance[n]) else distance[n],
            relation=RELATIONS[relation[n]],
            agreement=agreement[n],
            past_projects=past[n],
            load=load[n],
        )
        for n in range(len(text))
    ]
