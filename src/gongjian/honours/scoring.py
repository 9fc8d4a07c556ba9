"""The pure core of an appraisal: points from values and weights, a score from its parts, and the
ranking (no Django: unit-tested on its own).

- A part adds ``weight × value`` points, rounded to four places.
- A score is the sum of its parts' points plus the panel's adjustment.
- A positive list ranks the highest scores first; a negative list (such as 十差) the lowest first.
- Equal scores share a place ("1, 2, 2, 4"); the list holds every candidate whose place is within
  ``how_many``, so a tie at the border lists both rather than choosing one by chance.
- A candidate taken off by an objection upheld has no place and is never listed.
- Over a period (from–to, both included): a stock figure is read at the end; a flow (counted from
  1 January to the date) is what happened in the period: per calendar year, its reading at the
  period's end in that year less its reading the day before the period starts in that year; a
  ratio is the ratio of its parts over the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FOUR = Decimal("0.0001")


def quantize(value: Decimal | float | int) -> Decimal:
    """A value as stored: four decimal places, halves rounded up."""
    return Decimal(str(value)).quantize(FOUR, rounding=ROUND_HALF_UP)


def points(value: Decimal | float | int, weight: Decimal | float | int) -> Decimal:
    """What one part adds to a score: weight × value."""
    return quantize(Decimal(str(value)) * Decimal(str(weight)))


def score(parts: Iterable[Decimal], adjustment: Decimal = Decimal(0)) -> Decimal:
    """The sum of the parts' points and the adjustment."""
    return quantize(sum(parts, Decimal(0)) + adjustment)


@dataclass(frozen=True)
class Candidate:
    key: int
    name: str
    score: Decimal
    excluded: bool = False


@dataclass(frozen=True)
class Placed:
    key: int
    rank: int | None
    listed: bool


def rank(candidates: Sequence[Candidate], *, how_many: int, negative: bool = False) -> list[Placed]:
    """Each candidate's place and whether it is on the list, best (or, for a negative list, worst)
    first; ties by name then key, so the order is the same on every run."""
    if how_many < 1:
        raise ValueError("how_many must be at least 1")
    ranked = [c for c in candidates if not c.excluded]
    ranked.sort(key=lambda c: (c.score if negative else -c.score, c.name, c.key))
    out: list[Placed] = []
    place = 0
    previous: Decimal | None = None
    for index, candidate in enumerate(ranked, start=1):
        if candidate.score != previous:
            place = index
            previous = candidate.score
        out.append(Placed(candidate.key, place, place <= how_many))
    out.extend(Placed(c.key, None, False) for c in candidates if c.excluded)
    return out


#: One calendar year's piece of a period: the date read, and the date whose reading is taken off
#: (None when the piece starts on 1 January).
Segment = tuple[dt.date, dt.date | None]


def period_segments(start: dt.date, end: dt.date) -> list[Segment]:
    """The pieces of ``start``–``end`` (both included) within each calendar year."""
    if start > end:
        raise ValueError("a period starts before it ends")
    out: list[Segment] = []
    for year in range(start.year, end.year + 1):
        first = max(start, dt.date(year, 1, 1))
        last = min(end, dt.date(year, 12, 31))
        out.append((last, None if first.month == 1 and first.day == 1 else first - dt.timedelta(days=1)))
    return out


def period_dates(segments: Sequence[Segment]) -> list[dt.date]:
    """Every date a period's value reads, in order."""
    return sorted({d for segment in segments for d in segment if d is not None})


def over_period(kind: str, segments: Sequence[Segment], read: Callable[[dt.date], float]) -> float:
    """A stock or flow figure over a period, from its readings (``read(date)``)."""
    if kind == "flow":
        return sum(read(last) - (read(before) if before is not None else 0) for last, before in segments)
    return read(segments[-1][0])


def share(part: float, whole: float) -> float:
    """A ratio over a period: four places, 0 when there is nothing to share (as the catalogue)."""
    return round(part / whole, 4) if whole else 0.0
