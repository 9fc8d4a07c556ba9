"""Building blocks of the kept figures' sources, for the apps' ``figures.py``.

A source (:class:`gongjian.stats.registry.Kept`) lists, for some subjects (rows, members, units …),
their pieces: the area path they count at and the days they count on (see ``tally_core``). The
helpers here read rows in batches and make the common shapes of pieces; nothing here knows a
domain model.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from gongjian.core.bulkwrite import ids_in

from .registry import PieceFn, Subjects, Watch
from .tally_core import Piece, chunks, flow


def local_day(value: dt.datetime | None) -> dt.date | None:
    """The day of a moment in the local time zone (None stays None)."""
    return timezone.localtime(value).date() if value is not None else None


def rows_of(qs: models.QuerySet[Any], subjects: Subjects, key: str, *fields: str) -> Iterator[dict[str, Any]]:
    """The rows of ``qs`` for the subjects (by the field ``key``), or all of them, in batches."""
    if subjects is None:
        yield from qs.values(key, *fields).order_by().iterator(chunk_size=5000)
        return
    for batch in chunks(sorted(set(subjects)), 5000):
        yield from ids_in(qs, key, batch).values(key, *fields).order_by()


def itself(row: Any) -> list[int]:
    """The watch of a figure whose subjects are the rows themselves."""
    return [row.pk]


def by_field(name: str) -> Watch:
    """The watch of a figure whose subject is named by a field of the row (``member_id`` …)."""

    def watch(row: Any) -> list[int]:
        value = getattr(row, name)
        return [value] if value else []

    return watch


def dated(model: type[models.Model], path: str, where: Q | None = None) -> PieceFn:
    """One piece per dated row (``since``/``until``) at ``path``, the row being the subject."""

    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = model._default_manager.filter(where or Q())
        for r in rows_of(qs, subjects, "pk", path, "since", "until"):
            yield Piece(r["pk"], r[path], r["since"], r["until"])

    return pieces


def flow_of(model: type[models.Model], moment: str, where: Q | None = None) -> PieceFn:
    """One flow piece per row (the row being the subject) from the local day of ``moment`` on."""

    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = model._default_manager.filter(where or Q(), **{f"{moment}__isnull": False})
        for r in rows_of(qs, subjects, "pk", "area__path", moment):
            day = local_day(r[moment])
            assert day is not None
            yield flow(r["pk"], r["area__path"], day)

    return pieces


_shared: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "gongjian_sources_shared", default=None
)


@contextlib.contextmanager
def shared_reads() -> Iterator[None]:
    """Within the block, sources may keep what they read for the other sources of the same round
    of refreshes (:func:`shared`): a round writes figures only, never the rows they are read from."""
    if _shared.get() is not None:
        yield
        return
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def shared(name: str) -> dict[Any, Any] | None:
    """The store ``name`` shared by the sources of this round of refreshes, or None outside
    :func:`shared_reads` (read everything afresh)."""
    store = _shared.get()
    if store is None:
        return None
    found: dict[Any, Any] = store.setdefault(name, {})
    return found
