"""``gongjian daily``: every app's daily work in one run, idempotent, one failure reported without
stopping the rest."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.module_loading import import_string

from gongjian.cobuild.tests.test_agreements_services import _signed
from gongjian.core.daily import run_daily
from gongjian.core.models import Notification

TODAY = timezone.localdate()


def failing(*, today: dt.date) -> int:
    raise RuntimeError("broken on purpose")


def test_every_daily_function_exists_and_takes_a_day():
    assert settings.GONGJIAN_DAILY
    for path in settings.GONGJIAN_DAILY:
        assert callable(import_string(path)), path
    assert settings.CELERY_BEAT_SCHEDULE["daily"]["task"] == "gongjian.core.daily"


def test_daily_sends_reminders_once(world):
    _signed(world, ends_on=TODAY + dt.timedelta(days=20))  # an agreement running out within 30 days
    out = StringIO()
    call_command("daily", "--date", TODAY.isoformat(), stdout=out)
    assert "agreements_remind\t2" in out.getvalue()
    sent = Notification.objects.filter(kind="agreement.expiring").count()
    assert sent == 2
    before = Notification.objects.count()
    call_command("daily", "--date", TODAY.isoformat(), stdout=StringIO())
    assert Notification.objects.count() == before  # the same day again sends nothing new


def test_a_failing_job_is_reported_and_the_others_still_run(world, settings):
    _signed(world, ends_on=TODAY + dt.timedelta(days=20))
    settings.GONGJIAN_DAILY = [
        "gongjian.core.tests.test_daily.failing",
        "gongjian.cobuild.services.agreements.agreements_remind",
    ]
    outcomes = run_daily(today=TODAY)
    assert outcomes[0].error.startswith("RuntimeError") and outcomes[1].count == 2
    with pytest.raises(CommandError, match="1 daily job"):
        call_command("daily", stdout=StringIO())


def test_a_bad_date_is_a_clear_error(world):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("daily", "--date", "2018-13-40", stdout=StringIO())
