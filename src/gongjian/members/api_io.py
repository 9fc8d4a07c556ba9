"""API for Excel in and out of the ledgers: import as a job, export as a job (a node's ledger
masked or unmasked with a reason, or a unit's members masked), the template."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.core.parsers import FormParser, JSONParser, MultiPartParser
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.api_io import XlsxRenderer
from gongjian.web.pages import xlsx_response

from . import importexport
from .views_io import TEMPLATE_FILENAME


class LedgerImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="The ledger workbook (.xlsx, .xls, .ods or .csv): sheet 党员台账, or its only sheet"
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check every row as an import does, write nothing"
    )
    skip_other_sheets = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Skip sheets with data that are not ledgers (otherwise they fail the import, named)",
    )


class LedgerImportStartedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="The job id")
    status = serializers.CharField()
    url = serializers.CharField(help_text="Poll this job for progress and the result")
    download = serializers.CharField(
        required=False, help_text="Exports: GET the workbook here once the job is done"
    )


class LedgerExportRequestSerializer(serializers.Serializer[Any]):
    area = serializers.IntegerField(required=False, help_text="Export the ledger of this node (area id)")
    unit = serializers.IntegerField(
        required=False, help_text="Or: export this resident unit's members (always masked)"
    )
    clear = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Full ID numbers, phones and birth dates (area only; needs a reason and the right to "
        "change every member; audited as pii.export)",
    )
    reason = serializers.CharField(
        max_length=200, required=False, default="", help_text="Why the full numbers are needed"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("area" in attrs) == ("unit" in attrs):
            raise serializers.ValidationError("Give either area or unit.")
        return attrs


XLSX_RESPONSE = {
    (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The workbook"),
}


class LedgerImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": LedgerImportRequestSerializer},
        responses={202: LedgerImportStartedSerializer},
        description="Start an all-or-nothing import of the ledger workbook as a job; poll the job's URL.",
    )
    def post(self, request: Request) -> Response:
        data = LedgerImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = importexport.ledger_import_start(
            actor=request.user,
            upload=data.validated_data["file"],
            dry_run=data.validated_data["dry_run"],
            skip_other_sheets=data.validated_data["skip_other_sheets"],
        )
        job.refresh_from_db(fields=["status"])
        body = {"id": job.pk, "status": job.status, "url": reverse("job-detail", kwargs={"pk": job.pk})}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class LedgerExportView(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=LedgerExportRequestSerializer,
        responses={202: LedgerImportStartedSerializer},
        description="Start the export of a node's ledger (``area``) or of a unit's members (``unit``) as "
        "a job, in the import format with ID numbers, phones and birth dates masked. Poll the job's URL; "
        "when it is done, ``download`` gives the workbook. ``clear`` (area only) exports full numbers: for "
        "someone who may change every member in it, with a reason; written to the audit log "
        "(pii.export), the file kept sealed for its owner and deleted after GONGJIAN_CLEAR_EXPORT_HOURS.",
    )
    def post(self, request: Request) -> Response:
        data = LedgerExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "area" in values:
            area = org_selectors.area_get(actor=request.user, pk=values["area"])
            job = importexport.ledger_export_start(
                actor=request.user, area=area, clear=values["clear"], reason=values["reason"]
            )
        else:
            unit = org_selectors.unit_get(actor=request.user, pk=values["unit"])
            job = importexport.ledger_export_start(actor=request.user, unit=unit, clear=values["clear"])
        job.refresh_from_db(fields=["status"])
        body = {
            "id": job.pk,
            "status": job.status,
            "url": reverse("job-detail", kwargs={"pk": job.pk}),
            "download": reverse("job-download", kwargs={"pk": job.pk}),
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)


class LedgerTemplateView(APIView):
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        responses=XLSX_RESPONSE, description="The empty ledger workbook with an example row and help."
    )
    def get(self, request: Request) -> HttpResponse:
        return xlsx_response(importexport.template_workbook(actor=request.user), TEMPLATE_FILENAME)
