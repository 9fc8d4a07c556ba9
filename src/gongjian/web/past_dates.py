"""A start in the past is confirmed, not refused: forms that set a start (convening a meeting,
publishing an activity) carry a checkbox "I am recording a past …" that shows only once the start
entered is in the past; the service records such a write as ``recorded_after_the_fact``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

FIELD = "recorded_after_the_fact"


def past_start_field(label: Any) -> forms.BooleanField:
    """The confirmation (optional: the service decides whether it was needed)."""
    return forms.BooleanField(label=label, required=False)


def ask_past_start(form: forms.Form, *, start: str = "starts_at") -> None:
    """Show the confirmation only when the submitted start is in the past; otherwise it travels
    hidden as "not confirmed" (a future start needs none)."""
    if FIELD not in form.fields:
        return
    past = False
    if form.is_bound and start in form.fields:
        try:
            value = form.fields[start].clean(form[start].data)
        except forms.ValidationError:
            value = None
        past = value is not None and value < timezone.now()
    if not past:
        form.fields[FIELD].widget = forms.HiddenInput()
