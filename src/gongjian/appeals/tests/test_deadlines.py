"""The time limits of appeals: the pure core, against the State Council's calendar."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjian.appeals import deadlines
from gongjian.appeals.deadlines import Kind, add_working_days, due_at, is_working_day

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(y: int, m: int, d: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, hour, tzinfo=BEIJING)


def test_hours_run_on_the_clock_whatever_the_rule():
    friday_night = _at(2018, 9, 28, 23)
    for working in (False, True):
        assert due_at(friday_night, Kind.EMERGENCY, working_days=working) == _at(2018, 9, 29, 1)
        assert due_at(friday_night, Kind.UTILITIES, working_days=working) == _at(2018, 9, 29, 23)


def test_calendar_days():
    assert due_at(_at(2018, 9, 28), Kind.GENERAL) == _at(2018, 10, 5)
    assert due_at(_at(2018, 9, 28), Kind.COMPLEX) == _at(2018, 10, 13)


def test_a_general_appeal_before_national_day_counts_past_the_holiday():
    # 2018-09-29 (Saturday) and 09-30 (Sunday) were swapped working days; 10-01…10-07 a holiday.
    assert is_working_day(dt.date(2018, 9, 29))
    assert is_working_day(dt.date(2018, 9, 30))
    assert not is_working_day(dt.date(2018, 10, 1))
    assert not is_working_day(dt.date(2018, 10, 7))
    # day 1 = 09-29, day 2 = 09-30, days 3…7 = 10-08…10-12
    assert due_at(_at(2018, 9, 28), Kind.GENERAL, working_days=True) == _at(2018, 10, 12)


def test_spring_festival_2019():
    # Spring Festival 2019: 02-04…02-10 off; 02-02 (Saturday) and 02-03 (Sunday) worked.
    assert add_working_days(dt.date(2019, 2, 1), 2) == dt.date(2019, 2, 3)
    assert add_working_days(dt.date(2019, 2, 3), 1) == dt.date(2019, 2, 11)


def test_a_year_without_data_falls_back_to_monday_to_friday():
    # the package knows no year after its data; Monday to Friday count then
    far = dt.date(2099, 1, 2)  # a Friday
    assert far.weekday() == 4
    assert is_working_day(far)
    assert not is_working_day(far + dt.timedelta(days=1))
    assert add_working_days(far, 1) == dt.date(2099, 1, 5)


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown kind"):
        due_at(_at(2018, 1, 1), "urgent")
    with pytest.raises(ValueError):
        add_working_days(dt.date(2018, 1, 1), -1)


def test_limit_labels():
    assert deadlines.limit_label("emergency") == (2, "hours")
    assert deadlines.limit_label("complex") == (15, "days")


moments = st.datetimes(min_value=dt.datetime(2005, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
    lambda d: d.replace(tzinfo=BEIJING, microsecond=0)
)


@settings(max_examples=200, deadline=None)
@given(moments, st.sampled_from(list(Kind)), st.booleans())
def test_due_is_later_and_keeps_the_clock_time(registered, kind, working):
    due = due_at(registered, kind, working_days=working)
    assert due > registered
    if kind in deadlines.DAYS:
        assert due.timetz() == registered.timetz()
        days = deadlines.DAYS[kind]
        calendar = due_at(registered, kind)
        # working days are never fewer calendar days than the limit
        assert due >= calendar
        if working:
            assert is_working_day(due.date())
            between = [
                registered.date() + dt.timedelta(days=n)
                for n in range(1, (due.date() - registered.date()).days + 1)
            ]
            assert sum(is_working_day(d) for d in between) == days
    else:
        assert due - registered == dt.timedelta(hours=deadlines.HOURS[kind])
