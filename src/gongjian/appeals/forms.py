"""Forms of the appeal pages; choices come from the selectors, scoped to the actor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.orgs.models import Area, PartyOrg
from gongjian.web.forms import ActorForm, DateTimeInput, offer

from . import selectors
from .models import AppealKind, AppealStatus, CallBackChannel, CallBackResult, Channel, Rating
from .pick import PURPOSE

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


class _AreaField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(0, obj.depth - 4)}{obj.name}"


class RegisterForm(ActorForm):
    """Staff registering an appeal on a resident's behalf."""

    area = _AreaField(
        label=pgettext_lazy("field", "Where (community, compound or building)"), queryset=Area.objects.none()
    )
    channel = forms.ChoiceField(label=pgettext_lazy("field", "Came in by"), choices=Channel.choices)
    kind = forms.ChoiceField(label=pgettext_lazy("field", "Kind and time limit"), choices=AppealKind.choices)
    title = forms.CharField(label=pgettext_lazy("field", "What it is about"), max_length=200)
    description = forms.CharField(label=pgettext_lazy("field", "Details"), widget=TEXT, required=False)
    resident_name = forms.CharField(label=pgettext_lazy("field", "Resident's name"), max_length=60)
    phone = forms.CharField(label=pgettext_lazy("field", "Resident's phone"), max_length=20)
    registered_at = forms.DateTimeField(
        label=pgettext_lazy("field", "Came in at"),
        widget=DateTimeInput(),
        required=False,
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        offer(field, selectors.area_choices(actor=self.actor), purpose=PURPOSE)


class RaiseForm(ActorForm):
    """A resident raising an appeal online, for their own community."""

    area = _AreaField(
        label=pgettext_lazy("field", "Where (community, compound or building)"), queryset=Area.objects.none()
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("field", "Kind and time limit"), choices=AppealKind.choices, initial="general"
    )
    title = forms.CharField(label=pgettext_lazy("field", "What it is about"), max_length=200)
    description = forms.CharField(
        label=pgettext_lazy("field", "Details"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    resident_name = forms.CharField(label=pgettext_lazy("field", "Your name"), max_length=60)
    phone = forms.CharField(
        label=pgettext_lazy("field", "Your phone"),
        max_length=20,
        help_text=_("Stored encrypted; only the staff handling your appeal may see it, to call you back."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ModelChoiceField)
        offer(field, selectors.area_choices(actor=self.actor), purpose=PURPOSE)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("field", "Status"),
        choices=[("", _("Any status")), *AppealStatus.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=pgettext_lazy("field", "Kind"),
        choices=[("", _("Any kind")), *AppealKind.choices],
        required=False,
    )
    channel = forms.ChoiceField(
        label=pgettext_lazy("field", "Came in by"),
        choices=[("", _("Any channel")), *Channel.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=pgettext_lazy("field", "Overdue only"), required=False)
    not_called_back = forms.BooleanField(
        label=pgettext_lazy("field", "Closed, not called back"), required=False
    )
    handoff = forms.BooleanField(label=pgettext_lazy("field", "Handed to me, to accept"), required=False)
    open = forms.BooleanField(label=pgettext_lazy("field", "Open only"), required=False)
    date_from = forms.DateField(label=pgettext_lazy("field", "Registered from"), widget=DATE, required=False)
    date_to = forms.DateField(label=pgettext_lazy("field", "Registered to"), widget=DATE, required=False)
    q = forms.CharField(label=pgettext_lazy("field", "Number or title"), max_length=100, required=False)


RANK_LEVEL_CHOICES = [
    ("street", pgettext_lazy("field", "Streets")),
    ("community", pgettext_lazy("field", "Communities")),
    ("district", pgettext_lazy("field", "Districts")),
    ("unit", pgettext_lazy("field", "Handling units")),
]
PERIOD_CHOICES = [
    ("month", pgettext_lazy("field", "The month")),
    ("ytd", pgettext_lazy("field", "Year to the month's end")),
]


class MonthField(forms.DateField):
    """A month as ``YYYY-MM`` (the browser's month input); its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}


class RankingForm(forms.Form):
    """Which ranking: the level, the month, the month alone or the year to its end."""

    level = forms.ChoiceField(
        label=pgettext_lazy("field", "Rank"), choices=RANK_LEVEL_CHOICES, required=False
    )
    month = MonthField(label=pgettext_lazy("field", "Month"), required=False)
    period = forms.ChoiceField(label=pgettext_lazy("field", "Period"), choices=PERIOD_CHOICES, required=False)


class _OrgField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.area.name}）"


class AssignForm(ActorForm):
    org = _OrgField(
        label=pgettext_lazy("field", "Organisation to handle it"), queryset=PartyOrg.objects.none()
    )
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=500, required=False)
    at = forms.DateTimeField(
        label=pgettext_lazy("field", "At"),
        widget=DateTimeInput(),
        required=False,
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ModelChoiceField)
        offer(field, selectors.org_choices(actor=self.actor))


class ReassignForm(AssignForm):
    reason = forms.CharField(label=pgettext_lazy("field", "Reason for reassigning"), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["note"]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=pgettext_lazy("field", "What the resident was told"), widget=TEXT)
    at = forms.DateTimeField(
        label=pgettext_lazy("field", "At"),
        widget=DateTimeInput(),
        required=False,
        help_text=_("Leave empty for now."),
    )


class SolveForm(forms.Form):
    solved = forms.TypedChoiceField(
        label=pgettext_lazy("field", "Outcome of handling"),
        choices=[
            ("1", pgettext_lazy("appeal", "Solved")),
            ("0", pgettext_lazy("appeal", "Cannot be solved")),
        ],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    note = forms.CharField(
        label=pgettext_lazy("field", "What was done, or why it cannot be solved"), widget=TEXT, required=False
    )
    at = forms.DateTimeField(
        label=pgettext_lazy("field", "At"),
        widget=DateTimeInput(),
        required=False,
        help_text=_("Leave empty for now."),
    )


class CloseForm(forms.Form):
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=500, required=False)
    at = forms.DateTimeField(
        label=pgettext_lazy("field", "At"),
        widget=DateTimeInput(),
        required=False,
        help_text=_("Leave empty for now."),
    )


class CallBackForm(forms.Form):
    channel = forms.ChoiceField(
        label=pgettext_lazy("field", "How the resident was called back"),
        choices=[("", "—"), *CallBackChannel.choices],
        error_messages={"required": _("Choose how the resident was called back.")},
    )
    result = forms.ChoiceField(label=pgettext_lazy("field", "Result"), choices=CallBackResult.choices)
    solved = forms.TypedChoiceField(
        label=pgettext_lazy("field", "Does the resident say it was solved?"),
        choices=[("", _("Not asked")), ("1", _("Yes, solved")), ("0", _("No, not solved"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=500, required=False)
    at = forms.DateTimeField(
        label=pgettext_lazy("field", "At"),
        widget=DateTimeInput(),
        required=False,
        help_text=_("Leave empty for now."),
    )


class HandOffForm(forms.Form):
    """Hand the appeal to another organisation of its city (转办): it accepts or returns it."""

    org = _OrgField(
        label=pgettext_lazy("field", "Organisation to hand it to"), queryset=PartyOrg.objects.none()
    )
    reason = forms.CharField(
        label=pgettext_lazy("field", "Why it goes to that organisation"), max_length=500, widget=TEXT
    )

    def __init__(self, *args: Any, appeal: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["org"]
        assert isinstance(field, forms.ModelChoiceField)
        offer(field, selectors.handoff_org_choices(appeal=appeal), purpose="appeal_handoff")


class AcceptHandoffForm(forms.Form):
    note = forms.CharField(label=pgettext_lazy("field", "Note"), max_length=500, required=False)


class ReturnHandoffForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("field", "Why it is returned"), max_length=500, widget=TEXT)


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=pgettext_lazy("field", "How satisfied are you?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=pgettext_lazy("field", "Comment"), max_length=500, required=False, widget=TEXT
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("field", "Why it is not solved"), max_length=500, widget=TEXT
    )


class RevealForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("field", "Why you need the full number"), max_length=300)
