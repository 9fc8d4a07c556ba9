"""What the forms of every app share: a form that knows its actor, date and time inputs, inputs that
never echo a secret, and drop-downs that list a bounded number of rows while accepting all in scope.

Forms check formats only; what an actor may do is for the services to decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.accounts.actor import Actor

from . import pick

#: At most this many rows are listed in a drop-down; every row in scope is still accepted (a
#: member, unit, area or organisation choice becomes a searchable picker listing ``pick.PICK_LIMIT``).
CHOICE_DISPLAY_LIMIT = 1000
#: Indents a row under its parent in a drop-down (an ideographic space).
INDENT = "\u3000"

#: The label of a list's search box.
SEARCH = pgettext_lazy("field", "Search")
#: A phone number as typed: digits, spaces, +, - and brackets.
PHONE_FORMAT = RegexValidator(
    r"^[0-9+()\-\s]{3,20}$", _("Enter a phone number: digits, spaces, +, - and brackets only.")
)


class DateInput(forms.DateInput):
    """A browser date picker (ISO dates in and out)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker (``YYYY-MM-DDTHH:MM``)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes its value back into the page (for a clear phone number)."""

    def format_value(self, value: Any) -> str | None:
        return None


def date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    """A date field with the date picker (optional unless ``required``)."""
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text)


def model_field(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field ``name``, which is a model choice."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class PickerMixin:
    """A drop-down that becomes a searchable picker (Tom Select, fetching ``/pick/<kind>/?q=``).

    Without JavaScript it is a plain drop-down of the nearest ``pick.PICK_LIMIT`` rows in scope
    (and the current value), each labelled with where it is."""

    kind: str
    queryset: QuerySet[Any] | None
    #: The rows offered for this purpose (``pick.register_purpose``); by default the actor's scope.
    purpose: str = ""
    choices: Any
    attrs: dict[str, Any]

    def setup_picker(self, kind: str, queryset: QuerySet[Any] | None, purpose: str = "") -> None:
        self.kind = kind
        self.queryset = queryset
        self.purpose = purpose

    def _with_current(self, value: list[str]) -> None:
        """Add the chosen rows that are not listed (picked by search), labelled, so they stay chosen."""
        source = pick.source(self.kind)
        listed = {str(v) for v, _label in self.choices}
        missing = [v for v in value if v and v not in listed]
        if not missing or source is None or self.queryset is None:
            return
        try:
            rows = list(self.queryset.filter(pk__in=missing))
        except (ValueError, TypeError):
            return
        self.choices = [*self.choices, *pick.labelled(source, rows)]

    def picker_attrs(self) -> dict[str, Any]:
        source = pick.source(self.kind)
        url = reverse(f"pick_{self.kind}") + "?"
        params: dict[str, str] = {"for": self.purpose} if self.purpose else {}
        if source is not None and source.narrow is not None and self.queryset is not None:
            params.update(source.narrow(self.queryset))
        if params:
            url += urlencode(params) + "&"
        return {
            "data-picker": self.kind,
            "data-pick-url": url,
            "data-pick-none": str(_("Nothing found: type part of the name, or its pinyin initials.")),
            "data-pick-placeholder": str(_("Type to search: 长沙, 長沙 or cs")),
        }


class PickerSelect(PickerMixin, forms.Select):
    """A searchable picker for one member, unit, area or organisation."""

    def __init__(
        self,
        *,
        kind: str,
        queryset: QuerySet[Any] | None = None,
        attrs: dict[str, Any] | None = None,
        purpose: str = "",
    ):
        super().__init__(attrs=attrs)
        self.setup_picker(kind, queryset, purpose)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        self._with_current(self.format_value(value))
        return super().get_context(name, value, {**(attrs or {}), **self.picker_attrs()})


class PickerSelectMultiple(PickerMixin, forms.SelectMultiple):
    """A searchable picker for several members, units, areas or organisations."""

    def __init__(
        self,
        *,
        kind: str,
        queryset: QuerySet[Any] | None = None,
        attrs: dict[str, Any] | None = None,
        purpose: str = "",
    ):
        super().__init__(attrs=attrs)
        self.setup_picker(kind, queryset, purpose)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        self._with_current(self.format_value(value))
        return super().get_context(name, value, {**(attrs or {}), **self.picker_attrs()})


#: The attribute that marks a field as one of several alternatives (see ``one_of``).
ONE_OF = "gongjian_one_of"


def one_of(*fields: forms.Field) -> None:
    """Mark ``fields`` as alternatives, of which the person fills one (each optional by itself,
    e.g. the claiming unit, or the person as a member): a choice among them with a single option
    starts on it like a required one, on every form page (``web.pages.preselect_single_choices``)."""
    for field in fields:
        setattr(field, ONE_OF, True)


def is_one_of(field: forms.Field) -> bool:
    """Whether ``field`` is one of several alternatives (``one_of``)."""
    return bool(getattr(field, ONE_OF, False))


def _as_picker(field: forms.ModelChoiceField[Any], kind: str, purpose: str = "") -> None:
    """Turn ``field``'s drop-down into a picker of ``kind`` (keeping its attributes)."""
    old = field.widget
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    cls: type[PickerSelect] | type[PickerSelectMultiple] = PickerSelectMultiple if multiple else PickerSelect
    widget = cls(kind=kind, queryset=field.queryset, attrs=dict(old.attrs), purpose=purpose)
    widget.is_required = old.is_required
    field.widget = widget


