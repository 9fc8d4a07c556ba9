"""Forms of the map's pages.

They check formats only (a date is a date, a choice is one of the choices); what an actor may do
is for the services to decide. Every choice over areas, units or organisations is built from the
selectors with the actor, so a form never offers (or accepts) a row the actor may not see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Count, Model, QuerySet
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.actor import Actor

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

#: At most this many rows are listed in a drop-down; every row in scope is still accepted.
CHOICE_DISPLAY_LIMIT = 1000
#: Indents an area under its parent in a drop-down (an ideographic space).
_INDENT = "\u3000"

_phone_format = RegexValidator(
    r"^[0-9+()\-\s]{3,20}$", _("Enter a phone number: digits, spaces, +, - and brackets only.")
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes its value back into the page (for a clear phone number)."""

    def format_value(self, value: Any) -> str | None:
        return None


def _date(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def _show_choices(
    field: forms.ModelChoiceField[Any],
    rows: Iterable[Model],
    *,
    label: Any = None,
    include: Iterable[Model | None] = (),
) -> None:
    """List ``rows`` in the field's drop-down (plus ``include``), while the field keeps accepting
    everything in its queryset."""
    shown: list[tuple[Any, str]] = [("", str(field.empty_label or "---------"))] if field.empty_label else []
    seen: set[Any] = set()
    describe = label or field.label_from_instance
    for row in [*rows, *(r for r in include if r is not None)]:
        if row.pk in seen:
            continue
        seen.add(row.pk)
        shown.append((row.pk, describe(row)))
    field.widget.choices = shown


def _areas_to_show(areas: QuerySet[Area]) -> list[Area]:
    """The areas for a drop-down, in tree order: all of them when there are few, otherwise the
    top levels down to the deepest level that still fits."""
    total = areas.count()
    if total > CHOICE_DISPLAY_LIMIT:
        running = 0
        deepest = 1
        for depth, n in areas.order_by().values_list("depth").annotate(n=Count("pk")).order_by("depth"):
            if running + n > CHOICE_DISPLAY_LIMIT:
                break
            running += n
            deepest = depth
        areas = areas.filter(depth__lte=deepest)
    return list(areas.order_by("path")[:CHOICE_DISPLAY_LIMIT])


def _setup_area_field(
    field: forms.ModelChoiceField[Any], *, actor: Actor, include: Iterable[Area | None] = ()
) -> None:
    areas = selectors.area_list(actor=actor)
    field.queryset = areas
    rows = _areas_to_show(areas)
    if rows:
        top = min(a.depth for a in rows)
        _show_choices(field, rows, label=lambda a: _INDENT * (a.depth - top) + a.name, include=include)
    else:
        _show_choices(field, [], include=include)


class MapForm(forms.Form):
    """A form over the map that knows the actor it serves."""

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        """The cleaned values of the fields the form has."""
        return {name: self.cleaned_data.get(name) for name in self.fields}


# --- areas ---------------------------------------------------------------------------------


class AreaForm(MapForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.CharField(label=_("Division code"), max_length=40)
    kind_label = forms.CharField(
        label=_("Kind"),
        max_length=20,
        required=False,
        help_text=_("For example 区, 县, 街道, 镇, 社区, 村, 小区, 庭院"),
    )
    old_compound = forms.BooleanField(label=_("Old residential compound"), required=False)
    since = _date(_("In use since"), required=True)
    until = _date(_("In use until"), help_text=_("Leave empty while the area is in use."))


class AreaChildForm(MapForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    level = forms.TypedChoiceField(label=_("Level"), coerce=int)
    code = forms.CharField(
        label=_("Division code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to number it after its parent."),
    )
    kind_label = forms.CharField(
        label=_("Kind"),
        max_length=20,
        required=False,
        help_text=_("For example 区, 县, 街道, 镇, 社区, 村, 小区, 庭院"),
    )
    old_compound = forms.BooleanField(label=_("Old residential compound"), required=False)
    since = _date(_("In use since"), help_text=_("Leave empty if not known."))

    def __init__(self, *args: Any, parent: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = [(value, label) for value, label in Level.choices if value > parent.level]
        field = self.fields["level"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = levels
        if levels:
            field.initial = parent.level + 1


# --- resident units ------------------------------------------------------------------------


class UnitForm(MapForm):
    """A resident unit. ``liaison_only`` keeps the fields a unit liaison may change."""

    LIAISON_FIELDS = ("address", "lat", "lng", "contact_name", "contact_phone", "clear_contact_phone")

    name = forms.CharField(label=_("Name"), max_length=120)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        min_length=18,
        help_text=_("18 characters with a check character."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices)
    rank = forms.ChoiceField(label=_("Administrative rank"), choices=UnitRank.choices, initial="none")
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=_("Area it sits in"), queryset=Area.objects.none()
    )
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    lat = forms.DecimalField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    lng = forms.DecimalField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    contact_name = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        required=False,
        validators=[_phone_format],
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    clear_contact_phone = forms.BooleanField(label=_("Remove the contact phone"), required=False)
    incubator = forms.BooleanField(label=_("Incubation base"), required=False)
    hosted_firms = forms.IntegerField(label=_("Registered firms hosted"), min_value=0, initial=0)
    since = _date(_("In the area since"))
    until = _date(_("Left the area on"), help_text=_("Leave empty while the unit is in the area."))

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
            self.fields["since"].required = True
            self.fields["contact_phone"].help_text = _(
                "Leave empty to keep the current number (%(masked)s)."
            ) % {"masked": unit.contact_phone_masked or _("none")}
        if liaison_only:
            for name in list(self.fields):
                if name not in self.LIAISON_FIELDS:
                    del self.fields[name]
        if "area" in self.fields:
            field = self.fields["area"]
            assert isinstance(field, forms.ModelChoiceField)
            _setup_area_field(field, actor=self.actor, include=[unit.area if unit else None, area])
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


class PhoneRevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need the full number?"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Your reason is kept in the audit log with your name and the time."),
    )


class UnitFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *UnitKind.choices]
    )
    rank = forms.ChoiceField(
        label=_("Administrative rank"), required=False, choices=[("", _("All ranks")), *UnitRank.choices]
    )
    within = forms.IntegerField(required=False, widget=forms.HiddenInput)


