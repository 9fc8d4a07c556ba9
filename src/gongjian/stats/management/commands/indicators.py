"""``gongjian indicators --area NAME_OR_CODE [--date YYYY-MM-DD] [--format json|table]``.

Prints every indicator of the catalogue for one node of the map (the node and everything below
it) on a date. An operator's tool: it runs as the system and sees the whole map.

JSON (the contract other tools rely on)::

    {"area": {"code": "430181001", "name": "淮川街道"}, "date": "2018-09-04",
     "indicators": {"units.resident": 3, …}}

The area is found by its division code, or by its name in either script (長沙市 == 长沙市). An
unknown or ambiguous name is an error that lists the candidates.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongjian.core.text import initials, is_initials_query, search_key
from gongjian.stats.indicators import compute_all
from gongjian.stats.registry import MapArea, catalogue, the_map

TIMEZONE = ZoneInfo("Asia/Shanghai")
MAX_CANDIDATES = 10
HEADERS = {"zh-hans": ("名称", "数值"), "zh-hant": ("名稱", "數值"), "en": ("name", "value")}


def today() -> dt.date:
    """Today in China, whatever the server's clock zone."""
    return dt.datetime.now(TIMEZONE).date()


def _describe(area: MapArea) -> str:
    """``王家垅社区 (430105001001, 长沙市 › 开福区 › 东风路街道)``: enough to tell namesakes apart."""
    ancestors = " › ".join(a.name for a in the_map().ancestors(area))
    where = f", {ancestors}" if ancestors else ""
    return f"{area.name} ({area.code}{where})"


def _candidates_text(areas: list[MapArea]) -> str:
    return "\n".join(f"  - {_describe(a)}" for a in areas)


def resolve_area(text: str) -> MapArea:
    """The one area with this code, or with this name in either script; else a clear error."""
    text = (text or "").strip()
    if not text:
        raise CommandError("Say which area: --area takes a name (长沙市 / 長沙市) or a division code.")
    areas = the_map().areas()
    by_code: MapArea | None = areas.filter(code__iexact=text).first()
    if by_code is not None:
        return by_code
    key = search_key(text)
    same_name = areas.filter(name_key=key).order_by("path")
    first: list[MapArea] = list(same_name[: MAX_CANDIDATES + 1])
    if len(first) == 1:
        return first[0]
    if first:
        total = same_name.count()
        shown = "" if total <= MAX_CANDIDATES else f" (the first {MAX_CANDIDATES} shown)"
        raise CommandError(
            f"'{text}' is ambiguous: {total} areas have this name{shown}. "
            f"Give the division code of one of them:\n{_candidates_text(first[:MAX_CANDIDATES])}"
        )
    near = areas.filter(name_key__contains=key)
    if is_initials_query(text):
        near = near | areas.filter(initials__startswith=initials(text))
    suggestions: list[MapArea] = list(near.order_by("path")[:MAX_CANDIDATES])
    if suggestions:
        raise CommandError(
            f"No area is named or coded '{text}'. Did you mean one of these? "
            f"Give its full name or code:\n{_candidates_text(suggestions)}"
        )
    raise CommandError(f"No area is named or coded '{text}' (names match in either script: 長沙市 = 长沙市).")


def parse_date(text: str | None) -> dt.date:
    if not text:
        return today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2018-09-04.") from exc


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


NO_DATA = {"zh-hans": "—（无数据）", "zh-hant": "—（無數據）", "en": "— (no data)"}


def format_value(value: float | int | None, kind: str, language: str = "en") -> str:
    """A value for the table; a ratio with nothing to divide by is "—（无数据）", never 0 %."""
    if value is None:
        return NO_DATA.get(language, NO_DATA["en"])
    if kind == "ratio":
        return f"{value:.4f} ({value * 100:.2f}%)"
    return str(value)


def render_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Print every indicator of the catalogue for one area (the node and everything below it) on a "
        "date. Runs as the system: it sees the whole map."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--area", required=True, help="division code, or name in either script (长沙市 / 長沙市)"
        )
        parser.add_argument("--date", help="YYYY-MM-DD (default: today in Asia/Shanghai)")
        parser.add_argument("--format", choices=["json", "table"], default="json", dest="output_format")
        parser.add_argument(
            "--language",
            choices=["zh-hans", "zh-hant", "en"],
            default="zh-hans",
            help="language of the indicator names in the table (default zh-hans)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        area = resolve_area(options["area"])
        date = parse_date(options.get("date"))
        values = compute_all(area, date)
        if options["output_format"] == "json":
            payload = {
                "area": {"code": area.code, "name": area.name},
                "date": date.isoformat(),
                "indicators": values,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        language = options["language"]
        header = ("id", *HEADERS[language])
        rows: list[tuple[str, ...]] = [header]
        for key, value in values.items():
            indicator = catalogue()[key]
            rows.append((key, indicator.name(language), format_value(value, indicator.kind, language)))
        self.stdout.write(f"{_describe(area)} · {date.isoformat()}")
        self.stdout.write(render_table(rows))
