"""API for Excel in and out of the map: import as a job, export of a subtree, the template."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.core.parsers import FormParser, MultiPartParser
from gongjian.web.pages import xlsx_response

from . import importexport, selectors
from .views_io import TEMPLATE_FILENAME, export_filename


class XlsxRenderer(BaseRenderer):
    """Lets a client ask for the workbook by ``Accept``; error bodies are still JSON."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False, default=str).encode()


class MapImportRequestSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="The map workbook (.xlsx, .xls, .ods; or a .csv named like its sheet): sheets with the "
        "columns of 区划, 党组织 or 驻区单位, found by their header"
    )
    skip_other_sheets = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Leave alone the sheets with other data (named in the result) instead of failing the import",
    )


class MapImportStartedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(help_text="The job id")
    status = serializers.CharField()
    url = serializers.CharField(help_text="Poll this job for progress and the result")


XLSX_RESPONSE = {
    (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The workbook"),
}


class MapImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": MapImportRequestSerializer},
        responses={202: MapImportStartedSerializer},
        description="Start an all-or-nothing import of the map's workbook as a job; poll the job's URL.",
    )
    def post(self, request: Request) -> Response:
        data = MapImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = importexport.map_import_start(
            actor=request.user,
            upload=data.validated_data["file"],
            skip_other_sheets=data.validated_data["skip_other_sheets"],
        )
        job.refresh_from_db(fields=["status"])
        body = {"id": job.pk, "status": job.status, "url": reverse("job-detail", kwargs={"pk": job.pk})}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class MapExportView(APIView):
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter("area", int, required=True, description="Root of the subtree (area id)")
        ],
        responses=XLSX_RESPONSE,
        description="The subtree in the import format; contact phones are masked.",
    )
    def get(self, request: Request) -> HttpResponse:
        raw = request.query_params.get("area", "")
        if not re.fullmatch(r"[0-9]{1,18}", raw):
            raise serializers.ValidationError({"area": "an area id"})
        area = selectors.area_get(actor=request.user, pk=int(raw))
        data = importexport.export_subtree(actor=request.user, area=area)
        return xlsx_response(data, export_filename(area.code, area.name))


class MapTemplateView(APIView):
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @extend_schema(
        responses=XLSX_RESPONSE, description="The empty map workbook with an example row and help."
    )
    def get(self, request: Request) -> HttpResponse:
        return xlsx_response(importexport.template_workbook(actor=request.user), TEMPLATE_FILENAME)
