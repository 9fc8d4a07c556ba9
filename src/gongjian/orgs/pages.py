"""The map's part of the page kit, for every app's pages and forms: the gate of the map's pages,
breadcrumbs down the area tree, the ``within`` filter, and drop-downs of areas and organisations.

These read the map (Area, PartyOrg and the map's selectors), so they live here rather than in
:mod:`gongjian.web`, which imports no domain app.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy

from gongjian.accounts.actor import Actor
from gongjian.web.crumbs import Crumb, crumb
from gongjian.web.forms import CHOICE_DISPLAY_LIMIT, INDENT, show_choices
from gongjian.web.pages import part_page, within

from . import selectors
from .models import Area, PartyOrg

#: Signed in, and holding a role that reaches the map (an administrator or a unit liaison). Members
#: and residents have no pages here yet; they get a 403 instead of empty lists.
map_page = part_page(gettext_lazy("Your roles do not include the map."))


# --- pages ------------------------------------------------------------------------------------


def area_crumbs(
    actor: Actor, area: Area, *, include_self: bool = True, url_name: str = "orgs:area_detail"
) -> list[Crumb]:
    """The way down to ``area``: every ancestor by name, linked (to ``url_name``) where the actor may open it."""
    ancestors = list(Area.objects.get_ancestors(area))
    if include_self:
        ancestors.append(area)
    visible = set(
        selectors.area_list(actor=actor).filter(pk__in=[a.pk for a in ancestors]).values_list("pk", flat=True)
    )
    return [crumb(a.name, reverse(url_name, args=[a.pk]) if a.pk in visible else None) for a in ancestors]


def crumbs_to(actor: Actor, obj: Any, url: str | None = None) -> list[Crumb]:
    """The way down to ``obj``'s area, then ``obj`` itself (linked to ``url`` when given)."""
    return [*area_crumbs(actor, obj.area), crumb(obj.name, url)]


def within_area(request: HttpRequest) -> Area | None:
    """The ``within=<area id>`` filter, resolved inside the actor's scope (404 outside it)."""
    return within(request, lambda pk: selectors.area_get(actor=request.user, pk=pk))


# --- forms ------------------------------------------------------------------------------------


def areas_to_show(areas: QuerySet[Area]) -> list[Area]:
    """The areas for a drop-down, in tree order: all of them when there are few, otherwise the
    top levels down to the deepest level that still fits."""
    total = areas.count()
    if total > CHOICE_DISPLAY_LIMIT:
        running = 0
        deepest = 1
        for depth, n in areas.order_by().values_list("depth").annotate(n=Count("pk")).order_by("depth"):
            if running + n > CHOICE_DISPLAY_LIMIT:
                break
            running += n
            deepest = depth
        areas = areas.filter(depth__lte=deepest)
    return list(areas.order_by("path")[:CHOICE_DISPLAY_LIMIT])


def offer_areas(
    field: forms.ModelChoiceField[Any], areas: QuerySet[Area], *, include: Iterable[Area | None] = ()
) -> None:
    """Accept every area of ``areas``; list them in tree order, indented by depth (the top levels
    when there are many)."""
    field.queryset = areas
    rows = areas_to_show(areas)
    top = min((a.depth for a in rows), default=1)
    show_choices(field, rows, label=lambda a: INDENT * (a.depth - top) + a.name, include=include)


def setup_area_field(
    field: forms.ModelChoiceField[Any], *, actor: Actor, include: Iterable[Area | None] = ()
) -> None:
    """Offer the areas the actor sees (see ``offer_areas``)."""
    offer_areas(field, selectors.area_list(actor=actor), include=include)


def orgs_to_show(orgs: QuerySet[PartyOrg]) -> list[PartyOrg]:
    """The organisations for a drop-down: from the top of the tree down, at most the display limit."""
    return list(orgs.order_by("area__depth", "area__path", "code")[:CHOICE_DISPLAY_LIMIT])


def offer_orgs(
    field: forms.ModelChoiceField[Any], orgs: QuerySet[PartyOrg], *, include: Iterable[PartyOrg | None] = ()
) -> None:
    """Accept every organisation of ``orgs``; list them from the top of the tree, with where they sit."""
    field.queryset = orgs
    show_choices(field, orgs_to_show(orgs), label=org_label, include=include)


def org_label(org: PartyOrg) -> str:
    """An organisation in a drop-down: its name and where it sits."""
    return f"{org.name} · {org.area.name}"
