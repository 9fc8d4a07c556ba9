"""API plumbing shared by every app: error mapping, validated input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Service errors (Django's ValidationError, PermissionDenied) become 400 and 403 responses."""
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)


#: Keys the browsable API's HTML forms add to the data they post.
FORM_KEYS = frozenset({"csrfmiddlewaretoken", "_content_type", "_content"})


def validated_input(
    request: Request, serializer_class: type[serializers.Serializer[Any]], strict: bool = False, **kwargs: Any
) -> dict[str, Any]:
    """Validated request data. ``strict``: a field the serializer does not take is refused, not
    silently dropped (a PATCH of a field that cannot change must not look as if it worked)."""
    data = serializer_class(data=request.data, context={"request": request}, **kwargs)
    if strict and isinstance(request.data, Mapping):
        unknown = sorted(set(request.data) - set(data.fields) - FORM_KEYS)
        if unknown:
            message = _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)}
            raise serializers.ValidationError({name: [message] for name in unknown})
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class BoundedPagination(pagination.PageNumberPagination):
    """Pages of a list that never count the whole scope: ``count`` is exact up to ``COUNT_CAP`` rows
    (one bounded query), else null with ``count_at_least``; ``next`` is known from reading one row
    more than the page. ``?page=`` past the end gives an empty page (its ``previous`` still links)."""

    COUNT_CAP = 1000
    page_size = 50

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.NotFound(_("Invalid page."))
        self.number = int(raw)
        self.bounded_request = request
        n = queryset.order_by()[: self.COUNT_CAP + 1].count()
        self.total: int | None = n if n <= self.COUNT_CAP else None
        start = (self.number - 1) * self.page_size
        rows = list(queryset[start : start + self.page_size + 1])
        self.more = len(rows) > self.page_size
        return rows[: self.page_size]

    def get_next_link(self) -> str | None:
        if not self.more:
            return None
        return replace_query_param(
            self.bounded_request.build_absolute_uri(), self.page_query_param, self.number + 1
        )

    def get_previous_link(self) -> str | None:
        if self.number <= 1:
            return None
        url = self.bounded_request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self.total,
                "count_at_least": self.COUNT_CAP if self.total is None else self.total,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count"] = {"type": "integer", "nullable": True, "example": 123}
        out["properties"]["count_at_least"] = {"type": "integer", "example": 123}
        out["required"] = ["count", "count_at_least", "results"]
        return out
