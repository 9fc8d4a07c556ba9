"""``gongjian reminders [--date YYYY-MM-DD]``: send the ledgers' reminders as notifications.

The same work as the daily Celery beat task ``members.reminders``; safe to run again (each
reminder carries a dedupe key, so it is sent once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.members import services


class Command(BaseCommand):
    help = "Send the ledgers' reminders (report-backs due, transfer prompts, letters expiring or expired)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to remind for (YYYY-MM-DD; default today)")

    def handle(self, *args: Any, **options: Any) -> None:
        on = None
        if options.get("date"):
            try:
                on = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date takes a date as YYYY-MM-DD") from exc
        counts = services.reminders_send(on=on)
        for kind, count in counts.items():
            self.stdout.write(f"{kind}\t{count}")
        self.stdout.write(f"total\t{sum(counts.values())}")
