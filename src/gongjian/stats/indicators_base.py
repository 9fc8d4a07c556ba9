"""The shape of an indicator of the catalogue (``stats.indicators``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from gongjian.orgs.models import Area


@dataclass(frozen=True)
class Indicator:
    id: str
    name_hans: str
    name_hant: str
    name_en: str
    kind: str  # "stock" (on the date) or "flow" (year to date) or "ratio"
    rows: Callable[[Area, dt.date], QuerySet[Any]] | None
    value: Callable[[Area, dt.date], float | int] | None = None
    hidden: bool = False  # a part of a ratio, not shown on its own
    parts: tuple[str, str] | None = None  # a ratio: (numerator id, denominator id)

    def compute(self, area: Area, date: dt.date) -> float | int:
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


def year_to_date(date: dt.date) -> tuple[dt.date, dt.date]:
    """The period of a flow indicator: 1 January of the date's year to the date, both included."""
    return date.replace(month=1, day=1), date
