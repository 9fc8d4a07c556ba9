"""Quality on a labelled set: precision@1, MRR and recall@5 for the engine and two baselines, in one run.

    python -m gongjian.matching.evaluate [--set relevance|labelled|PATH] [--format table|json]
    gongjian match --evaluate

Two sets are kept:

* ``relevance`` (the default; ``tests/data/relevance/``, issue #23): 540 colloquial demands in both
  scripts against 312 resources with out-of-range and look-alike distractors, and 20 demands that
  no resource meets; written before the concept lexicon and the relevance floor were tuned;
* ``labelled`` (``data/labelled/``, issue #6): 242 demands against 67 resources, in a tuning and a
  held-out half.

A set is a folder with ``demands.csv`` and ``resources.csv`` in the offline command's columns and
``relevant.csv`` (``demand,relevant`` and either ``split`` or ``need``): the resources that meet each
demand, space-separated; empty when none does (then the right answer is no recommendation).

Figures, per method:

* **precision@1, MRR, recall@5** over the demands some resource meets (a demand left without a
  recommendation counts 0);
* **no match, said** (``none_said``): of the demands no resource meets, the share left without any
  recommendation ("no good match yet");
* **recommended without a content match** (``unmatched``): recommended pairs (each demand's top 5)
  whose two texts share no need concept of the lexicon (or, for a demand that names no need, no
  how concept such as 义诊). The engine must have none.

Baselines rank the same candidate pairs (so reach and availability rules are equal) and recommend
every candidate, as they have no notion of relevance:

* **category + distance**: the engine's score with every weight but category and proximity at 0 and
  no relevance floor;
* **bigram overlap**: cosine of the two texts' sets of character bigrams (after the same script and
  width folding), nothing else.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import text as tx
from .candidates import Index, candidate_pairs
from .csvio import read_demands, read_resources
from .engine import match
from .engine_data import Context, Demand, Resource
from .score import DEFAULT_WEIGHTS, Weights

HERE = Path(__file__).resolve().parent
SETS = {"relevance": HERE / "tests" / "data" / "relevance", "labelled": HERE / "data" / "labelled"}
LABELLED = SETS["labelled"]
ALL = "all"
CATEGORY_DISTANCE = Weights(
    text=0.0,
    agreement=0.0,
    past_projects=0.0,
    load=0.0,
    who_match=0.0,
    who_mismatch=0.0,
    relevance_floor=None,
)
SHOWN = 5
Ranker = Callable[[Sequence[Demand], Sequence[Resource]], dict[str, list[str]]]


@dataclass(frozen=True)
class LabelledSet:
    demands: list[Demand]
    resources: list[Resource]
    relevant: dict[str, frozenset[str]]
    split: dict[str, str]  # demand → its half ("all" when the set has no halves)

    @property
    def splits(self) -> tuple[str, ...]:
        halves = sorted(set(self.split.values()) - {ALL}, reverse=True)
        return (*halves, ALL)


def load(folder: Path = SETS["relevance"]) -> LabelledSet:
    demands = read_demands(folder / "demands.csv")
    resources = read_resources(folder / "resources.csv")
    relevant: dict[str, frozenset[str]] = {}
    split: dict[str, str] = {}
    with (folder / "relevant.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            relevant[row["demand"]] = frozenset(row["relevant"].split())
            split[row["demand"]] = row.get("split") or ALL
    return LabelledSet(demands, resources, relevant, split)


def engine_ranker(weights: Weights = DEFAULT_WEIGHTS) -> Ranker:
    def rank(demands: Sequence[Demand], resources: Sequence[Resource]) -> dict[str, list[str]]:
        result = match(demands, resources, Context(), top_k=len(resources), weights=weights, allocate=False)
        return {d: [rec.resource for rec in recs] for d, recs in result.recommendations.items()}

    return rank


def _bigrams(text: str) -> set[str]:
    norm = tx.normalise(text)
    return {norm[i : i + 2] for i in range(len(norm) - 1)}


def bigram_ranker(demands: Sequence[Demand], resources: Sequence[Resource]) -> dict[str, list[str]]:
    d_grams = [_bigrams(d.text) for d in demands]
    r_grams = [_bigrams(r.text) for r in resources]
    pairs: dict[str, list[tuple[float, int, str]]] = {d.id: [] for d in demands}
    d_pos, r_pos = candidate_pairs(Index.build(demands, resources), Context())
    for i, j in zip(d_pos.tolist(), r_pos.tolist(), strict=True):
        a, b = d_grams[i], r_grams[j]
        overlap = len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0
        pairs[demands[i].id].append((-overlap, j, resources[j].id))
    return {d: [rid for _, _, rid in sorted(scored)] for d, scored in pairs.items()}


def what_concepts(text: str, *, demand: bool) -> frozenset[str]:
    """What a text is about: the need concepts of the lexicon it names; for a demand that names no
    need, its how concepts (想请医生来义诊: 义诊). A recommended pair must share one of the demand's."""
    tokens = tx.analyzer().tokens_of(text)
    needs = frozenset(t for t in tokens if t[:1] == tx.CONCEPT)
    how = frozenset(tx.CONTEXT + c for c in tx.concept_names().how)
    return needs if (needs or not demand) else frozenset(t for t in tokens if t in how)


