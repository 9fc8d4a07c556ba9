"""Pages for Excel in and out of the ledgers: import (as a job), template, export of a node's
ledger (masked), and the unmasked export (a reason, a permission, an audit entry)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.orgs import selectors as org_selectors

from . import importexport

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


def export_filename(code: str, name: str, *, clear: bool = False) -> str:
    return f"{code}-{name}-党员台账{'-未脱敏' if clear else ''}.xlsx"


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


@login_required
@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    area = org_selectors.area_get(actor=request.user, pk=pk)
    data = importexport.export_ledger(actor=request.user, area=area)
    return xlsx_response(data, export_filename(area.code, area.name))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def export_clear(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the reason, then the unmasked workbook (PermissionDenied → 403 for anyone who may
    not change every member of the ledger)."""
    area = org_selectors.area_get(actor=request.user, pk=pk)
    form = ClearExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = importexport.export_ledger(
                actor=request.user, area=area, clear=True, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("reason", message)
        else:
            return xlsx_response(data, export_filename(area.code, area.name, clear=True))
    status = 400 if request.method == "POST" else 200
    return render(request, "members/export_clear.html", {"form": form, "area": area}, status=status)
