"""The catalogue of figures, filled by the apps that own them.

The figures engine (this app) knows no domain app. Each app declares its indicators in its own
``figures.py``, every one with the query listing its rows (the reference count) and the kept tally
source beside it, and registers them from its ``AppConfig.ready()``::

    from gongjian.stats import registry

    def ready(self) -> None:
        from . import figures

        registry.register(*figures.FIGURES)

The map (``orgs``) registers the one :class:`MapProvider` the engine reads areas through
(:func:`register_map`). Nothing is read until the first use, after every app is ready: the order of
``INSTALLED_APPS`` does not matter, and the catalogue is checked then (ids once each, the parts of a
ratio registered, one default ranking a level). Its order is the ``order`` of each indicator.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import QuerySet

from gongjian.accounts.actor import Actor

from .tally_core import Piece

#: The area a figure is asked for: an ``orgs.Area`` (the engine reads it through :class:`MapArea`).
AreaArg = Any
RowsFn = Callable[[AreaArg, dt.date], QuerySet[Any]]
#: A figure's value: ``None`` for a ratio with nothing to divide by (shown "—（无数据）", never 0 %).
Value = float | int | None
ValueFn = Callable[[AreaArg, dt.date], Value]
Subjects = Iterable[int] | None  # None: every subject (a rebuild)
PieceFn = Callable[[Subjects], Iterator[Piece]]
Watch = Callable[[Any], Iterable[int]]  # a saved or deleted row -> the subjects it changes


class MapArea(Protocol):
    """What the engine reads of a node of the map."""

    pk: Any
    code: str
    name: str
    path: str
    depth: int
    level: int


class MapProvider(Protocol):
    """The map as the engine sees it (implemented and registered by ``orgs``)."""

    #: Characters a level adds to a node's ``path``.
    steplen: int
    #: The model of the map's nodes: a change to one changes every cached figures page.
    model: type[models.Model]

    def areas(self) -> QuerySet[Any]:
        """Every node (an operator's search: code, ``name_key``, ``initials``, ``path``)."""
        ...

    def visible(self, *, actor: Actor) -> QuerySet[Any]:
        """The nodes the actor may read."""
        ...

    def roots(self, *, actor: Actor) -> QuerySet[Any]:
        """The top nodes the actor may browse from."""
        ...

    def children(self, area: MapArea, date: dt.date) -> list[Any]:
        """The node's children in force on the date, by code."""
        ...

    def ancestors(self, area: MapArea) -> list[Any]:
        """The nodes above, from the root down (none for a root, without a query)."""
        ...

    def child_level(self, area: MapArea) -> int:
        """The level of the node's children (the lowest level stays itself)."""
        ...


@dataclass(frozen=True)
class Indicator:
    id: str
    name_hans: str
    name_hant: str
    name_en: str
    kind: str  # "stock" (on the date) or "flow" (year to date) or "ratio"
    rows: RowsFn | None
    value: ValueFn | None = None
    hidden: bool = False  # a part of a ratio, not shown on its own
    parts: tuple[str, str] | None = None  # a ratio: (numerator id, denominator id)
    #: The place in the catalogue (pages, API, ``gongjian indicators``): ascending.
    order: int = 0
    #: The levels whose nodes a dashboard ranks by this figure unless asked otherwise.
    ranks: tuple[int, ...] = ()
    #: Decimal places a kept figure is shown with (0: a whole number).
    decimals: int = 0

    def compute(self, area: AreaArg, date: dt.date) -> Value:
        """The figure counted from its rows (the reference the kept figures are checked against)."""
        if self.value is not None:
            return self.value(area, date)
        assert self.rows is not None
        return self.rows(area, date).count()

    def name(self, language: str) -> str:
        if language.startswith("en"):
            return self.name_en
        if language in {"zh-hant", "zh-tw", "zh-hk"}:
            return self.name_hant
        return self.name_hans


@dataclass(frozen=True)
class Kept:
    """How a figure is kept up to date: its subjects' pieces (area path and days, see
    ``tally_core``) and which saved rows change which subjects. It mirrors the indicator's rows."""

    pieces: PieceFn
    watches: Mapping[type[models.Model], Watch] = field(default_factory=dict)
    distinct: bool = True  # counts subjects; False: sums weights of rows


@dataclass(frozen=True)
class Source:
    """A kept figure as the tally reads it."""

    indicator: str
    pieces: PieceFn
    watches: Mapping[type[models.Model], Watch] = field(default_factory=dict)
    distinct: bool = True


@dataclass(frozen=True)
class Figure:
    """One entry of an app's ``figures.py``: the indicator and, beside it, how it is kept (None for
    a ratio, computed from its parts)."""

    indicator: Indicator
    kept: Kept | None = None


_lock = threading.Lock()
_figures: dict[str, Figure] = {}
_maps: list[MapProvider] = []


def register(*figures: Figure) -> None:
    """Add an app's figures to the catalogue (from its ``AppConfig.ready()``). Registering the same
    figure twice is harmless; two different figures under one id are an error."""
    with _lock:
        for item in figures:
            key = item.indicator.id
            known = _figures.get(key)
            if known is not None and known is not item:
                raise ImproperlyConfigured(f"Two figures are registered as {key!r}.")
            _figures[key] = item
        _built.cache_clear()


def register_map(provider: MapProvider) -> None:
    """The map's app registers how the engine reads areas (once)."""
    with _lock:
        if provider not in _maps:
            _maps.append(provider)
        _built.cache_clear()


@dataclass(frozen=True)
class _Built:
    catalogue: dict[str, Indicator]
    sources: dict[str, Source]
    rank_by_level: dict[int, str]
    watched: dict[type[models.Model], list[tuple[Source, Watch]]]


def _check(catalogue: dict[str, Indicator], figures: Iterable[Figure]) -> dict[int, str]:
    ranks: dict[int, str] = {}
    places: dict[int, str] = {}
    for indicator in catalogue.values():
        if indicator.order in places:
            raise ImproperlyConfigured(
                f"The figures {places[indicator.order]!r} and {indicator.id!r} share the place {indicator.order}."
            )
        places[indicator.order] = indicator.id
        if indicator.parts is not None:
            missing = [p for p in indicator.parts if p not in catalogue]
            if missing:
                raise ImproperlyConfigured(f"The ratio {indicator.id!r} needs the figures {missing}.")
        for level in indicator.ranks:
            if level in ranks:
                raise ImproperlyConfigured(
                    f"Two figures rank level {level} by default: {ranks[level]!r} and {indicator.id!r}."
                )
            ranks[level] = indicator.id
    for item in figures:
        shape = item.indicator
        if item.kept is None and shape.parts is None and shape.rows is None and shape.value is None:
            raise ImproperlyConfigured(
                f"The figure {item.indicator.id!r} has neither rows nor a kept source."
            )
    return ranks


@functools.cache
def _built() -> _Built:
    if not apps.ready:
        raise ImproperlyConfigured("The catalogue of figures is read before every app is ready.")
    with _lock:
        figures = sorted(_figures.values(), key=lambda f: f.indicator.order)
    catalogue = {f.indicator.id: f.indicator for f in figures}
    sources = {
        f.indicator.id: Source(f.indicator.id, f.kept.pieces, f.kept.watches, f.kept.distinct)
        for f in figures
        if f.kept is not None
    }
    watched: dict[type[models.Model], list[tuple[Source, Watch]]] = {}
    for source in sources.values():
        for model, watch in source.watches.items():
            watched.setdefault(model, []).append((source, watch))
    return _Built(catalogue, sources, _check(catalogue, figures), watched)


def catalogue() -> dict[str, Indicator]:
    """Every registered indicator by id, in catalogue order."""
    return _built().catalogue


def sources() -> dict[str, Source]:
    """Every kept figure by indicator id, in catalogue order."""
    return _built().sources


def rank_by_level() -> dict[int, str]:
    """The indicator a node's children are ranked by, by default, from the level of the children."""
    return _built().rank_by_level


def the_map() -> MapProvider:
    """The map the engine reads areas through."""
    if not _maps:
        raise ImproperlyConfigured("No map is registered with the figures engine (orgs registers it).")
    return _maps[-1]


def watched_models() -> dict[type[models.Model], list[tuple[Source, Watch]]]:
    """For each model some kept figure counts: the sources it changes and how."""
    return _built().watched


def year_to_date(date: dt.date) -> tuple[dt.date, dt.date]:
    """The period of a flow indicator: 1 January of the date's year to the date, both included."""
    return date.replace(month=1, day=1), date


#: The ids of the data-quality checks start so (``gongjian.stats.quality``): hidden figures whose rows
#: are the records to look at, counted on demand and nightly, never on a dashboard.
CHECK_PREFIX = "quality."


def is_check(key: str) -> bool:
    """Whether the figure is a data-quality check."""
    return key.startswith(CHECK_PREFIX)


def ratio(part: float | None, whole: float | None) -> float | None:
    """A share rounded to four places; ``None`` when there is nothing to divide by (no data: shown
    "—（无数据）", never 0 % nor 100 %)."""
    if not whole or part is None:
        return None
    return round(part / whole, 4)
