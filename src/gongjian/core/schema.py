"""The OpenAPI schema as responses really are (drf-spectacular, with two corrections).

A read-only field that a model serializer builds from a model field loses ``allow_blank`` and
``allow_null`` (DRF drops validation arguments from read-only fields), so the schema said a choice
was always one of its values, and a name read through a nullable relation (``lead_org.name``) was
always a string. Both are stated here from the model, for every serializer at once.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


def _model_fields(field: serializers.Field[Any, Any, Any, Any]) -> list[models.Field[Any, Any]]:
    """The model fields a serializer field's ``source`` walks through (empty when it is not plain
    attribute access on a model serializer's model)."""
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source", "") or ""
    if model is None or not source or source == "*":
        return []
    chain: list[models.Field[Any, Any]] = []
    for name in source.split("."):
        if model is None:
            return []
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return []
        chain.append(model_field)
        model = model_field.related_model if model_field.is_relation else None
    return chain


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> Any:
        if field.read_only and not isinstance(field, serializers.SerializerMethodField):
            chain = _model_fields(field)
            if chain:
                last = chain[-1]
                through_null = any(f.null for f in chain[:-1])
                if isinstance(field, serializers.ChoiceField) and last.blank and not field.allow_blank:
                    field.allow_blank = True
                if (last.null or through_null) and not field.allow_null:
                    field.allow_null = True
        return super()._map_serializer_field(field, direction, bypass_extensions)  # type: ignore[no-untyped-call]

    def _get_paginator(self) -> Any:
        """A viewset's detail actions (``areas/{id}/children/``, ``appeals/{id}/events/`` …) answer
        plain arrays: only its list is paginated. An action that pages by hand says so in its own
        ``extend_schema`` (``members.api.paginated``)."""
        if getattr(self.view, "detail", None) is True:
            return None
        return super()._get_paginator()  # type: ignore[no-untyped-call]
