"""The map's figures (resident units, alliances, territorial organisations and their coverage, the
kinds of areas), each with the query of its rows and its kept source side by side; and the map as
the figures engine reads it (:class:`AreaMap`). Registered from :class:`gongjian.orgs.apps.OrgsConfig`.

For the kept figures, what decides whether a row counts on a date (the area is always the node and
everything below it, by ``path``):

- ``areas.old_compounds``: Area (distinct areas); level == COMPOUND, old_compound; dated by Area.since/until.
- ``areas.commercial_buildings``: Area (distinct areas); level == BUILDING, kind_label in COMMERCIAL_LABELS; dated by since/until.
- ``units.incubators``: ResidentUnit (distinct units) on its area; incubator; dated by ResidentUnit.since/until.
- ``units.hosted_firms``: ResidentUnit on its area; a sum of hosted_firms (rows: hosted_firms > 0); dated by since/until.
- ``units.provincial``: ResidentUnit (distinct units) on its area; rank == "provincial"; dated by since/until.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet, Sum

from gongjian.accounts.actor import Actor
from gongjian.stats.registry import Figure, Indicator, Kept, Subjects, ratio
from gongjian.stats.sources import by_field, dated, itself, rows_of
from gongjian.stats.tally_core import Piece, overlap

from . import selectors
from .models import Alliance, AllianceMember, Area, Dated, Level, PartyOrg, ResidentUnit, UnitRank

#: How an area's ``kind_label`` names a commercial building (规模商务楼宇), in either script.
COMMERCIAL_LABELS = ("商务楼宇", "商務樓宇")


class AreaMap:
    """The map as the figures engine reads it (``gongjian.stats.registry.MapProvider``)."""

    steplen: int = Area.steplen
    model: type[models.Model] = Area

    def areas(self) -> QuerySet[Area]:
        return Area.objects.all()

    def visible(self, *, actor: Actor) -> QuerySet[Area]:
        return selectors.area_list(actor=actor)

    def roots(self, *, actor: Actor) -> QuerySet[Area]:
        return selectors.area_roots(actor=actor)

    def children(self, area: Any, date: dt.date) -> list[Area]:
        return list(Area.objects.get_children(area).filter(Dated.on(date)).order_by("code"))

    def ancestors(self, area: Any) -> list[Area]:
        return list(Area.objects.get_ancestors(area)) if area.depth > 1 else []

    def child_level(self, area: Any) -> int:
        return Level(area.level + 1) if area.level < Level.BUILDING else Level.BUILDING


# --- rows: the reference count ----------------------------------------------------------------


def _units(area: Area, date: dt.date) -> QuerySet[ResidentUnit]:
    return ResidentUnit.objects.filter(Dated.on(date), area__path__startswith=area.path)


def _alliance_members(area: Area, date: dt.date) -> QuerySet[ResidentUnit]:
    memberships = AllianceMember.objects.filter(
        Dated.on(date), Dated.on(date, "alliance__"), alliance__area__path__startswith=area.path
    )
    return ResidentUnit.objects.filter(pk__in=memberships.values("unit_id"))


def _territorial(kind: str, level: int) -> Callable[[Area, dt.date], QuerySet[PartyOrg]]:
    def rows(area: Area, date: dt.date) -> QuerySet[PartyOrg]:
        return PartyOrg.objects.filter(
            Dated.on(date),
            kind__in=[kind, "joint_branch"] if kind == "branch" else [kind],
            unit__isnull=True,
            area__level=level,
            area__path__startswith=area.path,
        )

    return rows


def _compounds(area: Area, date: dt.date) -> QuerySet[Area]:
    return Area.objects.filter(Dated.on(date), level=Level.COMPOUND, path__startswith=area.path)


def _covered_compounds(area: Area, date: dt.date) -> QuerySet[Area]:
    branches = _territorial("branch", Level.COMPOUND)(area, date)
    return _compounds(area, date).filter(pk__in=branches.values("area_id"))


def _coverage(area: Area, date: dt.date) -> float | None:
    total = _compounds(area, date).count()
    return ratio(_covered_compounds(area, date).count(), total)


def _buildings(area: Area, date: dt.date) -> QuerySet[Area]:
    return Area.objects.filter(Dated.on(date), level=Level.BUILDING, path__startswith=area.path)


def _covered_buildings(area: Area, date: dt.date) -> QuerySet[Area]:
    groups = _territorial("group", Level.BUILDING)(area, date)
    return _buildings(area, date).filter(pk__in=groups.values("area_id"))


def _building_coverage(area: Area, date: dt.date) -> float | None:
    return ratio(_covered_buildings(area, date).count(), _buildings(area, date).count())


def _old_compounds(area: Area, date: dt.date) -> QuerySet[Area]:
    """Compounds marked as old residential compounds (老旧小区), in force on the date."""
    return Area.objects.filter(
        Dated.on(date), level=Level.COMPOUND, old_compound=True, path__startswith=area.path
    )


def _commercial_buildings(area: Area, date: dt.date) -> QuerySet[Area]:
    """Buildings of the kind 商务楼宇 (commercial office buildings), in force on the date."""
    return Area.objects.filter(
        Dated.on(date), level=Level.BUILDING, kind_label__in=COMMERCIAL_LABELS, path__startswith=area.path
    )


def _incubators(area: Area, date: dt.date) -> QuerySet[ResidentUnit]:
    """Resident units that are incubation bases (孵化基地), sitting in the area on the date."""
    return ResidentUnit.objects.filter(Dated.on(date), incubator=True, area__path__startswith=area.path)


def _hosting_units(area: Area, date: dt.date) -> QuerySet[ResidentUnit]:
    """Resident units hosting registered firms (an incubation base, a park), in the area on the date."""
    return ResidentUnit.objects.filter(Dated.on(date), hosted_firms__gt=0, area__path__startswith=area.path)


def _hosted_firms(area: Area, date: dt.date) -> int:
    """The registered firms hosted by the resident units in the area on the date (a sum)."""
    total = _hosting_units(area, date).aggregate(total=Sum("hosted_firms"))["total"]
    return int(total or 0)


def _provincial(area: Area, date: dt.date) -> QuerySet[ResidentUnit]:
    """Resident units of provincial rank (省直单位), sitting in the area on the date."""
    return ResidentUnit.objects.filter(
        Dated.on(date), rank=UnitRank.PROVINCIAL, area__path__startswith=area.path
    )


# --- kept: the tally's sources ----------------------------------------------------------------


def _kept_alliance_members(subjects: Subjects) -> Iterator[Piece]:
    """Units (subjects) with a membership of an alliance in force (both dated)."""
    qs = AllianceMember.objects.all()
    fields = ("alliance__area__path", "since", "until", "alliance__since", "alliance__until")
    for r in rows_of(qs, subjects, "unit_id", *fields):
        days = overlap(r["since"], r["until"], r["alliance__since"], r["alliance__until"])
        if days:
            yield Piece(r["unit_id"], r["alliance__area__path"], *days)


def _org_kinds(kind: str) -> list[str]:
    return [kind, "joint_branch"] if kind == "branch" else [kind]


def _kept_territorial(kind: str, level: int) -> Q:
    return Q(kind__in=_org_kinds(kind), unit__isnull=True, area__level=level)


def _kept_covered(kind: str, level: int) -> Callable[[Subjects], Iterator[Piece]]:
    """Areas of a level (subjects) on days they are in force and carry a territorial organisation
    of the kind in force."""

    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = PartyOrg.objects.filter(_kept_territorial(kind, level))
        fields = ("area__path", "since", "until", "area__since", "area__until")
        for r in rows_of(qs, subjects, "area_id", *fields):
            days = overlap(r["since"], r["until"], r["area__since"], r["area__until"])
            if days:
                yield Piece(r["area_id"], r["area__path"], *days)

    return pieces


def _alliance_units(row: Alliance) -> list[int]:
    return list(AllianceMember.objects.filter(alliance=row).values_list("unit_id", flat=True))


def _kept_hosted_firms(subjects: Subjects) -> Iterator[Piece]:
    qs = ResidentUnit.objects.filter(hosted_firms__gt=0)
    for r in rows_of(qs, subjects, "pk", "area__path", "since", "until", "hosted_firms"):
        yield Piece(r["pk"], r["area__path"], r["since"], r["until"], float(r["hosted_firms"]))


_org_area = by_field("area_id")
_unit_of = by_field("unit_id")
COMPOUND, BUILDING = Level.COMPOUND, Level.BUILDING


#: The names of the ratios' parts, shown as a denominator on the rows pages (never the id).
PART_NAMES = {
    "_compounds.all": ("小区总数", "小區總數", "Compounds"),
    "_compounds.covered": ("建有党支部的小区", "建有黨支部的小區", "Compounds with a Party branch"),
    "_buildings.all": ("楼栋总数", "樓棟總數", "Buildings"),
    "_buildings.covered": ("建有党小组的楼栋", "建有黨小組的樓棟", "Buildings with a Party group"),
}


def _part(key: str, kind: str, rows: Callable[[Area, dt.date], QuerySet[Any]], order: int) -> Indicator:
    return Indicator(key, *PART_NAMES[key], kind, rows, hidden=True, order=order)


FIGURES: list[Figure] = [
    Figure(
        Indicator("units.resident", "驻区单位", "駐區單位", "Resident units", "stock", _units, order=10),
        Kept(dated(ResidentUnit, "area__path"), {ResidentUnit: itself}),
    ),
    Figure(
        Indicator(
            "alliance.members",
            "联盟成员单位",
            "聯盟成員單位",
            "Alliance member units",
            "stock",
            _alliance_members,
            order=20,
        ),
        Kept(_kept_alliance_members, {AllianceMember: _unit_of, Alliance: _alliance_units}),
    ),
    Figure(
        Indicator(
            "orgs.compound_branches",
            "小区党支部",
            "小區黨支部",
            "Compound Party branches",
            "stock",
            _territorial("branch", Level.COMPOUND),
            order=170,
        ),
        Kept(dated(PartyOrg, "area__path", _kept_territorial("branch", COMPOUND)), {PartyOrg: itself}),
    ),
    Figure(
        Indicator(
            "orgs.building_groups",
            "楼栋党小组",
            "樓棟黨小組",
            "Building Party groups",
            "stock",
            _territorial("group", Level.BUILDING),
            order=180,
        ),
        Kept(dated(PartyOrg, "area__path", _kept_territorial("group", BUILDING)), {PartyOrg: itself}),
    ),
    Figure(
        Indicator(
            "coverage.compounds",
            "小区党组织覆盖率",
            "小區黨組織覆蓋率",
            "Compounds with a Party branch",
            "ratio",
            _covered_compounds,
            _coverage,
            parts=("_compounds.covered", "_compounds.all"),
            order=190,
        )
    ),
    Figure(
        Indicator(
            "coverage.buildings",
            "楼栋党小组覆盖率",
            "樓棟黨小組覆蓋率",
            "Buildings with a Party group",
            "ratio",
            _covered_buildings,
            _building_coverage,
            parts=("_buildings.covered", "_buildings.all"),
            order=200,
        )
    ),
    # parts of the ratios above
    Figure(
        _part("_compounds.all", "stock", _compounds, 320),
        Kept(dated(Area, "path", Q(level=COMPOUND)), {Area: itself}),
    ),
    Figure(
        _part("_compounds.covered", "stock", _covered_compounds, 330),
        Kept(_kept_covered("branch", COMPOUND), {PartyOrg: _org_area, Area: itself}),
    ),
    Figure(
        _part("_buildings.all", "stock", _buildings, 340),
        Kept(dated(Area, "path", Q(level=BUILDING)), {Area: itself}),
    ),
    Figure(
        _part("_buildings.covered", "stock", _covered_buildings, 350),
        Kept(_kept_covered("group", BUILDING), {PartyOrg: _org_area, Area: itself}),
    ),
    # the article's further figures
    Figure(
        Indicator(
            "areas.old_compounds",
            "老旧小区",
            "老舊小區",
            "Old residential compounds",
            "stock",
            _old_compounds,
            order=440,
        ),
        Kept(dated(Area, "path", Q(level=COMPOUND, old_compound=True)), {Area: itself}),
    ),
    Figure(
        Indicator(
            "areas.commercial_buildings",
            "商务楼宇",
            "商務樓宇",
            "Commercial buildings",
            "stock",
            _commercial_buildings,
            order=450,
        ),
        Kept(dated(Area, "path", Q(level=BUILDING, kind_label__in=COMMERCIAL_LABELS)), {Area: itself}),
    ),
    Figure(
        Indicator(
            "units.incubators", "孵化基地", "孵化基地", "Incubation bases", "stock", _incubators, order=460
        ),
        Kept(dated(ResidentUnit, "area__path", Q(incubator=True)), {ResidentUnit: itself}),
    ),
    Figure(
        Indicator(
            "units.hosted_firms",
            "入驻注册企业",
            "入駐註冊企業",
            "Registered firms hosted",
            "stock",
            _hosting_units,
            _hosted_firms,
            order=470,
        ),
        Kept(_kept_hosted_firms, {ResidentUnit: itself}, distinct=False),
    ),
    Figure(
        Indicator(
            "units.provincial", "省直单位", "省直單位", "Provincial units", "stock", _provincial, order=480
        ),
        Kept(dated(ResidentUnit, "area__path", Q(rank=UnitRank.PROVINCIAL)), {ResidentUnit: itself}),
    ),
]
