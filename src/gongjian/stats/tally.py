"""Incremental figures, the Django part: kept up to date by the writes themselves.

Every save or delete of a row some figure counts refreshes the subjects that row changes, in the
same transaction (signals below: the figures registered in :mod:`gongjian.stats.registry` say which
models they watch). A write that bypasses signals (``bulk_create``, ``update``, raw SQL) calls
:func:`touch_rows`, the one function for it. Inside :func:`deferred` the refreshes wait until the
block ends (still inside the caller's transaction), so a bulk import or the demo refreshes each
subject once. :func:`rebuild` recomputes everything from the rows; :func:`verify` compares what is
kept with what the rows say.
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
from django.db.models import Max
from django.db.models.signals import post_delete, post_save

from gongjian.core.bulkwrite import copy_rows, ids_in

from . import registry
from .models import Contribution, Tally
from .registry import Source, Watch
from .sources import shared_reads
from .tally_core import Contribution as Row
from .tally_core import Window, chunks, contributions, deltas

log = logging.getLogger(__name__)
_suspended: contextvars.ContextVar[bool] = contextvars.ContextVar("gongjian_tally_suspended", default=False)
_pending: contextvars.ContextVar[dict[str, set[int]] | None] = contextvars.ContextVar(
    "gongjian_tally_pending", default=None
)


def sources() -> dict[str, Source]:
    """Every kept figure, by indicator id (as registered by the apps)."""
    return registry.sources()


def _steplen() -> int:
    return registry.the_map().steplen


def watchers(model: type[models.Model]) -> list[tuple[Source, Watch]]:
    """The kept figures a saved or deleted row of ``model`` changes, and how."""
    return registry.watched_models().get(model, [])


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    for source, watch in watchers(sender):
        subjects = [s for s in watch(instance) if s is not None]
        if subjects:
            touch(source.indicator, subjects)
    # the map itself is part of every cached figures page (names, the areas below)
    if sender is registry.the_map().model:
        _changed_figures()


def connect() -> None:
    """Called once from the app config: every save and delete goes through :func:`_changed`, which
    looks the model up among the registered figures' watches on first use (the apps register their
    figures in their own ``ready()``, in any order)."""
    post_save.connect(_changed, dispatch_uid="tally-save")
    post_delete.connect(_changed, dispatch_uid="tally-delete")


def touch(indicator: str, subjects: Iterable[int]) -> None:
    """The subjects of a figure changed: refresh them now, or at the end of :func:`deferred`."""
    if _suspended.get():
        return
    pending = _pending.get()
    if pending is not None:
        pending.setdefault(indicator, set()).update(subjects)
        return
    refresh(indicator, subjects)


def touch_rows(model: type[models.Model], rows: Iterable[Any]) -> None:
    """The one call for writes that bypass model signals: rows of ``model`` were written with
    ``bulk_create``, ``update`` or raw SQL; refresh every kept figure they change, now or at the end
    of :func:`deferred`. A row may be anything with the attributes the figures' watches read (the
    saved instances, or e.g. ``SimpleNamespace(member_id=…)``); a model no figure watches is a no-op."""
    rows = list(rows)
    for source, watch in watchers(model):
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
    with transaction.atomic(), shared_reads():
        for indicator, subjects in pending.items():
            refresh(indicator, subjects)


def settle(limit: int = 0) -> None:
    """Inside :func:`deferred`: refresh what waits now when more than ``limit`` subjects wait (a
    long bulk write keeps its memory bounded); outside it, nothing waits."""
    pending = _pending.get()
    if not pending or sum(len(s) for s in pending.values()) <= limit:
        return
    with shared_reads():
        for indicator, subjects in list(pending.items()):
            refresh(indicator, subjects)
    pending.clear()


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """No refresh in the block: the caller calls :func:`rebuild` before its transaction ends (a
    load that writes nearly everything, such as the demo)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


def version() -> int | None:
    """How many commits have changed a kept figure so far: a cache of figures keyed by it is never
    read after the figures changed (read it before the figures themselves). None inside a
    transaction that has changed figures itself: what it reads must not be cached."""
    if _bump_pending():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM stats_version WHERE id = 1")
        found = cursor.fetchone()
    return int(found[0]) if found else 0


