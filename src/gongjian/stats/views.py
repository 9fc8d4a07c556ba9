"""Pages of the figures: a dashboard for every node of the map (figures with their monthly trend,
the areas below ranked, charts), the records behind each figure, and the report for the level
above as PDF and Excel.

Everything is read through :mod:`gongjian.stats.selectors` with the signed-in user as the actor: an
area outside the actor's scope is a 404. A malformed date or ranking answers 400 with the reason in
the user's language and the form to correct it.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.core.templatetags.ui import no_data
from gongjian.web.pages import file_response, paginate, paginate_known

from . import reports, selectors, services, tally
from .forms import FiguresQuery
from .indicators import Indicator
from .quality import quality_counts
from .registry import MapArea, Value, catalogue, the_map

ROWS_PAGE_SIZE = 50
#: A rendered dashboard is dropped when a figure changes (the version in its key); this bounds its memory.
DASHBOARD_CACHE_SECONDS = 15 * 60


# --- helpers ----------------------------------------------------------------------------------


def _query(request: HttpRequest) -> FiguresQuery:
    return FiguresQuery(request.GET, language=reports.current_language())


@functools.lru_cache(maxsize=65536)
def _reverse(name: str, *args: str) -> str:
    """A page's path, remembered: a dashboard links each figure of each child (hundreds a page)."""
    return reverse(name, args=args)


def dashboard_url(area: MapArea, **params: str | None) -> str:
    query = urlencode({k: v for k, v in params.items() if v})
    url = _reverse("stats:dashboard", area.code)
    return f"{url}?{query}" if query else url


def rows_url(area: MapArea, indicator_id: str, date: dt.date) -> str:
    return f"{_reverse('stats:rows', area.code, indicator_id)}?date={date.isoformat()}"


def _crumbs(
    actor: Actor, area: MapArea, ancestors: list[MapArea], date: dt.date | None, *, last: str | None = None
) -> list[dict[str, Any]]:
    """The way down to ``area``, each node linked to its dashboard when the actor may read it."""
    scope = scope_for(actor)
    on = date.isoformat() if date else None
    crumbs: list[dict[str, Any]] = [{"label": _("Figures"), "url": reverse("stats:home")}]
    for node in ancestors:
        url = dashboard_url(node, date=on) if scope.covers_path(node.path) else None
        crumbs.append({"label": node.name, "url": url})
    crumbs.append({"label": area.name, "url": dashboard_url(area, date=on) if last else None})
    if last:
        crumbs.append({"label": last, "url": None})
    return crumbs


def _bad_query(request: HttpRequest, area: MapArea, form: FiguresQuery) -> HttpResponse:
    """A date or ranking that cannot be read: the reason and the form to correct it (400)."""
    ancestors = the_map().ancestors(area)
    context = {
        "area": area,
        "form": form,
        "crumbs": _crumbs(request.user, area, ancestors, None),
        "action": request.path,
    }
    return render(request, "stats/query_error.html", context, status=400)


# --- pages ------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The actor's own top node, or a choice between them; a role without an area is told so."""
    roots = list(the_map().roots(actor=request.user))
    if len(roots) == 1:
        return redirect(dashboard_url(roots[0]))
    return render(request, "stats/home.html", {"roots": roots})


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    actor = request.user
    area = reports.area_by_code(actor, code)
    form = _query(request)
    if not form.is_valid():
        return _bad_query(request, area, form)
    date: dt.date = form.cleaned_data["date"]
    chosen_rank: str | None = form.cleaned_data["rank"]
    language = reports.current_language()
    # Read the version before the figures: a page built from older rows is kept under the older number.
    version = tally.version()
    key = f"stats:dashboard:{version}:{area.pk}:{date.isoformat()}:{chosen_rank or ''}:{language}"
    cached: tuple[str, list[MapArea]] | None = cache.get(key) if version is not None else None
    if cached is None:
        board = selectors.dashboard(actor=actor, area=area, date=date, rank_by=chosen_rank)
        cached = (_dashboard_body(request, board, chosen_rank, language), board.ancestors)
        if version is not None:
            cache.set(key, cached, DASHBOARD_CACHE_SECONDS)
    body, ancestors = cached
    context = {"area": area, "body": mark_safe(body), "crumbs": _crumbs(actor, area, ancestors, date)}  # noqa: S308
    return render(request, "stats/dashboard.html", context)