def show_choices(
    field: forms.ModelChoiceField[Any],
    rows: Iterable[Model],
    *,
    label: Callable[[Any], str] | None = None,
    include: Iterable[Model | None] = (),
    purpose: str = "",
) -> None:
    """List ``rows`` in the field's drop-down (plus ``include``), while the field keeps accepting
    everything in its queryset.

    A choice of members, units, areas or organisations becomes a searchable picker: it lists the
    current value and the first rows up to ``pick.PICK_LIMIT``, each with where it is, and finds
    the others as the person types (in the actor's scope, or what ``pick.register_purpose``
    offers for ``purpose``)."""
    shown: list[tuple[Any, str]] = [("", str(field.empty_label or "---------"))] if field.empty_label else []
    source = pick.source_for_model(field.queryset.model) if field.queryset is not None else None
    if source is not None and isinstance(field.widget, forms.Select):
        _as_picker(field, source.kind, purpose)
        room = pick.PICK_LIMIT - len(shown)
        picked: list[Model] = []
        for row in [*(r for r in include if r is not None), *rows]:
            if len(picked) >= room:
                break
            if all(row.pk != p.pk for p in picked):
                picked.append(row)
        field.widget.choices = shown + pick.labelled(source, picked)
        return
    seen: set[Any] = set()
    describe = label or field.label_from_instance
    for row in [*rows, *(r for r in include if r is not None)]:
        if row.pk in seen:
            continue
        seen.add(row.pk)
        shown.append((row.pk, describe(row)))
    field.widget.choices = shown


def offer(
    field: forms.ModelChoiceField[Any],
    rows: QuerySet[Any],
    *,
    shown: Iterable[Model] | None = None,
    label: Callable[[Any], str] | None = None,
    include: Iterable[Model | None] = (),
    purpose: str = "",
) -> None:
    """Let ``field`` accept every row of ``rows``; list ``shown`` (by default the first
    ``CHOICE_DISPLAY_LIMIT`` of them) and ``include`` in its drop-down. A picker searches the
    actor's scope, or what ``pick.register_purpose`` offers for ``purpose``."""
    field.queryset = rows
    show_choices(
        field,
        rows[:CHOICE_DISPLAY_LIMIT] if shown is None else shown,
        label=label,
        include=include,
        purpose=purpose,
    )


def search_field(label: Any = SEARCH) -> forms.CharField:
    """The free-text search box of a list's filters (optional, 100 characters at most)."""
    return forms.CharField(label=label, required=False, max_length=100)


def filter_choice(label: Any, choices: Iterable[tuple[Any, Any]], *, everything: Any) -> forms.ChoiceField:
    """A drop-down of a list's filters: ``everything`` (no filter) first, then ``choices``."""
    return forms.ChoiceField(label=label, required=False, choices=[("", everything), *choices])


class ActorForm(forms.Form):
    """A form that knows the actor it serves (its choices are read with the actor's scope)."""

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        """The cleaned values of the fields the form has."""
        return {name: self.cleaned_data.get(name) for name in self.fields}


class SuggestInput(forms.TextInput):
    """A text field that suggests from a fixed list as the person types (a ``<datalist>``): for a
    choice among more options than a drop-down should hold (``pick.PICK_LIMIT``) that are not rows
    a picker searches, such as the figures of the catalogue. The form's field maps the text typed
    or chosen back to its value (see :class:`SuggestChoiceField`)."""

    def __init__(self, options: Callable[[], Iterable[str]], attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.options = options

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        from django.utils.html import format_html, format_html_join

        list_id = f"{(attrs or {}).get('id') or 'id_' + name}-options"
        html = super().render(
            name, value, {**(attrs or {}), "list": list_id, "autocomplete": "off"}, renderer
        )
        options = format_html_join("", '<option value="{}"></option>', ((text,) for text in self.options()))
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class SuggestChoiceField(forms.CharField):
    """A choice typed with suggestions: ``choices()`` gives (value, label) pairs; the person types or
    picks a label (in either script: 长沙 and 長沙 are the same word) or the value itself, and the
    cleaned value is the choice's value. Anything else is a clear error."""

    def __init__(self, *, choices: Callable[[], list[tuple[str, str]]], **kwargs: Any) -> None:
        self.suggest_choices = choices
        kwargs.setdefault("widget", SuggestInput(lambda: [label for _value, label in choices()]))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        from gongjian.core.text import same_word

        text = (super().to_python(value) or "").strip()
        if not text:
            return ""
        for key, label in self.suggest_choices():
            if text == key or same_word(text, label):
                return key
        raise forms.ValidationError(
            _("Choose one of the suggestions: “%(text)s” is not one.") % {"text": text}
        )