def _bump() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE stats_version SET number = number + 1 WHERE id = 1")
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO stats_version (id, number) VALUES (1, 1)")


class _BumpOnCommit:
    """Registered once per transaction that changes a figure; bumps the version after the commit
    (bumped before, a page read meanwhile from the old rows would be cached under the new number)."""

    def __call__(self) -> None:
        _bump()


def _bump_pending() -> bool:
    """Whether this transaction has changed figures (a rollback, of the transaction or of the
    savepoint the bump was registered in, drops it from the list)."""
    pending = getattr(connection, "_gongjian_figures_bump", None)
    return (
        pending is not None
        and connection.in_atomic_block
        and any(entry[1] is pending for entry in connection.run_on_commit)
    )


def _changed_figures() -> None:
    if not connection.in_atomic_block:
        _bump()
        return
    if _bump_pending():
        return
    pending = _BumpOnCommit()
    connection._gongjian_figures_bump = pending  # type: ignore[attr-defined]
    transaction.on_commit(pending)


def _apply(changes: dict[tuple[str, str, dt.date], float], indicator: str, *, fresh: bool = False) -> None:
    """Add the changes to the tally; ``fresh``: the indicator has no tally rows yet (a rebuild), so
    they are plain inserts."""
    # in key order: neighbouring rows of the index are written together
    rows = [
        (path, grain, day, indicator, value) for (path, grain, day), value in sorted(changes.items()) if value
    ]
    if not rows:
        return
    _changed_figures()
    if fresh:
        copy_rows("stats_tally", ("path", "grain", "day", "indicator", "value"), rows)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20000):
            batch = rows[start : start + 20000]
            if connection.vendor == "postgresql":
                # one statement a batch: the rows travel as four arrays
                columns = [list(c) for c in zip(*batch, strict=True)]
                cursor.execute(_UPSERT_ARRAYS, [indicator, columns[0], columns[1], columns[2], columns[4]])
            else:
                cursor.executemany(_UPSERT, batch)


_UPSERT = (
    "INSERT INTO stats_tally (path, grain, day, indicator, value) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (path, grain, day, indicator) DO UPDATE SET value = stats_tally.value + excluded.value"
)
_UPSERT_ARRAYS = (
    "INSERT INTO stats_tally (path, grain, day, indicator, value) "
    "SELECT p, g, d, %s, v FROM unnest(%s::text[], %s::text[], %s::date[], %s::float8[]) AS t (p, g, d, v) "
    "ON CONFLICT (path, grain, day, indicator) DO UPDATE SET value = stats_tally.value + excluded.value"
)
_CONTRIBUTION_COLUMNS = ("source", "subject", "path", "up", "since", "until", "weight")


def _delete(indicator: str, subjects: list[int]) -> None:
    for batch in chunks(subjects, 5000):
        ids_in(Contribution.objects.filter(source=indicator), "subject", batch).delete()


def _insert(indicator: str, rows: Iterable[Row]) -> None:
    copy_rows(
        Contribution._meta.db_table,
        _CONTRIBUTION_COLUMNS,
        ((indicator, r.subject, r.path, r.up, r.since, r.until, r.weight) for r in rows),
    )


def _stored(indicator: str, subjects: list[int]) -> dict[int, list[Row]]:
    out: dict[int, list[Row]] = defaultdict(list)
    qs = ids_in(Contribution.objects.filter(source=indicator), "subject", subjects)
    for r in qs.values_list("subject", "path", "up", "since", "until", "weight"):
        out[r[0]].append(Row(*r))
    return out


#: Tally changes gathered over batches of one refresh before they are written: the nodes near the
#: root share most of their keys between batches, so fewer rows are upserted (bounds the memory).
_GATHER_KEYS = 300_000


