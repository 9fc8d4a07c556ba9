"""The API's request parsers: DRF's, with a size limit, a depth limit and no NUL characters.

Kept apart from ``core.api`` because DRF's settings import these while ``rest_framework.views``
is being imported (``core.api`` imports that module).
"""

from __future__ import annotations

import codecs
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status
from rest_framework.utils import json

#: How deep a request body's JSON may nest (objects and arrays); no endpoint takes more than a few.
MAX_JSON_DEPTH = 32
#: The largest JSON body the API reads, in bytes (``GONGJIAN_API_MAX_BODY``); files go as multipart.
DEFAULT_MAX_BODY = 2 * 1024 * 1024


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(_("The request body is larger than %(limit)s bytes.") % {"limit": limit})


def nul_error() -> exceptions.ParseError:
    return exceptions.ParseError(_("The request contains a NUL character (\\u0000), which no field accepts."))


def _check_shape(data: Any) -> None:
    """Refuse nesting deeper than MAX_JSON_DEPTH and NUL characters in any key or string, without
    recursion (a hostile body must not exhaust the stack)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            if "\x00" in node:
                raise nul_error()
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                _("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_JSON_DEPTH}
            )
        if isinstance(node, dict):
            stack.extend((key, depth) for key in node)
            stack.extend((value, depth + 1) for value in node.values())
        else:
            stack.extend((value, depth + 1) for value in node)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size limit, a depth limit and no NUL characters (PostgreSQL cannot
    store them): each refusal is a 4xx with a message in the caller's language, never a 500."""

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = int(getattr(settings, "GONGJIAN_API_MAX_BODY", DEFAULT_MAX_BODY))
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge(limit)
        try:
            text = codecs.decode(raw, encoding)
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except RecursionError:
            raise exceptions.ParseError(
                _("The JSON is nested more than %(depth)s levels deep.") % {"depth": MAX_JSON_DEPTH}
            ) from None
        except ValueError as exc:
            raise exceptions.ParseError(
                _("The request body is not valid JSON: %(error)s") % {"error": exc}
            ) from None
        _check_shape(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        if any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data):
            raise nul_error()
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        data = result.data
        if any("\x00" in key or any("\x00" in v for v in data.getlist(key)) for key in data):
            raise nul_error()
        return result