# --- Party organisations -------------------------------------------------------------------


def _orgs_to_show(orgs: QuerySet[PartyOrg]) -> list[PartyOrg]:
    return list(orgs.order_by("area__depth", "area__path", "code")[:CHOICE_DISPLAY_LIMIT])


def _org_label(org: PartyOrg) -> str:
    return f"{org.name} · {org.area.name}"


class PartyOrgForm(MapForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.CharField(label=_("Organisation code"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartyOrgKind.choices)
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=_("Area it sits on"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("For a territorial organisation."),
    )
    unit = forms.ModelChoiceField(
        label=_("Resident unit"),
        queryset=ResidentUnit.objects.none(),
        required=False,
        help_text=_("For a unit's own organisation: it sits where its unit sits."),
    )
    parent = forms.ModelChoiceField(
        label=_("Higher organisation"), queryset=PartyOrg.objects.none(), required=False
    )
    secretary = forms.CharField(label=_("Secretary"), max_length=60, required=False)
    since = _date(_("Established on"))
    until = _date(_("Dissolved on"), help_text=_("Leave empty while the organisation exists."))

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
            self.fields["since"].required = True
        else:
            del self.fields["until"]
            area_field = self.fields["area"]
            assert isinstance(area_field, forms.ModelChoiceField)
            _setup_area_field(area_field, actor=self.actor, include=[area])
            unit_field = self.fields["unit"]
            assert isinstance(unit_field, forms.ModelChoiceField)
            units = selectors.unit_list(actor=self.actor)
            unit_field.queryset = units
            _show_choices(unit_field, units.order_by("name_key")[:CHOICE_DISPLAY_LIMIT], include=[unit])
            if area is not None:
                area_field.initial = area.pk
            if unit is not None:
                unit_field.initial = unit.pk
        parent_field = self.fields["parent"]
        assert isinstance(parent_field, forms.ModelChoiceField)
        orgs = selectors.party_org_list(actor=self.actor)
        if org is not None:
            orgs = orgs.exclude(pk=org.pk)
        parent_field.queryset = orgs
        _show_choices(
            parent_field, _orgs_to_show(orgs), label=_org_label, include=[org.parent if org else None]
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        if self.org is None and not data.get("since"):
            data.pop("since", None)
        return data


class PartyOrgFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *PartyOrgKind.choices]
    )
    within = forms.IntegerField(required=False, widget=forms.HiddenInput)


# --- alliances -----------------------------------------------------------------------------


class AllianceForm(MapForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    level = forms.ChoiceField(label=_("Level"), choices=AllianceLevel.choices)
    convener = forms.ModelChoiceField(
        label=_("Convening organisation"),
        queryset=PartyOrg.objects.none(),
        help_text=_("A territorial Party organisation; the alliance sits on its area."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea({"rows": 4}))
    since = _date(_("Founded on"))
    until = _date(_("Ended on"), help_text=_("Leave empty while the alliance is active."))

    def __init__(
        self, *args: Any, alliance: Any = None, convener: PartyOrg | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.alliance = alliance
        if alliance is not None:
            del self.fields["convener"]
            self.fields["since"].required = True
        else:
            del self.fields["until"]
            field = self.fields["convener"]
            assert isinstance(field, forms.ModelChoiceField)
            conveners = selectors.party_org_list(actor=self.actor).filter(unit__isnull=True)
            field.queryset = conveners
            _show_choices(field, _orgs_to_show(conveners), label=_org_label, include=[convener])
            if convener is not None:
                field.initial = convener.pk

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        if self.alliance is None and not data.get("since"):
            data.pop("since", None)
        return data


class AllianceMemberForm(MapForm):
    unit = forms.ModelChoiceField(label=_("Resident unit"), queryset=ResidentUnit.objects.none())
    representative = forms.CharField(label=_("Representative"), max_length=60, required=False)
    representative_title = forms.CharField(label=_("Representative's title"), max_length=60, required=False)
    since = _date(_("Member since"), help_text=_("Leave empty for the default date."))

    def __init__(self, *args: Any, q: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        units = selectors.unit_list(actor=self.actor)
        field.queryset = units
        shown = selectors.unit_list(actor=self.actor, q=q) if q else units
        _show_choices(
            field,
            shown.order_by("name_key")[:CHOICE_DISPLAY_LIMIT],
            label=lambda u: f"{u.name} · {u.area.name}",
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        if not data.get("since"):
            data.pop("since", None)
        return data


class MembershipEndForm(forms.Form):
    until = forms.DateField(label=_("Membership ends on"), widget=DateInput())


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
