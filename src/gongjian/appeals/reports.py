"""The published ranking table (page, xlsx, PDF): one set of headers and cells from a
``selectors.Ranking``, so the three say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongjian.core.excel import BookWriter, Cell
from gongjian.core.pdf import render_pdf

from . import ranking, rates
from .selectors import Ranking

LEVEL_NAMES = {
    "unit": lambda: pgettext("field", "Handling units"),
    "community": lambda: pgettext("field", "Communities"),
    "street": lambda: pgettext("field", "Streets"),
    "district": lambda: pgettext("field", "Districts"),
}


def percent(value: float | None) -> str:
    """``95.0%``, or "no data" when the rate has no denominator."""
    return pgettext("field", "no data") if value is None else f"{value * 100:.1f}%"


def title(table: Ranking) -> str:
    return _("Appeals ranking: %(level)s, %(first)s to %(last)s") % {
        "level": LEVEL_NAMES[table.level](),
        "first": table.first.isoformat(),
        "last": table.last.isoformat(),
    }


def rule(table: Ranking) -> str:
    """The ranking rule, as printed under the table."""
    return _(
        "Ranked: at least %(min)s cases (appeals registered in the period) and data for the response, "
        "resolution and satisfaction rates. Score: their weighted mean (weights %(weights)s). Equal "
        "scores share a place. A rate with nothing to count reads “no data”."
    ) % {"min": table.min_cases, "weights": " : ".join(f"{w:g}" for w in table.weights)}


def headers() -> list[str]:
    return [
        pgettext("field", "Place"),
        pgettext("field", "Name"),
        pgettext("field", "Cases"),
        *[str(r.label) for r in rates.RATES],
        pgettext("field", "Score"),
        pgettext("field", "Note"),
    ]


def note(row: ranking.Row, table: Ranking) -> str:
    if row.reason == ranking.TOO_FEW:
        return _("Not ranked: fewer than %(min)s cases.") % {"min": table.min_cases}
    if row.reason == ranking.NO_DATA:
        names = {r.key: str(r.label) for r in rates.RATES}
        return _("Not ranked: no data for %(rates)s.") % {"rates": "、".join(names[k] for k in row.missing)}
    return ""


@dataclass(frozen=True)
class Line:
    row: ranking.Row
    cells: list[str]
    note: str


def lines(table: Ranking) -> list[Line]:
    out = []
    for row in table.rows:
        cells = [
            str(row.place or "—"),
            row.entry.name,
            str(row.entry.cases),
            *[percent(row.rates[r.key]) for r in rates.RATES],
            percent(row.score) if row.score is not None else "—",
        ]
        out.append(Line(row, cells, note(row, table)))
    return out


def workbook(table: Ranking) -> bytes:
    """The table as .xlsx: rates as numbers (shares of 1), "no data" left empty and said in the note."""
    book = BookWriter()
    sheet = book.sheet(pgettext("field", "Ranking"))
    sheet.append([title(table)], style="title")
    sheet.append([rule(table)])
    sheet.header(headers(), widths=[6, 28, 8, 10, 10, 10, 12, 10, 8, 40])
    for line in lines(table):
        row = line.row
        values: list[Cell] = [
            row.place,
            row.entry.name,
            row.entry.cases,
            *[row.rates[r.key] for r in rates.RATES],
            row.score,
            line.note,
        ]
        sheet.append(values)
    return book.close()


def pdf(table: Ranking) -> bytes:
    return render_pdf(
        "appeals/ranking_pdf.html",
        {"title": title(table), "rule": rule(table), "headers": headers(), "lines": lines(table)},
    )
