"""Incremental figures, the Django part: kept up to date by the writes themselves.

Every save or delete of a row some figure counts refreshes the subjects that row changes, in the
same transaction (signals below; bulk writes that bypass signals call :func:`touch`). Inside
:func:`deferred` the refreshes wait until the block ends (still inside the caller's transaction),
so a bulk import or the demo refreshes each subject once. :func:`rebuild` recomputes everything
from the rows; :func:`verify` compares what is kept with what the rows say.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save

from gongjian.orgs.models import Area

from .models import Contribution, Tally
from .sources import Source, build_sources
from .tally_core import Contribution as Row
from .tally_core import Window, chunks, contributions, deltas

log = logging.getLogger(__name__)
_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("gongjian_tally_suspended", default=False)
_pending: contextvars.ContextVar[dict[str, set[int]] | None] = contextvars.ContextVar(
    "gongjian_tally_pending", default=None
)


@functools.cache
def sources() -> dict[str, Source]:
    return build_sources(Area.steplen)


def _watchers() -> dict[type[models.Model], list[tuple[Source, Any]]]:
    out: dict[type[models.Model], list[tuple[Source, Any]]] = defaultdict(list)
    for source in sources().values():
        for model, watch in source.watches.items():
            out[model].append((source, watch))
    return out


_WATCHERS: dict[type[models.Model], list[tuple[Source, Any]]] = {}


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    for source, watch in _WATCHERS.get(sender, []):
        subjects = [s for s in watch(instance) if s is not None]
        if subjects:
            touch(source.indicator, subjects)


def connect() -> None:
    """Called once from the app config."""
    _WATCHERS.clear()
    _WATCHERS.update(_watchers())
    for model in _WATCHERS:
        post_save.connect(_changed, sender=model, dispatch_uid=f"tally-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"tally-delete-{model._meta.label}")


def touch(indicator: str, subjects: Iterable[int]) -> None:
    """The subjects of a figure changed: refresh them now, or at the end of :func:`deferred`."""
    if _suspended.get():
        return
    pending = _pending.get()
    if pending is not None:
        pending.setdefault(indicator, set()).update(subjects)
        return
    refresh(indicator, subjects)


def touch_rows(model: type[models.Model], rows: Iterable[models.Model]) -> None:
    """Rows of ``model`` were written without signals (bulk_create, update): refresh what they
    change."""
    rows = list(rows)
    for source, watch in _WATCHERS.get(model, []):
        subjects = {s for row in rows for s in watch(row) if s is not None}
        if subjects:
            touch(source.indicator, subjects)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Collect the refreshes of the block and run each subject once at its end."""
    if _pending.get() is not None:
        yield
        return
    token = _pending.set({})
    try:
        yield
        pending = _pending.get() or {}
    finally:
        _pending.reset(token)
    with transaction.atomic():
        for indicator, subjects in pending.items():
            refresh(indicator, subjects)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """No refresh in the block: the caller calls :func:`rebuild` before its transaction ends (a
    load that writes nearly everything, such as the demo)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def _apply(changes: dict[tuple[str, str, dt.date], float], indicator: str) -> None:
    rows = [(path, grain, day, indicator, value) for (path, grain, day), value in changes.items() if value]
    if not rows:
        return
    sql = (
        "INSERT INTO stats_tally (path, grain, day, indicator, value) VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (path, grain, day, indicator) DO UPDATE SET value = stats_tally.value + excluded.value"
    )
    with connection.cursor() as cursor:
        for batch_start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[batch_start : batch_start + 2000])


def _stored(indicator: str, subjects: list[int]) -> dict[int, list[Row]]:
    out: dict[int, list[Row]] = defaultdict(list)
    qs = Contribution.objects.filter(source=indicator, subject__in=subjects)
    for r in qs.values_list("subject", "path", "up", "since", "until", "weight"):
        out[r[0]].append(Row(*r))
    return out


def refresh(indicator: str, subjects: Iterable[int]) -> int:
    """Recompute the contributions of these subjects and apply the difference; returns how many
    subjects changed."""
    source = sources()[indicator]
    changed = 0
    with transaction.atomic():
        for batch in chunks(sorted(set(subjects)), 2000):
            fresh: dict[int, list[Row]] = defaultdict(list)
            for row in contributions(source.pieces(batch), distinct=source.distinct, steplen=Area.steplen):
                fresh[row.subject].append(row)
            old = _stored(indicator, batch)
            moved = [s for s in batch if set(fresh.get(s, [])) != set(old.get(s, []))]
            if not moved:
                continue
            changed += len(moved)
            taken = [r for s in moved for r in old.get(s, [])]
            given = [r for s in moved for r in fresh.get(s, [])]
            change = deltas(taken, steplen=Area.steplen, sign=-1.0)
            deltas(given, steplen=Area.steplen, into=change)
            _apply(change, indicator)
            Contribution.objects.filter(source=indicator, subject__in=moved).delete()
            Contribution.objects.bulk_create(
                [Contribution(source=indicator, **_fields(r)) for r in given], batch_size=2000
            )
    return changed


def _fields(row: Row) -> dict[str, Any]:
    return {
        "subject": row.subject,
        "path": row.path,
        "up": row.up,
        "since": row.since,
        "until": row.until,
        "weight": row.weight,
    }


def rebuild(indicators: Iterable[str] | None = None) -> dict[str, int]:
    """Recompute figures from the rows, from scratch; returns contributions per figure."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        for key in indicators or sources():
            source = sources()[key]
            Contribution.objects.filter(source=key).delete()
            Tally.objects.filter(indicator=key).delete()
            rows = contributions(source.pieces(None), distinct=source.distinct, steplen=Area.steplen)
            _apply(deltas(rows, steplen=Area.steplen), key)
            Contribution.objects.bulk_create(
                [Contribution(source=key, **_fields(r)) for r in rows], batch_size=5000
            )
            counts[key] = len(rows)
    return counts


