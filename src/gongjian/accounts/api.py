"""Token and self-description endpoints, and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gongjian.core.auditread import AuditFilters, action_label
from gongjian.core.excel import XLSX_CONTENT_TYPE
from gongjian.core.models import AuditEntry

from . import selectors, services
from .forms import AuditFilterForm


class CredentialsSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class ObtainTokenView(APIView):
    """Exchange a user name and password for an API token (login throttling applies)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "token"

    @extend_schema(
        request=CredentialsSerializer,
        responses=inline_serializer("Token", {"token": serializers.CharField()}),
    )
    def post(self, request: Request) -> Response:
        data = CredentialsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong user name or password, or too many attempts."))
        token = services.token_rotate(actor=user)
        return Response({"token": token.key})


class MeView(APIView):
    """Who the caller is and the roles they hold."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "display_name": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request: Request) -> Response:
        user = request.user
        roles = [
            {"kind": r.kind, "area": r.area_id, "unit": r.unit_id, "label": str(r)}
            for r in selectors.role_list(actor=user)
        ]
        return Response(
            {
                "username": user.get_username(),
                "display_name": getattr(user, "display_name", ""),
                "roles": roles,
            }
        )


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    action_label = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "at",
            "actor_label",
            "action",
            "action_label",
            "object_type",
            "object_id",
            "object_label",
            "changes",
            "reason",
        ]

    def get_action_label(self, obj: AuditEntry) -> str:
        return action_label(obj.action)


AUDIT_PARAMETERS = [
    OpenApiParameter("who", str, description="the actor's user name, or a part of it"),
    OpenApiParameter("action", str, description="an event (area.update) or a noun (pii)"),
    OpenApiParameter("object_type", str, description="app_label.model, e.g. members.member"),
    OpenApiParameter("object_id", str),
    OpenApiParameter("since", OpenApiTypes.DATE),
    OpenApiParameter("until", OpenApiTypes.DATE),
    OpenApiParameter("pii_only", bool),
]


def audit_filters_of(request: Request) -> AuditFilters:
    """The filters of the query string; a bad one is a 400 with the field's message."""
    form = AuditFilterForm(request.query_params)
    if not form.is_valid():
        raise ApiValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.filters()


@extend_schema(parameters=AUDIT_PARAMETERS)
class AuditEntryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[AuditEntry]):
    """The audit log the caller may read (their area's entries; the platform's administrators all),
    newest first; ``export`` gives the same as xlsx or csv and is itself recorded."""

    serializer_class = AuditEntrySerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AuditEntry]:
        return selectors.audit_entry_list(actor=self.request.user, filters=audit_filters_of(self.request))

    @extend_schema(
        parameters=[*AUDIT_PARAMETERS, OpenApiParameter("fmt", str, enum=["xlsx", "csv"])],
        request=None,
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=False, methods=["post"])
    def export(self, request: Request) -> HttpResponse:
        fmt = request.query_params.get("fmt", "xlsx")
        try:
            data = services.audit_export(actor=request.user, filters=audit_filters_of(request), fmt=fmt)
        except ValidationError as exc:
            raise ApiValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        content_type = XLSX_CONTENT_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
        response = HttpResponse(data, content_type=content_type)
        name = f"audit-{timezone.localdate():%Y%m%d}.{fmt}"
        response["Content-Disposition"] = content_disposition_header(True, name) or ""
        response["Cache-Control"] = "no-store"
        return response
