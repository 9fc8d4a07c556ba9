"""Forms of the map's pages.

They check formats only (a date is a date, a choice is one of the choices); what an actor may do
is for the services to decide. Every choice over areas, units or organisations is built from the
selectors with the actor, so a form never offers (or accepts) a row the actor may not see.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.core.phones import validate_phone
from gongjian.web.forms import (
    CHOICE_DISPLAY_LIMIT,
    PHONE_FORMAT,
    ActorForm,
    DateInput,
    NoEchoTextInput,
    date_field,
    filter_choice,
    model_field,
    offer,
    search_field,
)

from . import selectors
from .models import (
    AllianceLevel,
    Area,
    Level,
    PartyOrg,
    PartyOrgKind,
    ResidentUnit,
    UnitKind,
    UnitRank,
)
from .pages import offer_orgs, setup_area_field

# --- areas ---------------------------------------------------------------------------------


def fixed_start(form: forms.Form) -> None:
    """On an edit form the start is shown but not changed: moving it would rewrite figures already
    reported, so it is changed only by correcting the past (更正历史), with a reason, audited."""
    field = form.fields["since"]
    field.disabled = True
    field.required = False
    field.help_text = _("Changed only by correcting the past (更正历史) on the record's page, with a reason.")


class AreaForm(ActorForm):
    name = forms.CharField(label=pgettext_lazy("field", "Name"), max_length=120)
    code = forms.CharField(label=pgettext_lazy("field", "Division code"), max_length=40)
    kind_label = forms.CharField(
        label=pgettext_lazy("field", "Kind"),
        max_length=20,
        required=False,
        help_text=_("For example 区, 县, 街道, 镇, 社区, 村, 小区, 庭院"),
    )
    old_compound = forms.BooleanField(
        label=pgettext_lazy("field", "Old residential compound"), required=False
    )
    since = date_field(pgettext_lazy("field", "In use since"), required=True)
    until = date_field(
        pgettext_lazy("field", "In use until"), help_text=_("Leave empty while the area is in use.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fixed_start(self)  # an area is edited, never created, with this form


class AreaChildForm(ActorForm):
    name = forms.CharField(label=pgettext_lazy("field", "Name"), max_length=120)
    level = forms.TypedChoiceField(label=pgettext_lazy("field", "Level"), coerce=int)
    code = forms.CharField(
        label=pgettext_lazy("field", "Division code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it after its parent."),
    )
    kind_label = forms.CharField(
        label=pgettext_lazy("field", "Kind"),
        max_length=20,
        required=False,
        help_text=_("For example 区, 县, 街道, 镇, 社区, 村, 小区, 庭院"),
    )
    old_compound = forms.BooleanField(
        label=pgettext_lazy("field", "Old residential compound"), required=False
    )
    since = date_field(pgettext_lazy("field", "In use since"), help_text=_("Leave empty if not known."))

    def __init__(self, *args: Any, parent: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = [(value, label) for value, label in Level.choices if value > parent.level]
        field = self.fields["level"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = levels
        if levels:
            field.initial = parent.level + 1


# --- resident units ------------------------------------------------------------------------


class UnitForm(ActorForm):
    """A resident unit. ``liaison_only`` keeps the fields a unit liaison may change."""

    LIAISON_FIELDS = ("address", "lat", "lng", "contact_name", "contact_phone", "clear_contact_phone")

    name = forms.CharField(label=pgettext_lazy("field", "Name"), max_length=120)
    credit_code = forms.CharField(
        label=pgettext_lazy("field", "Unified social credit code"),
        max_length=18,
        min_length=18,
        help_text=_("18 characters with a check character."),
    )
    kind = forms.ChoiceField(label=pgettext_lazy("field", "Kind"), choices=UnitKind.choices)
    rank = forms.ChoiceField(
        label=pgettext_lazy("field", "Administrative rank"), choices=UnitRank.choices, initial="none"
    )
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area it sits in"), queryset=Area.objects.none()
    )
    address = forms.CharField(label=pgettext_lazy("field", "Address"), max_length=255, required=False)
    lat = forms.DecimalField(
        label=pgettext_lazy("field", "Latitude"), required=False, min_value=-90, max_value=90
    )
    lng = forms.DecimalField(
        label=pgettext_lazy("field", "Longitude"), required=False, min_value=-180, max_value=180
    )
    contact_name = forms.CharField(
        label=pgettext_lazy("field", "Contact person"), max_length=60, required=False
    )
    contact_phone = forms.CharField(
        label=pgettext_lazy("field", "Contact phone"),
        max_length=20,
        required=False,
        validators=[PHONE_FORMAT, validate_phone],
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    clear_contact_phone = forms.BooleanField(
        label=pgettext_lazy("field", "Remove the contact phone"), required=False
    )
    incubator = forms.BooleanField(label=pgettext_lazy("field", "Incubation base"), required=False)
    hosted_firms = forms.IntegerField(
        label=pgettext_lazy("field", "Registered firms hosted"), min_value=0, initial=0
    )
    since = date_field(pgettext_lazy("field", "In the area since"))
    until = date_field(
        pgettext_lazy("field", "Left the area on"), help_text=_("Leave empty while the unit is in the area.")
    )

    def __init__(
        self,
        *args: Any,
        unit: ResidentUnit | None = None,
        liaison_only: bool = False,
        area: Area | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        if unit is None:
            del self.fields["clear_contact_phone"]
            del self.fields["until"]
        else:
            fixed_start(self)
            self.fields["contact_phone"].help_text = _(
                "Leave empty to keep the current number (%(masked)s)."
            ) % {"masked": unit.contact_phone_masked or _("none")}
        if liaison_only:
            for name in list(self.fields):
                if name not in self.LIAISON_FIELDS:
                    del self.fields[name]
        if "area" in self.fields:
            field = model_field(self, "area")
            setup_area_field(field, actor=self.actor, include=[unit.area if unit else None, area])
            if area is not None and unit is None:
                field.initial = area.pk
        if "credit_code" in self.fields:
            self.fields["credit_code"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean_credit_code(self) -> str:
        return str(self.cleaned_data["credit_code"]).strip().upper()

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``unit_create`` / ``unit_update``."""
        data = self.values()
        clear = bool(data.pop("clear_contact_phone", False))
        phone = (data.pop("contact_phone", "") or "").strip()
        if self.unit is None:
            data["contact_phone"] = phone
            if not data.get("since"):
                data.pop("since", None)
        elif clear:
            data["contact_phone"] = ""
        elif phone:
            data["contact_phone"] = phone
        return data


