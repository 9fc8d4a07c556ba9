"""The five rates of 接诉即办 as one set of definitions, for any period: the catalogue's figures
(year to date, per area: ``figures.py``) and the monthly rankings (per unit, community, street and
district: ``selectors.appeal_ranking``) both read them from here, so a rate means the same thing on
every page.

Each rate is a numerator over a denominator, both conditions for a period of local days (both ends
included) on a row: the response rate on ``Appeal`` rows, everything judged at closure on
``AppealClosure`` rows (an appeal closed, reopened by the resident and closed again is two
closures: the first one counts as not solved against the unit that closed it). A part counts a row
in the period its *day* falls in: the due day, the closing day or the call-back day. A zero
denominator is "no data" (``None``), never 0.

============  =========================================  ===============================================
rate          numerator                                  denominator
============  =========================================  ===============================================
响应率        answered (first response) by the due time  appeals whose due day falls in the period
解决率        closed as solved, not reopened, and not    closures whose day falls in the period
              said unsolved by the resident on the
              (independent) call-back
满意率        satisfied or basically satisfied on the    closures called back and reached, by that day
              (independent) call-back
按时办结率    closed by the due time                     closures whose day falls in the period
回访率        called back and reached                    closures whose day falls in the period
============  =========================================  ===============================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import REACHED_RESULTS, SATISFIED_RESULTS, Outcome

Period = tuple[dt.date, dt.date]


def _on(moment: str, period: Period) -> Q:
    first, last = period
    return Q(**{f"{moment}__date__gte": first, f"{moment}__date__lte": last})


def due_in(period: Period) -> Q:
    """Appeals whose due time falls on a local day of the period (the response rate's whole)."""
    return _on("due_at", period)


#: First answered at or before the due time.
ON_TIME_ANSWER = Q(answered_at__lte=F("due_at"))


def answered_in_time_in(period: Period) -> Q:
    """Of those due in the period, first answered at or before the due time."""
    return due_in(period) & ON_TIME_ANSWER


def closed_in(period: Period) -> Q:
    """Closures (办结) on a local day of the period."""
    return _on("closed_at", period)


#: Closed as solved (not as "cannot be solved"), not reopened by the resident since, and not
#: said unsolved by the resident on the call-back (not asked, or not reached, counts as the unit said).
SOLVED = Q(outcome=Outcome.SOLVED, reopened_at__isnull=True) & ~Q(callback_solved=False)
#: Closed at or before the due time (按时办结).
ON_TIME = Q(closed_at__lte=F("due_at"))
#: Called back and the resident reached (satisfied, basically satisfied or dissatisfied).
REACHED = Q(callback_result__in=REACHED_RESULTS)
#: Satisfied or basically satisfied (基本满意 counts as satisfied, as hotline reports count it).
SATISFIED = Q(callback_result__in=SATISFIED_RESULTS)


def closed_solved_in(period: Period) -> Q:
    return closed_in(period) & SOLVED


def closed_on_time_in(period: Period) -> Q:
    return closed_in(period) & ON_TIME


def closed_called_back_in(period: Period) -> Q:
    """Of the closures in the period, called back and reached (at any time since)."""
    return closed_in(period) & REACHED


def reached_in(period: Period) -> Q:
    """Called back and reached on a local day of the period."""
    return _on("called_back_at", period) & REACHED


def satisfied_in(period: Period) -> Q:
    return reached_in(period) & SATISFIED


@dataclass(frozen=True)
class Rate:
    """One rate: its key (``appeals.<key>`` in the catalogue), its name, and its two parts."""

    key: str
    label: Promise
    part: str
    whole: str


#: The parts counted on ``Appeal`` rows, by name: each a condition for a period.
APPEAL_PARTS = {
    "due": due_in,
    "answered_in_time": answered_in_time_in,
}
#: The parts counted on ``AppealClosure`` rows.
CLOSURE_PARTS = {
    "closed": closed_in,
    "closed_solved": closed_solved_in,
    "closed_on_time": closed_on_time_in,
    "closed_called_back": closed_called_back_in,
    "reached": reached_in,
    "satisfied": satisfied_in,
}
PARTS = {**APPEAL_PARTS, **CLOSURE_PARTS}

RATES: tuple[Rate, ...] = (
    Rate("response_rate", _("Response rate"), "answered_in_time", "due"),
    Rate("resolution_rate", _("Resolution rate"), "closed_solved", "closed"),
    Rate("satisfaction_rate", _("Satisfaction rate"), "satisfied", "reached"),
    Rate("on_time_rate", _("Closed on time rate"), "closed_on_time", "closed"),
    Rate("callback_rate", _("Call-back rate"), "closed_called_back", "closed"),
)
