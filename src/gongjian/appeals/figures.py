"""The appeals' figures (the response, resolution and satisfaction rates and their parts), each with
the query of its rows and its kept source side by side. Registered from
:class:`gongjian.appeals.apps.AppealsConfig`.

Each part of a rate is a flow from its day: the due day, the closing day, the call-back day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import F, Q, QuerySet

from gongjian.orgs.models import Area
from gongjian.stats.registry import Figure, Indicator, Kept, ratio, year_to_date
from gongjian.stats.sources import flow_of, itself

from .models import REACHED_RESULTS, SATISFIED_RESULTS, Appeal, Outcome

# --- rows: the reference count ----------------------------------------------------------------


def _appeals_due(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Appeals about the subtree that fell due in the period (year to date): ``due_at``, a local
    date, from 1 January to the date (an appeal counts on the day it falls due, whatever the hour)."""
    first, last = year_to_date(date)
    return Appeal.objects.filter(
        due_at__date__gte=first, due_at__date__lte=last, area__path__startswith=area.path
    )


def _appeals_answered_in_time(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Of the appeals due in the period, those first answered by their due time (``answered_at`` at
    or before ``due_at``): the numerator of ``appeals.response_rate``."""
    return _appeals_due(area, date).filter(answered_at__lte=F("due_at"))


def _response_rate(area: Area, date: dt.date) -> float:
    """Appeals answered within their time limit ÷ appeals due, over the year to the date: both
    counted in the year their due day falls in, on and after that day (an appeal not answered by
    then counts in the denominator only; answered late, too)."""
    return ratio(_appeals_answered_in_time(area, date).count(), _appeals_due(area, date).count())


def _appeals_closed(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Appeals about the subtree closed in the period (year to date), by the local date of
    ``closed_at``."""
    first, last = year_to_date(date)
    return Appeal.objects.filter(
        closed_at__date__gte=first, closed_at__date__lte=last, area__path__startswith=area.path
    )


def _appeals_closed_solved(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Of the appeals closed in the period, those closed as solved (not as unsolvable)."""
    return _appeals_closed(area, date).filter(outcome=Outcome.SOLVED)


def _resolution_rate(area: Area, date: dt.date) -> float:
    """Appeals closed as solved ÷ appeals closed, over the year to the date (by the closing day)."""
    return ratio(_appeals_closed_solved(area, date).count(), _appeals_closed(area, date).count())


def _appeals_reached(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Appeals about the subtree whose resident was called back and reached in the period (year to
    date, by the local date of ``called_back_at``): satisfied, basically satisfied or dissatisfied;
    "not reached" counts in neither part of the rate."""
    first, last = year_to_date(date)
    return Appeal.objects.filter(
        callback_result__in=REACHED_RESULTS,
        called_back_at__date__gte=first,
        called_back_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _appeals_satisfied(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Of the residents reached in the period, those satisfied or basically satisfied (基本满意
    counts as satisfied, as hotline reports count it)."""
    return _appeals_reached(area, date).filter(callback_result__in=SATISFIED_RESULTS)


def _satisfaction_rate(area: Area, date: dt.date) -> float:
    """Satisfied (including basically satisfied) ÷ called back and reached, over the year to the
    date. The resident's own online rating is shown with the appeal and not counted here."""
    return ratio(_appeals_satisfied(area, date).count(), _appeals_reached(area, date).count())


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
}


def _part(
    key: str, rows: Callable[[Area, dt.date], QuerySet[Any]], moment: str, where: Q | None, order: int
) -> Figure:
    return Figure(
        Indicator(key, *PART_NAMES[key], "flow", rows, hidden=True, order=order),
        Kept(flow_of(Appeal, moment, where), {Appeal: itself}),
    )


FIGURES: list[Figure] = [
    Figure(
        Indicator(
            "appeals.response_rate",
            "诉求响应率",
            "訴求響應率",
            "Share of appeals answered within the time limit (year to date)",
            "ratio",
            _appeals_answered_in_time,
            _response_rate,
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
            _resolution_rate,
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
            _satisfaction_rate,
            parts=("_appeals.satisfied", "_appeals.reached"),
            order=310,
        )
    ),
    # parts of the rates above
    _part("_appeals.due", _appeals_due, "due_at", None, 380),
    _part(
        "_appeals.answered_in_time", _appeals_answered_in_time, "due_at", Q(answered_at__lte=F("due_at")), 390
    ),
    _part("_appeals.closed", _appeals_closed, "closed_at", None, 400),
    _part("_appeals.closed_solved", _appeals_closed_solved, "closed_at", Q(outcome=Outcome.SOLVED), 410),
    _part(
        "_appeals.reached",
        _appeals_reached,
        "called_back_at",
        Q(callback_result__in=REACHED_RESULTS),
        420,
    ),
    _part(
        "_appeals.satisfied",
        _appeals_satisfied,
        "called_back_at",
        Q(callback_result__in=SATISFIED_RESULTS),
        430,
    ),
]
