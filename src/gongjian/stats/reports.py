"""What the figures' pages, files and API show, built on the selectors: the indicators shown, values
as text, the records behind a figure described for people, and the report for the level above
(the node's figures on a date beside the same date a year before, and the areas below) as PDF and
Excel.

Nothing here reads a model on its own: figures and rows come from :mod:`gongjian.stats.selectors`,
which keep them inside the actor's scope.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet, prefetch_related_objects
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor
from gongjian.core.excel import BookWriter
from gongjian.core.pdf import render_pdf
from gongjian.core.templatetags.ui import figure, no_data

from . import selectors
from .indicators import Indicator
from .registry import MapArea, Value, catalogue, the_map
from .selectors import ChildRow, Dashboard


def area_by_code(actor: Actor, code: str) -> MapArea:
    """The area with this division code, among those the actor may read (404 otherwise)."""
    area: MapArea | None = the_map().visible(actor=actor).filter(code=code).first()
    if area is None:
        raise Http404
    return area


# --- the indicators shown -------------------------------------------------------------------


def visible_indicators() -> list[Indicator]:
    """The catalogue without the parts of ratios (``hidden``), in catalogue order."""
    return [i for i in catalogue().values() if not i.hidden]


#: Names for the parts of ratios (hidden in the catalogue, named by their ids there), shown where
#: a ratio's records point at its denominator.
PART_NAMES: dict[str, str] = {
    "_compounds.all": gettext_noop("Compounds in the area"),
    "_compounds.covered": gettext_noop("Compounds with a Party branch"),
    "_buildings.all": gettext_noop("Buildings in the area"),
    "_buildings.covered": gettext_noop("Buildings with a Party group"),
    "_members.reported_listed": gettext_noop("In-service members listed here who reported"),
    "_projects.claimed_completed": gettext_noop("Projects claimed this year and completed"),
}


def indicator_name(indicator: Indicator, language: str | None = None) -> str:
    """The indicator's name in the language (the user's by default); parts of ratios by
    :data:`PART_NAMES`."""
    if indicator.hidden and indicator.id in PART_NAMES:
        return _(PART_NAMES[indicator.id])
    return indicator.name(language or current_language())


def current_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).lower()


def show(value: Value, kind: str) -> str:
    """A figure as people read it: ratios as a percentage, counts with grouping, "—（无数据）" for a
    ratio with nothing to divide by."""
    return figure(value, kind)


def change_of(value: Value, before: Value) -> Value:
    """The change from ``before``; ``None`` when either has no data (a change against a year with
    nothing to divide by is "—", never +100 %)."""
    if value is None or before is None:
        return None
    if isinstance(value, int) and isinstance(before, int):
        return value - before
    return round(float(value) - float(before), 4)


def show_change(change: Value, kind: str) -> str:
    """``+3``, ``−2``, ``0``; ratios in percentage points (``+1.5 个百分点``); "—" without data."""
    if change is None:
        return "—"
    if kind == "ratio":
        points = round(float(change) * 100, 1)
        sign = "+" if points > 0 else ("−" if points < 0 else "")
        text = number_format(abs(points), decimal_pos=1)
        return _("%(change)s percentage points") % {"change": f"{sign}{text}"}
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return f"{sign}{show(abs(change), kind)}"


def year_before(date: dt.date) -> dt.date:
    """The same day a year earlier (29 February → 28 February)."""
    try:
        return date.replace(year=date.year - 1)
    except ValueError:
        return date.replace(year=date.year - 1, day=28)


# --- what a ratio is a share of ----------------------------------------------------------------

#: What each ratio is a share of (``gettext_noop``: translated when shown). The denominator's
#: indicator comes from the catalogue (``Indicator.parts``) where it says, else from here.
RATIO_TEXTS: dict[str, tuple[str | None, str]] = {
    "projects.completion_rate": (
        "projects.claimed",
        gettext_noop(
            "Of the projects claimed in the year to the date, the share completed by the date. "
            "The records below are the completed ones (the numerator)."
        ),
    ),
    "members.report_rate": (
        "members.in_service",
        gettext_noop(
            "Of the in-service members listed in the area, the share who reported to a community "
            "in it. The records below are those who reported (the numerator)."
        ),
    ),
    "coverage.compounds": (
        None,
        gettext_noop(
            "Of the compounds in the area on the date, the share with a Party branch. The records "
            "below are the compounds with a branch (the numerator); the denominator is every "
            "compound in the area on the date."
        ),
    ),
    "coverage.buildings": (
        None,
        gettext_noop(
            "Of the buildings in the area on the date, the share with a Party group. The records "
            "below are the buildings with a group (the numerator); the denominator is every "
            "building in the area on the date."
        ),
    ),
}
OTHER_RATIO = gettext_noop("This figure is a share: the records below are its numerator.")


@dataclass(frozen=True)
class RatioNote:
    text: str
    denominator: Indicator | None


def ratio_note(indicator: Indicator) -> RatioNote | None:
    """What a ratio is a share of, in the user's language, and the indicator counting the
    denominator when there is one (None for counts)."""
    if indicator.kind != "ratio":
        return None
    fallback, text = RATIO_TEXTS.get(indicator.id, (None, OTHER_RATIO))
    parts = getattr(indicator, "parts", None)
    denominator_id = parts[1] if parts else fallback
    denominator = catalogue().get(denominator_id) if denominator_id else None
    return RatioNote(_(text), denominator)


def definition(indicator: Indicator) -> str:
    """The docstring of the function listing an indicator's rows, on one line ("" without one)."""
    doc = getattr(indicator.rows, "__doc__", None) or ""
    return " ".join(doc.split())


