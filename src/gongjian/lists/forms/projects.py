"""Forms of projects: the list's filters, the project's plan and partners, milestones, evidence,
quarterly reports, completion, rating, cancelling, and residents' satisfaction on the public board.

Forms only shape input; every rule is checked by the services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.accounts.actor import Actor
from gongjian.cobuild.models import JointMeeting
from gongjian.cobuild.selectors.meetings import meeting_list
from gongjian.orgs.models import ResidentUnit
from gongjian.web.forms import DateInput, date_field, filter_choice, search_field

from ..models import Milestone, Project, ProjectStatus, Rating
from ..selectors import projects as selectors
from ..services.projects import EVIDENCE_MAX_BYTES, quarter_of


class ProjectFilterForm(forms.Form):
    q = search_field(pgettext_lazy("field", "Project, lead or partner"))
    status = filter_choice(
        pgettext_lazy("field", "Status"), ProjectStatus.choices, everything=_("All statuses")
    )
    rating = filter_choice(
        pgettext_lazy("field", "Year-end rating"), Rating.choices, everything=_("Any rating")
    )
    meeting: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Claimed at joint meeting"),
        required=False,
        queryset=JointMeeting.objects.none(),
        empty_label=pgettext_lazy("field", "Any meeting"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = meeting_list(actor=actor)

    def selector_kwargs(self) -> dict[str, Any]:
        """The valid filters (a bad one is dropped, the others still apply)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": data.get("q") or "",
            "status": data.get("status") or "",
            "rating": data.get("rating") or "",
            "meeting": data.get("meeting"),
        }


class ProjectForm(forms.Form):
    plan = forms.CharField(
        label=pgettext_lazy("field", "Plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For the project's side; it is not shown on the public board."),
    )
    due_on = date_field(pgettext_lazy("field", "Due on"))
    partners: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("field", "Partner units"),
        required=False,
        queryset=ResidentUnit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their names are shown on the public board."),
    )
    beneficiaries = forms.IntegerField(
        label=pgettext_lazy("field", "Beneficiaries"), min_value=0, required=False
    )
    hours = forms.DecimalField(
        label=pgettext_lazy("field", "Service hours"),
        min_value=0,
        max_digits=10,
        decimal_places=1,
        required=False,
    )
    public = forms.BooleanField(label=pgettext_lazy("field", "Shown on the public board"), required=False)

    def __init__(self, *args: Any, actor: Actor, project: Project, **kwargs: Any) -> None:
        initial = {
            "plan": project.plan,
            "due_on": project.due_on,
            "partners": list(project.partners.all()),
            "beneficiaries": project.beneficiaries,
            "hours": project.hours,
            "public": project.public,
        }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        field = self.fields["partners"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = selectors.project_partner_choices(actor=actor, project=project)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("beneficiaries", "hours"):
            if data.get(name) is None:
                data.pop(name, None)
        data["partners"] = list(data.get("partners") or [])
        return data


class MilestoneForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("field", "Milestone"), max_length=200)
    weight = forms.IntegerField(
        label=pgettext_lazy("field", "Weight"),
        min_value=1,
        max_value=1000,
        initial=1,
        help_text=_("How much this step counts towards the project's percent done."),
    )
    due_on = date_field(pgettext_lazy("field", "Due on"))
    percent = forms.IntegerField(
        label=pgettext_lazy("field", "Percent done"), min_value=0, max_value=100, initial=0
    )
    done_on = date_field(
        pgettext_lazy("field", "Done on"), help_text=_("At 100% it is today unless you give a date.")
    )

    def __init__(self, *args: Any, milestone: Milestone | None = None, **kwargs: Any) -> None:
        if milestone is not None:
            kwargs["initial"] = {
                "title": milestone.title,
                "weight": milestone.weight,
                "due_on": milestone.due_on,
                "percent": milestone.percent,
                "done_on": milestone.done_on,
            }
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("done_on") is None:
            data.pop("done_on", None)
        return data


class MilestoneMoveForm(forms.Form):
    step = forms.TypedChoiceField(choices=[("-1", "-1"), ("1", "1")], coerce=int)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=pgettext_lazy("field", "Photo or file"),
        help_text=_("A photo (JPEG, PNG, WebP) or a PDF, Word or Excel file, at most %(mb)d MB.")
        % {"mb": EVIDENCE_MAX_BYTES // 2**20},
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf,.docx,.xlsx"}),
    )
    caption = forms.CharField(label=pgettext_lazy("field", "Caption"), max_length=200, required=False)
    milestone: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=pgettext_lazy("field", "Milestone"),
        required=False,
        queryset=Milestone.objects.none(),
        empty_label=pgettext_lazy("field", "The whole project"),
    )
    public = forms.BooleanField(
        label=pgettext_lazy("field", "Show this photo on the public board"),
        required=False,
        help_text=_("Only photos are shown; make sure no face or name can be recognised without consent."),
    )

    def __init__(self, *args: Any, actor: Actor, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["milestone"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = selectors.project_milestone_choices(actor=actor, project=project)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["upload"] = data.pop("file")
        return data


class EvidenceEditForm(forms.Form):
    caption = forms.CharField(label=pgettext_lazy("field", "Caption"), max_length=200, required=False)
    public = forms.BooleanField(
        label=pgettext_lazy("field", "Show this photo on the public board"), required=False
    )


class ReportForm(forms.Form):
    year = forms.IntegerField(label=pgettext_lazy("field", "Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=pgettext_lazy("field", "Quarter"), coerce=int, choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)]
    )
    text = forms.CharField(label=pgettext_lazy("field", "Progress"), widget=forms.Textarea(attrs={"rows": 5}))
    percent = forms.IntegerField(
        label=pgettext_lazy("field", "Percent done"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("The project's own percent when left empty."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        year, quarter = quarter_of(timezone.localdate())
        kwargs.setdefault("initial", {"year": year, "quarter": quarter})
        super().__init__(*args, **kwargs)


class CompleteForm(forms.Form):
    beneficiaries = forms.IntegerField(
        label=pgettext_lazy("field", "Beneficiaries"), min_value=0, required=False
    )
    hours = forms.DecimalField(
        label=pgettext_lazy("field", "Service hours"),
        min_value=0,
        max_digits=10,
        decimal_places=1,
        required=False,
    )


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=pgettext_lazy("field", "Year-end rating"), choices=Rating.choices, widget=forms.RadioSelect
    )
    rated_on = forms.DateField(label=pgettext_lazy("field", "Rated on"), required=False, widget=DateInput())


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("field", "Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(forms.Form):
    """A step that takes no input (close a project, mark a report inspected)."""


class SatisfactionForm(forms.Form):
    score = forms.TypedChoiceField(
        label=pgettext_lazy("field", "Your satisfaction"),
        coerce=int,
        choices=[(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=pgettext_lazy("field", "Comment (optional)"),
        max_length=300,
        required=False,
        help_text=_("Seen by the project's side only, without your name."),
    )
