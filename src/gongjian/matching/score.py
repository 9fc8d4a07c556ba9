"""The score of a candidate pair: every weight in ``Weights``, every part kept for the reasons.

    score = text·T + category·C + proximity·P + agreement·A + past·H − load·L, clipped to 0..1

**Relevant or nothing.** A pair is scored at all only when both texts name the same *need*
concept of the lexicon (``text.py``: 心血管专科, 厌学, 会议室 …): its **content** (the cosine of
the two texts' need-concept TF-IDF vectors) is at least ``relevance_floor``. Nearness, agreements,
past projects and load only rank relevant pairs; a demand no resource shares a need with gets no
recommendation ("no good match yet"). The content is computed first, on every candidate pair (the
need vectors have a handful of entries a row, so it is cheap), and everything else only on the
pairs that pass.

* **text** (T): ``content_share``·content + (1 − ``content_share``)·the cosine of the two texts'
  TF-IDF vectors (scikit-learn, sparse) over every token of ``text.Analyzer`` (jieba words,
  character bigrams, need and context concepts), each kind weighted by ``token_weights`` before the
  vectors are normalised; IDF is learnt from the lists being matched.
* **category** (C): 1 when both sides name the same category, 0 when they differ,
  ``category_unknown`` when either side names none (unknown is not a mismatch).
* **proximity** (P): ``exp(−km / distance_scale_km)`` when both sides have coordinates; otherwise
  from the closest area both share (``relation_proximity``: same community, street, district).
* **agreement** (A): 1 when a co-building agreement is in force between the provider and the
  demand's area or one of its ancestors.
* **past** (H): past projects between them, ``min(n, past_saturation) / past_saturation``.
* **load** (L): the provider's current projects, ``n / (n + load_half)``: busy providers sink a little.

The weights were set on the tuning half of the first labelled set (``data/labelled``); the relevance
floor and the content share were set before the relevance set (``tests/data/relevance``) was run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from . import text as tx
from .candidates import FloatArray, Index, IntArray, chord_km
from .engine_data import Context

RELATIONS = ("", "district", "street", "community")
CHUNK = 1 << 20  # pairs scored at a time: temporaries stay small and warm in memory
BLOCK_DEMANDS = 2048  # demands per block of the text product
DENSE_CELLS = 8_000_000  # largest dense block (64 MB of float64)  # index = how close; the names of engine_data.LEVEL_LENGTHS


@dataclass(frozen=True)
class Weights:
    text: float = 0.50
    category: float = 0.20
    proximity: float = 0.08
    agreement: float = 0.08
    past_projects: float = 0.06
    load: float = 0.04
    category_unknown: float = 0.4
    distance_scale_km: float = 6.0
    past_saturation: int = 3
    load_half: int = 3
    relation_proximity: Mapping[str, float] = field(
        default_factory=lambda: {"community": 1.0, "street": 0.7, "district": 0.35, "": 0.1}
    )
    token_weights: Mapping[str, float] = field(
        default_factory=lambda: {tx.WORD: 1.0, tx.BIGRAM: 0.5, tx.CONCEPT: 3.0, tx.CONTEXT: 1.0}
    )
    #: the content (``content``: shared need concepts) a pair needs to be scored at all; ``None``:
    #: every candidate pair is scored (the category+distance baseline of the evaluation)
    relevance_floor: float | None = 0.05
    #: how much of the text part is the content (the rest is the cosine of every token)
    content_share: float = 0.7
    #: in the content, the weight of the share of the demand's needs met (the rest: of the resource's)
    demand_share: float = 0.8
    #: added when both sides name the same people (残疾人 asks, 残疾人 offered)
    who_match: float = 0.08
    #: subtracted when both sides say whom they are for and name nobody in common
    who_mismatch: float = 0.08
    #: a pair enters the allocation only when the texts say it is about the same thing (a pair
    #: that is only near, or only in the same broad category, is a lawyer for a toothache)
    min_text_for_allocation: float = 0.0

    def relation_value(self, relation: int) -> float:
        return self.relation_proximity.get(RELATIONS[relation], 0.0)


DEFAULT_WEIGHTS = Weights()


@dataclass
class TextVectors:
    demands: sp.csr_matrix  # one L2-normalised row per demand (every token)
    resources: sp.csr_matrix
    vocabulary: npt.NDArray[np.str_]
    #: the need concepts each item names, as bits (one row of uint64 words per item), and how many
    needs_d: npt.NDArray[np.uint64] | None = None
    needs_r: npt.NDArray[np.uint64] | None = None
    #: who each item is for (儿童, 老人 …), as bits
    who_d: npt.NDArray[np.uint64] | None = None
    who_r: npt.NDArray[np.uint64] | None = None
    #: the need concepts named in each resource's title (what it mainly offers), as bits
    title_needs_r: npt.NDArray[np.uint64] | None = None


def _tfidf(
    docs: Sequence[tuple[str, ...]], column_weight: Mapping[str, float]
) -> tuple[sp.csr_matrix, npt.NDArray[np.str_]]:
    vectorizer = TfidfVectorizer(
        analyzer=lambda doc: doc, sublinear_tf=True, norm=None, lowercase=False, dtype=np.float64
    )
    matrix = vectorizer.fit_transform(docs)
    vocabulary = vectorizer.get_feature_names_out()
    weight = np.array([column_weight.get(tx.kind(t), 1.0) for t in vocabulary])
    matrix = normalize(sp.csr_matrix(matrix @ sp.diags(weight)), norm="l2", copy=False)
    matrix.sort_indices()
    return matrix, vocabulary


def concept_bits(docs: Sequence[tuple[str, ...]], tokens: Sequence[str]) -> npt.NDArray[np.uint64]:
    """One row per document: bit k of the row is set when the document has ``tokens[k]``."""
    position = {token: k for k, token in enumerate(tokens)}
    out = np.zeros((len(docs), max(1, -(-len(tokens) // 64))), dtype=np.uint64)
    for i, doc in enumerate(docs):
        for token in doc:
            k = position.get(token)
            if k is not None:
                out[i, k >> 6] |= np.uint64(1 << (k & 63))
    return out


@cache
def _what_tokens() -> tuple[str, ...]:
    """The tokens that say what an item is about: the need concepts, then the how concepts (义诊,
    培训 …), which stand for the need of a demand that names none (想请医生来义诊)."""
    names = tx.concept_names()
    return (*(tx.CONCEPT + c for c in names.needs), *(tx.CONTEXT + c for c in names.how))


@cache
def _needs_mask() -> npt.NDArray[np.uint64]:
    """The bits of the need concepts among ``_what_tokens``."""
    mask: npt.NDArray[np.uint64] = concept_bits(
        [_what_tokens()[: len(tx.concept_names().needs)]], _what_tokens()
    )[0]
    return mask


def demand_what_bits(docs: Sequence[tuple[str, ...]]) -> npt.NDArray[np.uint64]:
    """A demand's needs as bits; its how concepts only when it names no need."""
    bits = concept_bits(docs, _what_tokens())
    needs_mask = _needs_mask()
    has_need = ((bits & needs_mask) != 0).any(axis=1)
    bits[has_need] &= needs_mask
    return bits


