"""Quality on the labelled set: precision@1, MRR and recall@5, for the engine and two baselines.

    python -m gongjian.matching.evaluate [--format table|json]
    gongjian match --evaluate

The set (``data/labelled/``, see its README): ``demands.csv`` and ``resources.csv`` in the offline
command's columns, and ``relevant.csv`` (``demand,relevant,split``): the resources that meet each
demand, space-separated, and the half it belongs to (``tuning`` or ``held-out``). Weights, the
synonym table and the stop words were adjusted looking only at the tuning half; the held-out half
is reported as it comes.

Baselines, ranking the same candidate pairs (so reach and availability rules are equal):

* **category + distance**: the engine's score with every weight but category and proximity at 0;
* **bigram overlap**: cosine of the two texts' sets of character bigrams (after the same
  script and width folding), nothing else.
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

LABELLED = Path(__file__).resolve().parent / "data" / "labelled"
SPLITS = ("tuning", "held-out", "all")
CATEGORY_DISTANCE = Weights(text=0.0, agreement=0.0, past_projects=0.0, load=0.0)
Ranker = Callable[[Sequence[Demand], Sequence[Resource]], dict[str, list[str]]]


@dataclass(frozen=True)
class LabelledSet:
    demands: list[Demand]
    resources: list[Resource]
    relevant: dict[str, frozenset[str]]
    split: dict[str, str]


def load(folder: Path = LABELLED) -> LabelledSet:
    demands = read_demands(folder / "demands.csv")
    resources = read_resources(folder / "resources.csv")
    relevant: dict[str, frozenset[str]] = {}
    split: dict[str, str] = {}
    with (folder / "relevant.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            relevant[row["demand"]] = frozenset(row["relevant"].split())
            split[row["demand"]] = row["split"]
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


def metrics(ranking: dict[str, list[str]], data: LabelledSet, split: str) -> dict[str, float]:
    ids = [d.id for d in data.demands if split == "all" or data.split[d.id] == split]
    p1 = mrr = r5 = 0.0
    for demand in ids:
        ranked, good = ranking.get(demand, []), data.relevant[demand]
        p1 += bool(ranked) and ranked[0] in good
        first = next((n for n, rid in enumerate(ranked, start=1) if rid in good), None)
        mrr += 1 / first if first else 0.0
        r5 += len(good.intersection(ranked[:5])) / len(good)
    n = max(len(ids), 1)
    return {
        "demands": len(ids),
        "precision@1": round(p1 / n, 4),
        "mrr": round(mrr / n, 4),
        "recall@5": round(r5 / n, 4),
    }


def evaluate(data: LabelledSet | None = None) -> dict[str, dict[str, dict[str, float]]]:
    """{method: {split: {metric: value}}} for the engine and both baselines."""
    data = data or load()
    rankers: dict[str, Ranker] = {
        "engine": engine_ranker(),
        "category+distance": engine_ranker(CATEGORY_DISTANCE),
        "bigram overlap": bigram_ranker,
    }
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, ranker in rankers.items():
        ranking = ranker(data.demands, data.resources)
        out[name] = {split: metrics(ranking, data, split) for split in SPLITS}
    return out


def report(fmt: str = "table") -> str:
    data = load()
    figures = evaluate(data)
    if fmt == "json":
        return json.dumps(figures, ensure_ascii=False, indent=2)
    counts = {split: figures["engine"][split]["demands"] for split in SPLITS}
    lines = [
        f"labelled set: {len(data.demands)} demands ({counts['tuning']} tuning, {counts['held-out']} held-out), "
        f"{len(data.resources)} resources",
        "",
        "| method | split | precision@1 | MRR | recall@5 |",
        "|---|---|---:|---:|---:|",
    ]
    for split in SPLITS:
        for name, by_split in figures.items():
            m = by_split[split]
            lines.append(
                f"| {name} | {split} | {m['precision@1']:.3f} | {m['mrr']:.3f} | {m['recall@5']:.3f} |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    print(report(args.format))


if __name__ == "__main__":
    main()
