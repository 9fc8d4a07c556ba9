"""Pages for Excel in and out of the ledgers: import (as a job), template, export of a node's
ledger or of a unit's members (masked, as a job), and the unmasked export (a reason, a permission,
an audit entry; a job too, its file sealed until downloaded)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.pages import map_page
from gongjian.web.jobs import IMPORT_TEMPLATE, job_button_page, job_form_page
from gongjian.web.pages import xlsx_response

from . import importexport, selectors

TEMPLATE_FILENAME = "共建-党员台账导入模板.xlsx"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx, .xls, .ods or .csv)"),
        help_text=_("The sheet 党员台账, as in the template. Headers may be in either script."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Only check the file (import nothing)"),
        required=False,
        help_text=_(
            "Every row is checked as in an import; the result says what would be created and changed."
        ),
    )
    skip_other_sheets = forms.BooleanField(
        label=_("Skip the sheets that are not ledgers"),
        required=False,
        help_text=_(
            "Every sheet with the ledger's columns is imported. Without this, a sheet with other data "
            "stops the import, so that no rows are left out by mistake."
        ),
    )


class ClearExportForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full numbers?"),
        max_length=200,
        help_text=_("Written to the audit log with your name and the time."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    allowed = importexport.ledger_import_allowed(actor=request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    return job_form_page(
        request,
        form,
        start=lambda: importexport.ledger_import_start(
            actor=request.user,
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
            skip_other_sheets=form.cleaned_data["skip_other_sheets"],
        ),
        field="file",
        template=IMPORT_TEMPLATE,
        context={
            "allowed": allowed,
            "title": _("Import member ledgers from Excel"),
            "intro": _(
                "One sheet, 党员台账, in the columns a street office keeps. Members are matched by their ID "
                "number (or, in an exported ledger with masked numbers, by 系统编号), so importing the same "
                "file again changes nothing and an edited row updates that member."
            ),
            "note": _(
                "All or nothing: if any row is wrong, no row is imported and you get a workbook listing "
                "each bad row with the reason. ID and phone numbers are stored encrypted and never shown "
                "in the error workbook."
            ),
            "template_url": reverse("members:import_template"),
            "refused": _("Only administrators and unit liaisons may import ledgers."),
        },
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(importexport.template_workbook(actor=request.user), TEMPLATE_FILENAME)


@map_page
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """Export a node's ledger (masked) as a job."""
    actor = request.user
    area = org_selectors.area_get(actor=actor, pk=pk)
    count = importexport.ledger_members(actor=actor, area=area).count()
    return job_button_page(
        request,
        start=lambda: importexport.ledger_export_start(actor=actor, area=area),
        template="members/export.html",
        context={"area": area, "count": count, "back_url": reverse("members:ledger", args=[area.pk])},
    )


@map_page
@require_http_methods(["GET", "POST"])
def unit_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Export a resident unit's members (staff, and members its Party organisations hold), masked:
    for its liaison, and for administrators who see the unit (only the members they see)."""
    actor = request.user
    unit = org_selectors.unit_get(actor=actor, pk=pk)
    count = selectors.unit_member_list(actor=actor, unit=unit).count()
    return job_button_page(
        request,
        start=lambda: importexport.ledger_export_start(actor=actor, unit=unit),
        template="members/export.html",
        context={"unit": unit, "count": count, "back_url": reverse("orgs:unit_detail", args=[unit.pk])},
    )


@never_cache
@map_page
@require_http_methods(["GET", "POST"])
def export_clear(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the reason, then start the unmasked export as a job (PermissionDenied → 403 for
    anyone who may not change every member of the ledger)."""
    area = org_selectors.area_get(actor=request.user, pk=pk)
    form = ClearExportForm(request.POST or None)
    return job_form_page(
        request,
        form,
        start=lambda: importexport.ledger_export_start(
            actor=request.user, area=area, clear=True, reason=form.cleaned_data["reason"]
        ),
        field="reason",
        template="members/export_clear.html",
        context={"area": area, "hours": getattr(settings, "GONGJIAN_CLEAR_EXPORT_HOURS", 24)},
    )
