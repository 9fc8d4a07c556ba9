"""Small template helpers for the pages: Bootstrap classes on form fields, numbers in figures, and
the cool-off time of a lockout (the user's roles and scope: ``{% load roles %}`` from accounts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()

_CHECKS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)
_SELECTS = (forms.Select, forms.SelectMultiple)


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def bs(field: BoundField) -> SafeString:
    """The field's widget with the Bootstrap class for its kind, marked invalid when it has errors."""
    widget = field.field.widget
    if isinstance(widget, _CHECKS):
        css = "form-check-input"
    elif isinstance(widget, _SELECTS):
        css = "form-select"
    else:
        css = "form-control"
    existing = widget.attrs.get("class", "")
    classes = " ".join(c for c in (existing, css, "is-invalid" if field.errors else "") if c)
    return field.as_widget(attrs={"class": classes})


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """How many of the signed-in user's notifications are unread (0 for anyone else)."""
    from gongjian.core.selectors import notification_unread_count

    return notification_unread_count(actor=user)


@register.filter
def start(row: Any, fmt: str = "") -> str:
    """When a dated row starts: its date, or, when the start was left blank, the day it was
    recorded said as such ("登记于 2026-12-07（开始日期不详）"), never a made-up date."""
    since = getattr(row, "since", None)
    if since is None:
        return "–"
    if getattr(row, "since_known", True):
        return str(date_format(since, fmt or "DATE_FORMAT"))
    return _("recorded on %(date)s (start date unknown)") % {"date": since.isoformat()}


def no_data() -> str:
    """What a figure without data reads ("—（无数据）"): a ratio whose denominator is 0."""
    return _("— (no data)")


@register.filter
def figure(value: Any, kind: str = "") -> str:
    """A figure for a card: ratios as a percentage, counts with grouping; no value (a ratio with
    nothing to divide by) is "—（无数据）", never 0 %."""
    if value is None:
        return no_data()
    if kind == "ratio":
        return f"{number_format(round(float(value) * 100, 1), decimal_pos=1)}%"
    if isinstance(value, float) and not value.is_integer():
        return str(number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True))
    return str(number_format(int(value), use_l10n=True, force_grouping=True))


@register.filter
def minutes(value: Any) -> int:
    """Whole minutes of a timedelta (or of a number of hours)."""
    if isinstance(value, dt.timedelta):
        return max(1, round(value.total_seconds() / 60))
    try:
        return max(1, round(float(value) * 60))
    except (TypeError, ValueError):
        return 15


@register.filter
def coming_modules(items: Any) -> list[Any]:
    """The navigation items of modules still to come (those without a URL)."""
    return [item for item in items or [] if not item.get("url")]
