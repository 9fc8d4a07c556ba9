"""Forms of the account pages: the audit log's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.core.auditread import AuditFilters, action_choices


class _Date(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d", attrs={"class": "form-control form-control-sm"})


class _ActionInput(forms.TextInput):
    """A text box with the catalogue's actions as suggestions (a ``<datalist>``)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        from django.utils.html import format_html, format_html_join
        from django.utils.safestring import mark_safe

        list_id = f"{(attrs or {}).get('id') or name}-options"
        shown = dict(action_choices()).get(value, value)
        box = super().render(name, shown, {**(attrs or {}), "list": list_id, "autocomplete": "off"}, renderer)
        options = format_html_join(
            "", '<option value="{}"></option>', ((label,) for _v, label in action_choices())
        )
        return mark_safe(box + format_html('<datalist id="{}">{}</datalist>', list_id, options))  # noqa: S308


class AuditFilterForm(forms.Form):
    """Who, which action, which object, which days, personal data only: every filter optional."""

    who = forms.CharField(
        label=pgettext_lazy("field", "Who"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    # typed with suggestions (a datalist): the catalogue has far more than the 50 options a drop-down may hold
    action = forms.CharField(
        label=pgettext_lazy("field", "Action"),
        required=False,
        max_length=200,
        widget=_ActionInput(attrs={"class": "form-control form-control-sm"}),
    )
    object_type = forms.CharField(
        label=pgettext_lazy("field", "Object type"),
        required=False,
        max_length=80,
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": "members.member"}
        ),
    )
    object_id = forms.CharField(
        label=pgettext_lazy("field", "Object id"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    since = forms.DateField(label=pgettext_lazy("field", "From"), required=False, widget=_Date())
    until = forms.DateField(label=pgettext_lazy("field", "To"), required=False, widget=_Date())
    pii_only = forms.BooleanField(
        label=pgettext_lazy("field", "Personal data only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_action(self) -> str:
        """An action's name as shown (either script) or its code; empty is every action."""
        from gongjian.core.text import same_word

        text = (self.cleaned_data.get("action") or "").strip()
        if not text:
            return ""
        for value, label in action_choices():
            if text == value or same_word(text, label):
                return value
        raise ValidationError(_("No such action: choose one of the suggestions."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end is before the start."))
        return data

    def filters(self) -> AuditFilters:
        """The filters of a valid form (call ``is_valid`` first)."""
        data = self.cleaned_data
        return AuditFilters(
            who=data.get("who") or "",
            event=data.get("action") or "",
            object_type=data.get("object_type") or "",
            object_id=data.get("object_id") or "",
            since=data.get("since"),
            until=data.get("until"),
            pii_only=bool(data.get("pii_only")),
        )


class TokenForm(forms.Form):
    """A new API token: what uses it, and until when it works."""

    name = forms.CharField(
        label=pgettext_lazy("field", "Name"),
        max_length=60,
        help_text=_("What uses it, e.g. “monthly report script”."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    expires_on = forms.DateField(
        label=pgettext_lazy("field", "Works until"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control", "type": "date"}),
    )


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal on the form: each field's message beside it, the rest above the fields."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)
