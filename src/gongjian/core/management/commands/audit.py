"""``gongjian audit verify``: check the audit chain; exit 1 on an edited or missing entry."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongjian.core.audit import audit_checkpoint, audit_places_fill, audit_verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' walks the hash chain and fails on any edited or deleted entry (checked against the signed head and the last checkpoint); 'checkpoint' appends a signed checkpoint outside the database; 'places' gives entries written before entries knew their place the area of their object (outside the chain)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "checkpoint", "places"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "places":
            self.stdout.write(f"{audit_places_fill()} entries given their place")
            return
        if options["action"] == "checkpoint":
            self.stdout.write(f"checkpoint written at entry #{audit_checkpoint()}")
            return
        verdict = audit_verify()
        if verdict.ok:
            self.stdout.write(f"OK: {verdict.entries} entries, chain intact")
            return
        self.stderr.write(
            f"FAILED at entry #{verdict.seq}: {verdict.problem} ({verdict.entries} entries verified before it)"
        )
        sys.exit(1)
