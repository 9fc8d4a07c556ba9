"""Forms of demands, resources and claims. Choices come from the selectors (what the actor may
pick); the services decide everything else."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.accounts.actor import Actor
from gongjian.cobuild.models import JointMeeting
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit
from gongjian.web.forms import ActorForm, date_field, filter_choice, model_field, offer, one_of, search_field

from ..models import (
    Category,
    ClaimStatus,
    Demand,
    DemandKind,
    DemandStatus,
    Resource,
    ResourceKind,
    ResourceStatus,
    Urgency,
)
from ..selectors import claims as selectors
from ..services import claims as services

# --- filters -----------------------------------------------------------------------------------


class DemandFilterForm(forms.Form):
    q = search_field(pgettext_lazy("field", "Name or pinyin initials"))
    status = forms.ChoiceField(
        label=pgettext_lazy("field", "Status"),
        required=False,
        choices=[("", _("All statuses")), ("open", _("Open (published, not done)")), *DemandStatus.choices],
    )
    category = filter_choice(
        pgettext_lazy("field", "Category"), Category.choices, everything=_("All categories")
    )
    urgency = filter_choice(pgettext_lazy("field", "Urgency"), Urgency.choices, everything=_("Any urgency"))
    kind = filter_choice(pgettext_lazy("field", "Kind"), DemandKind.choices, everything=_("All kinds"))


class ResourceFilterForm(forms.Form):
    q = search_field(pgettext_lazy("field", "Name or pinyin initials"))
    status = filter_choice(
        pgettext_lazy("field", "Status"), ResourceStatus.choices, everything=_("All statuses")
    )
    category = filter_choice(
        pgettext_lazy("field", "Category"), Category.choices, everything=_("All categories")
    )
    kind = filter_choice(pgettext_lazy("field", "Kind"), ResourceKind.choices, everything=_("All kinds"))


class ClaimFilterForm(forms.Form):
    status = filter_choice(
        pgettext_lazy("field", "Status"), ClaimStatus.choices, everything=_("All statuses")
    )


# --- demands -----------------------------------------------------------------------------------


class DemandForm(ActorForm):
    """Raise a demand: on a list the actor keeps (administrators) or for their unit (liaisons)."""

    owner_org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "On the list of"), queryset=PartyOrg.objects.none(), required=False
    )
    raised_by_unit = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Raised for the unit"),
        queryset=ResidentUnit.objects.none(),
        required=False,
    )
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("Where it is needed; defaults to the list's area."),
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("field", "Kind"), choices=DemandKind.choices, initial=DemandKind.GENERAL
    )
    name = forms.CharField(label=pgettext_lazy("field", "What is needed"), max_length=120)
    category = forms.ChoiceField(label=pgettext_lazy("field", "Category"), choices=Category.choices)
    description = forms.CharField(
        label=pgettext_lazy("field", "Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.IntegerField(label=pgettext_lazy("field", "Quantity"), min_value=1, initial=1)
    measure = forms.CharField(
        label=pgettext_lazy("field", "Measure (人, 场, 张…)"), max_length=20, required=False
    )
    place = forms.CharField(label=pgettext_lazy("field", "Place"), max_length=200, required=False)
    deadline = date_field(pgettext_lazy("field", "Deadline"))
    urgency = forms.ChoiceField(
        label=pgettext_lazy("field", "Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    requester_first_name = forms.CharField(
        label=pgettext_lazy("field", "Micro-wish: first name shown (e.g. 李奶奶)"),
        max_length=20,
        required=False,
    )
    requester_name = forms.CharField(
        label=pgettext_lazy("field", "Micro-wish: requester's full name (confidential)"),
        max_length=60,
        required=False,
    )
    requester_contact = forms.CharField(
        label=pgettext_lazy("field", "Micro-wish: requester's contact (confidential)"),
        max_length=100,
        required=False,
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        orgs = selectors.owner_org_choices(actor=actor)
        units = selectors.actor_units_choices(actor=actor)
        offer(model_field(self, "owner_org"), orgs)
        offer(model_field(self, "raised_by_unit"), units)
        offer(model_field(self, "area"), selectors.area_choices(actor=actor))
        if not orgs.exists():
            del self.fields["owner_org"]
            del self.fields["area"]
        if not units.exists():
            del self.fields["raised_by_unit"]
        # One of the two says whose list the demand goes on: required when it is the only one (and
        # then preselected by the form page when it offers exactly one choice).
        whose = [n for n in ("owner_org", "raised_by_unit") if n in self.fields]
        if len(whose) == 1:
            self.fields[whose[0]].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        whose = [n for n in ("owner_org", "raised_by_unit") if n in self.fields]
        if len(whose) == 2 and not (data.get("owner_org") or data.get("raised_by_unit")):
            self.add_error("owner_org", _("Choose the list, or the unit the demand is raised for."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data.setdefault("description", "")
        return data


class DemandEditForm(forms.Form):
    """The fields of a demand that change while it waits for review."""

    name = forms.CharField(label=pgettext_lazy("field", "What is needed"), max_length=120)
    category = forms.ChoiceField(label=pgettext_lazy("field", "Category"), choices=Category.choices)
    description = forms.CharField(
        label=pgettext_lazy("field", "Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    quantity = forms.IntegerField(label=pgettext_lazy("field", "Quantity"), min_value=1)
    measure = forms.CharField(
        label=pgettext_lazy("field", "Measure (人, 场, 张…)"), max_length=20, required=False
    )
    place = forms.CharField(label=pgettext_lazy("field", "Place"), max_length=200, required=False)
    deadline = date_field(pgettext_lazy("field", "Deadline"))
    urgency = forms.ChoiceField(label=pgettext_lazy("field", "Urgency"), choices=Urgency.choices)

    def __init__(self, *args: Any, demand: Demand, **kwargs: Any) -> None:
        kwargs["initial"] = {name: getattr(demand, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class ResidentDemandForm(forms.Form):
    """What a resident needs for their community: a few fields, fit for a phone."""

    name = forms.CharField(label=pgettext_lazy("field", "What does the community need?"), max_length=120)
    category = forms.ChoiceField(label=pgettext_lazy("field", "Category"), choices=Category.choices)
    description = forms.CharField(
        label=pgettext_lazy("field", "Tell us more"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    place = forms.CharField(label=pgettext_lazy("field", "Where"), max_length=200, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("field", "Decision"),
        choices=[("publish", _("Publish it on the list")), ("reject", _("Reject it"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=pgettext_lazy("field", "Reason"),
        max_length=300,
        required=False,
        help_text=_("Required to reject; the one who raised it reads it."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=300)


class DemandClaimForm(ActorForm):
    """Claim a demand: for one of the actor's units, as a member (a micro-wish), or recorded for a
    unit at a held joint meeting."""

    unit = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Claiming unit"), queryset=ResidentUnit.objects.none(), required=False
    )
    as_member = forms.BooleanField(
        label=pgettext_lazy("field", "I claim it myself, as a Party member"), required=False
    )
    meeting = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Claimed at joint meeting"),
        queryset=JointMeeting.objects.none(),
        required=False,
        help_text=_("Leave empty for a claim made online."),
    )
    quantity = forms.IntegerField(label=pgettext_lazy("field", "Quantity"), min_value=1, initial=1)
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=300, required=False)

    def __init__(self, *args: Any, actor: Actor, demand: Demand, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        own = [u.pk for u in services.demand_claim_units(actor=actor, demand=demand)]
        meetings = selectors.meeting_choices(actor=actor).filter(
            pk__in=[
                m.pk
                for m in selectors.meeting_choices(actor=actor)
                if demand.area.path.startswith(m.area.path)
            ]
        )
        units = selectors.unit_choices(actor=actor)
        if not meetings.exists():
            units = units.filter(pk__in=own)
            del self.fields["meeting"]
        else:
            offer(model_field(self, "meeting"), meetings)
        offer(model_field(self, "unit"), units)
        one_of(self.fields["unit"])  # or as a member: the only unit starts chosen
        if not units.exists():
            del self.fields["unit"]
        if not services.demand_claim_as_member_allowed(actor=actor, demand=demand):
            del self.fields["as_member"]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "unit": data.get("unit"),
            "as_member": bool(data.get("as_member")),
            "meeting": data.get("meeting"),
            "quantity": data["quantity"],
            "note": data.get("note") or "",
        }


class DemandAssignForm(ActorForm):
    meeting = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Joint meeting"), queryset=JointMeeting.objects.none()
    )
    unit = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Assigned to the unit"), queryset=ResidentUnit.objects.none()
    )
    quantity = forms.IntegerField(
        label=pgettext_lazy("field", "Quantity"),
        min_value=1,
        required=False,
        help_text=_("Empty: all that remains."),
    )

    def __init__(self, *args: Any, actor: Actor, demand: Demand, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        meetings = [
            m.pk for m in selectors.meeting_choices(actor=actor) if demand.area.path.startswith(m.area.path)
        ]
        offer(model_field(self, "meeting"), selectors.meeting_choices(actor=actor).filter(pk__in=meetings))
        offer(model_field(self, "unit"), selectors.unit_choices(actor=actor))


# --- resources ---------------------------------------------------------------------------------


class ResourceForm(ActorForm):
    provider = forms.ChoiceField(label=pgettext_lazy("field", "Offered by"))
    name = forms.CharField(label=pgettext_lazy("field", "What is offered"), max_length=120)
    kind = forms.ChoiceField(label=pgettext_lazy("field", "Kind"), choices=ResourceKind.choices)
    category = forms.ChoiceField(label=pgettext_lazy("field", "Category"), choices=Category.choices)
    description = forms.CharField(
        label=pgettext_lazy("field", "Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    capacity = forms.IntegerField(label=pgettext_lazy("field", "Capacity"), min_value=1, initial=1)
    measure = forms.CharField(
        label=pgettext_lazy("field", "Measure (人, 场, 次…)"), max_length=20, required=False
    )
    available_from = date_field(pgettext_lazy("field", "Available from"))
    available_until = date_field(pgettext_lazy("field", "Available until"))
    radius_km = forms.DecimalField(
        label=pgettext_lazy("field", "Service radius (km)"), max_digits=6, decimal_places=2, required=False
    )
    service_areas: forms.ModelMultipleChoiceField[Area] = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("field", "Areas served"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("None chosen: the district it sits in."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        choices: list[tuple[str, str]] = [
            (f"unit:{u.pk}", u.name) for u in selectors.actor_units_choices(actor=actor)
        ]
        choices += [(f"org:{o.pk}", o.name) for o in selectors.owner_org_choices(actor=actor)]
        if selectors.actor_member(actor) is not None:
            choices.append(("member", str(_("Myself, as a Party member"))))
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ChoiceField)
        provider.choices = choices
        offer(model_field(self, "service_areas"), selectors.service_area_choices(actor=actor))

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        provider = data.pop("provider")
        kind, _sep, pk = provider.partition(":")
        if kind == "unit":
            data["provider_unit"] = selectors.actor_units_choices(actor=self.actor).get(pk=int(pk))
        elif kind == "org":
            data["provider_org"] = selectors.owner_org_choices(actor=self.actor).get(pk=int(pk))
        else:
            data["as_member"] = True
        data["service_areas"] = list(data.get("service_areas") or [])
        return data


class ResourceClaimForm(ActorForm):
    org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Claiming community"), queryset=PartyOrg.objects.none()
    )
    meeting = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Claimed at joint meeting"),
        queryset=JointMeeting.objects.none(),
        required=False,
        help_text=_("Leave empty for a claim made online."),
    )
    quantity = forms.IntegerField(label=pgettext_lazy("field", "Quantity"), min_value=1, initial=1)
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=300, required=False)

    def __init__(self, *args: Any, actor: Actor, resource: Resource, **kwargs: Any) -> None:
        super().__init__(*args, actor=actor, **kwargs)
        orgs = [o.pk for o in services.resource_claim_orgs(actor=actor, resource=resource)]
        offer(model_field(self, "org"), selectors.owner_org_choices(actor=actor).filter(pk__in=orgs))
        meetings = selectors.meeting_choices(actor=actor)
        if meetings.exists():
            offer(model_field(self, "meeting"), meetings)
        else:
            del self.fields["meeting"]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "org": data["org"],
            "meeting": data.get("meeting"),
            "quantity": data["quantity"],
            "note": data.get("note") or "",
        }
