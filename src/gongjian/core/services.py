"""Helpers every app's services use: validated field changes with an audit diff."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from .audit import diff, snapshot


def apply_changes(
    obj: models.Model, changes: Mapping[str, Any], allowed: Iterable[str]
) -> dict[str, list[Any]]:
    """Set ``changes`` on ``obj`` (only ``allowed`` fields), validate the row, and return the diff.

    Unknown fields are an error, not silently dropped. The caller saves and audits.
    """
    allowed = set(allowed)
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)}
        )
    before = snapshot(obj, changes.keys())
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.full_clean()
    return diff(before, snapshot(obj, changes.keys()))
