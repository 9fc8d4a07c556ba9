"""The appeals' figures (the response, resolution, satisfaction, on-time closure and call-back rates
and their parts), each with
the query of its rows and its kept source side by side. Registered from
:class:`gongjian.appeals.apps.AppealsConfig`.

Each part of a rate is a flow from its day: the due day, the closing day, the call-back day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from gongjian.orgs.models import Area
from gongjian.stats.registry import Figure, Indicator, Kept, ratio, year_to_date
from gongjian.stats.sources import flow_of, itself

from . import rates
from .models import Appeal, AppealClosure

# --- rows: the reference count ----------------------------------------------------------------
# The definitions are those of ``rates.py`` (shared with the monthly rankings), over the year to date.


def _rows(part: str) -> Callable[[Area, dt.date], QuerySet[Any]]:
    condition = rates.PARTS[part]
    model: type[Appeal] | type[AppealClosure] = Appeal if part in rates.APPEAL_PARTS else AppealClosure

    def rows(area: Area, date: dt.date) -> QuerySet[Any]:
        return model.objects.filter(condition(year_to_date(date)), area__path__startswith=area.path)

    rows.__name__ = f"_appeals_{part}"
    rows.__doc__ = condition.__doc__
    return rows


_appeals_due = _rows("due")
_appeals_answered_in_time = _rows("answered_in_time")
_appeals_closed = _rows("closed")
_appeals_closed_solved = _rows("closed_solved")
_appeals_closed_on_time = _rows("closed_on_time")
_appeals_closed_called_back = _rows("closed_called_back")
_appeals_reached = _rows("reached")
_appeals_satisfied = _rows("satisfied")


def _rate(
    part: Callable[[Area, dt.date], QuerySet[Any]], whole: Callable[[Area, dt.date], QuerySet[Any]]
) -> Callable[[Area, dt.date], float | None]:
    def value(area: Area, date: dt.date) -> float | None:
        return ratio(part(area, date).count(), whole(area, date).count())

    return value


#: The names of the rates' parts, shown as a denominator on the rows pages (never the id).
PART_NAMES = {
    "_appeals.due": (
        "到期应答复的诉求（年初至今）",
        "到期應答覆的訴求（年初至今）",
        "Appeals due (year to date)",
    ),
    "_appeals.answered_in_time": (
        "按时答复的诉求（年初至今）",
        "按時答覆的訴求（年初至今）",
        "Appeals answered in time (year to date)",
    ),
    "_appeals.closed": (
        "已办结的诉求（年初至今）",
        "已辦結的訴求（年初至今）",
        "Appeals closed (year to date)",
    ),
    "_appeals.closed_solved": (
        "办结且已解决的诉求（年初至今）",
        "辦結且已解決的訴求（年初至今）",
        "Closed appeals solved (year to date)",
    ),
    "_appeals.reached": (
        "回访到居民的诉求（年初至今）",
        "回訪到居民的訴求（年初至今）",
        "Appeals whose resident was called back (year to date)",
    ),
    "_appeals.satisfied": (
        "居民满意的诉求（年初至今）",
        "居民滿意的訴求（年初至今）",
        "Appeals the resident was satisfied with (year to date)",
    ),
    "_appeals.closed_on_time": (
        "按时办结的诉求（年初至今）",
        "按時辦結的訴求（年初至今）",
        "Appeals closed on time (year to date)",
    ),
    "_appeals.closed_called_back": (
        "办结后已回访的诉求（年初至今）",
        "辦結後已回訪的訴求（年初至今）",
        "Closed appeals called back (year to date)",
    ),
}


def _part(
    key: str, rows: Callable[[Area, dt.date], QuerySet[Any]], moment: str, where: Q | None, order: int
) -> Figure:
    model: type[Appeal] | type[AppealClosure] = AppealClosure if key in _CLOSURE_KEYS else Appeal
    return Figure(
        Indicator(key, *PART_NAMES[key], "flow", rows, hidden=True, order=order),
        Kept(flow_of(model, moment, where), {model: itself}),
    )


_CLOSURE_KEYS = {f"_appeals.{name}" for name in rates.CLOSURE_PARTS}


FIGURES: list[Figure] = [
    Figure(
        Indicator(
            "appeals.response_rate",
            "诉求响应率",
            "訴求響應率",
            "Share of appeals answered within the time limit (year to date)",
            "ratio",
            _appeals_answered_in_time,
            _rate(_appeals_answered_in_time, _appeals_due),
            parts=("_appeals.answered_in_time", "_appeals.due"),
            order=290,
        )
    ),
    Figure(
        Indicator(
            "appeals.resolution_rate",
            "诉求解决率",
            "訴求解決率",
            "Share of closed appeals solved (year to date)",
            "ratio",
            _appeals_closed_solved,
            _rate(_appeals_closed_solved, _appeals_closed),
            parts=("_appeals.closed_solved", "_appeals.closed"),
            order=300,
        )
    ),
    Figure(
        Indicator(
            "appeals.satisfaction_rate",
            "诉求满意率",
            "訴求滿意率",
            "Share of residents called back who were satisfied (year to date)",
            "ratio",
            _appeals_satisfied,
            _rate(_appeals_satisfied, _appeals_reached),
            parts=("_appeals.satisfied", "_appeals.reached"),
            order=310,
        )
    ),
    Figure(
        Indicator(
            "appeals.on_time_rate",
            "诉求按时办结率",
            "訴求按時辦結率",
            "Share of closed appeals closed within the time limit (year to date)",
            "ratio",
            _appeals_closed_on_time,
            _rate(_appeals_closed_on_time, _appeals_closed),
            parts=("_appeals.closed_on_time", "_appeals.closed"),
            order=312,
        )
    ),
    Figure(
        Indicator(
            "appeals.callback_rate",
            "诉求回访率",
            "訴求回訪率",
            "Share of closed appeals whose resident was called back and reached (year to date)",
            "ratio",
            _appeals_closed_called_back,
            _rate(_appeals_closed_called_back, _appeals_closed),
            parts=("_appeals.closed_called_back", "_appeals.closed"),
            order=314,
        )
    ),
    # parts of the rates above
    _part("_appeals.due", _appeals_due, "due_at", None, 380),
    _part("_appeals.answered_in_time", _appeals_answered_in_time, "due_at", rates.ON_TIME_ANSWER, 390),
    _part("_appeals.closed", _appeals_closed, "closed_at", None, 400),
    _part("_appeals.closed_solved", _appeals_closed_solved, "closed_at", rates.SOLVED, 410),
    _part("_appeals.reached", _appeals_reached, "called_back_at", rates.REACHED, 420),
    _part("_appeals.satisfied", _appeals_satisfied, "called_back_at", rates.SATISFIED, 430),
    _part("_appeals.closed_on_time", _appeals_closed_on_time, "closed_at", rates.ON_TIME, 432),
    _part("_appeals.closed_called_back", _appeals_closed_called_back, "closed_at", rates.REACHED, 434),
]