def _dashboard_body(
    request: HttpRequest, board: selectors.Dashboard, chosen_rank: str | None, language: str
) -> str:
    """The page below the breadcrumb: the same for everyone who may read the node (the areas below
    a node in scope are in scope), so it is cached until a figure changes."""
    area, date = board.area, board.date
    shown = reports.visible_indicators()
    figures: list[dict[str, Any]] = [
        {
            "id": f.indicator.id,
            "name": f.indicator.name(language),
            "kind": f.indicator.kind,
            "value": f.value,
            "url": rows_url(area, f.indicator.id, date) if f.indicator.rows is not None else None,
            "trend": [value for _point, value in f.trend],
        }
        for f in board.figures
        if not f.indicator.hidden
    ]
    rank = catalogue()[board.rank_by]
    keep = {"date": date.isoformat(), "rank": chosen_rank}
    children: list[dict[str, Any]] = [
        {
            "area": row.area,
            "url": dashboard_url(row.area, **keep),
            "rank_value": row.values.get(rank.id),
            "cells": [
                {
                    "id": i.id,
                    "kind": i.kind,
                    "value": row.values.get(i.id),
                    "url": rows_url(row.area, i.id, date) if i.rows is not None else None,
                }
                for i in shown
            ],
        }
        for row in board.children
    ]
    points = board.figures[0].trend if board.figures else []
    chart_data = {
        "months": [point.strftime("%Y-%m") for point, _value in points],
        "figures": [{k: f[k] for k in ("id", "name", "kind", "trend")} for f in figures],
        "trend": rank.id if not rank.hidden else (figures[0]["id"] if figures else ""),
        "rank": {"id": rank.id, "name": rank.name(language), "kind": rank.kind},
        "children": [{"name": c["area"].name, "value": c["rank_value"], "url": c["url"]} for c in children],
        "coverage": [
            {"id": f["id"], "name": f["name"], "value": f["value"]}
            for f in figures
            if f["kind"] == "ratio" and str(f["id"]).startswith("coverage.")
        ],
        "text": {
            "covered": _("With a Party organisation"),
            "uncovered": _("Without one"),
            "noData": no_data(),
        },
    }
    # the form shows what is shown: the date and the ranking in use, chosen or by default
    shown_query = FiguresQuery({"date": date.isoformat(), "rank": board.rank_by}, language=language)
    context = {
        "area": area,
        "date": date,
        "form": shown_query,
        "board": board,
        "figures": figures,
        "columns": [(i, i.name(language)) for i in shown],
        "children": children,
        "rank": rank,
        "rank_name": rank.name(language),
        "trend_default": chart_data["trend"],
        "chart_data": chart_data,
        "has_coverage": bool(chart_data["coverage"]),
        "report_query": urlencode({"date": date.isoformat()}),
    }
    return render_to_string("stats/_dashboard_body.html", context, request=request)


@login_required
@require_GET
def quality(request: HttpRequest, code: str) -> HttpResponse:
    """The data-quality checks of a node (for the administrators over it): each check with what it
    found at the last count, linked to its records."""
    actor = request.user
    area = reports.area_by_code(actor, code)
    counts = quality_counts(actor=actor, area=area)
    language = reports.current_language()
    rows = [
        {
            "id": c.check.id,
            "name": reports.indicator_name(c.check, language),
            "count": c.count,
            "counted_on": c.counted_on,
            "url": rows_url(area, c.check.id, c.counted_on or timezone.localdate()),
        }
        for c in counts
    ]
    title = _("Data quality")
    context = {
        "area": area,
        "checks": rows,
        "title": title,
        "crumbs": _crumbs(actor, area, the_map().ancestors(area), None, last=title),
        "dashboard_url": dashboard_url(area),
    }
    return render(request, "stats/quality.html", context)