def title_tokens(titles: Sequence[str]) -> list[tuple[str, ...]]:
    """The concepts of each title, as tokens (Aho-Corasick only: cheap)."""
    analyzer, known = tx.analyzer(), tx.lexicon()
    return [
        tuple((tx.CONCEPT if known[c].need else tx.CONTEXT) + c for c in analyzer.concepts(tx.normalise(t)))
        for t in titles
    ]


def text_vectors(
    demand_tokens: Sequence[tuple[str, ...]],
    resource_tokens: Sequence[tuple[str, ...]],
    weights: Weights,
    resource_titles: Sequence[str] | None = None,
) -> TextVectors:
    """TF-IDF (sublinear tf, smooth idf) fitted on both lists, token kinds weighted, rows normalised;
    and the need and who concepts of every item as bits (computed once per item)."""
    docs = [*demand_tokens, *resource_tokens]
    n_d = len(demand_tokens)
    if any(docs):
        matrix, vocabulary = _tfidf(docs, weights.token_weights)
        out = TextVectors(matrix[:n_d], matrix[n_d:], vocabulary)
    else:
        empty = sp.csr_matrix((len(docs), 1), dtype=np.float64)
        out = TextVectors(empty[:n_d], empty[n_d:], np.array(["-"]))
    who = [tx.CONTEXT + c for c in tx.concept_names().who]
    out.needs_d, out.needs_r = demand_what_bits(demand_tokens), concept_bits(resource_tokens, _what_tokens())
    out.who_d, out.who_r = concept_bits(demand_tokens, who), concept_bits(resource_tokens, who)
    if resource_titles is not None:
        out.title_needs_r = concept_bits(title_tokens(resource_titles), _what_tokens())
    return out


