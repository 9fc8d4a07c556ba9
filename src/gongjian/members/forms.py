"""Forms of the ledger pages.

Like the map's forms they check formats only; what an actor may do is for the services to decide.
Every choice over areas, units, organisations or members is built from the selectors with the
actor. Inputs for a clear ID or phone number never write their value back into the page: after an
error the number is typed again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.core.search import name_search_q
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit
from gongjian.orgs.pages import offer_areas, offer_orgs, org_label, orgs_to_show, setup_area_field
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
    show_choices,
)

from . import selectors
from .models import (
    Category,
    ContactKind,
    Education,
    Gender,
    Member,
    MemberStatus,
    ReportStatus,
    Standing,
)


def _secret_input(**attrs: str) -> NoEchoTextInput:
    return NoEchoTextInput(
        attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off", **attrs}
    )


def _member_label(member: Member) -> str:
    return f"{member.name} · {member.id_number_masked}"


def _keep_if_visible(form: forms.Form, name: str, rows: QuerySet[Any], current: Model | None) -> None:
    """Offer ``rows`` in field ``name``; drop the field when the current value is not among them
    (it cannot be changed from this page, and keeping it would reject the form)."""
    if current is not None and not rows.filter(pk=current.pk).exists():
        del form.fields[name]
        return
    offer(model_field(form, name), rows, include=[current])


# --- filters -------------------------------------------------------------------------------


class LedgerFilterForm(forms.Form):
    q = search_field(pgettext_lazy("field", "Name or pinyin initials"))
    status = filter_choice(
        pgettext_lazy("field", "Status"), MemberStatus.choices, everything=_("All statuses")
    )
    standing = filter_choice(
        pgettext_lazy("field", "Standing"), Standing.choices, everything=_("Full and probationary")
    )
    on = forms.DateField(label=pgettext_lazy("field", "On"), required=False, widget=DateInput())


class MemberFilterForm(forms.Form):
    q = search_field(pgettext_lazy("field", "Name or pinyin initials"))
    status = filter_choice(
        pgettext_lazy("field", "Status"), MemberStatus.choices, everything=_("All statuses")
    )
    standing = filter_choice(
        pgettext_lazy("field", "Standing"), Standing.choices, everything=_("Full and probationary")
    )


class ReportFilterForm(forms.Form):
    status = filter_choice(pgettext_lazy("field", "Status"), ReportStatus.choices, everything=_("All"))


class TransferFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=pgettext_lazy("field", "Show"),
        required=False,
        choices=[("open", _("Open")), ("closed", _("Closed")), ("all", _("All"))],
    )


# --- members -------------------------------------------------------------------------------


class MemberForm(ActorForm):
    """A new member (``member`` is None) or the data of one that may change."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=120)
    id_number = forms.CharField(
        label=pgettext_lazy("field", "ID number"),
        max_length=18,
        min_length=18,
        widget=_secret_input(),
        help_text=_("18 characters. Stored encrypted and shown masked; type it again after an error."),
    )
    phone = forms.CharField(
        label=pgettext_lazy("field", "Phone"),
        max_length=20,
        required=False,
        validators=[PHONE_FORMAT],
        widget=_secret_input(inputmode="tel"),
    )
    clear_phone = forms.BooleanField(label=pgettext_lazy("field", "Remove the phone number"), required=False)
    gender = filter_choice(
        pgettext_lazy("field", "Gender"), Gender.choices, everything=_("As the ID number says")
    )
    birth_date = date_field(
        pgettext_lazy("field", "Birth date"), help_text=_("Leave empty to take it from the ID number.")
    )
    ethnicity = forms.CharField(label=pgettext_lazy("field", "Ethnicity"), max_length=20, initial="汉族")
    education = forms.ChoiceField(
        label=pgettext_lazy("field", "Education"),
        required=False,
        choices=[("", "---------"), *Education.choices],
    )
    joined_on = date_field(pgettext_lazy("field", "Joined the Party on"), required=True)
    standing = forms.ChoiceField(
        label=pgettext_lazy("field", "Standing"), choices=Standing.choices, initial=Standing.FULL
    )
    status = forms.ChoiceField(label=pgettext_lazy("field", "Status"), choices=MemberStatus.choices)
    org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Organisation holding the membership"), queryset=PartyOrg.objects.none()
    )
    residence: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Residence"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Down to the compound or building where known."),
    )
    work_unit = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Work unit"), queryset=ResidentUnit.objects.none(), required=False
    )
    work_unit_name = forms.CharField(
        label=pgettext_lazy("field", "Work unit (not in the system)"), max_length=120, required=False
    )
    volunteer_no = forms.CharField(
        label=pgettext_lazy("field", "Volunteer number"), max_length=40, required=False
    )
    categories = forms.MultipleChoiceField(
        label=pgettext_lazy("field", "Ledgers"),
        required=False,
        choices=Category.choices,
        widget=forms.SelectMultiple(attrs={"size": len(Category.choices)}),
        help_text=_("The ledgers (and flags) the member starts in; several may be chosen."),
    )
    since = date_field(
        pgettext_lazy("field", "In these ledgers since"), help_text=_("Leave empty for the date of joining.")
    )

    def __init__(
        self,
        *args: Any,
        member: Member | None = None,
        org: PartyOrg | None = None,
        area: Area | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        actor = self.actor
        units = org_selectors.unit_list(actor=actor)
        if member is None:
            for name in ("clear_phone", "status"):
                del self.fields[name]
            offer_orgs(model_field(self, "org"), org_selectors.party_org_list(actor=actor), include=[org])
            if org is not None:
                self.fields["org"].initial = org.pk
            offer_areas(
                model_field(self, "residence"), selectors.residence_choices(actor=actor), include=[area]
            )
            if area is not None:
                self.fields["residence"].initial = area.pk
            _keep_if_visible(self, "work_unit", units.order_by("name_key"), None)
        else:
            # What the ID number says, and where the membership is held, do not change here.
            for name in ("id_number", "gender", "birth_date", "joined_on", "org", "categories", "since"):
                del self.fields[name]
            self.fields["phone"].help_text = _("Leave empty to keep the current number (%(masked)s).") % {
                "masked": member.phone_masked or _("none")
            }
            areas = selectors.residence_choices(actor=actor)
            if member.residence is not None and not areas.filter(pk=member.residence.pk).exists():
                del self.fields["residence"]
            else:
                offer_areas(model_field(self, "residence"), areas, include=[member.residence])
            _keep_if_visible(self, "work_unit", units.order_by("name_key"), member.work_unit)

    def service_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``member_create`` / ``member_update``."""
        data = self.values()
        phone = (data.pop("phone", "") or "").strip()
        clear = bool(data.pop("clear_phone", False))
        for name in ("education", "work_unit_name", "volunteer_no"):
            if name in data:
                data[name] = data[name] or ""
        if self.member is None:
            data["phone"] = phone
            data["gender"] = data.get("gender") or None
            data["categories"] = list(data.get("categories") or [])
            data["id_number"] = (data.get("id_number") or "").strip().upper()
        elif clear:
            data["phone"] = ""
        elif phone:
            data["phone"] = phone
        return data


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=pgettext_lazy("field", "Which number"),
        choices=[("id_number", _("ID number")), ("phone", _("Phone"))],
        initial="id_number",
    )
    reason = forms.CharField(
        label=pgettext_lazy("field", "Why do you need the full number?"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_("Your reason is kept in the audit log with your name and the time."),
    )


class CategoryAddForm(ActorForm):
    category = forms.ChoiceField(label=pgettext_lazy("field", "Ledger or flag"), choices=Category.choices)
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Listed at"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Leave empty for the usual place of this ledger."),
    )
    since = date_field(pgettext_lazy("field", "Since"), help_text=_("Leave empty for today."))
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        setup_area_field(model_field(self, "area"), actor=self.actor)


class EndForm(forms.Form):
    until = forms.DateField(label=pgettext_lazy("field", "Ends on"), widget=DateInput())

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"until": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["until"].label = label


class WithdrawForm(EndForm):
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=200)


class LinkUserForm(forms.Form):
    username = forms.CharField(
        label=pgettext_lazy("field", "User name of the account"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}),
        help_text=_("The name the member signs in with. Leave empty to remove the link."),
    )


# --- co-management (队伍共管) ----------------------------------------------------------------


def _unit_member_label(member: Member) -> str:
    unit = member.work_unit or member.org.unit
    return f"{member.name} · {member.id_number_masked} · {unit.name if unit else '–'}"


class CoManagementForm(ActorForm):
    community: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Community"), queryset=Area.objects.none()
    )
    member = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Member of a resident unit"), queryset=Member.objects.none()
    )
    unit = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Resident unit"),
        queryset=ResidentUnit.objects.none(),
        required=False,
        help_text=_("Leave empty for the member's work unit."),
    )
    since = date_field(pgettext_lazy("field", "Takes part since"), help_text=_("Leave empty for today."))

    def __init__(self, *args: Any, area: Area, q: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = org_selectors.area_list(actor=self.actor, within=area, level=Level.COMMUNITY)
        field = model_field(self, "community")
        offer(field, communities)
        community = area if area.level == Level.COMMUNITY else communities.first()
        if community is not None:
            field.initial = community.pk
        members = model_field(self, "member")
        members.queryset = (
            selectors.co_management_member_choices(actor=self.actor, community=community, q=q)
            if community is not None
            else Member.objects.none()
        )
        show_choices(members, members.queryset[:CHOICE_DISPLAY_LIMIT], label=_unit_member_label)
        # The units of the members offered: a member's work unit or the unit holding the membership.
        units = model_field(self, "unit")
        units.queryset = ResidentUnit.objects.filter(
            Q(pk__in=members.queryset.values("work_unit_id"))
            | Q(pk__in=members.queryset.values("org__unit_id"))
        ).order_by("name_key", "pk")
        show_choices(units, units.queryset[:CHOICE_DISPLAY_LIMIT])

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        if not data.get("since"):
            data.pop("since", None)
        return data


# --- dual reporting ------------------------------------------------------------------------


class MemberReportForm(ActorForm):
    community: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Community"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Leave empty for the community where the member lives."),
    )
    skills = forms.CharField(label=pgettext_lazy("field", "Skills"), max_length=200, required=False)
    preferences = forms.CharField(
        label=pgettext_lazy("field", "Service preferences"), max_length=200, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any community is accepted (people register where they live); the actor's own are listed.
        shown = org_selectors.area_list(actor=self.actor, level=Level.COMMUNITY)
        if shown.exists():
            offer(
                model_field(self, "community"),
                selectors.community_choices(actor=self.actor),
                shown=shown[:CHOICE_DISPLAY_LIMIT],
            )
        else:
            del self.fields["community"]


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("decline", _("Decline"))])


class ContactForm(forms.Form):
    on = forms.DateField(label=pgettext_lazy("field", "Date"), widget=DateInput())
    kind = forms.ChoiceField(label=pgettext_lazy("field", "Kind"), choices=ContactKind.choices)
    description = forms.CharField(label=pgettext_lazy("field", "What was done"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class UnitReportForm(ActorForm):
    org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "The unit's Party organisation"), queryset=PartyOrg.objects.none()
    )
    community: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Community it sits in"), queryset=Area.objects.none()
    )
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = org_selectors.party_org_list(actor=self.actor).filter(unit__isnull=False)
        offer_orgs(model_field(self, "org"), orgs)
        communities = selectors.report_communities(actor=self.actor)
        field = model_field(self, "community")
        offer(field, communities)


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=pgettext_lazy("field", "Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=pgettext_lazy("field", "Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)]
    )


# --- mobile members and stations -----------------------------------------------------------


class MobileRecordForm(forms.Form):
    destination = forms.CharField(label=pgettext_lazy("field", "Destination"), max_length=120)
    since = forms.DateField(label=pgettext_lazy("field", "Away since"), widget=DateInput())
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=200, required=False)
    card_no = forms.CharField(
        label=pgettext_lazy("field", "Activity card number"), max_length=40, required=False
    )
    contact = forms.CharField(
        label=pgettext_lazy("field", "Contact phone while away"),
        max_length=20,
        required=False,
        validators=[PHONE_FORMAT],
        widget=_secret_input(inputmode="tel"),
        help_text=_("Stored encrypted and shown masked."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"since": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReportBackForm(forms.Form):
    on = forms.DateField(label=pgettext_lazy("field", "Reported back on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class StationForm(ActorForm):
    name = forms.CharField(label=pgettext_lazy("field", "Name"), max_length=120)
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area"), queryset=Area.objects.none()
    )
    org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Party organisation running it"),
        queryset=PartyOrg.objects.none(),
        required=False,
    )
    address = forms.CharField(label=pgettext_lazy("field", "Address"), max_length=200, required=False)

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = model_field(self, "area")
        areas = org_selectors.area_list(actor=self.actor, within=area)
        offer(field, areas)
        field.initial = area.pk
        offer_orgs(model_field(self, "org"), org_selectors.party_org_list(actor=self.actor, within=area))


class CheckInForm(ActorForm):
    member = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Mobile member"), queryset=Member.objects.none(), required=False
    )
    id_number = forms.CharField(
        label=pgettext_lazy("field", "Or the ID number"),
        max_length=18,
        required=False,
        widget=_secret_input(),
        help_text=_("Found through the keyed index; the number is not stored with the check-in."),
    )
    purpose = forms.CharField(label=pgettext_lazy("field", "Purpose"), max_length=120, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(
            model_field(self, "member"),
            selectors.check_in_member_choices(actor=self.actor),
            label=_member_label,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = (data.get("id_number") or "").strip().upper()
        if number:
            try:
                found = selectors.check_in_member_find(actor=self.actor, id_number=number)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.messages) from None
            if found is None:
                raise forms.ValidationError(_("No member who may check in here has this ID number."))
            data["member"] = found
        if data.get("member") is None and not self.errors:
            raise forms.ValidationError(_("Choose the member or type their ID number."))
        return data


class SelfCheckInForm(forms.Form):
    purpose = forms.CharField(
        label=pgettext_lazy("field", "Purpose"),
        max_length=120,
        required=False,
        help_text=_("For example: Party lesson, activity, handing in dues."),
    )


# --- transfers -----------------------------------------------------------------------------


class TransferForm(ActorForm):
    to_org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "To the organisation"), queryset=PartyOrg.objects.none()
    )
    letter_no = forms.CharField(label=pgettext_lazy("field", "Letter number"), max_length=40)
    valid_days = forms.IntegerField(
        label=pgettext_lazy("field", "Valid for (days)"), min_value=1, max_value=90, initial=30
    )
    issued_on = date_field(pgettext_lazy("field", "Issued on"), help_text=_("Leave empty for today."))
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, member: Member, q: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any organisation may receive a letter; the list shows the actor's own, or those found by ``q``.
        destinations = selectors.transfer_destination_list(actor=self.actor).exclude(pk=member.org_id)
        if q:
            shown = destinations.filter(name_search_q(q)).select_related("area")
        else:
            shown = org_selectors.party_org_list(actor=self.actor).exclude(pk=member.org_id)
        offer(model_field(self, "to_org"), destinations, shown=orgs_to_show(shown), label=org_label)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        if not data.get("issued_on"):
            data.pop("issued_on", None)
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("field", "Why is the transfer rejected?"), max_length=200)


# --- household plaques ---------------------------------------------------------------------


class HouseholdForm(ActorForm):
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Community, compound or building"), queryset=Area.objects.none()
    )
    address = forms.CharField(label=pgettext_lazy("field", "Door (门牌)"), max_length=120)
    members = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("field", "Members living there"),
        queryset=Member.objects.none(),
        help_text=_("At least one full member."),
    )
    neighbours = forms.CharField(
        label=pgettext_lazy("field", "Neighbouring doors"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One door per line, 1 to 9 doors."),
    )
    awarded_by = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Awarded by (the street's Party organisation)"),
        queryset=PartyOrg.objects.none(),
    )
    plaque_no = forms.CharField(label=pgettext_lazy("field", "Plaque number"), max_length=40, required=False)
    since = date_field(pgettext_lazy("field", "Awarded on"), help_text=_("Leave empty for today."))

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = org_selectors.area_list(actor=self.actor, within=area).filter(level__gte=Level.COMMUNITY)
        field = model_field(self, "area")
        offer(field, areas)
        if area.level >= Level.COMMUNITY:
            field.initial = area.pk
        members = selectors.member_list(actor=self.actor, within=area)
        members_field = self.fields["members"]
        assert isinstance(members_field, forms.ModelMultipleChoiceField)
        offer(members_field, members)
        streets = org_selectors.party_org_list(actor=self.actor).filter(area__level=Level.STREET)
        offer_orgs(model_field(self, "awarded_by"), streets)

    def clean_neighbours(self) -> list[str]:
        doors = [line.strip() for line in str(self.cleaned_data["neighbours"]).splitlines()]
        return [d for d in doors if d]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        data["members"] = list(data["members"])
        if not data.get("since"):
            data.pop("since", None)
        return data