# --- the rows behind a figure ------------------------------------------------------------------

#: Detail pages of the models behind the figures: (url name, attribute holding the pk). Models with
#: a ``get_absolute_url`` use it instead; a model in neither is shown as plain text.
DETAIL_PAGES: dict[str, tuple[str, str]] = {
    "orgs.area": ("orgs:area_detail", "pk"),
    "orgs.residentunit": ("orgs:unit_detail", "pk"),
    "orgs.partyorg": ("orgs:org_detail", "pk"),
    "members.member": ("members:member_detail", "pk"),
    "members.comanagement": ("members:member_detail", "member_id"),
    "members.memberreport": ("members:report_detail", "pk"),
    "members.household": ("members:household_detail", "pk"),
    "cobuild.agreement": ("cobuild:agreement_detail", "pk"),
    "cobuild.parttimeseat": ("cobuild:seat_detail", "pk"),
    "cobuild.jointmeeting": ("cobuild:meeting_detail", "pk"),
    "lists.demand": ("lists:demand_detail", "pk"),
    "lists.resource": ("lists:resource_detail", "pk"),
    "lists.project": ("lists:project_detail", "pk"),
    "service.serviceteam": ("service:team_detail", "pk"),
    "service.volunteer": ("service:volunteer_detail", "pk"),
}

#: Related rows each model's label and place read, fetched per page in one query each.
LABEL_RELATIONS: dict[str, tuple[str, ...]] = {
    "members.member": ("org",),
    "members.comanagement": ("member", "community", "unit"),
    "members.memberreport": ("member", "community"),
    "members.household": ("area",),
    "cobuild.parttimeseat": ("committee__area",),
    "service.servicehours": ("member", "volunteer", "area"),
}

#: Where a row sits, by the first of these relations the model has.
PLACE_FIELDS = ("area", "community", "committee", "org")


@dataclass(frozen=True)
class RowInfo:
    """One record behind a figure, as a person or a client reads it: never a clear ID or phone
    number, only the record's name (a member's name is fine) and where it sits."""

    pk: int
    model: str
    label: str
    place: str
    url: str | None


