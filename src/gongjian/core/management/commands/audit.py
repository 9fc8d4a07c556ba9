"""``gongjian audit verify``: check the audit chain; exit 1 on an edited or missing entry."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongjian.core.audit import audit_verify


class Command(BaseCommand):
    help = "Audit log tools. 'verify' walks the hash chain and fails on any edited or deleted entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = audit_verify()
        if verdict.ok:
            self.stdout.write(f"OK: {verdict.entries} entries, chain intact")
            return
        self.stderr.write(
            f"FAILED at entry #{verdict.seq}: {verdict.problem} ({verdict.entries} entries verified before it)"
        )
        sys.exit(1)
