"""Issue 16: the same field behaves the same on every form page: a required choice with exactly
one option starts on it; an optional one, or one with several options, does not."""

from __future__ import annotations

import re

import pytest
from django import forms

from gongjian.orgs.models import PartyOrg
from gongjian.testing import World
from gongjian.web.forms import one_of
from gongjian.web.pages import preselect_single_choices

pytestmark = pytest.mark.django_db


class _Form(forms.Form):
    only = forms.ChoiceField(choices=[("a", "A")])
    several = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    optional = forms.ChoiceField(choices=[("a", "A")], required=False)
    org = forms.ModelChoiceField(queryset=PartyOrg.objects.none())
    orgs = forms.ModelChoiceField(queryset=PartyOrg.objects.none())


def test_a_required_choice_with_one_option_is_preselected(world: object) -> None:
    form = _Form()
    first = PartyOrg.objects.order_by("pk").first()
    assert first is not None and PartyOrg.objects.count() > 1
    form.fields["org"].queryset = PartyOrg.objects.filter(pk=first.pk)  # type: ignore[attr-defined]
    form.fields["orgs"].queryset = PartyOrg.objects.all()  # type: ignore[attr-defined]
    preselect_single_choices(form)
    assert form["only"].value() == "a"
    assert form["several"].value() is None and form["optional"].value() is None
    assert form["org"].value() == first.pk
    assert form["orgs"].value() is None
    assert f'<option value="{first.pk}" selected>' in str(form["org"])


class _Alternatives(forms.Form):
    """One of two optional fields says who (as on the claim form: a unit, or the person as a member)."""

    unit = forms.ChoiceField(choices=[("", "---"), ("u", "U")], required=False)
    as_member = forms.BooleanField(required=False)
    meeting = forms.ChoiceField(choices=[("", "---"), ("m", "M")], required=False)

    def __init__(self) -> None:
        super().__init__()
        one_of(self.fields["unit"])


def test_a_choice_among_alternatives_with_one_option_is_preselected_a_plain_optional_one_not() -> None:
    form = _Alternatives()
    preselect_single_choices(form)
    assert form["unit"].value() == "u"
    assert form["meeting"].value() is None  # empty says something ("claimed online"): left empty


def test_the_liaisons_only_unit_is_preselected_on_the_claim_form(world: World) -> None:
    from gongjian.lists.forms.claims import DemandClaimForm
    from gongjian.lists.tests.fixtures_claims import build_lists_claims

    lc = build_lists_claims(world)
    form = DemandClaimForm(actor=world.liaison, demand=lc.demand)
    assert list(form.fields["unit"].queryset) == [world.minzheng]  # type: ignore[attr-defined]
    preselect_single_choices(form)
    assert re.search(rf'<option value="{world.minzheng.pk}"[^>]*selected', str(form["unit"]))


def test_a_choice_among_many_figures_is_typed_with_suggestions_not_a_long_drop_down() -> None:
    """The campaign's figure: typed with suggestions (a datalist), in either script, never a
    select of more than fifty options; anything not suggested is a clear error."""
    from gongjian.honours.forms import CriterionForm, figure_choices

    assert len(figure_choices()) >= 50  # too many for a drop-down (and the catalogue grows)
    form = CriterionForm({"kind": "figure", "indicator": "駐區單位", "weight": "1"}, actor=None)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["indicator"] == "units.resident"
    html = str(form["indicator"])
    assert "<select" not in html and "<datalist" in html and "驻区单位" in html
    wrong = CriterionForm({"kind": "figure", "indicator": "不存在的指标", "weight": "1"}, actor=None)
    assert not wrong.is_valid()
    assert "不存在的指标" in str(wrong.errors["indicator"])