def _model_key(obj: Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _url(obj: Model) -> str | None:
    own = getattr(obj, "get_absolute_url", None)
    if callable(own):
        return str(own())
    route = DETAIL_PAGES.get(_model_key(obj))
    if route is None:
        return None
    pk = getattr(obj, route[1], None)
    if pk is None:
        return None
    try:
        return reverse(route[0], args=[pk])
    except NoReverseMatch:
        return None


def _place(obj: Model) -> str:
    names = {f.name for f in obj._meta.concrete_fields}
    for field in PLACE_FIELDS:
        if field in names:
            target = getattr(obj, field, None)
            if target is not None:
                return str(getattr(target, "name", target))
    return ""


def describe_rows(objs: Sequence[Model]) -> list[RowInfo]:
    """The rows of one page, with their labels, places and detail pages."""
    objs = list(objs)
    if objs:
        key = _model_key(objs[0])
        names = {f.name for f in objs[0]._meta.concrete_fields}
        relations = LABEL_RELATIONS.get(key) or tuple(f for f in PLACE_FIELDS if f in names)[:1]
        if relations:
            prefetch_related_objects(objs, *relations)
    return [
        RowInfo(pk=int(obj.pk), model=_model_key(obj), label=str(obj), place=_place(obj), url=_url(obj))
        for obj in objs
    ]


def ordered(rows: QuerySet[Any]) -> QuerySet[Any]:
    """Rows in a stable order for paging (by id unless the query orders them)."""
    return rows if rows.ordered else rows.order_by("pk")


def rows_workbook(*, area: MapArea, indicator: Indicator, date: dt.date, rows: QuerySet[Any]) -> bytes:
    """The records behind one figure as a workbook (masked: labels and places only)."""
    book = BookWriter(constant_memory=True)
    name = indicator_name(indicator)
    sheet = book.sheet(name)
    sheet.append(
        [
            _("%(figure)s, %(area)s, on %(date)s")
            % {"figure": name, "area": area.name, "date": date.isoformat()}
        ],
        style="title",
    )
    sheet.header([_("No."), _("Record"), _("Where"), _("Record id")], widths=[8, 48, 24, 12])
    number = 0
    for start in range(0, rows.count(), 500):
        for info in describe_rows(list(ordered(rows)[start : start + 500])):
            number += 1
            sheet.append([number, info.label, info.place, info.pk])
    return book.close()


# --- the report for the level above ------------------------------------------------------------


@dataclass(frozen=True)
class ReportFigure:
    indicator: Indicator
    name: str
    value: Value
    before: Value
    change: Value

    @property
    def value_text(self) -> str:
        return show(self.value, self.indicator.kind)

    @property
    def before_text(self) -> str:
        return show(self.before, self.indicator.kind)

    @property
    def change_text(self) -> str:
        return show_change(self.change, self.indicator.kind)


@dataclass(frozen=True)
class Difference:
    """One figure of a reprinted report that the live records now count differently."""

    where: str  # the node or the area below
    name: str  # the indicator
    on: dt.date  # the report's date or the year before
    printed: str
    live: str
    corrections: list[selectors.Correction]

    @property
    def note(self) -> str:
        if self.corrections:
            behind = "；".join(
                _("corrected on %(at)s by %(by)s: %(what)s (%(reason)s)")
                % {
                    "at": timezone.localtime(c.at).strftime("%Y-%m-%d"),
                    "by": c.by,
                    "what": c.what,
                    "reason": c.reason,
                }
                for c in self.corrections
            )
        else:
            behind = _("no audited correction explains it")
        return _("%(where)s, %(figure)s on %(date)s: printed %(printed)s, now %(live)s (%(behind)s).") % {
            "where": self.where,
            "figure": self.name,
            "date": self.on.isoformat(),
            "printed": self.printed,
            "live": self.live,
            "behind": behind,
        }


@dataclass(frozen=True)
class ReportChild:
    area: MapArea
    cells: list[str]
    values: list[Value]


@dataclass(frozen=True)
class Report:
    area: MapArea
    date: dt.date
    before_date: dt.date
    title: str
    ancestors: list[MapArea]
    figures: list[ReportFigure]
    columns: list[tuple[Indicator, str]]  # the figures of the children's table, with their names
    children: list[ReportChild]
    rank_by: Indicator
    generated: dt.datetime
    #: audited corrections of the past behind these figures ("figures before D were corrected on E by F")
    corrections: list[selectors.Correction] = dc_field(default_factory=list)
    #: a reprint: the fingerprint of the kept figures, when and by whom they were first printed, and
    #: each figure the live records now count differently, with the corrections behind it
    fingerprint: str = ""
    printed_at: dt.datetime | None = None
    printed_by: str = ""
    differences: list[Difference] = dc_field(default_factory=list)

    @property
    def rank_by_name(self) -> str:
        return self.rank_by.name(current_language())

    def column_groups(self, size: int = 8) -> list[dict[str, Any]]:
        """The children's table cut into groups of ``size`` figures, to fit the page's width."""
        groups = []
        for start in range(0, len(self.columns), size):
            groups.append(
                {
                    "names": [name for _i, name in self.columns[start : start + size]],
                    "rows": [
                        {"name": child.area.name, "cells": child.cells[start : start + size]}
                        for child in self.children
                    ],
                }
            )
        return groups


def report_title(area: MapArea, date: dt.date) -> str:
    return _("Regional Party building figures of %(area)s on %(date)s") % {
        "area": area.name,
        "date": date.isoformat(),
    }


def report_for(*, actor: Actor, area: MapArea, date: dt.date) -> Report:
    """The node's figures on the date and a year before, and its children: through the selectors,
    so a node outside the actor's scope is a 404."""
    board: Dashboard = selectors.dashboard(actor=actor, area=area, date=date)
    before_date = year_before(date)
    before = selectors.indicators_for(actor=actor, area=area, date=before_date)
    language = current_language()
    figures = [
        ReportFigure(
            indicator=f.indicator,
            name=f.indicator.name(language),
            value=f.value,
            before=before.get(f.indicator.id),
            change=change_of(f.value, before.get(f.indicator.id)),
        )
        for f in board.figures
        if not f.indicator.hidden
    ]
    columns = [(i, i.name(language)) for i in visible_indicators()]
    return Report(
        area=area,
        date=date,
        before_date=before_date,
        title=report_title(area, date),
        ancestors=board.ancestors,
        figures=figures,
        columns=columns,
        children=[_child(row, columns) for row in board.children],
        rank_by=catalogue()[board.rank_by],
        generated=timezone.localtime(),
        corrections=selectors.corrections_for(area=area, date=date),
    )


def _child(row: ChildRow, columns: Iterable[tuple[Indicator, str]]) -> ReportChild:
    values = [row.values.get(i.id) for i, _name in columns]
    cells = [show(v, i.kind) for v, (i, _name) in zip(values, columns, strict=True)]
    return ReportChild(area=row.area, cells=cells, values=values)


def report_pdf(report: Report) -> bytes:
    return render_pdf(
        "stats/report_pdf.html",
        {"report": report, "corrections": correction_notes(report), "print_notes": print_notes(report)},
    )


def report_workbook(report: Report) -> bytes:
    """Two sheets: the node's figures (on the date, a year before, the change) and the areas below.
    Values are numbers (ratios formatted as percentages); every text is neutralised."""
    book = BookWriter(constant_memory=False)
    percent = book.book.add_format({"num_format": "0.0%"})
    decimal = book.book.add_format({"num_format": "#,##0.##"})

    def fmt(kind: str, value: Value) -> Any:
        if kind == "ratio":
            return percent
        return decimal if isinstance(value, float) else None

    def cell(value: Value, *, change: bool = False) -> Any:
        """A number, or the words for no data (never a 0 that would be read as 0 %)."""
        if value is None:
            return "—" if change else no_data()
        return value

    sheet = book.sheet(_("Figures"))
    sheet.append([report.title], style="title")
    sheet.header(
        [
            _("Indicator id"),
            _("Indicator"),
            report.date.isoformat(),
            report.before_date.isoformat(),
            _("Year-on-year change"),
        ],
        widths=[26, 40, 14, 14, 14],
    )
    for f in report.figures:
        row = sheet.next_row
        book.write_cell(sheet.worksheet, row, 0, f.indicator.id)
        book.write_cell(sheet.worksheet, row, 1, f.name)
        kind = f.indicator.kind
        book.write_cell(sheet.worksheet, row, 2, cell(f.value), fmt(kind, f.value))
        book.write_cell(sheet.worksheet, row, 3, cell(f.before), fmt(kind, f.before))
        book.write_cell(sheet.worksheet, row, 4, cell(f.change, change=True), fmt(kind, f.change))
        sheet.next_row += 1

    children = book.sheet(_("Areas below"))
    children.append([report.title], style="title")
    children.header(
        [_("Division code"), _("Name"), *(name for _i, name in report.columns)],
        widths=[16, 24, *(14 for _c in report.columns)],
    )
    for child in report.children:
        row = children.next_row
        book.write_cell(children.worksheet, row, 0, child.area.code)
        book.write_cell(children.worksheet, row, 1, child.area.name)
        for col, ((indicator, _name), value) in enumerate(zip(report.columns, child.values, strict=True)):
            book.write_cell(children.worksheet, row, col + 2, cell(value), fmt(indicator.kind, value))
        children.next_row += 1
    if report.corrections:
        sheet.next_row += 1
        for note in correction_notes(report):
            sheet.append([note])
    notes = print_notes(report)
    if notes:
        sheet.next_row += 1  # a blank row below the table
        for line in notes:
            sheet.append([line])
    return book.close()


def print_notes(report: Report) -> list[str]:
    """What a kept report says of itself: when it was first printed and its fingerprint, then one
    line per figure the live records now count differently (none: the same figures as printed)."""
    if not report.fingerprint or report.printed_at is None:
        return []
    lines = [
        _("First printed on %(at)s by %(by)s; fingerprint %(fingerprint)s.")
        % {
            "at": timezone.localtime(report.printed_at).strftime("%Y-%m-%d %H:%M"),
            "by": report.printed_by or "–",
            "fingerprint": report.fingerprint,
        }
    ]
    if report.differences:
        lines.append(_("The live records now count these figures differently:"))
        lines.extend(d.note for d in report.differences)
    else:
        lines.append(_("The live records still give every figure as printed."))
    return lines


def correction_notes(report: Report) -> list[str]:
    """One sentence per audited correction of the past behind the report's figures."""
    return [
        _("Figures from %(start)s to %(end)s were corrected on %(at)s by %(by)s: %(what)s (%(reason)s).")
        % {
            "start": c.start.isoformat(),
            "end": (c.end - dt.timedelta(days=1)).isoformat(),
            "at": timezone.localtime(c.at).strftime("%Y-%m-%d"),
            "by": c.by,
            "what": c.what,
            "reason": c.reason,
        }
        for c in report.corrections
    ]


# --- kept reports (a reprint shows the figures first printed) -------------------------------------


def report_snapshot(report: Report) -> dict[str, Any]:
    """The numbers of a report, as kept when it is first printed (names are not kept: a reprint
    names the figures in the reader's language)."""
    return {
        "before_date": report.before_date.isoformat(),
        "value": {f.indicator.id: f.value for f in report.figures},
        "before": {f.indicator.id: f.before for f in report.figures},
        "children": [
            {
                "code": c.area.code,
                "name": c.area.name,
                "values": {i.id: v for (i, _name), v in zip(report.columns, c.values, strict=True)},
            }
            for c in report.children
        ],
    }


def report_fingerprint(code: str, date: dt.date, snapshot: dict[str, Any]) -> str:
    """SHA-256 of the node, the date and the kept numbers in canonical JSON: the same figures always
    give the same fingerprint, whoever prints them and in whatever language."""
    payload = json.dumps(
        {"area": code, "date": date.isoformat(), "figures": snapshot},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class _KeptChild:
    """An area below as the kept report names it."""

    code: str
    name: str
    pk: int = 0
    path: str = ""
    depth: int = 0
    level: int = 0


def _behind(
    corrections: list[selectors.Correction], on: dt.date, after: dt.datetime
) -> list[selectors.Correction]:
    """The corrections made after the print that changed the figures of ``on``."""
    return [c for c in corrections if c.at > after and c.start <= on < c.end]


def reprint(
    live: Report, *, figures: dict[str, Any], fingerprint: str, printed_at: dt.datetime, printed_by: str
) -> Report:
    """The report as first printed (the kept ``figures``), beside a note for each figure the live
    records now count differently, with the audited corrections behind it."""
    language = current_language()
    every = catalogue()
    before_date = dt.date.fromisoformat(figures["before_date"])
    kept_value: dict[str, Any] = figures["value"]
    kept_before: dict[str, Any] = figures["before"]
    differences: list[Difference] = []

    def differ(where: str, indicator: Indicator, on: dt.date, printed: Any, now: Any) -> None:
        if printed != now:
            differences.append(
                Difference(
                    where=where,
                    name=indicator.name(language),
                    on=on,
                    printed=show(printed, indicator.kind),
                    live=show(now, indicator.kind),
                    corrections=_behind(live.corrections, on, printed_at),
                )
            )

    out: list[ReportFigure] = []
    for f in live.figures:
        if f.indicator.id not in kept_value:
            continue  # a figure added to the catalogue after the print
        value, before = kept_value[f.indicator.id], kept_before.get(f.indicator.id)
        out.append(
            ReportFigure(
                indicator=f.indicator,
                name=f.name,
                value=value,
                before=before,
                change=change_of(value, before),
            )
        )
        differ(live.area.name, f.indicator, live.date, value, f.value)
        differ(live.area.name, f.indicator, before_date, before, f.before)
    columns = [(i, name) for i, name in live.columns if i.id in kept_value]
    live_children = {c.area.code: c for c in live.children}
    children: list[ReportChild] = []
    for kept in figures["children"]:
        values = [kept["values"].get(i.id) for i, _name in columns]
        cells = [show(v, i.kind) for v, (i, _name) in zip(values, columns, strict=True)]
        children.append(ReportChild(area=_KeptChild(kept["code"], kept["name"]), cells=cells, values=values))
        now = live_children.get(kept["code"])
        now_values = dict(zip((i.id for i, _n in live.columns), now.values, strict=True)) if now else {}
        for indicator, _name in columns:
            differ(
                kept["name"],
                indicator,
                live.date,
                kept["values"].get(indicator.id),
                now_values.get(indicator.id),
            )
    for code, child in live_children.items():
        if not any(k["code"] == code for k in figures["children"]):
            differences.append(
                Difference(
                    where=child.area.name,
                    name=_("Areas below"),
                    on=live.date,
                    printed="—",
                    live=child.area.name,
                    corrections=_behind(live.corrections, live.date, printed_at),
                )
            )
    return Report(
        area=live.area,
        date=live.date,
        before_date=before_date,
        title=live.title,
        ancestors=live.ancestors,
        figures=out,
        columns=columns,
        children=children,
        rank_by=every.get(live.rank_by.id, live.rank_by),
        generated=live.generated,
        corrections=live.corrections,
        fingerprint=fingerprint,
        printed_at=printed_at,
        printed_by=printed_by,
        differences=differences,
    )
