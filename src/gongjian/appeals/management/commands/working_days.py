"""``gongjian working_days load FILE.yaml --as USERNAME``: load a year's State Council schedule
(holidays and swapped working days) for the appeals' time limits; ``gongjian working_days status``:
which years are known (package or loaded) and whether next year is.

The file::

    year: 2027
    source: 国务院办公厅关于2027年部分节假日安排的通知
    holidays: [2027-01-01, …]      # every day off that is not an ordinary weekend day, and the rest
    workdays: [2027-02-20, …]      # Saturdays or Sundays worked (调休上班)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gongjian.appeals import deadlines, selectors, services


class Command(BaseCommand):
    help = "Load or show the working-day calendar (State Council schedules) of the appeals' time limits."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a year's schedule from a YAML file")
        load.add_argument("file")
        load.add_argument("--as", dest="username", required=True, help="a platform administrator")
        sub.add_parser("status", help="the years known, and whether next year is")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            loaded = selectors.working_day_schedules()
            for year in sorted(loaded):
                self.stdout.write(f"{year}: loaded")
            next_year = timezone.localdate().year + 1
            known = deadlines.year_known(next_year, loaded)
            self.stdout.write(f"{next_year}: {'known' if known else 'MISSING'}")
            return
        path = Path(options["file"])
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if not isinstance(data, dict) or "year" not in data:
            raise CommandError(f"{path}: a mapping with year, source, holidays and workdays is needed")
        actor = get_user_model().objects.filter(username=options["username"]).first()
        if actor is None:
            raise CommandError(f"no user {options['username']!r}")
        try:
            row = services.working_day_schedule_load(
                actor=actor,
                year=int(data["year"]),
                holidays=data.get("holidays") or [],
                workdays=data.get("workdays") or [],
                source=str(data.get("source") or ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(
            f"{row.year}: {len(row.holidays)} holidays, {len(row.workdays)} swapped working days"
        )
