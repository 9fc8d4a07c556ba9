"""The offline command's core, without Django: ``run_match(demands, resources, top, fmt) -> str``.

``gongjian match`` (``management/commands/match.py``) only parses its arguments and calls this.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

from .csvio import AreaLookup, CsvError, Problem, read_demands, read_resources
from .engine import match
from .engine_data import Context, Demand, Resource, Result

FORMATS = ("json", "table")


def run_match(
    demands_path: str | Path,
    resources_path: str | Path,
    top: int = 5,
    fmt: str = "json",
    as_of: dt.date | None = None,
    areas: AreaLookup | None = None,
) -> str:
    """Read both files (raising ``csvio.CsvError`` on any problem, before any output), match, render.
    ``areas`` resolves area names to codes (without it, areas must be division codes)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    if top < 1:
        raise ValueError("--top must be at least 1")
    problems: list[Problem] = []
    demands: list[Demand] = []
    resources: list[Resource] = []
    try:
        demands = read_demands(demands_path, areas)
    except CsvError as exc:
        problems += exc.problems
    try:
        resources = read_resources(resources_path, areas)
    except CsvError as exc:
        problems += exc.problems
    if problems:
        raise CsvError(problems)  # both files' problems at once
    result = match(demands, resources, Context(as_of=as_of), top_k=top)
    if fmt == "json":
        return json.dumps(result.to_contract(), ensure_ascii=False, indent=2)
    return render_table(result, {d.id: d.title for d in demands}, {r.id: r.title for r in resources})


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def render_table(result: Result, demand_titles: dict[str, str], resource_titles: dict[str, str]) -> str:
    """For people: each demand's recommendations, then the proposed allocation, then what is left."""
    lines: list[str] = ["推荐 Recommendations"]
    rows: list[tuple[str, ...]] = [("需求 demand", "#", "资源 resource", "得分 score", "理由 reasons")]
    for demand, recs in result.recommendations.items():
        label = f"{demand} {demand_titles.get(demand, '')}"
        if not recs:
            rows.append((label, "-", "（无可服务的资源 no resource can serve）", "", ""))
        for rank, rec in enumerate(recs, start=1):
            rows.append(
                (
                    label if rank == 1 else "",
                    str(rank),
                    f"{rec.resource} {resource_titles.get(rec.resource, '')}",
                    f"{rec.score:.4f}",
                    "；".join(rec.reasons),
                )
            )
    lines += _table(rows)
    lines += ["", "分配方案 Allocation"]
    allocation_rows: list[tuple[str, ...]] = [("需求 demand", "资源 resource", "数量 quantity", "得分 score")]
    for a in result.allocation:
        allocation_rows.append(
            (
                f"{a.demand} {demand_titles.get(a.demand, '')}",
                f"{a.resource} {resource_titles.get(a.resource, '')}",
                str(a.quantity),
                f"{a.score:.4f}",
            )
        )
    lines += _table(allocation_rows) if len(allocation_rows) > 1 else ["（无 none）"]
    lines += [
        "",
        "未分配 Unallocated: " + ("、".join(result.unallocated) if result.unallocated else "（无 none）"),
    ]
    if result.shortfall:
        lines.append(
            "部分满足 Partly served: "
            + "、".join(f"{k}（缺{v} short {v}）" for k, v in result.shortfall.items())
        )
    return "\n".join(lines)
