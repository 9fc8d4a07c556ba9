"""``gongjian match --demands D.csv --resources R.csv [--top K] [--format json|table]``.

Ranks and allocates offline from two CSV files (the contract other tools use; columns in
``gongjian.matching.csvio``). Areas may be division codes or names on the map, in either script. ``--evaluate`` prints the quality figures on the labelled set instead.
Only parses arguments: the work is ``gongjian.matching.cli.run_match``, which needs no Django.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.matching.cli import FORMATS, run_match
from gongjian.matching.csvio import AreaCandidate, CsvError


class Command(BaseCommand):
    help = (
        "Recommend resources for demands and propose the allocation with the largest total score, from "
        "two CSV files; or, with --evaluate, measure the quality on the labelled set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demands", help="D.csv: id,title,description,category,quantity,area,lat,lng,deadline"
        )
        parser.add_argument(
            "--resources",
            help="R.csv: id,title,description,category,capacity,provider,area,lat,lng,radius_km,available_from,available_to",
        )
        parser.add_argument("--top", type=int, default=5, help="recommendations per demand (default 5)")
        parser.add_argument(
            "--format", choices=FORMATS, default=None, dest="output_format", help="json (default) or table"
        )
        parser.add_argument(
            "--date", help="YYYY-MM-DD: leave out resources whose availability ended before it"
        )
        parser.add_argument(
            "--evaluate", action="store_true", help="print precision@1, MRR, recall@5 on the labelled set"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["evaluate"]:
            from gongjian.matching.evaluate import report

            self.stdout.write(report(fmt=options["output_format"] or "table"))
            return
        if not options["demands"] or not options["resources"]:
            raise CommandError("需要 --demands 和 --resources 两个文件 / give both --demands and --resources")
        if options["top"] < 1:
            raise CommandError("--top 至少为1 / --top must be at least 1")
        as_of = None
        if options["date"]:
            try:
                as_of = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(
                    f"--date 应为 YYYY-MM-DD / --date must be YYYY-MM-DD, not '{options['date']}'"
                ) from exc
        from gongjian.matching.selectors import area_name_candidates

        cache: dict[str, list[AreaCandidate]] = {}

        def areas(text: str) -> list[AreaCandidate]:
            """A name on the map (in either script), looked up once per file pair."""
            if text not in cache:
                cache[text] = area_name_candidates(text=text)
            return cache[text]

        try:
            output = run_match(
                options["demands"],
                options["resources"],
                options["top"],
                options["output_format"] or "json",
                as_of,
                areas,
            )
        except CsvError as exc:
            raise CommandError(
                f"文件有误，未输出任何结果 / the file has problems, nothing was output:\n{exc}"
            ) from exc
        self.stdout.write(output)
