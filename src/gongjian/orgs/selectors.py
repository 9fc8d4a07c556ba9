"""Every read of the map that a person triggers. Each takes the actor; the scope comes from the
actor's roles, never from the request."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.core.search import name_search_q
from gongjian.core.text import search_key
from gongjian.stats import tally

from .models import Alliance, AllianceMember, Area, Dated, PartyOrg, ResidentUnit


def area_list(
    *, actor: Actor, within: Area | None = None, q: str = "", level: int | None = None
) -> QuerySet[Area]:
    scope = scope_for(actor)
    qs = Area.objects.filter(scope.area_q())
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if q:
        qs = qs.filter(name_search_q(q))
    if level is not None:
        qs = qs.filter(level=level)
    return qs.order_by("path")


def area_roots(*, actor: Actor) -> QuerySet[Area]:
    """The top nodes the actor may browse from."""
    scope = scope_for(actor)
    if scope.everything:
        return Area.objects.get_root_nodes()
    return Area.objects.filter(path__in=scope.area_paths).order_by("path")


def area_get(*, actor: Actor, pk: int) -> Area:
    area = Area.objects.filter(pk=pk).first()
    if area is None or not scope_for(actor).covers_path(area.path):
        raise Http404
    return area


def area_children(*, actor: Actor, area: Area) -> QuerySet[Area]:
    area_get(actor=actor, pk=area.pk)
    return Area.objects.get_children(area).order_by("code")


def _counts_by_child(rows: QuerySet[Any], path_field: str, area: Area) -> dict[str, int]:
    """How many of ``rows`` sit under each child of ``area`` (one grouped query), by child path."""
    length = len(area.path) + Area.steplen
    grouped = (
        rows.order_by()
        .annotate(child_path=Substr(F(path_field), 1, length))
        .values("child_path")
        .annotate(n=Count("pk"))
    )
    return {row["child_path"]: row["n"] for row in grouped}


#: The kept figure that counts what ``unit_list(within=…)`` lists for an actor covering the node.
UNITS_FIGURE = "units.resident"


def _kept_units(actor: Actor, areas: list[Area]) -> dict[str, int] | None:
    """How many resident units sit today under each of ``areas``, from the kept figure
    ``units.resident`` (no count of the rows), when the actor's subtrees cover every one of them;
    else None (the caller counts what the actor sees)."""
    scope = scope_for(actor)
    if not areas or not all(scope.covers_path(a.path) for a in areas):
        return None
    today = timezone.localdate()
    kept = tally.values([a.path for a in areas], [today])
    return {a.path: int(kept.get((a.path, today), {}).get(UNITS_FIGURE, 0)) for a in areas}


def unit_total(*, actor: Actor, area: Area) -> int:
    """How many resident units the actor sees under ``area`` today: the kept figure when the
    actor covers the node, else a count."""
    kept = _kept_units(actor, [area])
    return kept[area.path] if kept is not None else unit_list(actor=actor, within=area).count()


def area_children_summary(*, actor: Actor, area: Area) -> list[dict[str, Any]]:
    """The children of ``area`` with how many units and Party organisations sit below each (units
    from the kept figure where the actor covers the node)."""
    children = list(area_children(actor=actor, area=area))
    if not children:
        return []
    units = _kept_units(actor, children)
    if units is None:
        units = _counts_by_child(unit_list(actor=actor, within=area), "area__path", area)
    orgs = _counts_by_child(party_org_list(actor=actor, within=area), "area__path", area)
    return [
        {"area": child, "units": units.get(child.path, 0), "orgs": orgs.get(child.path, 0)}
        for child in children
    ]


def area_get_by_name_or_code(*, actor: Actor, text: str) -> Area:
    """The one area named ``text`` (either script) or with that code, inside the actor's scope."""
    qs = area_list(actor=actor)
    match = qs.filter(code=text.strip()).first()
    if match is not None:
        return match
    found = list(qs.filter(name_key=search_key(text))[:2])
    if len(found) == 1:
        return found[0]
    raise Http404(text)


