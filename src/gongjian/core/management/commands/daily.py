"""``gongjian daily [--date YYYY-MM-DD]``: run the platform's daily work (``gongjian.core.daily``):
reminders as notifications, statuses that follow dates, expiry. The same as the Celery beat task
``gongjian.core.daily``; safe to run again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.core.daily import run_daily


class Command(BaseCommand):
    help = "Run the daily work of every app (reminders, statuses that follow dates, expiry)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to run for (YYYY-MM-DD; default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date takes a date as YYYY-MM-DD, e.g. 2018-09-04") from exc
        outcomes = run_daily(today=day)
        for outcome in outcomes:
            line = f"{outcome.name}\t{outcome.count}"
            self.stdout.write(line + (f"\tFAILED {outcome.error}" if outcome.error else ""))
        failed = [o.name for o in outcomes if o.error]
        if failed:
            raise CommandError(f"{len(failed)} daily job(s) failed: {', '.join(failed)}")
