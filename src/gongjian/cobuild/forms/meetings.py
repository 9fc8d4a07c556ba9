"""Forms of the pages of joint meetings, action items and consultations.

They check formats only (a date is a date, a choice is one of the choices); what an actor may do
is for the services to decide. Every choice over areas, units, organisations, meetings or
decisions is built from the selectors with the actor.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.accounts.actor import Actor
from gongjian.orgs import selectors as org_selectors
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit
from gongjian.orgs.pages import offer_orgs, setup_area_field
from gongjian.web.forms import (
    ActorForm,
    DateInput,
    DateTimeInput,
    date_field,
    filter_choice,
    model_field,
    offer,
    search_field,
)
from gongjian.web.past_dates import ask_past_start, past_start_field

from ..models import (
    AgendaItem,
    Agreement,
    Alliance,
    Answer,
    ConsultationKind,
    JointMeeting,
    MeetingLevel,
    MeetingStatus,
    PledgeKind,
    Resolution,
)
from ..selectors import meetings as selectors

#: How many action items the decision form takes at once (more are added on the decision).
ACTIONS_PER_DECISION = 2


def _meeting_label(meeting: JointMeeting) -> str:
    return f"{meeting.day:%Y-%m-%d} · {meeting.title}"


def _unit_field(label: Any, *, required: bool = False) -> forms.ModelChoiceField[ResidentUnit]:
    return forms.ModelChoiceField(label=label, queryset=ResidentUnit.objects.none(), required=required)


# --- filters -----------------------------------------------------------------------------------


class MeetingFilterForm(forms.Form):
    q = search_field(pgettext_lazy("field", "Title or venue"))
    level = filter_choice(pgettext_lazy("field", "Level"), MeetingLevel.choices, everything=_("All levels"))
    status = filter_choice(
        pgettext_lazy("field", "Status"), MeetingStatus.choices, everything=_("All statuses")
    )
    within: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area"),
        required=False,
        queryset=Area.objects.none(),
        empty_label=pgettext_lazy("field", "All areas"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        setup_area_field(model_field(self, "within"), actor=actor)


class ActionFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=pgettext_lazy("field", "Show"),
        required=False,
        choices=[("open", _("Open")), ("overdue", _("Overdue")), ("closed", _("Closed")), ("all", _("All"))],
    )
    q = search_field(pgettext_lazy("field", "Action or owner"))


class ConsultationFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=pgettext_lazy("field", "Show"),
        required=False,
        choices=[
            ("all", _("All")),
            ("open", _("Open")),
            ("upcoming", _("Upcoming")),
            ("closed", _("Closed")),
        ],
    )
    kind = filter_choice(pgettext_lazy("field", "Kind"), ConsultationKind.choices, everything=_("All kinds"))


# --- meetings ----------------------------------------------------------------------------------


class MeetingForm(ActorForm):
    """A new meeting (``meeting`` is None), or what may still change of one."""

    title = forms.CharField(label=pgettext_lazy("field", "Title"), max_length=200)
    convener_org = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Convening organisation"),
        queryset=PartyOrg.objects.none(),
        help_text=_("A territorial Party organisation, e.g. the street's working committee."),
    )
    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=_("By default the convening organisation's area; the meeting's level follows it."),
    )
    convener = forms.CharField(
        label=pgettext_lazy("field", "Convener (召集人)"),
        max_length=60,
        required=False,
        help_text=_("e.g. the secretary: 周志凯"),
    )
    alliance = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Alliance"),
        queryset=Alliance.objects.none(),
        required=False,
        help_text=_("Its current member units are invited."),
    )
    starts_at = forms.DateTimeField(label=pgettext_lazy("field", "Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(
        label=pgettext_lazy("field", "Ends at"), widget=DateTimeInput(), required=False
    )
    venue = forms.CharField(label=pgettext_lazy("field", "Venue"), max_length=200, required=False)
    previous = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Previous meeting"),
        queryset=JointMeeting.objects.none(),
        required=False,
        help_text=_("By default the convening organisation's last meeting; its open actions come up again."),
    )
    recorded_after_the_fact = past_start_field(pgettext_lazy("field", "I am recording a past meeting"))

    def __init__(self, *args: Any, meeting: JointMeeting | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        ask_past_start(self)
        if meeting is not None:
            for name in ("convener_org", "area", "alliance", "recorded_after_the_fact"):
                del self.fields[name]
            offer(
                model_field(self, "previous"),
                selectors.previous_meeting_choices(actor=self.actor, meeting=meeting),
                label=_meeting_label,
                include=[meeting.previous],
            )
            return
        orgs = selectors.convener_org_choices(actor=self.actor)
        offer_orgs(model_field(self, "convener_org"), orgs)
        setup_area_field(model_field(self, "area"), actor=self.actor)
        offer(model_field(self, "alliance"), org_selectors.alliance_list(actor=self.actor))
        offer(
            model_field(self, "previous"),
            selectors.previous_meeting_choices(actor=self.actor),
            label=_meeting_label,
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.values()
        if self.meeting is None:
            for name in ("area", "previous", "ends_at", "alliance"):
                if data.get(name) is None:
                    data.pop(name, None)
        return data


class MeetingUnitForm(ActorForm):
    unit = _unit_field(pgettext_lazy("field", "Resident unit"), required=True)
    representative = forms.CharField(
        label=pgettext_lazy("field", "Representative"), max_length=60, required=False
    )

    def __init__(self, *args: Any, meeting: JointMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "unit"), selectors.meeting_unit_choices(actor=self.actor, meeting=meeting))


class TopicForm(ActorForm):
    title = forms.CharField(label=pgettext_lazy("field", "Topic"), max_length=200)
    description = forms.CharField(
        label=pgettext_lazy("field", "Description"), required=False, widget=forms.Textarea({"rows": 4})
    )
    unit = _unit_field(pgettext_lazy("field", "Proposed by"))

    def __init__(self, *args: Any, meeting: JointMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mine = org_selectors.unit_list(actor=self.actor, current=False).values("pk")
        units = selectors.meeting_invited_units(actor=self.actor, meeting=meeting).filter(pk__in=mine)
        model_field(self, "unit").empty_label = str(_("The convener"))
        offer(model_field(self, "unit"), units)


class AgendaAddForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("field", "Item"), max_length=200)
    description = forms.CharField(
        label=pgettext_lazy("field", "Description"), required=False, widget=forms.Textarea({"rows": 3})
    )
    reason = forms.CharField(
        label=pgettext_lazy("field", "Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Needed once the agenda has been sent to the level above."),
    )


class AgendaDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("field", "Decision"),
        choices=[
            ("accept", _("Put on the agenda")),
            ("decline", _("Leave off the agenda")),
            ("move", _("Move to")),
        ],
    )
    position = forms.IntegerField(
        label=pgettext_lazy("field", "Place on the agenda"), min_value=1, required=False
    )
    reason = forms.CharField(
        label=pgettext_lazy("field", "Reason for the change"),
        required=False,
        max_length=500,
        help_text=_("Needed once the agenda has been sent to the level above."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "move" and not data.get("position"):
            self.add_error("position", _("Give the place to move the item to."))
        return data


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=pgettext_lazy("field", "Discussion and outcome"), widget=forms.Textarea({"rows": 4})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("field", "Reason"), max_length=500, widget=forms.Textarea({"rows": 3})
    )


class AttendanceForm(ActorForm):
    person_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    unit = _unit_field(pgettext_lazy("field", "Unit"))

    def __init__(self, *args: Any, meeting: JointMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(model_field(self, "unit"), selectors.meeting_invited_units(actor=self.actor, meeting=meeting))


class PledgeForm(ActorForm):
    text = forms.CharField(
        label=pgettext_lazy("field", "Pledge"),
        max_length=200,
        help_text=_("e.g. professors will give lectures"),
    )
    unit = _unit_field(pgettext_lazy("field", "Unit"))
    quantity = forms.IntegerField(label=pgettext_lazy("field", "Quantity"), min_value=0, required=False)
    measure = forms.CharField(
        label=pgettext_lazy("field", "Measure (人, 场, 次…)"), max_length=20, required=False
    )
    at_least = forms.BooleanField(label=pgettext_lazy("field", "At least (100+)"), required=False)
    kind = forms.ChoiceField(
        label=pgettext_lazy("field", "Kind of pledge"),
        choices=[("", "—"), *PledgeKind.choices],
        required=False,
        help_text=_("Counted in the figures of its kind (lecturers, volunteers …) with its quantity."),
    )

    def __init__(self, *args: Any, meeting: JointMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(
            model_field(self, "unit"), selectors.action_owner_unit_choices(actor=self.actor, meeting=meeting)
        )


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=pgettext_lazy("field", "Minutes"), widget=forms.Textarea({"rows": 12}))


def _action_fields(
    form: forms.Form, prefix: str, meeting: JointMeeting, actor: Actor, *, required: bool
) -> None:
    form.fields[f"{prefix}title"] = forms.CharField(
        label=pgettext_lazy("field", "Action"), max_length=200, required=required
    )
    form.fields[f"{prefix}owner_unit"] = _unit_field(pgettext_lazy("field", "Owner unit"))
    form.fields[f"{prefix}owner_org"] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "or owner organisation"),
        queryset=PartyOrg.objects.none(),
        required=False,
    )
    form.fields[f"{prefix}due_on"] = date_field(pgettext_lazy("field", "Due on"), required=required)
    offer(
        model_field(form, f"{prefix}owner_unit"),
        selectors.action_owner_unit_choices(actor=actor, meeting=meeting),
    )
    orgs = selectors.action_owner_org_choices(actor=actor, meeting=meeting)
    offer_orgs(model_field(form, f"{prefix}owner_org"), orgs)


def _action_values(data: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {
        "title": data.get(f"{prefix}title") or "",
        "owner_unit": data.get(f"{prefix}owner_unit"),
        "owner_org": data.get(f"{prefix}owner_org"),
        "due_on": data.get(f"{prefix}due_on"),
    }


class ResolutionForm(ActorForm):
    """A decision, optionally on an agenda item, with up to ``ACTIONS_PER_DECISION`` action items
    (a row whose action is left empty is not one)."""

    text = forms.CharField(label=pgettext_lazy("field", "Decision"), widget=forms.Textarea({"rows": 4}))
    agenda_item = forms.ModelChoiceField(
        label=pgettext_lazy("field", "On agenda item"), queryset=AgendaItem.objects.none(), required=False
    )

    def __init__(self, *args: Any, meeting: JointMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(
            model_field(self, "agenda_item"),
            selectors.meeting_agenda(actor=self.actor, meeting=meeting),
            label=lambda item: f"{item.position}. {item.title}",
        )
        for n in range(1, ACTIONS_PER_DECISION + 1):
            _action_fields(self, f"action_{n}_", meeting, self.actor, required=False)

    def action_rows(self) -> list[list[Any]]:
        """The fields of each action row, for the template to lay them out together."""
        return [
            [self[f"action_{n}_{name}"] for name in ("title", "owner_unit", "owner_org", "due_on")]
            for n in range(1, ACTIONS_PER_DECISION + 1)
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        actions = [_action_values(data, f"action_{n}_") for n in range(1, ACTIONS_PER_DECISION + 1)]
        return {
            "text": data["text"],
            "agenda_item": data.get("agenda_item"),
            "actions": [a for a in actions if a["title"].strip()],
        }


class ActionForm(ActorForm):
    def __init__(self, *args: Any, meeting: JointMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _action_fields(self, "", meeting, self.actor, required=True)

    def service_kwargs(self) -> dict[str, Any]:
        return _action_values(self.cleaned_data, "")


class ActionCloseForm(forms.Form):
    report = forms.CharField(
        label=pgettext_lazy("field", "Report"),
        widget=forms.Textarea({"rows": 4}),
        max_length=2000,
        help_text=_("What was done, in a few lines."),
    )
    closed_on = date_field(pgettext_lazy("field", "Done on"), help_text=_("Today when left empty."))


class AgreementRecordForm(ActorForm):
    agreement = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Agreement"), queryset=Agreement.objects.none()
    )

    def __init__(self, *args: Any, meeting: JointMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(
            model_field(self, "agreement"),
            selectors.meeting_agreement_candidates(actor=self.actor, meeting=meeting),
            label=lambda a: f"{a.number} · {a.title}",
        )


# --- consultations -----------------------------------------------------------------------------


class ConsultationForm(ActorForm):
    """A new consultation (``consultation`` is None), or what may change of one."""

    area: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Area asked"), queryset=Area.objects.none()
    )
    org = forms.ModelChoiceField(label=pgettext_lazy("field", "Asked by"), queryset=PartyOrg.objects.none())
    kind = forms.ChoiceField(label=pgettext_lazy("field", "Kind"), choices=ConsultationKind.choices)
    question = forms.CharField(label=pgettext_lazy("field", "Question"), max_length=300)
    description = forms.CharField(
        label=pgettext_lazy("field", "Description"), required=False, widget=forms.Textarea({"rows": 4})
    )
    opens_on = date_field(pgettext_lazy("field", "Opens on"), required=True)
    closes_on = date_field(pgettext_lazy("field", "Closes on"), required=True)
    asked = forms.IntegerField(
        label=pgettext_lazy("field", "Households or residents asked"),
        min_value=0,
        initial=0,
        help_text=_("For the turnout: answered ÷ asked."),
    )

    def __init__(self, *args: Any, consultation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if consultation is not None:
            for name in ("area", "org", "kind"):
                del self.fields[name]
            return
        setup_area_field(model_field(self, "area"), actor=self.actor)
        orgs = selectors.consultation_org_choices(actor=self.actor)
        offer_orgs(model_field(self, "org"), orgs)


class StaffAnswerForm(forms.Form):
    respondent = forms.CharField(
        label=pgettext_lazy("field", "Household (door)"),
        max_length=120,
        help_text=_("The door, e.g. 3栋2单元401: never an ID or phone number."),
    )
    answer = forms.ChoiceField(
        label=pgettext_lazy("field", "Answer"), choices=Answer.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=pgettext_lazy("field", "Comment"), max_length=300, required=False)
    answered_on = forms.DateField(
        label=pgettext_lazy("field", "Answered on"),
        required=False,
        widget=DateInput(),
        help_text=_("Today when left empty."),
    )


class ResidentAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=pgettext_lazy("field", "Your answer"), choices=Answer.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=pgettext_lazy("field", "Comment"), max_length=300, required=False)


class AttachForm(ActorForm):
    resolution = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Decision of a joint meeting"),
        queryset=Resolution.objects.none(),
        required=False,
    )
    decision = forms.CharField(
        label=pgettext_lazy("field", "Decision taken"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("e.g. street lights are installed on the main road"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer(
            model_field(self, "resolution"),
            selectors.resolution_choices(actor=self.actor),
            label=lambda r: f"{r.meeting.day:%Y-%m-%d} {r.meeting.title}: {r.text[:40]}",
        )
