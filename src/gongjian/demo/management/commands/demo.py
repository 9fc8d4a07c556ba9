"""``gongjian demo [--reset] [--status] [--users]``: the Changsha 2018 scenario."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.demo.scenario import DEMO_PASSWORD, DemoError, demo_accounts, load_demo, status


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Load the Changsha 2018 demo (the map, resident units, Party organisations, alliances and member "
        "ledgers of the Hunan Daily article, and one account per role) into the configured database. "
        "Refuses when the map already holds data. --reset first DELETES ALL platform data: the map, units, "
        "alliances, members and their ledgers, users and roles, tokens, sessions and also the append-only "
        "audit log and its head row, so the reloaded demo starts a new audit chain. --status prints "
        f"'empty' or 'loaded'; --users lists the demo accounts (password: {DEMO_PASSWORD})."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--reset",
            action="store_true",
            help="delete all platform data, including the audit log (a new chain starts), then load",
        )
        group.add_argument("--status", action="store_true", help="print 'empty' (no area) or 'loaded'")
        group.add_argument("--users", action="store_true", help="list the demo accounts and their password")

    def handle(self, *args: Any, **options: Any) -> None:
        # The contract of design.md: the demo migrates first, so a fresh database just works.
        call_command("migrate", interactive=False, verbosity=0)
        if options["status"]:
            self.stdout.write(status())
            return
        if options["users"]:
            self._print_users()
            return
        verbose = options.get("verbosity", 1) >= 1
        try:
            result = load_demo(
                reset=options["reset"],
                progress=(lambda message: self.stdout.write(f"  {message}")) if verbose else None,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if not verbose:
            return
        areas = sum(v for k, v in result.items() if k.startswith("areas."))
        orgs = sum(v for k, v in result.items() if k.startswith("orgs."))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {result['seconds']} s: {areas} areas, {orgs} Party organisations, "
                f"{result.get('units', 0)} resident units, {result.get('alliances', 0)} alliances "
                f"with {result.get('alliance_members', 0)} member units, {result.get('members', 0):,} Party "
                f"members, {result.get('households', 0)} plaqued households, {result.get('users', 0)} accounts."
            )
        )
        self._print_users()

    def _print_users(self) -> None:
        rows = demo_accounts()
        if not rows:
            self.stdout.write("No demo accounts: load the demo with 'gongjian demo'.")
            return
        table: list[tuple[str, ...]] = [("username", "role", "where", "password", "display name")]
        table += [(r.username, r.role, r.where, r.password, r.display_name) for r in rows]
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(_table(table))
