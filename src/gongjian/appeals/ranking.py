"""The ranking rule of the monthly table (pure Python, no Django): from each entity's counts of the
rates' parts, its five rates, its score and its place.

- An entity's *cases* are the appeals registered in the period that it handles (a unit) or that
  are about its subtree (an area).
- It is **ranked** only with at least ``min_cases`` cases and with data for each of the three
  scored rates (响应率, 解决率, 满意率); otherwise it is listed below the ranked ones with the reason,
  never placed by a rate it has no data for.
- Its **score** is the weighted mean of the three scored rates (weights: a setting; equal by
  default), rounded to four places. Places go by score, highest first; equal scores share a place
  (1, 2, 2, 4); within a place, more cases first, then the name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: The rates the score is made of, in order (keys of ``rates.RATES``).
SCORED = ("response_rate", "resolution_rate", "satisfaction_rate")

#: Why an entity is not ranked.
TOO_FEW = "too_few"
NO_DATA = "no_data"


@dataclass(frozen=True)
class Entry:
    """One entity's counts for the period: ``counts`` by part name, ``cases`` registered."""

    key: str
    name: str
    cases: int
    counts: Mapping[str, int]
    url: str = ""


@dataclass
class Row:
    entry: Entry
    rates: dict[str, float | None] = field(default_factory=dict)
    score: float | None = None
    place: int | None = None
    #: ``""`` when ranked, else :data:`TOO_FEW` or :data:`NO_DATA` (with ``missing``).
    reason: str = ""
    missing: tuple[str, ...] = ()


def share(part: int, whole: int) -> float | None:
    """A rate rounded to four places; ``None`` (no data) when the whole is 0."""
    return round(part / whole, 4) if whole else None


def rank(
    entries: Iterable[Entry],
    *,
    rates: Sequence[tuple[str, str, str]],
    min_cases: int,
    weights: Sequence[float] = (1.0, 1.0, 1.0),
) -> list[Row]:
    """The ranked rows first (by place), then the unranked ones (by cases, then name).

    ``rates``: (key, part, whole) of each rate; the three of :data:`SCORED` must be among them."""
    if len(weights) != len(SCORED) or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("three non-negative weights, not all zero")
    rows: list[Row] = []
    for entry in entries:
        row = Row(entry)
        for key, part, whole in rates:
            row.rates[key] = share(entry.counts.get(part, 0), entry.counts.get(whole, 0))
        missing = tuple(key for key in SCORED if row.rates.get(key) is None)
        if entry.cases < min_cases:
            row.reason = TOO_FEW
        elif missing:
            row.reason, row.missing = NO_DATA, missing
        else:
            total = sum(w * (row.rates[key] or 0.0) for w, key in zip(weights, SCORED, strict=True))
            row.score = round(total / sum(weights), 4)
        rows.append(row)
    ranked = sorted(
        (r for r in rows if r.score is not None),
        key=lambda r: (-(r.score or 0.0), -r.entry.cases, r.entry.name, r.entry.key),
    )
    previous: float | None = None
    for i, row in enumerate(ranked, start=1):
        row.place = i if row.score != previous else ranked[i - 2].place
        previous = row.score
    unranked = sorted(
        (r for r in rows if r.score is None), key=lambda r: (-r.entry.cases, r.entry.name, r.entry.key)
    )
    return ranked + unranked
