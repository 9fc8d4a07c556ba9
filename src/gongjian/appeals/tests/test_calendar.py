"""The working-day calendar beyond the package's years: a year's schedule loaded by a platform
administrator (service and ``gongjian working_days``), limits of 2027 counted from it, and the
weekly warning from 1 November while next year's schedule is missing.

The 2027 schedule below is an illustration made for the test (a Spring Festival week and one
swapped Saturday), not the State Council's notice."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from gongjian.appeals import deadlines, selectors
from gongjian.appeals import services as s
from gongjian.appeals.models import WorkingDaySchedule
from gongjian.core.models import AuditEntry, Notification

HOLIDAYS_2027 = [f"2027-02-{d:02d}" for d in range(8, 13)]  # Monday to Friday
WORKDAYS_2027 = ["2027-02-20"]  # a Saturday worked
FRIDAY = dt.datetime(2027, 2, 5, 10, 0)


def test_the_package_does_not_know_2027_and_counts_monday_to_friday() -> None:
    assert deadlines.package_knows(2026) and not deadlines.package_knows(2027)
    assert deadlines.due_at(FRIDAY, "general", working_days=True) == dt.datetime(2027, 2, 16, 10, 0)


def test_a_loaded_schedule_counts_its_holidays_and_swapped_working_days(world) -> None:
    s.working_day_schedule_load(
        actor=world.superuser, year=2027, holidays=HOLIDAYS_2027, workdays=WORKDAYS_2027, source="测试用日程"
    )
    schedules = selectors.working_day_schedules()
    assert deadlines.year_known(2027, schedules)
    # 6–7 weekend, 8–12 holidays, 13–14 weekend; 15–19 five days, Saturday 20 the sixth, Monday 22
    assert deadlines.due_at(FRIDAY, "general", working_days=True, schedules=schedules) == dt.datetime(
        2027, 2, 22, 10, 0
    )
    # a year the package knows is still read from the package
    assert deadlines.is_working_day(dt.date(2026, 10, 1), schedules) is False
    assert AuditEntry.objects.filter(action="calendar.load").count() == 1


def test_loading_is_for_platform_administrators_and_refuses_an_inconsistent_schedule(world) -> None:
    with pytest.raises(PermissionDenied):
        s.working_day_schedule_load(
            actor=world.city_admin, year=2027, holidays=HOLIDAYS_2027, workdays=[], source="通知"
        )
    bad: list[dict[str, Any]] = [
        {"workdays": ["2027-02-17"]},  # a Wednesday cannot be a swapped working day
        {"holidays": ["2027-02-30"]},  # not a date
        {"holidays": ["2028-01-01"]},  # another year
        {"holidays": []},
        {"source": " "},
    ]
    for change in bad:
        data: dict[str, Any] = {
            "holidays": HOLIDAYS_2027,
            "workdays": WORKDAYS_2027,
            "source": "通知",
            **change,
        }
        with pytest.raises(ValidationError):
            s.working_day_schedule_load(actor=world.superuser, year=2027, **data)
    assert not WorkingDaySchedule.objects.exists()


def test_platform_administrators_are_warned_weekly_from_november(world) -> None:
    assert s.working_day_calendar_warn(today=dt.date(2026, 10, 31)) == 0
    assert s.working_day_calendar_warn(today=dt.date(2026, 11, 2)) == 1  # the one superuser
    assert s.working_day_calendar_warn(today=dt.date(2026, 11, 3)) == 0  # the same week
    notes = Notification.objects.filter(recipient=world.superuser, kind="appeals.calendar_missing")
    assert notes.count() == 1 and "2027" in notes.get().title
    assert not Notification.objects.filter(
        recipient=world.city_admin, kind="appeals.calendar_missing"
    ).exists()
    s.working_day_schedule_load(
        actor=world.superuser, year=2027, holidays=HOLIDAYS_2027, workdays=WORKDAYS_2027, source="测试用日程"
    )
    assert s.working_day_calendar_warn(today=dt.date(2026, 11, 10)) == 0


def test_the_command_loads_a_yaml_file(world, tmp_path) -> None:
    path = tmp_path / "2027.yaml"
    path.write_text(
        "year: 2027\nsource: 测试用日程\nholidays: ["
        + ", ".join(HOLIDAYS_2027)
        + "]\nworkdays: [2027-02-20]\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("working_days", "load", str(path), "--as", world.superuser.username, stdout=out)
    assert "2027: 5 holidays, 1 swapped working days" in out.getvalue()
    assert WorkingDaySchedule.objects.get(year=2027).workdays == ["2027-02-20"]
    with pytest.raises(CommandError):
        call_command("working_days", "load", str(path), "--as", world.city_admin.username, stdout=StringIO())
