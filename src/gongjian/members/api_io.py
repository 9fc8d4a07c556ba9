"""API for Excel in and out of the ledgers: import as a job, export of a node's ledger (masked, or
unmasked with a reason), the template."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.api_io import XlsxRenderer

from . import importexport
from .views_io import TEMPLATE_FILENAME, export_filename, xlsx_response


class LedgerImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="The ledger workbook (.xlsx): sheet 党员台账")
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Check every row as an import does, write nothing"
    )


class LedgerImportStartedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="The job id")
    status = serializers.CharField()
    url = serializers.CharField(help_text="Poll this job for progress and the result")


class ClearExportRequestSerializer(serializers.Serializer[Any]):
    area = serializers.IntegerField(help_text="Root of the ledger (area id)")
    reason = serializers.CharField(max_length=200, help_text="Why the full numbers are needed (audited)")


XLSX_RESPONSE = {
    (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The workbook"),
}


def _area_id(raw: str) -> int:
    if not re.fullmatch(r"[0-9]{1,18}", raw or ""):
        raise serializers.ValidationError({"area": "an area id"})
    return int(raw)


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
            actor=request.user, upload=data.validated_data["file"], dry_run=data.validated_data["dry_run"]
        )
        job.refresh_from_db(fields=["status"])
        body = {"id": job.pk, "status": job.status, "url": reverse("job-detail", kwargs={"pk": job.pk})}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class LedgerExportView(APIView):
    renderer_classes = [JSONRenderer, XlsxRenderer]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("area", int, required=True, description="Root of the ledger (area id)")],
        responses=XLSX_RESPONSE,
        description="The members held at or below the area, in the import format; ID numbers, phones "
        "and birth dates masked.",
    )
    def get(self, request: Request) -> HttpResponse:
        area = org_selectors.area_get(actor=request.user, pk=_area_id(request.query_params.get("area", "")))
        data = importexport.export_ledger(actor=request.user, area=area)
        return xlsx_response(data, export_filename(area.code, area.name))

    @extend_schema(
        request=ClearExportRequestSerializer,
        responses=XLSX_RESPONSE,
        description="The ledger with full ID numbers, phones and birth dates: for someone who may change "
        "every member in it, with a reason; written to the audit log (pii.export).",
    )
    def post(self, request: Request) -> HttpResponse:
        data = ClearExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        area = org_selectors.area_get(actor=request.user, pk=data.validated_data["area"])
        body = importexport.export_ledger(
            actor=request.user, area=area, clear=True, reason=data.validated_data["reason"]
        )
        return xlsx_response(body, export_filename(area.code, area.name, clear=True))


class LedgerTemplateView(APIView):
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        responses=XLSX_RESPONSE, description="The empty ledger workbook with an example row and help."
    )
    def get(self, request: Request) -> HttpResponse:
        return xlsx_response(importexport.template_workbook(), TEMPLATE_FILENAME)
