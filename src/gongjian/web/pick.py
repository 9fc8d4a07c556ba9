"""Searchable pickers: the options of a member, unit, area or organisation choice, fetched as the
person types (``/pick/<kind>/?q=``), each with where the thing is ("王家垅社区 · 30号庭院 · 1栋").

The page kit imports no domain app, so the apps register what they offer here when they load
(``orgs`` the areas, units and organisations, ``members`` the members): a source reads the app's
scoped selector with the actor, so a person is never offered anything outside their scope. A
form's field still validates the choice against its own queryset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from gongjian.accounts.actor import Actor

#: The most options a picker shows at once (in the page without JavaScript, and per search).
PICK_LIMIT = 50
#: The kinds of picker (each at ``/pick/<kind>/``, named ``pick_<kind>``).
KINDS = ("area", "unit", "org", "member")
#: The separator between a thing and the places above it.
SEP = " · "


@dataclass(frozen=True)
class PickSource:
    """What one kind of picker offers."""

    kind: str
    model: type[Model]
    #: The rows the actor may pick, searched by ``q`` (names in either script or pinyin initials)
    #: and narrowed by the picker's parameters (e.g. ``levels`` of areas).
    rows: Callable[[Actor, str, Mapping[str, str]], QuerySet[Any]]
    #: The labels of ``rows``, in order: the thing and where it is (one or two queries for all).
    labels: Callable[[Sequence[Any]], list[str]]
    #: The parameters that narrow the options to what a field accepts (from the field's rows).
    narrow: Callable[[QuerySet[Any]], dict[str, str]] | None = None


_SOURCES: dict[str, PickSource] = {}
#: What a kind of picker offers for a purpose (``for=<purpose>``) instead of the actor's scope:
#: e.g. the areas where a resident may raise an appeal, which are not theirs to browse.
Rows = Callable[[Actor, str, Mapping[str, str]], QuerySet[Any]]
_PURPOSES: dict[tuple[str, str], Rows] = {}


def register(source: PickSource) -> None:
    """Offer a kind of picker (an app calls this from its ``ready``)."""
    _SOURCES[source.kind] = source


def register_purpose(kind: str, purpose: str, rows: Rows) -> None:
    """Offer ``rows`` in pickers of ``kind`` for fields of ``purpose`` (an app calls this from its
    ``ready``; its forms pass ``purpose`` to ``web.forms.offer``). ``rows`` is read with the actor
    and searched by ``q`` like a source's rows, and must be the rows the field accepts."""
    _PURPOSES[(kind, purpose)] = rows


def source_for_model(model: type[Model]) -> PickSource | None:
    """The picker for rows of ``model``, if an app registered one."""
    for source in _SOURCES.values():
        if issubclass(model, source.model):
            return source
    return None


def source(kind: str) -> PickSource | None:
    return _SOURCES.get(kind)


def labelled(source: PickSource, rows: Iterable[Any]) -> list[tuple[Any, str]]:
    """``(pk, label)`` for ``rows``, labelled with where each thing is."""
    rows = list(rows)
    return list(zip([r.pk for r in rows], source.labels(rows), strict=True))


@require_GET
def pick(request: HttpRequest, kind: str) -> JsonResponse:
    """The options of a picker matching ``q``, within the actor's scope (at most ``PICK_LIMIT``)."""
    found = _SOURCES.get(kind)
    if found is None or not request.user.is_authenticated:
        return JsonResponse({"results": []}, status=404 if found is None else 403)
    purpose = request.GET.get("for", "")
    read = _PURPOSES.get((kind, purpose)) if purpose else found.rows
    if read is None:
        return JsonResponse({"results": []}, status=404)
    q = request.GET.get("q", "").strip()[:100]
    rows = read(request.user, q, request.GET)[:PICK_LIMIT]
    return JsonResponse({"results": [{"value": str(pk), "text": text} for pk, text in labelled(found, rows)]})
