"""Forms of the pages of agreements, expanded committees and part-time seats.

Like the map's forms they check formats only; what an actor may do is for the services to decide.
Every choice of an organisation, unit or member is built from the selectors with the actor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.members.models import Member
from gongjian.orgs.models import PartyOrg, ResidentUnit
from gongjian.orgs.pages import org_label
from gongjian.web.forms import (
    ActorForm,
    DateInput,
    date_field,
    filter_choice,
    model_field,
    offer,
    search_field,
)

from ..models import AgreementStatus, Clause, CommitteeKind, ReviewRating, SeatStep
from ..selectors import agreements as selectors

#: The catalogue clauses offered with a check box each (the "other" commitment is free text).
CATALOGUE = [c for c in Clause if c != Clause.OTHER]


def _textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _today_initial(kwargs: dict[str, Any], *names: str) -> None:
    initial = kwargs.setdefault("initial", {})
    for name in names:
        initial.setdefault(name, timezone.localdate())


# --- filters --------------------------------------------------------------------------------------


class AgreementFilterForm(forms.Form):
    q = search_field(pgettext_lazy("field", "Number, party or title"))
    status = filter_choice(
        pgettext_lazy("field", "Status"), AgreementStatus.choices, everything=_("All statuses")
    )


class CommitteeFilterForm(forms.Form):
    q = search_field(pgettext_lazy("field", "Name or pinyin initials"))
    kind = filter_choice(pgettext_lazy("field", "Kind"), CommitteeKind.choices, everything=_("All kinds"))


class SeatFilterForm(forms.Form):
    q = search_field(pgettext_lazy("field", "Name, unit or certificate"))
    step = filter_choice(pgettext_lazy("field", "Step"), SeatStep.choices, everything=_("All steps"))


# --- agreements -----------------------------------------------------------------------------------


class AgreementForm(ActorForm):
    """A new draft (with both parties) or the changes to a draft (the parties stay)."""

    host_org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Community or street side"),
        queryset=PartyOrg.objects.none(),
        help_text=_("The Party organisation of the community or street."),
    )
    unit_org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Unit side"),
        queryset=PartyOrg.objects.none(),
        help_text=_("The Party organisation of the resident unit."),
    )
    title = forms.CharField(
        label=pgettext_lazy("field", "Title"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to name it after the parties."),
    )
    starts_on = date_field(pgettext_lazy("field", "Term starts"), required=True)
    ends_on = date_field(pgettext_lazy("field", "Term ends"), required=True)
    host_liaison = forms.CharField(
        label=pgettext_lazy("field", "Liaison, community side"), max_length=60, required=False
    )
    host_liaison_title = forms.CharField(
        label=pgettext_lazy("field", "Liaison's title, community side"), max_length=60, required=False
    )
    unit_liaison = forms.CharField(
        label=pgettext_lazy("field", "Liaison, unit side"), max_length=60, required=False
    )
    unit_liaison_title = forms.CharField(
        label=pgettext_lazy("field", "Liaison's title, unit side"), max_length=60, required=False
    )
    yearly_plan = forms.CharField(
        label=pgettext_lazy("field", "Yearly plan"), required=False, widget=_textarea(4)
    )

    MAIN = (
        "host_org",
        "unit_org",
        "title",
        "starts_on",
        "ends_on",
        "host_liaison",
        "host_liaison_title",
        "unit_liaison",
        "unit_liaison_title",
        "yearly_plan",
    )

    def __init__(self, *args: Any, agreement: Any = None, **kwargs: Any) -> None:
        if agreement is not None:
            initial = kwargs.setdefault("initial", {})
            for name in self.MAIN:
                initial.setdefault(name, getattr(agreement, name))
            for clause in agreement.clauses.all():
                if clause.kind == Clause.OTHER:
                    initial["text_other"] = "\n".join(filter(None, [initial.get("text_other"), clause.text]))
                else:
                    initial[f"clause_{clause.kind}"] = True
                    initial[f"text_{clause.kind}"] = clause.text
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        for kind in CATALOGUE:
            self.fields[f"clause_{kind}"] = forms.BooleanField(label=kind.label, required=False)
            self.fields[f"text_{kind}"] = forms.CharField(
                label=pgettext_lazy("field", "Wording"), required=False, widget=_textarea(), max_length=2000
            )
        self.fields["text_other"] = forms.CharField(
            label=pgettext_lazy("field", "Other commitments (free text)"),
            required=False,
            widget=_textarea(3),
            max_length=4000,
            help_text=_("Anything beyond the catalogue, as the parties word it."),
        )
        if agreement is not None:
            del self.fields["host_org"]
            del self.fields["unit_org"]
            self.fields["title"].required = True
            self.fields["title"].help_text = ""
        else:
            offer(
                model_field(self, "host_org"),
                selectors.agreement_host_choices(actor=self.actor),
                label=org_label,
            )
            offer(
                model_field(self, "unit_org"),
                selectors.agreement_unit_org_choices(actor=self.actor),
                label=org_label,
            )

    @property
    def main_fields(self) -> list[BoundField]:
        return [self[name] for name in self.MAIN if name in self.fields]

    @property
    def clause_rows(self) -> list[dict[str, Any]]:
        return [{"check": self[f"clause_{kind}"], "text": self[f"text_{kind}"]} for kind in CATALOGUE]

    def clauses(self) -> list[tuple[str, str]]:
        rows = [
            (str(kind), self.cleaned_data.get(f"text_{kind}") or "")
            for kind in CATALOGUE
            if self.cleaned_data.get(f"clause_{kind}")
        ]
        other = (self.cleaned_data.get("text_other") or "").strip()
        if other:
            rows.append((Clause.OTHER, other))
        return rows

    def service_kwargs(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in self.MAIN if name in self.fields}
        data["clauses"] = self.clauses()
        return data


class AgreementSignForm(forms.Form):
    signed_on = date_field(pgettext_lazy("field", "Signed on"), required=True)
    host_signatory = forms.CharField(
        label=pgettext_lazy("field", "Signed for the community side by"), max_length=60
    )
    unit_signatory = forms.CharField(
        label=pgettext_lazy("field", "Signed for the unit side by"), max_length=60
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _today_initial(kwargs, "signed_on")
        super().__init__(*args, **kwargs)


class AgreementEndForm(forms.Form):
    ended_on = date_field(pgettext_lazy("field", "Ends on"), required=True)
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _today_initial(kwargs, "ended_on")
        super().__init__(*args, **kwargs)


class AgreementReviewForm(forms.Form):
    year = forms.TypedChoiceField(label=pgettext_lazy("field", "Year"), coerce=int)
    rating = forms.ChoiceField(label=pgettext_lazy("field", "Rating"), choices=ReviewRating.choices)
    summary = forms.CharField(label=pgettext_lazy("field", "Summary"), widget=_textarea(4))
    reviewed_on = date_field(pgettext_lazy("field", "Reviewed on"), required=True)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        _today_initial(kwargs, "reviewed_on")
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(y, str(y)) for y in reversed(years)]


# --- committees and seats -------------------------------------------------------------------------


class CommitteeForm(ActorForm):
    org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Party organisation"),
        queryset=PartyOrg.objects.none(),
        help_text=_(
            "A street's organisation forms a big working committee, a community's a big Party committee."
        ),
    )
    name = forms.CharField(
        label=pgettext_lazy("field", "Name"),
        max_length=120,
        required=False,
        help_text=_("Leave empty to name it after the area."),
    )
    established_on = date_field(pgettext_lazy("field", "Established on"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "org"), selectors.committee_org_choices(actor=self.actor), label=org_label)


class SeatRecommendForm(ActorForm):
    person_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    unit = forms.ModelChoiceField(label=pgettext_lazy("field", "Unit"), queryset=ResidentUnit.objects.none())
    unit_title = forms.CharField(
        label=pgettext_lazy("field", "Post in the unit"), max_length=60, required=False
    )
    duty = forms.CharField(
        label=pgettext_lazy("field", "Duty on the committee"), max_length=120, required=False
    )
    member = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Party member record"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("Optional: the person's record in the ledgers (the membership stays where it is)."),
    )
    recommended_on = date_field(pgettext_lazy("field", "Recommended on"), required=True)
    recommended_by = forms.CharField(
        label=pgettext_lazy("field", "Recommended by"), max_length=120, required=False
    )

    def __init__(self, *args: Any, committee: Any, **kwargs: Any) -> None:
        _today_initial(kwargs, "recommended_on")
        super().__init__(*args, **kwargs)
        offer(model_field(self, "unit"), selectors.seat_unit_choices(actor=self.actor, committee=committee))
        offer(
            model_field(self, "member"),
            selectors.seat_member_choices(actor=self.actor),
            label=lambda m: f"{m.name} · {m.org.name}",
        )


class SeatDateForm(forms.Form):
    """One date: of the screening, the approval or the public notice."""

    on = forms.DateField(label=pgettext_lazy("field", "On"), widget=DateInput())

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        _today_initial(kwargs, "on")
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["on"].label = label


class SeatRejectForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=200)
    on = date_field(pgettext_lazy("field", "On"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _today_initial(kwargs, "on")
        super().__init__(*args, **kwargs)


class SeatAppointForm(forms.Form):
    since = date_field(pgettext_lazy("field", "Term starts"), required=True)
    until = date_field(
        pgettext_lazy("field", "Term ends"),
        required=True,
        help_text=_("The first day the seat is no longer held."),
    )
    appointed_on = date_field(pgettext_lazy("field", "Appointed on"), required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _today_initial(kwargs, "since", "appointed_on")
        kwargs["initial"].setdefault("until", timezone.localdate() + dt.timedelta(days=5 * 365 + 1))
        super().__init__(*args, **kwargs)


class SeatEndForm(forms.Form):
    until = date_field(
        pgettext_lazy("field", "Ends on"),
        required=True,
        help_text=_("The first day the seat is no longer held."),
    )
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _today_initial(kwargs, "until")
        super().__init__(*args, **kwargs)