def content_match(demand_text: str, resource_text: str) -> bool:
    """Whether the two texts share what they are about (see ``what_concepts``)."""
    mine = what_concepts(demand_text, demand=True)
    theirs = what_concepts(resource_text, demand=False) | (
        frozenset(t for t in tx.analyzer().tokens_of(resource_text) if t[:1] == tx.CONTEXT)
    )
    return bool(mine & theirs)


def metrics(ranking: dict[str, list[str]], data: LabelledSet, split: str) -> dict[str, float]:
    ids = [d.id for d in data.demands if split == ALL or data.split[d.id] == split]
    answerable = [d for d in ids if data.relevant[d]]
    p1 = mrr = r5 = 0.0
    for demand in answerable:
        ranked, good = ranking.get(demand, []), data.relevant[demand]
        p1 += bool(ranked) and ranked[0] in good
        first = next((n for n, rid in enumerate(ranked, start=1) if rid in good), None)
        mrr += 1 / first if first else 0.0
        r5 += len(good.intersection(ranked[:SHOWN])) / len(good)
    n = max(len(answerable), 1)
    nothing_meets = [d for d in ids if not data.relevant[d]]
    texts = {x.id: x.text for x in data.demands} | {x.id: x.text for x in data.resources}
    unmatched = sum(not content_match(texts[d], texts[r]) for d in ids for r in ranking.get(d, [])[:SHOWN])
    return {
        "demands": len(answerable),
        "precision@1": round(p1 / n, 4),
        "mrr": round(mrr / n, 4),
        "recall@5": round(r5 / n, 4),
        "no_match_demands": len(nothing_meets),
        "none_said": round(sum(not ranking.get(d) for d in nothing_meets) / max(len(nothing_meets), 1), 4),
        "unmatched": unmatched,
    }


def evaluate(data: LabelledSet | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """{method: {split: {figure: value}}} for the engine and both baselines."""
    data = data or load()
    rankers: dict[str, Ranker] = {
        "engine": engine_ranker(),
        "category+distance": engine_ranker(CATEGORY_DISTANCE),
        "bigram overlap": bigram_ranker,
    }
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, ranker in rankers.items():
        ranking = ranker(data.demands, data.resources)
        out[name] = {split: metrics(ranking, data, split) for split in data.splits}
    return out


def report(fmt: str = "table", folder: Path = SETS["relevance"]) -> str:
    data = load(folder)
    figures = evaluate(data)
    if fmt == "json":
        return json.dumps(figures, ensure_ascii=False, indent=2)
    engine_all = figures["engine"][ALL]
    lines = [
        f"set {folder.name}: {len(data.demands)} demands ({engine_all['demands']} that some resource meets, "
        f"{engine_all['no_match_demands']} that none does), {len(data.resources)} resources",
        "",
        "| method | split | precision@1 | MRR | recall@5 | no match, said | recommended without a content match |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for split in data.splits:
        for name, by_split in figures.items():
            m = by_split[split]
            lines.append(
                f"| {name} | {split} | {m['precision@1']:.3f} | {m['mrr']:.3f} | {m['recall@5']:.3f} "
                f"| {m['none_said']:.2f} | {m['unmatched']} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--set", default="relevance", help="relevance, labelled, or a folder with the three CSV files"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    print(report(args.format, SETS.get(args.set, Path(args.set))))


if __name__ == "__main__":
    main()
