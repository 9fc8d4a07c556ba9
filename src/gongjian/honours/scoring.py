"""The pure core of an appraisal: points from values and weights, a score from its parts, and the
ranking (no Django: unit-tested on its own).

- A part adds ``weight × value`` points, rounded to four places.
- A score is the sum of its parts' points plus the panel's adjustment.
- A positive list ranks the highest scores first; a negative list (such as 十差) the lowest first.
- Equal scores share a place ("1, 2, 2, 4"); the list holds every candidate whose place is within
  ``how_many``, so a tie at the border lists both rather than choosing one by chance.
- A candidate taken off by an objection upheld has no place and is never listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
