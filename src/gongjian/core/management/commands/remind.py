"""``gongjian remind [--at ISO-DATETIME]``: send the reminders on the clock (an activity in 30
minutes, a request to rate an hour after). Run every few minutes (Celery beat does); each message
is sent once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gongjian.core.daily import run_remind


class Command(BaseCommand):
    help = "Send the reminders that are due now (each once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="the moment to run for (YYYY-MM-DDTHH:MM; default now)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options.get("at"):
            try:
                now = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError("--at takes a moment as YYYY-MM-DDTHH:MM") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        outcomes = run_remind(now=now)
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome.name}\t{outcome.count}" + (f"\tFAILED {outcome.error}" if outcome.error else "")
            )
        if any(o.error for o in outcomes):
            raise CommandError("a reminder job failed")
