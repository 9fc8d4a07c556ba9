"""Issue 16: the same field behaves the same on every form page: a required choice with exactly
one option starts on it; an optional one, or one with several options, does not."""

from __future__ import annotations

import pytest
from django import forms

from gongjian.orgs.models import PartyOrg
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
