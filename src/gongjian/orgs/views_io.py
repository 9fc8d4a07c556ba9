"""Pages for Excel in and out of the map: import (as a job), template, export of a subtree."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from gongjian.core.excel import XLSX_CONTENT_TYPE

from . import importexport, selectors

TEMPLATE_FILENAME = "共建-地图导入模板.xlsx"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_("Sheets 区划, 党组织 and 驻区单位, as in the template. Headers may be in either script."),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


def export_filename(code: str, name: str) -> str:
    return f"{code}-{name}.xlsx"


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    allowed = importexport.map_import_allowed(actor=request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = importexport.map_import_start(actor=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("core:job", pk=job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "orgs/import.html", {"form": form, "allowed": allowed}, status=status)


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(importexport.template_workbook(), TEMPLATE_FILENAME)


@login_required
@require_GET
def export_subtree(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.area_get(actor=request.user, pk=pk)
    data = importexport.export_subtree(actor=request.user, area=area)
    return xlsx_response(data, export_filename(area.code, area.name))
