"""API plumbing shared by every app: error mapping, validated input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
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
