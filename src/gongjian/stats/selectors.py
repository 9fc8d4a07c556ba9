"""Figures an actor may read: only for areas inside their scope."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for

from .indicators import Indicator, compute_all, compute_many
from .registry import MapArea, Value, catalogue, rank_by_level, the_map

TREND_MONTHS = 12


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: Value  # None: a ratio with nothing to divide by
    # (month end, value) for the months up to the date, oldest first; the last point is the date
    trend: list[tuple[dt.date, Value]]


@dataclass(frozen=True)
class ChildRow:
    area: MapArea
    values: dict[str, Value]


@dataclass(frozen=True)
class Dashboard:
    area: MapArea
    date: dt.date
    ancestors: list[MapArea]
    figures: list[Figure]
    children: list[ChildRow]  # ranked by ``rank_by``, highest first (ties by code; no data last)
    rank_by: str


def _rank_key(value: Value, code: str) -> tuple[int, float, str]:
    """Highest first; an area without data (a ratio with nothing to divide by) after every number."""
    return (1, 0.0, code) if value is None else (0, -float(value), code)


def _check(actor: Actor, area: MapArea) -> None:
    if not scope_for(actor).covers_path(area.path):
        raise Http404


def indicators_for(*, actor: Actor, area: MapArea, date: dt.date, parts: bool = False) -> dict[str, Value]:
    """Every figure of the node on the date (with ``parts``, the ratios' hidden parts too)."""
    _check(actor, area)
    return compute_all(area, date, parts=parts)


def indicator_rows(*, actor: Actor, area: MapArea, indicator_id: str, date: dt.date) -> QuerySet[Any]:
    """The records behind one figure."""
    _check(actor, area)
    found = catalogue().get(indicator_id)
    if found is None:
        raise Http404
    rows = found.rows
    if rows is None:
        raise Http404
    return rows(area, date)


def month_ends(date: dt.date, months: int = TREND_MONTHS) -> list[dt.date]:
    """The last day of each of the ``months - 1`` months before the date's month, then the date."""
    points = [date]
    year, month = date.year, date.month
    for _ in range(months - 1):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        points.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
    return points[::-1]


def children_of(area: MapArea, date: dt.date) -> list[MapArea]:
    """The node's children in force on the date, by code."""
    return the_map().children(area, date)


def dashboard(*, actor: Actor, area: MapArea, date: dt.date, rank_by: str | None = None) -> Dashboard:
    """Everything the dashboard page of one node shows: each figure with its monthly trend, and the
    children with all their figures, ranked."""
    _check(actor, area)
    children = children_of(area, date)
    every = catalogue()
    if rank_by is None or rank_by not in every:
        rank_by = rank_by_level()[the_map().child_level(area)]
    points = month_ends(date)
    values = compute_many([area], points)
    at_children = compute_many(children, [date]) if children else {}
    figures = [
        Figure(
            indicator=indicator,
            value=values[(area.pk, date)][key],
            trend=[(point, values[(area.pk, point)][key]) for point in points],
        )
        for key, indicator in every.items()
        if not indicator.hidden
    ]
    rows = [ChildRow(child, at_children[(child.pk, date)]) for child in children]
    rows.sort(key=lambda row: _rank_key(row.values[rank_by], row.area.code))
    return Dashboard(
        area=area,
        date=date,
        ancestors=the_map().ancestors(area),
        figures=figures,
        children=rows,
        rank_by=rank_by,
    )


# --- corrections of the past (issue 20) -------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """An audited correction of the past that changed figures of a node on or before a date."""

    start: dt.date  # the first day whose figures changed
    end: dt.date  # the day after the last one
    at: dt.datetime
    by: str
    what: str
    reason: str


def corrections_for(*, area: MapArea, date: dt.date) -> list[Correction]:
    """The ``history.correct`` entries of the audit log in the node's subtree whose changed days
    begin on or before ``date`` (the figures of a report for that date may differ from a print made
    before them). Read by the report pages, which name each one."""
    from gongjian.core.models import AuditEntry

    out: list[Correction] = []
    entries = AuditEntry.objects.filter(action="history.correct", changes__path__startswith=area.path)
    for entry in entries.order_by("seq"):
        changes = entry.changes or {}
        start = dt.date.fromisoformat(changes["from"])
        if start > date:
            continue
        before, after = (dt.date.fromisoformat(d) for d in changes["since"])
        out.append(
            Correction(
                start=start,
                end=max(before, after),
                at=entry.at,
                by=entry.actor_label,
                what=entry.object_label,
                reason=entry.reason,
            )
        )
    return out


def printed_report_get(*, actor: Actor, area: MapArea, date: dt.date) -> Any:
    """The report of the node for the date as first printed (a ``PrintedReport``), or None."""
    from .models import PrintedReport

    _check(actor, area)
    return PrintedReport.objects.filter(path=area.path, date=date).first()