def _count(bits: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    counts: npt.NDArray[np.int64] = np.bitwise_count(bits).sum(axis=1, dtype=np.int64)
    return counts


def content(vectors: TextVectors, d: IntArray, r: IntArray, weights: Weights) -> FloatArray:
    """How much of what the demand needs the resource offers, 0..1 (0: they share no need concept):
    ``demand_share``·(the share of the demand's needs the resource names, a need named only in the
    resource's description counting half: its title says what it mainly offers) + the rest·(the
    share of the resource's needs the demand names). Bit operations, a chunk of pairs at a time."""
    out = np.zeros(len(d), dtype=np.float64)
    if vectors.needs_d is None or vectors.needs_r is None or len(d) == 0:
        return out
    n_need_d = np.maximum(_count(vectors.needs_d), 1)
    n_need_r = np.maximum(_count(vectors.needs_r & _needs_mask()), 1)
    for lo in range(0, len(d), CHUNK):
        dd, rr = d[lo : lo + CHUNK], r[lo : lo + CHUNK]
        both = vectors.needs_d[dd] & vectors.needs_r[rr]
        shared = np.bitwise_count(both).sum(axis=1, dtype=np.int64)
        titled = shared
        if vectors.title_needs_r is not None:
            titled = np.bitwise_count(both & vectors.title_needs_r[rr]).sum(axis=1, dtype=np.int64)
        out[lo : lo + CHUNK] = (
            weights.demand_share * (shared + titled) / (2 * n_need_d[dd])
            + (1 - weights.demand_share) * shared / n_need_r[rr]
        )
    return out


def who_overlap(
    vectors: TextVectors, d: IntArray, r: IntArray
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(both name the same people, both say whom they are for and name nobody in common)."""
    if vectors.who_d is None or vectors.who_r is None or len(d) == 0:
        none = np.zeros(len(d), dtype=bool)
        return none, none
    wd, wr = vectors.who_d[d], vectors.who_r[r]
    same = ((wd & wr) != 0).any(axis=1)
    return same, (wd != 0).any(axis=1) & (wr != 0).any(axis=1) & ~same


def pair_products(vectors: TextVectors, d: IntArray, r: IntArray) -> sp.csr_matrix:
    """Row k: the element-wise product of demand d[k]'s and resource r[k]'s vectors (shared tokens)."""
    return sp.csr_matrix(vectors.demands[d].multiply(vectors.resources[r]))


def cosine(vectors: TextVectors, d: IntArray, r: IntArray, order: IntArray | None = None) -> FloatArray:
    """The cosine of every pair (d[k], r[k]) (rows are L2-normalised, so a dot product).

    Demands are taken in blocks (in ``order``: by division code, so a block's demands are neighbours
    and share most of their candidate resources); each block is one sparse product with the
    resources that are candidates of some demand in it, made dense, and the pairs are read from it.
    Work grows with the candidate pairs, not with demands × resources.
    """
    out = np.zeros(len(d), dtype=np.float64)
    n_d = vectors.demands.shape[0]
    if len(d) == 0 or n_d == 0:
        return out
    order = np.arange(n_d, dtype=np.int64) if order is None else order
    position = np.empty(n_d, dtype=np.int64)
    position[order] = np.arange(n_d)
    pair_pos = position[d]
    by_position = np.argsort(pair_pos, kind="stable")
    sorted_pos = pair_pos[by_position]
    resource_column = np.full(vectors.resources.shape[0], -1, dtype=np.int64)
    start = 0
    while start < n_d:
        lo = int(np.searchsorted(sorted_pos, start, side="left"))
        # grow the block until its dense product would exceed DENSE_CELLS
        stop = min(n_d, start + BLOCK_DEMANDS)
        hi = int(np.searchsorted(sorted_pos, stop, side="left"))
        if hi > lo:
            pairs = by_position[lo:hi]
            block_r = np.unique(r[pairs])
            while len(block_r) * (stop - start) > DENSE_CELLS and stop - start > 1:
                stop = start + max(1, (stop - start) // 2)
                hi = int(np.searchsorted(sorted_pos, stop, side="left"))
                pairs = by_position[lo:hi]
                block_r = np.unique(r[pairs])
            rows = order[start:stop]
            dense = (vectors.demands[rows] @ vectors.resources[block_r].T).toarray()
            resource_column[block_r] = np.arange(len(block_r))
            out[pairs] = dense[pair_pos[pairs] - start, resource_column[r[pairs]]]
            resource_column[block_r] = -1
        start = stop
    return np.clip(out, 0.0, 1.0)


@dataclass
class PairScores:
    """One entry per candidate pair (positions into the demand and resource lists)."""

    d: IntArray
    r: IntArray
    text: FloatArray
    category: npt.NDArray[np.float32]
    proximity: FloatArray
    distance_km: FloatArray  # NaN when a side has no coordinates
    relation: npt.NDArray[np.int8]  # index into RELATIONS
    agreement: npt.NDArray[np.bool_]
    past_projects: npt.NDArray[np.int32]
    load: npt.NDArray[np.int32]
    score: FloatArray

    def __len__(self) -> int:
        return len(self.d)

    def subset(self, keep: npt.NDArray[np.bool_] | IntArray) -> PairScores:
        return PairScores(**{name: getattr(self, name)[keep] for name in self.__dataclass_fields__})


def _area_columns(index: Index) -> tuple[dict[str, int], list[IntArray]]:
    """An id for every code a demand lies in: its community, street, district, and its own code
    when that is deeper still (a compound); -1 where there is none. Returns (code → id, columns)."""
    code_id = {code: i for i, code in enumerate(index.level_codes)}
    community = index.d_level["community"]
    own = np.array(
        [code_id.setdefault(d.area, len(code_id)) if len(d.area) > 12 else -1 for d in index.demands],
        dtype=np.int64,
    )
    columns = [index.d_level[level] for level in ("community", "street", "district")]
    if len(own) and (own >= 0).any():
        columns.append(np.where(own == community, -1, own))
    return code_id, columns


def _table(
    pairs: Mapping[tuple[str, str], int], provider_id: Mapping[str, int], code_id: Mapping[str, int]
) -> sp.csr_matrix | None:
    """(provider, area code) → value as a sparse matrix, for vectorised look-ups; None when empty."""
    rows, cols, values = [], [], []
    for (provider, code), value in pairs.items():
        p, c = provider_id.get(provider), code_id.get(code)
        if p is not None and c is not None:
            rows.append(p)
            cols.append(c)
            values.append(value)
    if not rows:
        return None
    shape = (max(len(provider_id), 1), max(len(code_id), 1))
    table = sp.csr_matrix((np.array(values, dtype=np.float64), (rows, cols)), shape=shape)
    table.sum_duplicates()
    return table


def _sample(table: sp.csr_matrix, rows: IntArray, cols: IntArray) -> FloatArray:
    ok = (rows >= 0) & (cols >= 0)
    out = np.zeros(len(rows), dtype=np.float64)
    if ok.any():
        out[ok] = np.asarray(table[rows[ok], cols[ok]]).ravel()
    return out


def score_pairs(
    index: Index,
    d: IntArray,
    r: IntArray,
    vectors: TextVectors,
    categories: tuple[IntArray, IntArray],
    context: Context,
    weights: Weights = DEFAULT_WEIGHTS,
) -> PairScores:
    """Every part and the score of every relevant pair among (d[k], r[k]) (all of them when
    ``weights.relevance_floor`` is None), vectorised, a chunk of pairs at a time."""
    if vectors.title_needs_r is None and vectors.needs_r is not None:
        vectors.title_needs_r = concept_bits(title_tokens([x.title for x in index.resources]), _what_tokens())
    meets = content(vectors, d, r, weights)
    if weights.relevance_floor is not None:
        keep = np.flatnonzero(meets >= max(weights.relevance_floor, 1e-9))
        d, r, meets = d[keep], r[keep], meets[keep]
    n = len(d)
    # the text products (sparse matrix products, outside the GIL) on the other core meanwhile
    pool = ThreadPoolExecutor(max_workers=1)
    text_future = pool.submit(cosine, vectors, d, r, index.d_by_code)
    category = np.empty(n, dtype=np.float32)
    proximity = np.empty(n, dtype=np.float64)
    distance = np.full(n, np.nan)
    relation = np.zeros(n, dtype=np.int8)
    agreement = np.zeros(n, dtype=bool)
    past = np.zeros(n, dtype=np.int32)
    load = np.zeros(n, dtype=np.int32)

    providers = sorted({x.provider for x in index.resources if x.provider})
    provider_id = {p: i for i, p in enumerate(providers)}
    r_provider = np.array([provider_id.get(x.provider, -1) for x in index.resources], dtype=np.int64)
    code_id, area_columns = _area_columns(index)
    agreements = _table(dict.fromkeys(context.agreements, 1), provider_id, code_id)
    past_table = _table(context.past_projects, provider_id, code_id)
    r_load = np.array(
        [context.load.get(x.provider, 0) if x.provider else 0 for x in index.resources], dtype=np.int32
    )
    by_relation = np.array([weights.relation_value(k) for k in range(len(RELATIONS))])
    d_cat, r_cat = categories

    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        dd, rr = d[lo:hi], r[lo:hi]
        dc, rc = d_cat[dd], r_cat[rr]
        category[lo:hi] = np.where((dc < 0) | (rc < 0), weights.category_unknown, dc == rc)
        rel = relation[lo:hi]
        for rank, level in enumerate(RELATIONS[1:], start=1):
            mine = index.d_level[level][dd]
            rel[(mine >= 0) & (mine == index.r_level[level][rr])] = rank
        both = index.d_has_xy[dd] & index.r_has_xy[rr]
        km = distance[lo:hi]
        km[both] = chord_km(index.d_xyz[dd[both]], index.r_xyz[rr[both]])
        proximity[lo:hi] = np.where(
            both, np.exp(-np.nan_to_num(km) / weights.distance_scale_km), by_relation[rel]
        )
        if agreements is not None or past_table is not None:
            prov = r_provider[rr]
            for column in area_columns:
                codes = column[dd]
                if agreements is not None:
                    agreement[lo:hi] |= _sample(agreements, prov, codes) > 0
                if past_table is not None:
                    past[lo:hi] += _sample(past_table, prov, codes).astype(np.int32)
        load[lo:hi] = r_load[rr]

    text = weights.content_share * meets + (1 - weights.content_share) * text_future.result()
    pool.shutdown()
    past_part = np.minimum(past, weights.past_saturation) / max(weights.past_saturation, 1)
    load_part = load / (load + float(max(weights.load_half, 1)))
    same_people, other_people = who_overlap(vectors, d, r)
    score = (
        weights.text * text
        + weights.category * category
        + weights.proximity * proximity
        + weights.agreement * agreement
        + weights.past_projects * past_part
        - weights.load * load_part
        + weights.who_match * same_people
        - weights.who_mismatch * other_people
    )
    return PairScores(
        d=d,
        r=r,
        text=text,
        category=category,
        proximity=proximity,
        distance_km=distance,
        relation=relation,
        agreement=agreement,
        past_projects=past,
        load=load,
        score=np.clip(score, 0.0, 1.0),
    )


def category_ids(codes_d: Sequence[str], codes_r: Sequence[str]) -> tuple[IntArray, IntArray]:
    """Integer ids of category codes (-1 for none), shared by both lists."""
    ids: dict[str, int] = {}

    def one(codes: Sequence[str]) -> IntArray:
        return np.array([ids.setdefault(c, len(ids)) if c else -1 for c in codes], dtype=np.int64)

    return one(codes_d), one(codes_r)
