"""``gongjian tally verify|rebuild|repair``: the kept figures against their rows.

``verify`` exits 1 naming each figure whose kept state differs from what its rows say; ``rebuild``
recounts every figure from the rows (after a restore, or a bulk load that went around the
services); ``repair`` recounts only the figures that drifted (what the daily work runs).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.stats import tally


class Command(BaseCommand):
    help = "Check or recount the kept figures (verify | rebuild | repair)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "rebuild", "repair"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        action = options["action"]
        if action == "rebuild":
            counts = tally.rebuild()
            self.stdout.write(f"recounted {len(counts)} figures ({sum(counts.values())} contributions)")
        elif action == "repair":
            self.stdout.write(f"recounted {tally.repair()} figures that had drifted")
        else:
            drift = tally.verify()
            if drift:
                lines = "\n".join(
                    f"  {key}: " + ("the tallies do not add up" if n < 0 else f"{n} subjects differ")
                    for key, n in drift.items()
                )
                raise CommandError(f"{len(drift)} figures differ from their rows:\n{lines}")
            self.stdout.write(f"all {len(tally.sources())} kept figures agree with their rows")
        self.stdout.write(f"{time.perf_counter() - started:.1f} s")
