"""The platform's daily work in one place: reminders, status that follows dates, expiry.

Each app names its daily functions in ``settings.GONGJIAN_DAILY`` (dotted paths of functions that
take ``today`` as a keyword and return how many things they did or sent). ``gongjian daily`` and the
Celery beat task ``gongjian.core.daily`` run them all, each in its own transaction: one that fails
is reported and the others still run. Every function is idempotent (dedupe keys on notifications,
status read from dates), so running a day twice changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    name: str
    count: int
    error: str = ""


def daily_functions() -> list[tuple[str, Callable[..., object]]]:
    return [(path, import_string(path)) for path in getattr(settings, "GONGJIAN_DAILY", [])]


def _call(fn: Callable[..., object], today: dt.date) -> int:
    parameters = inspect.signature(fn).parameters
    keyword = "today" if "today" in parameters else "on" if "on" in parameters else "now"
    value: object = (
        today
        if keyword != "now"
        else timezone.make_aware(
            dt.datetime.combine(today, dt.datetime.now().time()), timezone.get_default_timezone()
        )
    )
    result = fn(**{keyword: value})
    if isinstance(result, dict):
        return sum(int(v) for v in result.values())
    return int(result) if isinstance(result, int) else 0


def run_daily(*, today: dt.date | None = None) -> list[Outcome]:
    """Run every daily function for ``today`` (default: today in TIME_ZONE)."""
    day = today or timezone.localdate()
    outcomes: list[Outcome] = []
    for name, fn in daily_functions():
        try:
            with transaction.atomic():
                outcomes.append(Outcome(name, _call(fn, day)))
        except Exception as exc:  # one failing job must not stop the others; it is reported
            log.exception("daily job %s failed", name)
            outcomes.append(Outcome(name, 0, f"{type(exc).__name__}: {exc}"))
    return outcomes


def run_remind(*, now: dt.datetime | None = None) -> list[Outcome]:
    """Run the reminders on the clock (``settings.GONGJIAN_REMIND``: functions taking ``now``),
    each in its own transaction; every one dedupes, so running it every few minutes sends each once."""
    moment = now or timezone.now()
    outcomes: list[Outcome] = []
    for name in getattr(settings, "GONGJIAN_REMIND", []):
        try:
            with transaction.atomic():
                result = import_string(name)(now=moment)
                outcomes.append(Outcome(name, int(result) if isinstance(result, int) else 0))
        except Exception as exc:  # reported; the others still run
            log.exception("reminder job %s failed", name)
            outcomes.append(Outcome(name, 0, f"{type(exc).__name__}: {exc}"))
    return outcomes
