"""Incremental figures, the pure part: no Django here.

A figure counts *subjects* (a unit, a member, a project…) that are in force at a node of the map on a
date. A source describes each subject by *pieces*: the area path the subject sits at and the days
``[since, until)`` it counts there (a flow counts from its day to the end of that year, so a value
read on a date is the year to date). From the pieces come *contributions*: which node counts the
subject on which days. From contributions come *deltas* ``+weight`` on ``since`` and ``-weight`` on
``until``, kept at every node above the piece at three grains (year, month, day). The value on a
date is then the sum of at most ~100 rows a figure, whatever the size of the data:

    years before the date's year + months of its year before its month + days of its month up to it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

END_OF_TIME = dt.date(9999, 12, 31)


class Piece(NamedTuple):
    subject: int
    path: str
    since: dt.date
    until: dt.date | None  # exclusive; None = open
    weight: float = 1.0


class Contribution(NamedTuple):
    """The subject counts ``weight`` at ``path`` on the days ``[since, until)``; with ``up`` also at
    every node above ``path``."""

    subject: int
    path: str
    up: bool
    since: dt.date
    until: dt.date | None
    weight: float = 1.0


def order(row: Contribution) -> tuple[int, str, bool, dt.date, dt.date, float]:
    """A total order of contributions (open ends last)."""
    return (row.subject, row.path, row.up, row.since, row.until or END_OF_TIME, row.weight)


def next_new_year(day: dt.date) -> dt.date:
    """1 January of the year after ``day``: where a flow of that day stops counting."""
    return dt.date(day.year + 1, 1, 1)


def flow(subject: int, path: str, day: dt.date, weight: float = 1.0) -> Piece:
    """A piece for an event on ``day``: counted in the year to date of every date of that year."""
    return Piece(subject, path, day, next_new_year(day), weight)


def overlap(
    a_since: dt.date, a_until: dt.date | None, b_since: dt.date, b_until: dt.date | None
) -> tuple[dt.date, dt.date | None] | None:
    """The days two intervals share, or None."""
    since = max(a_since, b_since)
    ends = [u for u in (a_until, b_until) if u is not None]
    until = min(ends) if ends else None
    if until is not None and until <= since:
        return None
    return since, until


def union(intervals: Iterable[tuple[dt.date, dt.date | None]]) -> list[tuple[dt.date, dt.date | None]]:
    """Merge overlapping or touching intervals."""
    merged: list[tuple[dt.date, dt.date | None]] = []
    for since, until in sorted(intervals, key=lambda i: i[0]):
        if until is not None and until <= since:
            continue
        if merged:
            last_since, last_until = merged[-1]
            if last_until is None or since <= last_until:
                if last_until is not None and (until is None or until > last_until):
                    merged[-1] = (last_since, until)
                continue
        merged.append((since, until))
    return merged


def ancestors(path: str, steplen: int) -> list[str]:
    """The path and the paths of every node above it, root first."""
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]


def common_path(a: str, b: str, steplen: int) -> str:
    """The path of the lowest node above (or at) both ``a`` and ``b``; '' if none."""
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return a[: size - size % steplen]


def contributions(pieces: Iterable[Piece], *, distinct: bool, steplen: int) -> list[Contribution]:
    """Contributions of the pieces.

    Not ``distinct`` (sums, or one piece per row): each piece counts at its path and above.
    ``distinct``: a subject counts at most once at any node on any day, so at each node its pieces
    below that node are merged; a subject whose pieces all sit at one path keeps the compact "here
    and above" form.
    """
    out: list[Contribution] = []
    if not distinct:
        for p in pieces:
            if p.until is None or p.until > p.since:
                out.append(Contribution(p.subject, p.path, True, p.since, p.until, p.weight))
        return sorted(out, key=order)
    by_subject: dict[int, list[Piece]] = defaultdict(list)
    for p in pieces:
        by_subject[p.subject].append(p)
    for subject, own in by_subject.items():
        if len(own) == 1:  # most subjects: one piece
            p = own[0]
            if p.until is None or p.until > p.since:
                out.append(Contribution(subject, p.path, True, p.since, p.until))
            continue
        paths = {p.path for p in own}
        if len(paths) == 1:
            (path,) = paths
            for since, until in union((p.since, p.until) for p in own):
                out.append(Contribution(subject, path, True, since, until))
            continue
        nodes = {a for path in paths for a in ancestors(path, steplen)}
        for node in nodes:
            below = [(p.since, p.until) for p in own if p.path.startswith(node)]
            for since, until in union(below):
                out.append(Contribution(subject, node, False, since, until))
    return sorted(out, key=order)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def year_start(day: dt.date) -> dt.date:
    return day.replace(month=1, day=1)


Key = tuple[str, str, dt.date]  # (path, grain, day)


def deltas(
    rows: Iterable[Contribution], *, steplen: int, sign: float = 1.0, into: dict[Key, float] | None = None
) -> dict[Key, float]:
    """Tally deltas of contributions (``sign=-1`` to take them back): ``+weight`` on ``since`` and
    ``-weight`` on ``until`` at each target node, at the day, month and year grains.

    The ends are summed per (path, day) first and carried up one level at a time, so contributions
    that share a node and a day (the members of a building, the buildings of a street…) cost one
    addition per node above them together, not one each."""
    out: dict[Key, float] = into if into is not None else defaultdict(float)
    here: dict[tuple[str, dt.date], float] = defaultdict(float)  # at the path only
    level: dict[tuple[str, dt.date], float] = defaultdict(float)  # at the path and every node above
    for c in rows:
        w = sign * c.weight
        ends = level if c.up else here
        ends[(c.path, c.since)] += w
        if c.until is not None and c.until < END_OF_TIME:
            ends[(c.path, c.until)] -= w
    while level:
        parents: dict[tuple[str, dt.date], float] = defaultdict(float)
        for (path, day), value in level.items():
            here[(path, day)] += value
            if len(path) > steplen:
                parents[(path[:-steplen], day)] += value
        level = parents
    grains: dict[dt.date, tuple[dt.date, dt.date]] = {}
    for (path, day), value in here.items():
        if not value:
            continue
        found = grains.get(day)
        if found is None:
            found = grains[day] = (month_start(day), year_start(day))
        out[(path, "d", day)] += value
        out[(path, "m", found[0])] += value
        out[(path, "y", found[1])] += value
    return out


@dataclass(frozen=True)
class Window:
    """The tally rows to add up for the value on ``date``: ``(grain, first day, last day)``, both
    included."""

    date: dt.date

    def ranges(self) -> list[tuple[str, dt.date, dt.date]]:
        d = self.date
        year = year_start(d)
        month = month_start(d)
        out = [("y", dt.date(1, 1, 1), year - dt.timedelta(days=1))] if year > dt.date(1, 1, 1) else []
        if month > year:
            out.append(("m", year, month - dt.timedelta(days=1)))
        out.append(("d", month, d))
        return out


def value_on(rows: Iterable[tuple[str, dt.date, float]], date: dt.date) -> float:
    """The value on ``date`` from a node's tally rows ``(grain, day, value)`` of one figure (any
    superset of the window is fine)."""
    total = 0.0
    ranges = Window(date).ranges()
    for grain, day, value in rows:
        for g, first, last in ranges:
            if grain == g and first <= day <= last:
                total += value
    return total


def chunks(items: Iterable[int], size: int = 900) -> Iterator[list[int]]:
    values = items if isinstance(items, list) else list(items)
    for start in range(0, len(values), size):
        yield values[start : start + size]
