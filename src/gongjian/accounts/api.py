"""Token and self-description endpoints, and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
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
from .models import ApiToken


class CredentialsSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(required=False, max_length=60, help_text="what uses the token")
    otp = serializers.CharField(
        required=False, max_length=16, help_text="the second factor's code (needed when the user has one)"
    )
    expires_on = serializers.DateField(
        required=False, help_text="last day it works (default: GONGJIAN_TOKEN_DAYS ahead)"
    )


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]


class NewTokenSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=60)
    expires_on = serializers.DateField()


def _new_token(actor: Any, name: str, expires_on: dt.date | None, status: int = 201) -> Response:
    try:
        made = services.token_create(actor=actor, name=name, expires_on=expires_on)
    except ValidationError as exc:
        raise ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
    response = Response({"token": made.key, **ApiTokenSerializer(made.token).data}, status=status)
    response["Cache-Control"] = "no-store"
    return response


class ObtainTokenView(APIView):
    """Exchange a user name and password for an API token (login throttling applies)."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_scope = "token"

    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: inline_serializer(
                "Token",
                {
                    "token": serializers.CharField(),
                    "name": serializers.CharField(),
                    "expires_at": serializers.DateTimeField(),
                },
            )
        },
        description="A new named token (the caller's other tokens keep working); the key is in this answer only.",
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
        if selectors.second_factor_exists(actor=user) or selectors.second_factor_required(actor=user):
            from django_otp import match_token

            code = data.validated_data.get("otp", "").strip()
            if not code or match_token(user, code) is None:
                raise AuthenticationFailed(_("Give the code of your second factor as `otp`."))
        now = timezone.localtime()
        name = data.validated_data.get("name") or f"API {now:%Y-%m-%d %H:%M:%S}"
        expires_on = data.validated_data.get("expires_on") or (
            now.date() + dt.timedelta(days=settings.GONGJIAN_TOKEN_DAYS)
        )
        return _new_token(user, name, expires_on, status=200)


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


class TokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[ApiToken]):
    """The caller's own named API tokens (never their keys); ``POST`` makes one (the key is in that
    answer only), ``revoke`` stops one."""

    serializer_class = ApiTokenSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ApiToken]:
        return selectors.token_list(actor=self.request.user)

    @extend_schema(
        request=NewTokenSerializer,
        responses={
            201: inline_serializer(
                "NewToken",
                {
                    "token": serializers.CharField(),
                    "name": serializers.CharField(),
                    "expires_at": serializers.DateTimeField(),
                },
            )
        },
    )
    def create(self, request: Request) -> Response:
        data = NewTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _new_token(request.user, data.validated_data["name"], data.validated_data["expires_on"])

    @extend_schema(request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        token = selectors.token_get(actor=request.user, pk=int(pk) if str(pk).isdigit() else 0)
        return Response(ApiTokenSerializer(services.token_revoke(actor=request.user, token=token)).data)