_VALUES_SQL = (
    "SELECT indicator, SUM(value) FROM ("
    " SELECT indicator, value FROM stats_tally WHERE path = %s AND grain = %s AND day >= %s AND day <= %s"
    " UNION ALL"
    " SELECT indicator, value FROM stats_tally WHERE path = %s AND grain = %s AND day >= %s AND day <= %s"
    " UNION ALL"
    " SELECT indicator, value FROM stats_tally WHERE path = %s AND grain = %s AND day >= %s AND day <= %s"
    ") AS window_rows GROUP BY indicator"
)


def values(paths: list[str], dates: list[dt.date]) -> dict[tuple[str, dt.date], dict[str, float]]:
    """Every kept figure at each node on each date, from at most ~100 tally rows a figure."""
    out: dict[tuple[str, dt.date], dict[str, float]] = {}
    for path in paths:
        for date in dates:
            params: list[Any] = []
            ranges = Window(date).ranges()
            while len(ranges) < 3:  # an empty range keeps the statement the same
                ranges.insert(0, ("y", date, date - dt.timedelta(days=1)))
            for grain, first, last in ranges:
                params += [path, grain, first, last]
            sql = _VALUES_SQL
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                out[(path, date)] = {k: float(v) for k, v in cursor.fetchall()}
    return out


def _kept(key: str) -> list[Row]:
    rows = Contribution.objects.filter(source=key).values_list(
        "subject", "path", "up", "since", "until", "weight"
    )
    return [Row(*r) for r in rows.iterator(chunk_size=5000)]


def _tally_matches(key: str, kept: list[Row]) -> bool:
    expected = {k: v for k, v in deltas(kept, steplen=Area.steplen).items() if abs(v) > 1e-9}
    stored = {
        (path, grain, day): value
        for path, grain, day, value in Tally.objects.filter(indicator=key)
        .values_list("path", "grain", "day", "value")
        .iterator(chunk_size=5000)
        if abs(value) > 1e-9
    }
    return expected.keys() == stored.keys() and all(abs(expected[k] - stored[k]) < 1e-6 for k in expected)


def verify(indicators: Iterable[str] | None = None) -> dict[str, int]:
    """Figures whose kept state differs from what the rows say now, with how many subjects differ
    (-1: the tallies themselves do not add up); empty when healthy."""
    drift: dict[str, int] = {}
    for key in indicators or sources():
        source = sources()[key]
        fresh = contributions(source.pieces(None), distinct=source.distinct, steplen=Area.steplen)
        kept = _kept(key)
        bad = {r.subject for r in set(fresh) ^ set(kept)}
        if bad:
            drift[key] = len(bad)
        elif not _tally_matches(key, kept):
            drift[key] = -1
    return drift


def repair(*, today: dt.date | None = None) -> int:
    """The daily check: recount every figure that drifted from its rows (a write that went around
    the services); returns how many figures were recounted."""
    drift = verify()
    if drift:
        log.warning("kept figures drifted from their rows and were recounted: %s", drift)
        rebuild(drift)
    return len(drift)