@login_required
@require_GET
def rows(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    """The records behind one figure, 50 to a page; for a ratio, its numerator and what it is a
    share of."""
    actor = request.user
    area = reports.area_by_code(actor, code)
    found = catalogue().get(indicator)
    if found is None or found.rows is None:
        raise Http404
    form = _query(request)
    if not form.is_valid():
        return _bad_query(request, area, form)
    date: dt.date = form.cleaned_data["date"]
    records = selectors.indicator_rows(actor=actor, area=area, indicator_id=indicator, date=date)
    # a stock's rows number its kept figure: the page shows it instead of counting the rows again
    known = selectors.indicators_for(actor=actor, area=area, date=date).get(indicator)
    total = int(known) if found.kind == "stock" and known is not None else None
    ordered = reports.ordered(records)
    page: Any
    if total is None:  # a flow or a ratio's numerator: counted (its figure is not this count)
        page = paginate(request, ordered, ROWS_PAGE_SIZE)
    else:
        page = paginate_known(request, ordered, total, ROWS_PAGE_SIZE)
    language = reports.current_language()
    note = reports.ratio_note(found)
    denominator: dict[str, Any] | None = None
    if note is not None and note.denominator is not None and note.denominator.rows is not None:
        count = selectors.indicator_rows(
            actor=actor, area=area, indicator_id=note.denominator.id, date=date
        ).count()
        denominator = {
            "name": reports.indicator_name(note.denominator, language),
            "count": count,
            "url": rows_url(area, note.denominator.id, date),
        }
    figure_value: Value = page.paginator.count
    if found.kind == "ratio" or found.value is not None:
        # a ratio or a sum: the figure itself, beside the records it is computed from
        figure_value = selectors.indicators_for(actor=actor, area=area, date=date)[found.id]
    ancestors = the_map().ancestors(area)
    name = reports.indicator_name(found, language)
    context = {
        "area": area,
        "date": date,
        "form": FiguresQuery({"date": date.isoformat()}, language=language),
        "indicator": found,
        "name": name,
        "page": page,
        "rows": reports.describe_rows(list(page.object_list)),
        "note": note,
        "denominator": denominator,
        "figure_value": figure_value,
        "is_sum": found.value is not None and found.kind != "ratio",
        "crumbs": _crumbs(actor, area, ancestors, date, last=name),
        "dashboard_url": dashboard_url(area, date=date.isoformat()),
        "xlsx_url": f"{reverse('stats:rows_xlsx', args=[area.code, found.id])}?"
        + urlencode({"date": date.isoformat()}),
    }
    return render(request, "stats/rows.html", context)


@login_required
@require_GET
def rows_xlsx(request: HttpRequest, code: str, indicator: str) -> HttpResponse:
    actor = request.user
    area = reports.area_by_code(actor, code)
    found: Indicator | None = catalogue().get(indicator)
    if found is None or found.rows is None:
        raise Http404
    form = _query(request)
    if not form.is_valid():
        return _bad_query(request, area, form)
    date: dt.date = form.cleaned_data["date"]
    records = selectors.indicator_rows(actor=actor, area=area, indicator_id=indicator, date=date)
    data = reports.rows_workbook(area=area, indicator=found, date=date, rows=records)
    return file_response(
        data, content_type=XLSX_CONTENT_TYPE, filename=f"{area.name}-{found.id}-{date.isoformat()}.xlsx"
    )


def _report(request: HttpRequest, code: str) -> reports.Report | HttpResponse:
    actor = request.user
    area = reports.area_by_code(actor, code)
    form = _query(request)
    if not form.is_valid():
        return _bad_query(request, area, form)
    # a past date's report is kept when first printed: a reprint shows the same figures (issue 20)
    return services.report_print(actor=actor, area=area, date=form.cleaned_data["date"])


@login_required
@require_GET
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    report = _report(request, code)
    if isinstance(report, HttpResponse):
        return report
    return file_response(
        reports.report_pdf(report),
        content_type="application/pdf",
        filename=f"{report.area.name}-{report.date.isoformat()}.pdf",
        inline=True,
    )


@login_required
@require_GET
def report_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    report = _report(request, code)
    if isinstance(report, HttpResponse):
        return report
    return file_response(
        reports.report_workbook(report),
        content_type=XLSX_CONTENT_TYPE,
        filename=f"{report.area.name}-{report.date.isoformat()}.xlsx",
    )
