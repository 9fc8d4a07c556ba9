"""The query of the figures' pages: a date (today in China by default) and the indicator that ranks
the areas below. Formats only: what the actor may read is for the selectors to decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.web.forms import DateInput

from .management.commands.indicators import today
from .reports import visible_indicators

#: The first date figures are asked for: records start in 2000 (``Dated.since``'s default).
FIRST_DATE = dt.date(2000, 1, 1)
#: How far ahead of today a date may be (figures of stocks on a date planned ahead).
DAYS_AHEAD = 366


def last_date() -> dt.date:
    return today() + dt.timedelta(days=DAYS_AHEAD)


class FiguresQuery(forms.Form):
    """``?date=YYYY-MM-DD&rank=<indicator id>``; both may be left out."""

    date = forms.DateField(
        label=pgettext_lazy("field", "Date"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        error_messages={"invalid": _("Write the date as YYYY-MM-DD, for example 2018-09-04.")},
    )
    rank = forms.ChoiceField(
        label=pgettext_lazy("field", "Rank the areas below by"),
        required=False,
        error_messages={"invalid_choice": _("There is no figure “%(value)s” to rank by.")},
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rank = self.fields["rank"]
        assert isinstance(rank, forms.ChoiceField)
        rank.choices = [(i.id, i.name(language)) for i in visible_indicators()]
        rank.widget.attrs["data-autosubmit"] = ""
        self.fields["date"].widget.attrs.update(
            {"min": FIRST_DATE.isoformat(), "max": last_date().isoformat()}
        )

    def clean_date(self) -> dt.date:
        date: dt.date | None = self.cleaned_data.get("date")
        if date is None:
            return today()
        if not FIRST_DATE <= date <= last_date():
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                code="range",
                params={"first": FIRST_DATE.isoformat(), "last": last_date().isoformat()},
            )
        return date

    def clean_rank(self) -> str | None:
        return self.cleaned_data.get("rank") or None