class StartCorrectForm(forms.Form):
    """Correct the past: the start a unit or an organisation really had, with the reason."""

    since = date_field(pgettext_lazy("field", "The start it really had"), required=True)
    reason = forms.CharField(
        label=pgettext_lazy("field", "Why is the past corrected?"),
        max_length=500,
        help_text=_(
            "Figures already reported change; the correction is kept in the audit log with your name "
            "and named on the reports of every level above."
        ),
    )


class PhoneRevealForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("field", "Why do you need the full number?"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Your reason is kept in the audit log with your name and the time."),
    )


class UnitFilterForm(forms.Form):
    q = search_field()
    kind = filter_choice(pgettext_lazy("field", "Kind"), UnitKind.choices, everything=_("All kinds"))
    rank = filter_choice(
        pgettext_lazy("field", "Administrative rank"), UnitRank.choices, everything=_("All ranks")
    )
    within = forms.IntegerField(required=False, widget=forms.HiddenInput)


# --- Party organisations -------------------------------------------------------------------


class PartyOrgForm(ActorForm):
    name = forms.CharField(label=pgettext_lazy("field", "Name"), max_length=120)
    code = forms.CharField(label=pgettext_lazy("field", "Organisation code"), max_length=40)
    kind = forms.ChoiceField(label=pgettext_lazy("field", "Kind"), choices=PartyOrgKind.choices)
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area it sits on"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("For a territorial organisation."),
    )
    unit = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Resident unit"),
        queryset=ResidentUnit.objects.none(),
        required=False,
        help_text=_("For a unit's own organisation: it sits where its unit sits."),
    )
    parent = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Higher organisation"), queryset=PartyOrg.objects.none(), required=False
    )
    secretary = forms.CharField(label=pgettext_lazy("field", "Secretary"), max_length=60, required=False)
    since = date_field(pgettext_lazy("field", "Established on"))
    until = date_field(
        pgettext_lazy("field", "Dissolved on"), help_text=_("Leave empty while the organisation exists.")
    )

    def __init__(
        self,
        *args: Any,
        org: PartyOrg | None = None,
        area: Area | None = None,
        unit: ResidentUnit | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.org = org
        if org is not None:
            # Where an organisation sits does not change here; it moves with its unit.
            del self.fields["area"]
            del self.fields["unit"]
            fixed_start(self)
        else:
            del self.fields["until"]
            area_field = model_field(self, "area")
            setup_area_field(area_field, actor=self.actor, include=[area])
            unit_field = model_field(self, "unit")
            units = selectors.unit_list(actor=self.actor)
            offer(unit_field, units, shown=units.order_by("name_key")[:CHOICE_DISPLAY_LIMIT], include=[unit])
            if area is not None:
                area_field.initial = area.pk
            if unit is not None:
                unit_field.initial = unit.pk
        orgs = selectors.party_org_list(actor=self.actor)
        if org is not None:
            orgs = orgs.exclude(pk=org.pk)
        offer_orgs(model_field(self, "parent"), orgs, include=[org.parent if org else None])

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        if self.org is None and not data.get("since"):
            data.pop("since", None)
        return data


class PartyOrgFilterForm(forms.Form):
    q = search_field()
    kind = filter_choice(pgettext_lazy("field", "Kind"), PartyOrgKind.choices, everything=_("All kinds"))
    within = forms.IntegerField(required=False, widget=forms.HiddenInput)


# --- alliances -----------------------------------------------------------------------------


class AllianceForm(ActorForm):
    name = forms.CharField(label=pgettext_lazy("field", "Name"), max_length=120)
    level = forms.ChoiceField(label=pgettext_lazy("field", "Level"), choices=AllianceLevel.choices)
    convener = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Convening organisation"),
        queryset=PartyOrg.objects.none(),
        help_text=_("A territorial Party organisation; the alliance sits on its area."),
    )
    description = forms.CharField(
        label=pgettext_lazy("field", "Description"), required=False, widget=forms.Textarea({"rows": 4})
    )
    since = date_field(pgettext_lazy("field", "Founded on"))
    until = date_field(
        pgettext_lazy("field", "Ended on"), help_text=_("Leave empty while the alliance is active.")
    )

    def __init__(
        self, *args: Any, alliance: Any = None, convener: PartyOrg | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.alliance = alliance
        if alliance is not None:
            del self.fields["convener"]
            fixed_start(self)
        else:
            del self.fields["until"]
            field = model_field(self, "convener")
            offer_orgs(
                field,
                selectors.party_org_list(actor=self.actor).filter(unit__isnull=True),
                include=[convener],
            )
            if convener is not None:
                field.initial = convener.pk

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        if self.alliance is None and not data.get("since"):
            data.pop("since", None)
        return data


class AllianceMemberForm(ActorForm):
    unit = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Resident unit"), queryset=ResidentUnit.objects.none()
    )
    representative = forms.CharField(
        label=pgettext_lazy("field", "Representative"), max_length=60, required=False
    )
    representative_title = forms.CharField(
        label=pgettext_lazy("field", "Representative's title"), max_length=60, required=False
    )
    since = date_field(
        pgettext_lazy("field", "Member since"), help_text=_("Leave empty for the default date.")
    )

    def __init__(self, *args: Any, q: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = selectors.unit_list(actor=self.actor)
        shown = selectors.unit_list(actor=self.actor, q=q) if q else units
        offer(
            model_field(self, "unit"),
            units,
            shown=shown.order_by("name_key")[:CHOICE_DISPLAY_LIMIT],
            label=lambda u: f"{u.name} · {u.area.name}",
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        if not data.get("since"):
            data.pop("since", None)
        return data


class MembershipEndForm(forms.Form):
    until = forms.DateField(label=pgettext_lazy("field", "Membership ends on"), widget=DateInput())


class SearchForm(forms.Form):
    q = search_field()