def party_org_list(
    *,
    actor: Actor,
    within: Area | None = None,
    q: str = "",
    kind: str = "",
    unit: ResidentUnit | None = None,
    current: bool = True,
) -> QuerySet[PartyOrg]:
    """Party organisations in the actor's scope; by default only those in force today."""
    scope = scope_for(actor)
    qs = PartyOrg.objects.filter(scope.rows_q("area__", "unit_id"))
    if current:
        qs = qs.filter(Dated.on(timezone.localdate()))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if q:
        qs = qs.filter(name_search_q(q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("area", "unit", "parent").order_by("area__path", "code")


def party_org_get(*, actor: Actor, pk: int) -> PartyOrg:
    org = party_org_list(actor=actor, current=False).filter(pk=pk).first()
    if org is None:
        raise Http404
    return org


def unit_list(
    *,
    actor: Actor,
    within: Area | None = None,
    q: str = "",
    kind: str = "",
    rank: str = "",
    current: bool = True,
) -> QuerySet[ResidentUnit]:
    """Resident units in the actor's scope; by default only those sitting there today (as the
    ``units.resident`` figure counts them)."""
    scope = scope_for(actor)
    qs = ResidentUnit.objects.filter(scope.rows_q("area__", "pk"))
    if current:
        qs = qs.filter(Dated.on(timezone.localdate()))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if q:
        qs = qs.filter(name_search_q(q) | Q(credit_code=q.strip().upper()))
    if kind:
        qs = qs.filter(kind=kind)
    if rank:
        qs = qs.filter(rank=rank)
    return qs.select_related("area").order_by("area__path", "name_key")


def unit_get(*, actor: Actor, pk: int) -> ResidentUnit:
    unit = unit_list(actor=actor, current=False).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def alliance_list(
    *,
    actor: Actor,
    within: Area | None = None,
    q: str = "",
    member_unit: ResidentUnit | None = None,
    convener: PartyOrg | None = None,
) -> QuerySet[Alliance]:
    """Alliances convened in the actor's scope, or that the actor's unit belongs to now.
    ``member_unit`` keeps those the unit is a current member of; ``convener`` those it convenes."""
    scope = scope_for(actor)
    qs = Alliance.objects.all()
    if not scope.everything:
        mine = AllianceMember.objects.filter(unit_id__in=sorted(scope.unit_ids), until__isnull=True)
        qs = qs.filter(scope.area_q("area__") | Q(pk__in=mine.values("alliance_id")))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if q:
        qs = qs.filter(name_search_q(q))
    if member_unit is not None:
        current = AllianceMember.objects.filter(unit=member_unit, until__isnull=True)
        qs = qs.filter(pk__in=current.values("alliance_id"))
    if convener is not None:
        qs = qs.filter(convener=convener)
    return (
        qs.select_related("area", "convener")
        .annotate(current_members=Count("members", filter=Q(members__until__isnull=True)))
        .order_by("area__path", "name_key")
    )


def alliance_get(*, actor: Actor, pk: int) -> Alliance:
    alliance = alliance_list(actor=actor).filter(pk=pk).first()
    if alliance is None:
        raise Http404
    return alliance


def alliance_member_list(
    *, actor: Actor, alliance: Alliance, current: bool = True
) -> QuerySet[AllianceMember]:
    alliance_get(actor=actor, pk=alliance.pk)
    qs = AllianceMember.objects.filter(alliance=alliance).select_related("unit", "unit__area")
    if current:
        qs = qs.filter(until__isnull=True)
    return qs.order_by("since", "unit__name_key")


def alliance_member_get(*, actor: Actor, pk: int) -> AllianceMember:
    member = AllianceMember.objects.filter(pk=pk).select_related("alliance").first()
    if member is None:
        raise Http404
    alliance_get(actor=actor, pk=member.alliance_id)
    return member