def refresh(indicator: str, subjects: Iterable[int]) -> int:
    """Recompute the contributions of these subjects and apply the difference; returns how many
    subjects changed."""
    source = sources()[indicator]
    changed = 0
    change: dict[tuple[str, str, dt.date], float] = defaultdict(float)
    with transaction.atomic():
        # subjects above every stored one (new members, new rows) have nothing stored to read
        top = Contribution.objects.filter(source=indicator).aggregate(top=Max("subject"))["top"]
        for batch in chunks(sorted(set(subjects)), 2000):
            fresh: dict[int, list[Row]] = defaultdict(list)
            for row in contributions(source.pieces(batch), distinct=source.distinct, steplen=_steplen()):
                fresh[row.subject].append(row)
            old = _stored(indicator, batch) if top is not None and batch[0] <= top else {}
            moved = [s for s in batch if set(fresh.get(s, [])) != set(old.get(s, []))]
            if not moved:
                continue
            changed += len(moved)
            taken = [r for s in moved for r in old.get(s, [])]
            given = [r for s in moved for r in fresh.get(s, [])]
            deltas(taken, steplen=_steplen(), sign=-1.0, into=change)
            deltas(given, steplen=_steplen(), into=change)
            _delete(indicator, [s for s in moved if s in old])  # new subjects have nothing to delete
            _insert(indicator, given)
            if len(change) > _GATHER_KEYS:
                _apply(change, indicator)
                change = defaultdict(float)
        _apply(change, indicator)
    return changed


def rebuild(indicators: Iterable[str] | None = None) -> dict[str, int]:
    """Recompute figures from the rows, from scratch; returns contributions per figure."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        for key in indicators or sources():
            source = sources()[key]
            Contribution.objects.filter(source=key).delete()
            Tally.objects.filter(indicator=key).delete()
            _changed_figures()
            rows = contributions(source.pieces(None), distinct=source.distinct, steplen=_steplen())
            _apply(deltas(rows, steplen=_steplen()), key, fresh=True)
            _insert(key, rows)
            counts[key] = len(rows)
    return counts


def values(paths: list[str], dates: list[dt.date]) -> dict[tuple[str, dt.date], dict[str, float]]:
    """Every kept figure at each node on each date, from at most ~100 tally rows a figure: one
    statement for all of them (three index range reads per node and date)."""
    windows = [(path, date) for path in dict.fromkeys(paths) for date in dict.fromkeys(dates)]
    out: dict[tuple[str, dt.date], dict[str, float]] = {w: {} for w in windows}
    ranges = [
        (n, path, grain, first, last)
        for n, (path, date) in enumerate(windows)
        for grain, first, last in Window(date).ranges()
    ]
    postgres = connection.vendor == "postgresql"
    # a transaction only where the setting needs one (SQLite's are IMMEDIATE: a read would lock writers out)
    with transaction.atomic() if postgres else contextlib.nullcontext(), connection.cursor() as cursor:
        if postgres:
            # A node's read is a few hundred index rows; PostgreSQL's cost estimate would still start
            # parallel workers for it, whose start-up costs ten to a hundred times the read itself.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        for batch_start in range(0, len(ranges), _RANGES_A_STATEMENT):
            batch = ranges[batch_start : batch_start + _RANGES_A_STATEMENT]
            cursor.execute(_values_sql(len(batch)), [v for r in batch for v in r])
            for n, indicator, value in cursor.fetchall():
                out[windows[n]][indicator] = float(value)
        if postgres:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")
    return out


_RANGES_A_STATEMENT = 600  # five parameters each, well under SQLite's limit


@functools.cache
def _values_sql(count: int) -> str:
    """The sum of the tally rows of each window: ``count`` rows ``(window, path, grain, first,
    last)`` joined to the tally's key index."""
    cast = "::date" if connection.vendor == "postgresql" else ""
    row = f"(%s, %s, %s, %s{cast}, %s{cast})"
    return (
        f"WITH w (n, path, grain, first_day, last_day) AS (VALUES {', '.join([row] * count)}) "  # noqa: S608
        "SELECT w.n, t.indicator, SUM(t.value) FROM w, stats_tally t "
        "WHERE t.path = w.path AND t.grain = w.grain AND t.day >= w.first_day AND t.day <= w.last_day "
        "GROUP BY w.n, t.indicator"
    )


def _kept(key: str) -> list[Row]:
    rows = Contribution.objects.filter(source=key).values_list(
        "subject", "path", "up", "since", "until", "weight"
    )
    return [Row(*r) for r in rows.iterator(chunk_size=5000)]


def _tally_matches(key: str, kept: list[Row]) -> bool:
    expected = {k: v for k, v in deltas(kept, steplen=_steplen()).items() if abs(v) > 1e-9}
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
        fresh = contributions(source.pieces(None), distinct=source.distinct, steplen=_steplen())
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
