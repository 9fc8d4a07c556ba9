"""API for the caller's own background jobs (with progress) and notifications."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from . import selectors, services
from .excel import XLSX_CONTENT_TYPE
from .models import Job, Notification
from .views import job_file_response


class JobSerializer(serializers.ModelSerializer[Job]):
    percent = serializers.IntegerField(read_only=True)
    finished = serializers.BooleanField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "total",
            "done",
            "percent",
            "finished",
            "message",
            "result",
            "created_at",
            "finished_at",
        ]


class _FileRenderer(BaseRenderer):
    """Lets a client ask for a job's file by ``Accept`` (a workbook or any bytes); errors stay JSON."""

    media_type = "application/octet-stream"
    format = "file"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class _XlsxRenderer(_FileRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Job]):
    serializer_class = JobSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Job]:
        return selectors.job_list(actor=self.request.user)

    def get_object(self) -> Job:
        return selectors.job_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
        description="The job's file (an export, or the error workbook of a failed import), for the "
        "job's owner; an unmasked export's download is written to the audit log.",
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, _XlsxRenderer, _FileRenderer])
    def download(self, request: Request, pk: Any = None) -> HttpResponseBase:
        return job_file_response(actor=request.user, job=self.get_object())


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    unread = serializers.BooleanField(read_only=True)
    # An event's value ("appeal.register") or a reminder's kind: not a slug, whatever the column says.
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "unread"]
        read_only_fields = fields


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Notification]
):
    """The caller's own notifications, newest first; ``?unread=1`` lists only the unread ones."""

    serializer_class = NotificationSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Notification]:
        unread = self.request.query_params.get("unread") in {"1", "true"}
        return selectors.notification_list(actor=self.request.user, unread=unread)

    def get_object(self) -> Notification:
        return selectors.notification_get(actor=self.request.user, pk=int(self.kwargs["pk"]))

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        note = services.notification_mark_read(actor=request.user, notification=self.get_object())
        return Response(NotificationSerializer(note).data)

    @extend_schema(
        request=None,
        responses=inline_serializer("NotificationsReadAll", {"marked": serializers.IntegerField()}),
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.notification_mark_all_read(actor=request.user)})
