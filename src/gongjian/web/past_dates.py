"""A start in the past is confirmed, not refused: forms that set a start (convening a meeting,
publishing an activity) carry a checkbox "I am recording a past …". Its box names the start field
(``data-past-start``) and the page script (``static/gongjian/app.js``) shows it as soon as the start
typed is in the past; the server still asks for it (it is shown after a submit with a past start)
and the service refuses an unconfirmed past start and records a confirmed one as
``recorded_after_the_fact``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

FIELD = "recorded_after_the_fact"


class PastStartField(forms.BooleanField):
    """The confirmation (optional: the service decides whether it was needed). ``start_id`` is the
    HTML id of the start field it watches; ``asked`` whether the server already knows the start
    submitted is in the past (then it shows without the script)."""

    start_id: str = ""
    asked: bool = False


def past_start_field(label: Any) -> PastStartField:
    return PastStartField(label=label, required=False)


def ask_past_start(form: forms.Form, *, start: str = "starts_at") -> None:
    """Tie the confirmation to the start field, and show it at once when the submitted start is in
    the past; otherwise it stays in the page, hidden until the start typed is in the past."""
    field = form.fields.get(FIELD)
    if not isinstance(field, PastStartField) or start not in form.fields:
        return
    field.start_id = form[start].auto_id or ""
    past = False
    if form.is_bound:
        try:
            value = form.fields[start].clean(form[start].data)
        except forms.ValidationError:
            value = None
        past = value is not None and value < timezone.now()
    field.asked = past
