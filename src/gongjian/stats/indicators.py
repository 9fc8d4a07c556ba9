"""The indicator catalogue: one entry per indicator, with the query that lists its rows.

The entries are declared by the apps that own them (``<app>/figures.py``) and registered into
:mod:`gongjian.stats.registry`; pages, the API and ``gongjian indicators`` all read the catalogue
through here. Every figure counts records at the node and everything below it, on a date.

``CATALOGUE`` (id -> :class:`Indicator`, in catalogue order) and ``SHOWN`` (the ids shown: the
catalogue without the parts of ratios) are read on first use, once every app is ready.
"""

from __future__ import annotations

import datetime as dt

from . import tally
from .registry import Indicator, MapArea, Value, catalogue, is_check, ratio, year_to_date

__all__ = [
    "CATALOGUE",
    "SHOWN",
    "Indicator",
    "compute_all",
    "compute_many",
    "denominators",
    "from_rows",
    "ratio",
    "shown",
    "year_to_date",
]

CATALOGUE: dict[str, Indicator]  # read on first use (see __getattr__)
SHOWN: list[str]  # read on first use (see __getattr__)


def shown() -> list[str]:
    """The ids shown (not the parts of ratios), in catalogue order."""
    return [key for key, indicator in catalogue().items() if not indicator.hidden]


def __getattr__(name: str) -> object:
    if name == "CATALOGUE":
        return catalogue()
    if name == "SHOWN":
        return shown()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def from_rows(area: MapArea, date: dt.date) -> dict[str, Value]:
    """Every figure counted from its rows: the reference the kept figures must equal."""
    every = catalogue()
    return {key: every[key].compute(area, date) for key in shown()}


def compute_all(area: MapArea, date: dt.date, *, parts: bool = False) -> dict[str, Value]:
    """Every figure of the node on the date (the node and everything below it); with ``parts``, the
    hidden parts of the ratios too (their numerators and denominators)."""
    return compute_many([area], [date], parts=parts)[(area.pk, date)]


def denominators(values: dict[str, Value]) -> dict[str, Value]:
    """For each ratio, the count it divides by (from figures computed with ``parts``): a ratio
    without data is ``None`` beside its denominator 0, so a caller sees why."""
    return {
        key: values.get(indicator.parts[1])
        for key, indicator in catalogue().items()
        if indicator.parts is not None and not indicator.hidden
    }


def _shape(indicator: Indicator, value: float) -> float | int:
    if indicator.decimals:
        return round(value, indicator.decimals)
    return round(value)


def compute_many(
    areas: list[MapArea], dates: list[dt.date], *, parts: bool = False
) -> dict[tuple[int, dt.date], dict[str, Value]]:
    """Every figure for each area on each date, keyed by (area id, date), from the kept tallies
    (see ``stats.tally``); a figure without a kept source is counted from its rows."""
    # the data-quality checks (``quality.*``) are counted on demand by ``stats.quality``, never here
    every = {key: i for key, i in catalogue().items() if not is_check(key)}
    keys = list(every) if parts else [key for key in shown() if key in every]
    kept = tally.sources()
    stored = tally.values([a.path for a in areas], dates)
    out: dict[tuple[int, dt.date], dict[str, Value]] = {}
    for area in areas:
        for date in dates:
            raw = stored[(area.path, date)]
            figures: dict[str, Value] = {}
            for key, indicator in every.items():
                if key in kept:
                    figures[key] = _shape(indicator, raw.get(key, 0.0))
                elif indicator.parts is None:
                    figures[key] = indicator.compute(area, date)
            for key, indicator in every.items():
                if indicator.parts is not None:
                    part, whole = indicator.parts
                    figures[key] = ratio(figures[part], figures[whole])
            out[(area.pk, date)] = {key: figures[key] for key in keys}
    return out
