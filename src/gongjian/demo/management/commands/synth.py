"""``gongjian synth --scale city|small [--out DIR] [--xlsx] [--csv] [--seed N]``: the synthetic city."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.demo.synthcity import SCALES, SynthError, build_city


class Command(BaseCommand):
    help = (
        "Build the synthetic city of the domain guide §7 in the configured database (city: 10 districts, "
        "180 streets, 1,800 communities, 12,000 compounds, 40,000 Party organisations, 20,000 resident "
        "units, 600,000 members; small: about 1/100), and optionally write its members as .xlsx and CSV "
        "in the ledger workbook's columns. The files hold synthetic ID numbers in clear: keep them out "
        "of the repository."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=20231231)
        parser.add_argument("--out", type=Path, default=None, help="folder for the files (default var/synth)")
        parser.add_argument("--xlsx", action="store_true", help="write the members as .xlsx")
        parser.add_argument("--csv", action="store_true", help="write the members as CSV (UTF-8)")
        parser.add_argument("--members", type=int, default=None, help="another number of members")
        parser.add_argument(
            "--map-only",
            action="store_true",
            help="leave the members out of the database (they still go to the files): for the import benchmark",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = SCALES[options["scale"]]
        out: Path = options["out"] or Path(settings.VAR_DIR) / "synth"
        started = time.perf_counter()
        try:
            built = build_city(
                scale,
                seed=options["seed"],
                members=options["members"],
                map_only=options["map_only"],
                out=out,
                xlsx=options["xlsx"],
                csv_file=options["csv"],
                say=lambda text: self.stdout.write(text),
            )
        except SynthError as exc:
            raise CommandError(str(exc)) from exc
        for name, count in built.counts.items():
            self.stdout.write(f"{name:>12}: {count:,}")
        for path in built.files:
            self.stdout.write(f"wrote {path}")
        self.stdout.write(
            self.style.SUCCESS(
                f"synthetic city ({scale.name}) built in {time.perf_counter() - started:.1f} s"
            )
        )
