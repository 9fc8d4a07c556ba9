"""``gongjian events --markdown``: the event catalogue as the README's table (event → who →
channel → when), then the events only the audit log records, with the reason."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongjian.core.notify import audit_only_rows, markdown_table


class Command(BaseCommand):
    help = "Print who hears of each event, in which channel and when."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--markdown", action="store_true", help="the README's table (Markdown)")
        parser.add_argument("--audit-only", action="store_true", help="also list the audit-only events")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(markdown_table(), ending="")
        if options["audit_only"]:
            self.stdout.write("\n| audit only | why |\n|---|---|\n", ending="")
            for value, why in audit_only_rows():
                self.stdout.write(f"| `{value}` | {why} |")
