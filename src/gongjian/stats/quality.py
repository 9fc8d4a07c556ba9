"""Data-quality checks: the rules offices otherwise keep as hand-written SQL.

Each check is a hidden figure of the catalogue whose id starts with ``quality.`` and whose rows are
the records to look at (so the figures' rows pages are the drill-down). The apps that own the
records declare them in their ``figures.py`` with :func:`check` and register them like any figure.

The counts are kept per node in :class:`~gongjian.stats.models.QualityCount` by :func:`quality_run`
(``gongjian quality``, and nightly in ``gongjian daily``), so the home and the quality page read
them without counting again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for

from .models import QualityCount
from .registry import CHECK_PREFIX, Figure, Indicator, MapArea, RowsFn, catalogue, is_check, the_map
from .selectors import _check

#: The catalogue places of the checks start here (after every figure).
FIRST_PLACE = 9000


def check(key: str, names: tuple[str, str, str], rows: RowsFn, order: int) -> Figure:
    """A data-quality check as a figure: ``key`` without the ``quality.`` prefix, its description in
    simplified Chinese, traditional Chinese and English, the records it finds under a node on a
    day, and its place among the checks."""
    return Figure(
        Indicator(f"{CHECK_PREFIX}{key}", *names, "stock", rows, hidden=True, order=FIRST_PLACE + order)
    )


def checks() -> list[Indicator]:
    """Every registered check, in catalogue order."""
    return [i for key, i in catalogue().items() if is_check(key)]


def quality_run(*, today: dt.date | None = None, node: MapArea | None = None) -> int:
    """Count every check under every node (or ``node`` and the nodes below it) and keep the counts.
    Returns how many (node, check) pairs find something."""
    day = today or timezone.localdate()
    now = timezone.now()
    areas = the_map().areas()
    if node is not None:
        areas = areas.filter(path__startswith=node.path)
    rules = checks()
    counted: list[QualityCount] = []
    for area in areas.order_by("path"):
        for rule in rules:
            count = int(rule.compute(area, day) or 0)
            counted.append(
                QualityCount(path=area.path, check_id=rule.id, count=count, counted_on=day, counted_at=now)
            )
    with transaction.atomic():  # the counts of the nodes counted are replaced together, never half
        kept = QualityCount.objects.all()
        if node is not None:
            kept = kept.filter(path__startswith=node.path)
        kept.delete()
        QualityCount.objects.exclude(check_id__in=[r.id for r in rules]).delete()
        QualityCount.objects.bulk_create(counted, batch_size=1000)
    found = sum(1 for q in counted if q.count > 0)
    return found


@dataclass(frozen=True)
class CheckCount:
    check: Indicator
    count: int | None  # None: not counted yet
    counted_on: dt.date | None


def quality_counts(*, actor: Actor, area: MapArea) -> list[CheckCount]:
    """Each check with its last count under the node (only for a node in the actor's scope)."""
    _check(actor, area)
    kept = {q.check_id: q for q in QualityCount.objects.filter(path=area.path)}
    out: list[CheckCount] = []
    for rule in checks():
        q = kept.get(rule.id)
        out.append(CheckCount(rule, q.count if q else None, q.counted_on if q else None))
    return out


def quality_waiting(*, actor: Actor) -> list[tuple[MapArea, Indicator, int]]:
    """For the actor's top nodes, each check that finds something there, with its count."""
    scope = scope_for(actor)
    roots = list(the_map().roots(actor=actor))
    if not roots or scope.empty:
        return []
    every = {r.id: r for r in checks()}
    by_path = {a.path: a for a in roots}
    rows = QualityCount.objects.filter(path__in=list(by_path), count__gt=0, check_id__in=list(every))
    return [(by_path[q.path], every[q.check_id], q.count) for q in rows.order_by("path", "check_id")]
