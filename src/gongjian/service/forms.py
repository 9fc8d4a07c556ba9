"""Forms of the service pages; choices come from the selectors, scoped to the actor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.accounts.actor import Actor
from gongjian.lists.models import Project
from gongjian.lists.selectors.projects import project_list
from gongjian.members.models import Member
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit
from gongjian.web.forms import ActorForm, DateTimeInput, model_field, offer
from gongjian.web.past_dates import ask_past_start, past_start_field

from . import selectors
from .models import (
    ApproverRole,
    Audience,
    CapPeriod,
    DutyKind,
    OrganiserKind,
    PointsRule,
    RuleBasis,
    ServiceTeam,
    Volunteer,
)

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})


def _areas(actor: Actor) -> Any:
    return org_selectors.area_list(actor=actor).filter(level__lte=Level.COMPOUND).order_by("path")


class TeamForm(ActorForm):
    name = forms.CharField(label=pgettext_lazy("field", "Name"), max_length=120)
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area"), queryset=Area.objects.none()
    )
    org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Organising Party organisation"),
        queryset=PartyOrg.objects.none(),
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Organising unit"), queryset=ResidentUnit.objects.none(), required=False
    )
    description = forms.CharField(
        label=pgettext_lazy("field", "Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    since = forms.DateField(label=pgettext_lazy("field", "Active since"), widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "area"), _areas(self.actor))
        offer(model_field(self, "org"), org_selectors.party_org_list(actor=self.actor))
        offer(model_field(self, "unit"), org_selectors.unit_list(actor=self.actor))


class TeamMemberForm(ActorForm):
    member = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Party member"), queryset=Member.objects.none(), required=False
    )
    volunteer = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Volunteer"), queryset=Volunteer.objects.none(), required=False
    )
    leader = forms.BooleanField(label=pgettext_lazy("field", "Team leader"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "member"), selectors.member_choices(actor=self.actor))
        model_field(self, "volunteer").queryset = selectors.volunteer_list(actor=self.actor)


class DutyForm(forms.Form):
    kind = forms.ChoiceField(label=pgettext_lazy("field", "Kind"), choices=DutyKind.choices)
    weekdays = forms.CharField(
        label=pgettext_lazy("field", "Days"),
        max_length=13,
        required=False,
        help_text=_("Digits 1 (Monday) to 7 (Sunday), e.g. 135"),
    )
    starts = forms.TimeField(label=pgettext_lazy("field", "From"), widget=TIME, required=False)
    ends = forms.TimeField(label=pgettext_lazy("field", "To"), widget=TIME, required=False)
    route = forms.CharField(
        label=pgettext_lazy("field", "Route or households"), max_length=300, required=False
    )
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=200, required=False)


class TeamStatusForm(forms.Form):
    on = forms.DateField(label=pgettext_lazy("field", "On"), widget=DATE, required=False)
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=200, required=False)


class VolunteerForm(ActorForm):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=120)
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area"), queryset=Area.objects.none()
    )
    phone = forms.CharField(label=pgettext_lazy("field", "Phone"), max_length=20, required=False)
    volunteer_no = forms.CharField(
        label=pgettext_lazy("field", "Volunteer number"),
        max_length=40,
        required=False,
        help_text=_("Stands in for an ID number"),
    )
    skills = forms.CharField(label=pgettext_lazy("field", "Skills"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "area"), _areas(self.actor))


class RevealForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("field", "Why do you need the full number?"), max_length=300)


class ActivityForm(ActorForm):
    title = forms.CharField(label=pgettext_lazy("field", "Title"), max_length=200)
    organiser_kind = forms.ChoiceField(
        label=pgettext_lazy("field", "Organised by"), choices=OrganiserKind.choices
    )
    org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Community Party organisation"),
        queryset=PartyOrg.objects.none(),
        required=False,
    )
    team = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Service team"), queryset=ServiceTeam.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Resident unit"), queryset=ResidentUnit.objects.none(), required=False
    )
    project = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Co-building project"), queryset=Project.objects.none(), required=False
    )
    place = forms.CharField(label=pgettext_lazy("field", "Place"), max_length=200)
    starts_at = forms.DateTimeField(label=pgettext_lazy("field", "Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=pgettext_lazy("field", "Ends at"), widget=DateTimeInput())
    signup_limit = forms.IntegerField(
        label=pgettext_lazy("field", "Sign-up limit"), min_value=1, required=False
    )
    audience = forms.ChoiceField(
        label=pgettext_lazy("field", "Open to"), choices=Audience.choices, initial=Audience.AREA
    )
    description = forms.CharField(
        label=pgettext_lazy("field", "Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    recorded_after_the_fact = past_start_field(pgettext_lazy("field", "I am recording a past activity"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ask_past_start(self)
        orgs = org_selectors.party_org_list(actor=self.actor).filter(
            unit__isnull=True, area__level=Level.COMMUNITY
        )
        offer(model_field(self, "org"), orgs)
        model_field(self, "team").queryset = selectors.team_list(actor=self.actor, active=True)
        offer(model_field(self, "unit"), org_selectors.unit_list(actor=self.actor))
        model_field(self, "project").queryset = project_list(actor=self.actor)


class AttendanceForm(ActorForm):
    member = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Party member"), queryset=Member.objects.none(), required=False
    )
    volunteer = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Volunteer"), queryset=Volunteer.objects.none(), required=False
    )
    signed_in_at = forms.DateTimeField(label=pgettext_lazy("field", "Signed in"), widget=DateTimeInput())
    signed_out_at = forms.DateTimeField(
        label=pgettext_lazy("field", "Signed out"), widget=DateTimeInput(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "member"), selectors.member_choices(actor=self.actor))
        model_field(self, "volunteer").queryset = selectors.volunteer_list(actor=self.actor)


class VerifyForm(forms.Form):
    hours = forms.DecimalField(
        label=pgettext_lazy("field", "Hours"), max_digits=6, decimal_places=2, min_value=0, required=False
    )
    reason = forms.CharField(
        label=pgettext_lazy("field", "Reason (if the hours differ)"), max_length=300, required=False
    )


class HoursLogForm(ActorForm):
    on = forms.DateField(label=pgettext_lazy("field", "Date"), widget=DATE, initial=timezone.localdate)
    hours = forms.DecimalField(
        label=pgettext_lazy("field", "Hours"),
        max_digits=6,
        decimal_places=2,
        min_value=0,
        help_text=_("In quarters of an hour, e.g. 1.5"),
    )
    description = forms.CharField(label=pgettext_lazy("field", "What you did"), max_length=300)
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Community"), queryset=Area.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        homes = selectors.actor_homes(self.actor)
        offer(model_field(self, "area"), Area.objects.filter(path__in=homes))


class HoursDecideForm(forms.Form):
    hours = forms.DecimalField(
        label=pgettext_lazy("field", "Hours"), max_digits=6, decimal_places=2, min_value=0, required=False
    )
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=300, required=False)


class HoursCorrectForm(forms.Form):
    hours = forms.DecimalField(
        label=pgettext_lazy("field", "Hours"), max_digits=6, decimal_places=2, min_value=0
    )
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=300)


class RuleForm(ActorForm):
    name = forms.CharField(label=pgettext_lazy("field", "Name"), max_length=120)
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area"), queryset=Area.objects.none()
    )
    basis = forms.ChoiceField(label=pgettext_lazy("field", "Earned"), choices=RuleBasis.choices)
    points = forms.DecimalField(
        label=pgettext_lazy("field", "Points per unit"), max_digits=6, decimal_places=2, min_value=0
    )
    deduction = forms.BooleanField(label=pgettext_lazy("field", "Deducts points"), required=False)
    description = forms.CharField(
        label=pgettext_lazy("field", "What earns or costs points"), max_length=300, required=False
    )
    cap = forms.DecimalField(
        label=pgettext_lazy("field", "Cap per period"), max_digits=8, decimal_places=2, required=False
    )
    cap_period = forms.ChoiceField(
        label=pgettext_lazy("field", "Cap period"), choices=CapPeriod.choices, initial=CapPeriod.YEAR
    )
    evidence_required = forms.BooleanField(label=pgettext_lazy("field", "Evidence required"), required=False)
    approver_role = forms.ChoiceField(
        label=pgettext_lazy("field", "Approved by"), choices=ApproverRole.choices
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "area"), _areas(self.actor).filter(level__lte=Level.COMMUNITY))


class ClaimForm(ActorForm):
    rule = forms.ModelChoiceField(label=pgettext_lazy("field", "Rule"), queryset=PointsRule.objects.none())
    on = forms.DateField(label=pgettext_lazy("field", "Date"), widget=DATE, initial=timezone.localdate)
    units = forms.DecimalField(
        label=pgettext_lazy("field", "Units"), max_digits=8, decimal_places=2, min_value=0, initial=1
    )
    evidence = forms.CharField(label=pgettext_lazy("field", "Evidence"), max_length=500, required=False)
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = selectors.points_rule_list(actor=self.actor, active=True).filter(basis=RuleBasis.PER_CLAIM)
        model_field(self, "rule").queryset = rules


class DecisionForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("field", "Reason"), max_length=300, required=False)


class QuarterForm(forms.Form):
    year = forms.IntegerField(label=pgettext_lazy("field", "Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=pgettext_lazy("field", "Quarter"), choices=[(q, str(q)) for q in range(1, 5)], coerce=int
    )
