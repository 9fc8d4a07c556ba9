"""The map's pickers: areas, resident units and Party organisations, each labelled with where it
is ("王家垅社区 · 30号庭院 · 1栋"), searched through the map's scoped selectors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gongjian.accounts.actor import Actor
from gongjian.web.pick import SEP, PickSource, register

from . import selectors
from .models import Area, Level, PartyOrg, ResidentUnit

#: How many places above a thing its label names (the community above a compound above a building).
ABOVE = 2


def _names_above(areas: Sequence[Area], above: int) -> dict[str, str]:
    """The names of the ``above`` ancestors of each area (by path), read in one query."""
    step = Area.steplen
    wanted = {a.path[: step * k] for a in areas for k in range(max(1, a.depth - above), a.depth)}
    return dict(Area.objects.filter(path__in=wanted).values_list("path", "name")) if wanted else {}


def place_labels(areas: Sequence[Area], *, above: int = ABOVE) -> list[str]:
    """Each area named with the ``above`` places above it, from the top down."""
    names = _names_above(areas, above)
    step = Area.steplen
    out = []
    for a in areas:
        ancestors = [names.get(a.path[: step * k], "") for k in range(max(1, a.depth - above), a.depth)]
        out.append(SEP.join([*(n for n in ancestors if n), a.name]))
    return out


def area_labels(areas: Sequence[Area]) -> list[str]:
    return place_labels(areas)


def unit_labels(units: Sequence[ResidentUnit]) -> list[str]:
    places = place_labels([u.area for u in units], above=ABOVE - 1)
    return [f"{u.name}{SEP}{place}" for u, place in zip(units, places, strict=True)]


def org_labels(orgs: Sequence[PartyOrg]) -> list[str]:
    places = place_labels([o.area for o in orgs], above=ABOVE - 1)
    return [f"{o.name}{SEP}{place}" for o, place in zip(orgs, places, strict=True)]


def _areas(actor: Actor, q: str, params: Mapping[str, str]) -> Any:
    rows = selectors.area_list(actor=actor, q=q)
    levels = [int(v) for v in params.get("levels", "").split(",") if v.strip().isdigit()]
    return rows.filter(level__in=levels) if levels else rows


def _area_levels(areas: Any) -> dict[str, str]:
    """``levels=4,5`` when a field accepts only some levels of the map (e.g. communities)."""
    levels = sorted(set(areas.order_by().values_list("level", flat=True).distinct()))
    return {"levels": ",".join(map(str, levels))} if levels and len(levels) < len(Level) else {}


def _units(actor: Actor, q: str, params: Mapping[str, str]) -> Any:
    return selectors.unit_list(actor=actor, q=q)


def _orgs(actor: Actor, q: str, params: Mapping[str, str]) -> Any:
    return selectors.party_org_list(actor=actor, q=q)


def register_pickers() -> None:
    register(PickSource(kind="area", model=Area, rows=_areas, labels=area_labels, narrow=_area_levels))
    register(PickSource(kind="unit", model=ResidentUnit, rows=_units, labels=unit_labels))
    register(PickSource(kind="org", model=PartyOrg, rows=_orgs, labels=org_labels))
