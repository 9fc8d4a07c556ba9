"""Pages for Excel in and out of the map: import (as a job), template, export of a subtree."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from gongjian.web.jobs import IMPORT_TEMPLATE, job_form_page
from gongjian.web.pages import xlsx_response

from . import importexport, selectors

TEMPLATE_FILENAME = "共建-地图导入模板.xlsx"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx, .xls, .ods or .csv)"),
        help_text=_(
            "Sheets of areas, Party organisations and resident units, found by their headers as in the "
            "template, in any order and under any name. Headers may be in either script."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
    skip_other_sheets = forms.BooleanField(
        label=_("Skip the sheets that are not map data"),
        required=False,
        help_text=_(
            "Every sheet with the columns of areas, organisations or units is imported. Without this, "
            "a sheet with other data stops the import, so that no rows are left out by mistake."
        ),
    )


def export_filename(code: str, name: str) -> str:
    return f"{code}-{name}.xlsx"


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    allowed = importexport.map_import_allowed(actor=request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    return job_form_page(
        request,
        form,
        start=lambda: importexport.map_import_start(
            actor=request.user,
            upload=form.cleaned_data["file"],
            skip_other_sheets=form.cleaned_data["skip_other_sheets"],
        ),
        field="file",
        template=IMPORT_TEMPLATE,
        context={
            "allowed": allowed,
            "title": _("Import the map from Excel"),
            "intro": _(
                "One workbook with three sheets: areas (区划), Party organisations (党组织) and resident "
                "units (驻区单位). Rows are matched by their code, so importing the same file again updates "
                "rather than duplicates."
            ),
            "note": _(
                "All or nothing: if any row is wrong, no row is imported and you get a workbook listing "
                "each bad row with the reason."
            ),
            "template_url": reverse("orgs:import_template"),
            "refused": _("Only area administrators may import the map."),
        },
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(importexport.template_workbook(actor=request.user), TEMPLATE_FILENAME)


@login_required
@require_GET
def export_subtree(request: HttpRequest, pk: int) -> HttpResponse:
    area = selectors.area_get(actor=request.user, pk=pk)
    data = importexport.export_subtree(actor=request.user, area=area)
    return xlsx_response(data, export_filename(area.code, area.name))
