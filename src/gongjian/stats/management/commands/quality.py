"""``gongjian quality [--node CODE] [--date YYYY-MM-DD]``: count the data-quality checks
(``quality.*``) under every node of the map, or under one node and below, keep the counts for the
home and the quality pages, and print the node's counts. It also runs nightly in ``gongjian daily``.
An operator's tool: it runs as the system and sees the whole map."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gongjian.stats.models import QualityCount
from gongjian.stats.quality import checks, quality_run
from gongjian.stats.registry import the_map


class Command(BaseCommand):
    help = "Count the data-quality checks under every node (or one node and below) and keep the counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--node", help="the division code of the node (default: the whole map)")
        parser.add_argument("--date", help="the day to count on (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = timezone.localdate()
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"Not a date (YYYY-MM-DD): {options['date']!r}") from exc
        node = None
        if options.get("node"):
            node = the_map().areas().filter(code=options["node"]).first()
            if node is None:
                raise CommandError(f"No node has the code {options['node']!r}.")
        found = quality_run(today=day, node=node)
        tops = [node] if node is not None else list(the_map().areas().filter(depth=1).order_by("code"))
        for top in tops:
            kept = {q.check_id: q.count for q in QualityCount.objects.filter(path=top.path)}
            self.stdout.write(f"{top.name} ({top.code}), {day.isoformat()}")
            for rule in checks():
                self.stdout.write(f"  {rule.id}\t{kept.get(rule.id, 0)}\t{rule.name_hans}")
        self.stdout.write(f"{found} (node, check) pairs find something.")
