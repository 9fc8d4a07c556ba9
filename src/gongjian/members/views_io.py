"""Pages for Excel in and out of the ledgers: import (as a job), template, export of a node's
ledger or of a unit's members (masked, as a job), and the unmasked export (a reason, a permission,
an audit entry; a job too, its file sealed until downloaded)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.core.models import Job
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.views import map_page

from . import importexport, selectors

TEMPLATE_FILENAME = "共建-党员台账导入模板.xlsx"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_("The sheet 党员台账, as in the template. Headers may be in either script."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file (import nothing)"),
        required=False,
        help_text=_(
            "Every row is checked as in an import; the result says what would be created and changed."
        ),
    )


class ClearExportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full numbers?"),
        max_length=200,
        help_text=_("Written to the audit log with your name and the time."),
    )


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    allowed = importexport.ledger_import_allowed(actor=request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importexport.ledger_import_start(
                actor=request.user, upload=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("core:job", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "members/import.html", {"form": form, "allowed": allowed}, status=status)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(importexport.template_workbook(), TEMPLATE_FILENAME)


def _export_page(request: HttpRequest, context: dict[str, Any], start: Callable[[], Job]) -> HttpResponse:
    """GET: what the export holds and a button; POST: start the job and go to its page."""
    if request.method == "POST":
        return redirect("core:job", pk=start().pk)
    return render(request, "members/export.html", context)


@map_page
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """Export a node's ledger (masked) as a job."""
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    count = importexport.ledger_members(actor=actor, area=area).count()
    return _export_page(
        request,
        {"area": area, "count": count, "back_url": reverse("members:ledger", args=[area.pk])},
        lambda: importexport.ledger_export_start(actor=actor, area=area),
    )


@map_page
@require_http_methods(["GET", "POST"])
def unit_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Export a resident unit's members (staff, and members its Party organisations hold), masked:
    for its liaison, and for administrators who see the unit (only the members they see)."""
    actor = request.user
    unit = org_selectors.unit_get(actor=actor, pk=pk)
    count = selectors.unit_member_list(actor=actor, unit=unit).count()
    return _export_page(
        request,
        {"unit": unit, "count": count, "back_url": reverse("orgs:unit_detail", args=[unit.pk])},
        lambda: importexport.ledger_export_start(actor=actor, unit=unit),
    )


@never_cache
@map_page
@require_http_methods(["GET", "POST"])
def export_clear(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the reason, then start the unmasked export as a job (PermissionDenied → 403 for
    anyone who may not change every member of the ledger)."""
    area = org_selectors.area_get(actor=request.user, pk=pk)
    form = ClearExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importexport.ledger_export_start(
                actor=request.user, area=area, clear=True, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("reason", message)
        else:
            return redirect("core:job", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    hours = getattr(settings, "GONGJIAN_CLEAR_EXPORT_HOURS", 24)
    context = {"form": form, "area": area, "hours": hours}
    return render(request, "members/export_clear.html", context, status=status)
