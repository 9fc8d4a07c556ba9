"""Token and self-description endpoints."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, services


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
