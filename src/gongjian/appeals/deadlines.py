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

A year's schedule can also be given here (:class:`Schedule`: its holidays and its swapped working
days, as the State Council publishes them each autumn); a year given so is read from it instead of
the package. ``schedules`` maps a year to its schedule; the Django side loads them from the
``WorkingDaySchedule`` table (``services.working_day_schedule_load``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Schedule:
    """One year's official schedule: the public holidays (days off, weekdays among them) and the
    swapped working days (调休上班: a Saturday or Sunday worked)."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def __post_init__(self) -> None:
        outside = sorted(d for d in self.holidays | self.workdays if d.year != self.year)
        if outside:
            raise ValueError(f"days outside {self.year}: {', '.join(d.isoformat() for d in outside)}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"days both holiday and working day: {', '.join(d.isoformat() for d in both)}")
        weekdays = sorted(d for d in self.workdays if d.weekday() < 5)
        if weekdays:
            raise ValueError(
                f"swapped working days must be a Saturday or Sunday: {', '.join(d.isoformat() for d in weekdays)}"
            )

    def is_working_day(self, day: dt.date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


Schedules = Mapping[int, Schedule]


def package_knows(year: int) -> bool:
    """Whether the ``chinese-calendar`` package holds the year's holidays."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def year_known(year: int, schedules: Schedules | None = None) -> bool:
    """Whether the year's official schedule is known: given in ``schedules`` or in the package."""
    return year in (schedules or {}) or package_knows(year)


def is_working_day(day: dt.date, schedules: Schedules | None = None) -> bool:
    """Whether ``day`` is a working day of the State Council's calendar: from the year's schedule
    when given, else from the package (Monday to Friday for a year neither knows)."""
    schedule = (schedules or {}).get(day.year)
    if schedule is not None:
        return schedule.is_working_day(day)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(day: dt.date, count: int, schedules: Schedules | None = None) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    current = day
    left = count
    while left:
        current += dt.timedelta(days=1)
        if is_working_day(current, schedules):
            left -= 1
    return current


def limit_label(kind: str) -> tuple[int, str]:
    """The limit of a kind as (number, unit): (2, "hours"), (7, "days")."""
    if kind in HOURS:
        return HOURS[kind], "hours"
    if kind in DAYS:
        return DAYS[kind], "days"
    raise ValueError(f"unknown kind of appeal: {kind!r}")


def due_at(
    registered_at: dt.datetime, kind: str, *, working_days: bool = False, schedules: Schedules | None = None
) -> dt.datetime:
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
    last = add_working_days(registered_at.date(), days, schedules)
    return dt.datetime.combine(last, registered_at.timetz())
