"""``gongjian match_feedback --out DIR [--since YYYY-MM-DD]``: the claims made and the "not a match"
said on recommendations, as a labelled set the evaluation replays (``python -m
gongjian.matching.evaluate``'s folder format: ``demands.csv``, ``resources.csv``, ``relevant.csv``;
plus ``declined.csv``, the pairs people said do not fit). Only parses arguments and writes files:
the labels are ``services.feedback_labelled``."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.matching.csvio import DEMAND_COLUMNS, RESOURCE_COLUMNS
from gongjian.matching.services import feedback_labelled


class Command(BaseCommand):
    help = "Write the feedback on recommendations (claims, declines) as a labelled set for the evaluation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="folder to write the four CSV files into")
        parser.add_argument("--since", help="YYYY-MM-DD: only feedback from this day on")

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError as exc:
                raise CommandError(
                    f"--since 应为 YYYY-MM-DD / --since must be YYYY-MM-DD, not '{options['since']}'"
                ) from exc
        labels = feedback_labelled(since=since)
        folder = Path(options["out"])
        folder.mkdir(parents=True, exist_ok=True)
        files = (
            ("demands.csv", DEMAND_COLUMNS, labels.demands),
            ("resources.csv", (*RESOURCE_COLUMNS, "service_areas"), labels.resources),
            ("relevant.csv", ("demand", "relevant", "split"), labels.relevant),
            ("declined.csv", ("demand", "resource", "outcome"), labels.declined),
        )
        for name, columns, rows in files:
            with (folder / name).open("w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(columns))
                writer.writeheader()
                writer.writerows(rows)
        self.stdout.write(
            f"{len(labels.demands)} demands, {len(labels.resources)} resources, "
            f"{sum(1 for r in labels.relevant if r['relevant'])} with a relevant resource, "
            f"{len(labels.declined)} pairs declined → {folder}"
        )
