"""API plumbing shared by every app: error mapping, validated input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, pagination, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from .keyset import InvalidCursor, order_keys, parse_cursor, rows_beyond
from .parsers import nul_error
from .throttle import RateLimited


def query_int(request: Request, name: str, *, minimum: int = 1, maximum: int = 2**31 - 1) -> int | None:
    """An integer query parameter within [minimum, maximum], None when absent or empty; anything
    else is a 400 naming the parameter."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise serializers.ValidationError(
            {name: [_("A whole number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum}]}
        )
    return int(raw)


def query_year(request: Request, name: str = "year") -> int | None:
    """A year query parameter (1900 to 2999), None when absent."""
    return query_int(request, name, minimum=1900, maximum=2999)


def api_error(request: HttpRequest, status_code: int, detail: str) -> HttpResponse:
    """A JSON error body for a request the API's views never saw (unknown route, server error)."""
    return JsonResponse({"detail": detail}, status=status_code, json_dumps_params={"ensure_ascii": False})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Service errors (Django's ValidationError, PermissionDenied) become 400 and 403 responses."""
    if isinstance(exc, DjangoValidationError):
        detail: Any = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RateLimited):
        exc = exceptions.Throttled(wait=exc.wait, detail=exc.message)
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
    more than the page. ``?page=`` past the end gives an empty page (its ``previous`` still links).

    A list ordered by fields that end with the primary key pages by cursor as well: ``next`` and
    ``previous`` carry ``after=<id>`` / ``before=<id>`` (the last or first row returned) beside
    ``page``, and such a page is read from that row's place in the order's index, never by an
    OFFSET (``core.keyset``). A cursor that names no row is a 400."""

    COUNT_CAP = 1000
    page_size = 50

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 10**6:
            raise exceptions.NotFound(_("Invalid page."))
        self.number = int(raw)
        self.bounded_request = request
        try:
            keys_ok = bool(order_keys(queryset))
        except ValueError:
            keys_ok = False
        try:
            cursor = parse_cursor(request.query_params) if keys_ok else None
            # a view that knows a lower bound of the list's length (kept figures) spares the count
            known = getattr(view, "known_at_least", None)
            if known is not None and known() > self.COUNT_CAP:
                self.total: int | None = None
            else:
                n = queryset.order_by()[: self.COUNT_CAP + 1].count()
                self.total = n if n <= self.COUNT_CAP else None
            if cursor is None:
                start = (self.number - 1) * self.page_size
                rows = list(queryset[start : start + self.page_size + 1])
                self.more = len(rows) > self.page_size
                page = rows[: self.page_size]
                self.behind = self.number > 1
            else:
                rows = list(rows_beyond(queryset, cursor)[: self.page_size + 1])
                if cursor[0] == "after":
                    page = rows[: self.page_size]
                    self.more, self.behind = len(rows) > self.page_size, True
                else:
                    page = rows[: self.page_size][::-1]
                    self.more, self.behind = True, len(rows) > self.page_size
                    if not self.behind:
                        self.number = 1
        except InvalidCursor as exc:
            raise exceptions.ValidationError({str(exc): [_("Invalid cursor.")]}) from exc
        self.keyset = keys_ok
        self.first_pk = page[0].pk if page else None
        self.last_pk = page[-1].pk if page else None
        return page

    def get_next_link(self) -> str | None:
        if not self.more:
            return None
        url = replace_query_param(
            self.bounded_request.build_absolute_uri(), self.page_query_param, self.number + 1
        )
        if self.keyset and self.last_pk is not None:
            url = replace_query_param(remove_query_param(url, "before"), "after", self.last_pk)
        return url

    def get_previous_link(self) -> str | None:
        if not self.behind:
            return None
        url = remove_query_param(self.bounded_request.build_absolute_uri(), "after")
        url = remove_query_param(url, "before")
        if self.number <= 2:
            url = remove_query_param(url, self.page_query_param)
        else:
            url = replace_query_param(url, self.page_query_param, self.number - 1)
        if self.keyset and self.first_pk is not None:
            url = replace_query_param(url, "before", self.first_pk)
        return url

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        params = super().get_schema_operation_parameters(view)
        for side, text in (
            (
                "after",
                "A cursor: the rows that follow the row with this id in the list's order (as `next` gives).",
            ),
            (
                "before",
                "A cursor: the rows that precede the row with this id in the list's order (as `previous` gives).",
            ),
        ):
            params.append(
                {
                    "name": side,
                    "required": False,
                    "in": "query",
                    "description": text
                    + " Read from that row on, never by an offset; `page` then only numbers the page.",
                    "schema": {"type": "integer"},
                }
            )
        return params

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


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: a JSON body under /api/, Django's page elsewhere."""
    if _is_api(request):
        return api_error(request, 404, _("Not found: no such address in the API."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a JSON body under /api/, Django's page elsewhere."""
    if _is_api(request):
        return api_error(request, 500, _("Server error; it has been logged."))
    return defaults.server_error(request)


class RequestGuardMiddleware:
    """Refuses a NUL character in the address or its query (PostgreSQL cannot compare text with
    one, so it would be a 500 deep inside a query) with a 400 in the caller's language."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            message = str(nul_error().detail)
            if _is_api(request):
                return api_error(request, 400, message)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        response: HttpResponse = self.get_response(request)
        return response


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: after too many failed sign-ins, a JSON 429 under /api/ (with
    ``Retry-After``), the lockout page elsewhere."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    if _is_api(request):
        seconds = int(cool_off.total_seconds()) if cool_off else 0
        response = api_error(
            request,
            429,
            _("Too many failed sign-ins; try again in %(minutes)s minutes.")
            % {"minutes": max(1, seconds // 60)},
        )
        if seconds:
            response["Retry-After"] = str(seconds)
        return response
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": cool_off,
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
