"""The indicator catalogue: one entry per indicator, with the query that lists its rows.

Pages, the API and ``gongjian indicators`` all read this catalogue; adding an indicator is one
entry. Every figure counts records at the node and everything below it, on a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from gongjian.members.models import (
    Category,
    CoManagement,
    Household,
    Member,
    MemberCategory,
    MemberReport,
    ReportStatus,
)
from gongjian.orgs.models import AllianceMember, Area, Dated, Level, PartyOrg, ResidentUnit


@dataclass(frozen=True)
class Indicator:
    id: str
    name_hans: str
    name_hant: str
    name_en: str
    kind: str  # "stock" (on the date) or "flow" (year to date) or "ratio"
    rows: Callable[[Area, dt.date], QuerySet[Any]] | None
    value: Callable[[Area, dt.date], float | int] | None = None

    def compute(self, area: Area, date: dt.date) -> float | int:
        if self.value is not None:
            return self.value(area, date)
        assert self.rows is not None
        return self.rows(area, date).count()

    def name(self, language: str) -> str:
        if language.startswith("en"):
            return self.name_en
        if language in {"zh-hant", "zh-tw", "zh-hk"}:
            return self.name_hant
        return self.name_hans


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


def _coverage(area: Area, date: dt.date) -> float:
    total = _compounds(area, date).count()
    return round(_covered_compounds(area, date).count() / total, 4) if total else 0.0


def _ledger(category: str) -> Callable[[Area, dt.date], QuerySet[Member]]:
    """Distinct members listed in one ledger at the node or below on the date: an entry of that
    category open on the date whose ``area`` is in the subtree."""

    def rows(area: Area, date: dt.date) -> QuerySet[Member]:
        entries = MemberCategory.objects.filter(
            Dated.on(date), category=category, area__path__startswith=area.path
        )
        return Member.objects.filter(pk__in=entries.values("member_id"))

    return rows


def _co_managed(area: Area, date: dt.date) -> QuerySet[CoManagement]:
    """Co-management rows (队伍共管) in force on the date with a community in the subtree."""
    return CoManagement.objects.filter(Dated.on(date), community__path__startswith=area.path)


def _reports_in_force(area: Area, date: dt.date) -> QuerySet[MemberReport]:
    """Confirmed (by the date) registrations in force on the date with a community in the subtree."""
    return MemberReport.objects.filter(
        Dated.on(date),
        status=ReportStatus.CONFIRMED,
        confirmed_on__lte=date,
        community__path__startswith=area.path,
    )


def _in_service_anywhere(date: dt.date) -> QuerySet[MemberCategory]:
    return MemberCategory.objects.filter(Dated.on(date), category=Category.IN_SERVICE)


def _reported(area: Area, date: dt.date) -> QuerySet[Member]:
    """In-service members (on the date) reported to a community in the subtree."""
    return Member.objects.filter(
        pk__in=_reports_in_force(area, date).values("member_id"),
    ).filter(pk__in=_in_service_anywhere(date).values("member_id"))


def _reported_of_listed(area: Area, date: dt.date) -> QuerySet[Member]:
    """The numerator of the report rate: in-service members listed in the subtree who reported to a
    community in the subtree (the same as ``members.reported`` unless someone reported away from
    where the ledger lists them; this keeps the rate a share, never above 1)."""
    return _ledger(Category.IN_SERVICE)(area, date).filter(
        pk__in=_reports_in_force(area, date).values("member_id")
    )


def _report_rate(area: Area, date: dt.date) -> float:
    total = _ledger(Category.IN_SERVICE)(area, date).count()
    return round(_reported_of_listed(area, date).count() / total, 4) if total else 0.0


def _plaqued(area: Area, date: dt.date) -> QuerySet[Household]:
    """Households whose plaque is in force on the date, in the subtree."""
    return Household.objects.filter(Dated.on(date), area__path__startswith=area.path)


CATALOGUE: dict[str, Indicator] = {
    i.id: i
    for i in [
        Indicator("units.resident", "驻区单位", "駐區單位", "Resident units", "stock", _units),
        Indicator(
            "alliance.members",
            "联盟成员单位",
            "聯盟成員單位",
            "Alliance member units",
            "stock",
            _alliance_members,
        ),
        Indicator(
            "orgs.compound_branches",
            "小区党支部",
            "小區黨支部",
            "Compound Party branches",
            "stock",
            _territorial("branch", Level.COMPOUND),
        ),
        Indicator(
            "orgs.building_groups",
            "楼栋党小组",
            "樓棟黨小組",
            "Building Party groups",
            "stock",
            _territorial("group", Level.BUILDING),
        ),
        Indicator(
            "coverage.compounds",
            "小区党组织覆盖率",
            "小區黨組織覆蓋率",
            "Compounds with a Party branch",
            "ratio",
            _covered_compounds,
            _coverage,
        ),
        Indicator(
            "members.direct",
            "直管党员",
            "直管黨員",
            "Directly managed members",
            "stock",
            _ledger(Category.DIRECT),
        ),
        Indicator(
            "members.in_service",
            "在职党员",
            "在職黨員",
            "In-service members",
            "stock",
            _ledger(Category.IN_SERVICE),
        ),
        Indicator(
            "members.mobile", "流动党员", "流動黨員", "Mobile members", "stock", _ledger(Category.MOBILE)
        ),
        Indicator(
            "members.retired",
            "离退休党员",
            "離退休黨員",
            "Retired members",
            "stock",
            _ledger(Category.RETIRED),
        ),
        Indicator(
            "members.co_managed",
            "队伍共管党员",
            "隊伍共管黨員",
            "Unit members in co-management",
            "stock",
            _co_managed,
        ),
        Indicator(
            "members.reported",
            "报到在职党员",
            "報到在職黨員",
            "In-service members reported to a community",
            "stock",
            _reported,
        ),
        Indicator(
            "members.report_rate",
            "在职党员报到率",
            "在職黨員報到率",
            "Share of in-service members reported",
            "ratio",
            _reported_of_listed,
            _report_rate,
        ),
        Indicator(
            "households.plaqued",
            "党员家庭户",
            "黨員家庭戶",
            "Party-member households",
            "stock",
            _plaqued,
        ),
    ]
}


def compute_all(area: Area, date: dt.date) -> dict[str, float | int]:
    return {key: ind.compute(area, date) for key, ind in CATALOGUE.items()}
