"""Time limits of residents' appeals (接诉即办), the pure part: no Django here.

The limit depends on the kind of appeal, as in hotline practice:

==============  ===========  ==========================================
kind            limit        counted
==============  ===========  ==========================================
``emergency``   2 hours      on the clock, always
``utilities``   24 hours     on the clock, always (water, power, gas, heating)
``general``     7 days       calendar days, or working days
``complex``     15 days      calendar days, or working days
==============  ===========  ==========================================

Limits in hours run on the clock whatever the place's rule: a burst pipe does not wait for
Monday. Limits in days count calendar days, or, where the place counts working days
(``working_days=True``), working days of the State Council's calendar: public holidays are not
counted and swapped working days (调休上班, e.g. Saturday 2018-09-29 before the National Day
holiday) are. The registration day itself is never counted; the appeal is due at the same clock
time on the last day counted (registered Friday 2018-09-28 10:00 as a general appeal with
working days: due Friday 2018-10-12 10:00, the National Day week skipped).

The calendar comes from the ``chinese-calendar`` package (module ``chinese_calendar``), which
holds the official holidays of the years it knows (2004 to 2026 in version 1.11.0). For a year it
has no data for it raises ``NotImplementedError``; such a day is then counted as a working day
when it is Monday to Friday, and as a rest day on Saturday and Sunday (the holidays of that year
are not known yet, so they count as working days until the package is updated).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import chinese_calendar


class Kind(StrEnum):
    EMERGENCY = "emergency"
    UTILITIES = "utilities"
    GENERAL = "general"
    COMPLEX = "complex"


#: Limits on the clock.
HOURS: dict[str, int] = {Kind.EMERGENCY: 2, Kind.UTILITIES: 24}
#: Limits in days (calendar or working days).
DAYS: dict[str, int] = {Kind.GENERAL: 7, Kind.COMPLEX: 15}


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day of the State Council's calendar (Monday to Friday for a
    year the calendar does not know yet)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    current = day
    left = count
    while left:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current


def limit_label(kind: str) -> tuple[int, str]:
    """The limit of a kind as (number, unit): (2, "hours"), (7, "days")."""
    if kind in HOURS:
        return HOURS[kind], "hours"
    if kind in DAYS:
        return DAYS[kind], "days"
    raise ValueError(f"unknown kind of appeal: {kind!r}")


def due_at(registered_at: dt.datetime, kind: str, *, working_days: bool = False) -> dt.datetime:
    """When an appeal of ``kind`` registered at ``registered_at`` is due.

    ``registered_at`` is the local time of the place (aware or naive; the result keeps its
    ``tzinfo``): working days are days of the local calendar.
    """
    if kind in HOURS:
        return registered_at + dt.timedelta(hours=HOURS[kind])
    if kind not in DAYS:
        raise ValueError(f"unknown kind of appeal: {kind!r}")
    days = DAYS[kind]
    if not working_days:
        return registered_at + dt.timedelta(days=days)
    last = add_working_days(registered_at.date(), days)
    return dt.datetime.combine(last, registered_at.timetz())
