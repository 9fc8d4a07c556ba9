"""Forms of the appraisal pages; choices come from the selectors, scoped to the actor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gongjian.core.levels import Level
from gongjian.orgs.models import Area
from gongjian.stats.indicators import CATALOGUE, shown
from gongjian.web.forms import ActorForm, SuggestChoiceField, date_field, model_field, offer
from gongjian.web.pick import PICK_LIMIT

from .models import CandidateKind, Criterion, CriterionKind, Entry

TEXT = forms.Textarea(attrs={"rows": 3})


class _AreaField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(0, obj.depth - 1)}{obj.name}"


class CampaignForm(ActorForm):
    area = _AreaField(
        label=pgettext_lazy("field", "Organised by (city, district, street or community)"),
        queryset=Area.objects.none(),
    )
    name = forms.CharField(label=pgettext_lazy("field", "Name"), max_length=120)
    year = forms.IntegerField(label=pgettext_lazy("field", "Year"), min_value=1949, max_value=2100)
    honour = forms.CharField(
        label=pgettext_lazy("field", "Honour awarded"),
        max_length=60,
        help_text=_("Such as 十快街道, 十佳小区, 五星级党组织."),
    )
    candidate_kind = forms.ChoiceField(
        label=pgettext_lazy("field", "Kind of candidate"), choices=CandidateKind.choices
    )
    candidate_level = forms.TypedChoiceField(
        label=pgettext_lazy("field", "Level of the candidate areas"),
        choices=[("", "—"), *[(v, label) for v, label in Level.choices if v > Level.CITY]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    how_many = forms.IntegerField(
        label=pgettext_lazy("field", "How many are named"), min_value=1, max_value=1000
    )
    negative = forms.BooleanField(
        label=pgettext_lazy("field", "A negative list (such as 十差): the lowest scores are named"),
        required=False,
    )
    by_nomination = forms.BooleanField(
        label=pgettext_lazy("field", "Only nominated candidates compete"), required=False
    )
    figures_from = date_field(
        pgettext_lazy("field", "Figures over a period from (empty: on the day below)"),
        help_text=_(
            "A flow (such as appeals answered) counts what happened in the period; a stock is read on its last day."
        ),
    )
    figures_on = date_field(pgettext_lazy("field", "Figures read on (or to)"), required=True)
    nominations_until = date_field(pgettext_lazy("field", "Nominations until"))
    review_until = date_field(pgettext_lazy("field", "Review until"))
    notice_until = date_field(pgettext_lazy("field", "Public notice until"))
    award_on = date_field(pgettext_lazy("field", "Award on"))

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "area"), areas.filter(level__lte=Level.COMMUNITY).order_by("path"))


def figure_choices() -> list[tuple[str, str]]:
    language = get_language() or settings.LANGUAGE_CODE
    return [(key, CATALOGUE[key].name(language)) for key in shown()]


class CriterionForm(ActorForm):
    kind = forms.ChoiceField(label=pgettext_lazy("field", "Kind"), choices=CriterionKind.choices)
    indicator = SuggestChoiceField(
        label=pgettext_lazy("field", "Figure"),
        required=False,
        choices=lambda: figure_choices(),
        help_text=_("Type a few characters of the figure's name and choose it."),
    )
    label = forms.CharField(
        label=pgettext_lazy("field", "Item"),
        max_length=120,
        required=False,
        help_text=_("For a panel item, what it scores (such as tax revenue); a figure takes its own name."),
    )
    weight = forms.DecimalField(label=pgettext_lazy("field", "Weight"), max_digits=8, decimal_places=3)


def offer_entries(field: forms.ModelChoiceField[Any], entries: QuerySet[Entry], chosen: Entry | None) -> None:
    """Let ``field`` accept every one of ``entries`` but list at most ``PICK_LIMIT`` of them: the one
    chosen from its row of the list (each row links to the form with it), else the first ones. A
    campaign of a street's members has hundreds of candidates; no drop-down lists them all."""
    room = PICK_LIMIT - (1 if field.empty_label else 0)
    shown = [chosen] if chosen is not None else list(entries.select_related("home")[:room])
    offer(field, entries, shown=shown, label=entry_label)
    if chosen is not None:
        field.initial = chosen.pk


def entry_label(entry: Entry) -> str:
    """A candidate as the forms list it: its place on the list, or where it is (a member's name is
    masked, and two masked names look alike)."""
    if entry.rank is not None:
        return f"{entry.rank}. {entry.name}"
    return f"{entry.name} · {entry.home.name}"


def chosen_entry(entries: QuerySet[Entry], value: Any) -> Entry | None:
    """The entry of ``entries`` named by ``value`` (the page's ``?entry=``), if it is one of them."""
    try:
        return entries.filter(pk=int(value)).first() if value else None
    except (TypeError, ValueError):
        return None


class NominateForm(ActorForm):
    entry = forms.ModelChoiceField(label=pgettext_lazy("field", "Candidate"), queryset=Entry.objects.none())
    note = forms.CharField(label=pgettext_lazy("field", "Why nominated"), max_length=500, widget=TEXT)

    def __init__(
        self, *args: Any, entries: QuerySet[Entry], chosen: Entry | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_entries(model_field(self, "entry"), entries, chosen)


class PanelScoreForm(ActorForm):
    criterion = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Item"), queryset=Criterion.objects.none()
    )
    value = forms.DecimalField(label=pgettext_lazy("field", "Score"), max_digits=14, decimal_places=4)
    evidence = forms.CharField(label=pgettext_lazy("field", "Evidence"), max_length=500, widget=TEXT)

    def __init__(self, *args: Any, criteria: QuerySet[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "criterion"), criteria)


class AdjustForm(ActorForm):
    adjustment = forms.DecimalField(
        label=pgettext_lazy("field", "Adjustment (points added, or taken with a minus sign)"),
        max_digits=14,
        decimal_places=4,
    )
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=500, widget=TEXT)


class PublishForm(ActorForm):
    notice_until = date_field(pgettext_lazy("field", "Public notice until"), required=True)


class ObjectionForm(ActorForm):
    entry = forms.ModelChoiceField(label=pgettext_lazy("field", "Candidate"), queryset=Entry.objects.none())
    text = forms.CharField(label=pgettext_lazy("field", "Your objection"), max_length=1000, widget=TEXT)
    signed = forms.CharField(
        label=pgettext_lazy("field", "Your name (optional; shown with the objection)"),
        max_length=60,
        required=False,
    )

    def __init__(
        self, *args: Any, entries: QuerySet[Entry], chosen: Entry | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        offer_entries(model_field(self, "entry"), entries, chosen)


class AnswerForm(ActorForm):
    answer = forms.CharField(label=pgettext_lazy("field", "Answer"), max_length=1000, widget=TEXT)
    upheld = forms.BooleanField(
        label=pgettext_lazy("field", "Upheld: take the candidate off the list"), required=False
    )
