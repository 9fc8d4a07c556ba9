"""The indicator catalogue: one entry per indicator, with the query that lists its rows.

Pages, the API and ``gongjian indicators`` all read this catalogue; adding an indicator is one
entry. Every figure counts records at the node and everything below it, on a date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from gongjian.appeals.models import REACHED_RESULTS, SATISFIED_RESULTS, Appeal, Outcome
from gongjian.cobuild.models import Agreement, CommitteeKind, JointMeeting, MeetingStatus, PartTimeSeat
from gongjian.lists.models import Claim, ClaimStatus, Demand, DemandKind, DemandStatus, Project, Resource
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
from gongjian.service.models import HoursStatus, ServiceHours, ServiceTeam, TeamPeriod

from .indicators_base import Indicator, year_to_date
from .indicators_extra import EXTRA


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
    return ratio(_covered_compounds(area, date).count(), total)


def _buildings(area: Area, date: dt.date) -> QuerySet[Area]:
    return Area.objects.filter(Dated.on(date), level=Level.BUILDING, path__startswith=area.path)


def _covered_buildings(area: Area, date: dt.date) -> QuerySet[Area]:
    groups = _territorial("group", Level.BUILDING)(area, date)
    return _buildings(area, date).filter(pk__in=groups.values("area_id"))


def _building_coverage(area: Area, date: dt.date) -> float:
    return ratio(_covered_buildings(area, date).count(), _buildings(area, date).count())


def ratio(part: float, whole: float) -> float:
    """A share rounded to four places; 0 when there is nothing to share."""
    return round(part / whole, 4) if whole else 0.0


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
    return ratio(_reported_of_listed(area, date).count(), _ledger(Category.IN_SERVICE)(area, date).count())


def _plaqued(area: Area, date: dt.date) -> QuerySet[Household]:
    """Households whose plaque is in force on the date, in the subtree."""
    return Household.objects.filter(Dated.on(date), area__path__startswith=area.path)


def _agreements(area: Area, date: dt.date) -> QuerySet[Agreement]:
    """Pairing agreements in force on the date whose community (or street) side is in the subtree."""
    return Agreement.objects.filter(Agreement.in_force_on(date), area__path__startswith=area.path)


def _seats(kind: str) -> Callable[[Area, dt.date], QuerySet[PartTimeSeat]]:
    """Part-time seats appointed and within their term on the date, on expanded committees of one
    kind (street 大工委 / community 大党委) in the subtree."""

    def rows(area: Area, date: dt.date) -> QuerySet[PartTimeSeat]:
        return PartTimeSeat.objects.filter(
            PartTimeSeat.in_force_on(date), committee__kind=kind, committee__area__path__startswith=area.path
        )

    return rows


def _meetings(area: Area, date: dt.date) -> QuerySet[JointMeeting]:
    """Joint meetings held in the period (year to date) in the subtree: held or minuted, not
    cancelled, starting on a day of the period (Beijing time)."""
    first, last = year_to_date(date)
    return JointMeeting.objects.filter(
        status__in=[MeetingStatus.HELD, MeetingStatus.CLOSED],
        starts_at__date__gte=first,
        starts_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _claimed_by(date: dt.date, side: str) -> Coalesce:
    """The quantity accepted by the end of ``date`` on each demand (``side`` = "demand") or
    resource, from the claims' decision times."""
    accepted = (
        Claim.objects.filter(
            **{side: OuterRef("pk")}, status=ClaimStatus.ACCEPTED, decided_at__date__lte=date
        )
        .order_by()
        .values(side)
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(accepted), Value(0))


def _demands_open(area: Area, date: dt.date) -> QuerySet[Demand]:
    """Demands published by the date, still on the list on it (not closed, withdrawn, rejected,
    nor past their deadline) and not yet fully claimed by it."""
    return (
        Demand.objects.filter(published_at__date__lte=date, area__path__startswith=area.path)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=date))
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=date))
        .exclude(status=DemandStatus.REJECTED)
        .annotate(claimed_then=_claimed_by(date, "demand"))
        .filter(claimed_then__lt=F("quantity"))
    )


def _resources_open(area: Area, date: dt.date) -> QuerySet[Resource]:
    """Resources published by the date, still offered on it (not withdrawn, nor past their
    availability) and not used up by it."""
    return (
        Resource.objects.filter(published_at__date__lte=date, area__path__startswith=area.path)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__date__gt=date))
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=date))
        .annotate(claimed_then=_claimed_by(date, "resource"))
        .filter(claimed_then__lt=F("capacity"))
    )


def _projects_claimed(area: Area, date: dt.date) -> QuerySet[Project]:
    """Projects formed by claims in the period (year to date) in the subtree."""
    first, last = year_to_date(date)
    return Project.objects.filter(
        claimed_at__date__gte=first, claimed_at__date__lte=last, area__path__startswith=area.path
    )


def _projects_completed(area: Area, date: dt.date) -> QuerySet[Project]:
    """Projects completed in the period (year to date) in the subtree."""
    first, last = year_to_date(date)
    return Project.objects.filter(
        completed_at__date__gte=first, completed_at__date__lte=last, area__path__startswith=area.path
    )


def _projects_claimed_and_completed(area: Area, date: dt.date) -> QuerySet[Project]:
    return _projects_claimed(area, date).filter(completed_at__date__lte=date)


def _completion_rate(area: Area, date: dt.date) -> float:
    """Of the projects claimed in the period, the share completed by the date."""
    return ratio(_projects_claimed_and_completed(area, date).count(), _projects_claimed(area, date).count())


def _micro_wishes(area: Area, date: dt.date) -> QuerySet[Demand]:
    first, last = year_to_date(date)
    return Demand.objects.filter(
        kind=DemandKind.MICRO_WISH,
        raised_at__date__gte=first,
        raised_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _micro_wishes_fulfilled(area: Area, date: dt.date) -> QuerySet[Demand]:
    first, last = year_to_date(date)
    return Demand.objects.filter(
        kind=DemandKind.MICRO_WISH,
        done_at__date__gte=first,
        done_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _verified_hours(area: Area, date: dt.date) -> QuerySet[ServiceHours]:
    """Verified service hours in the period (year to date) in the subtree: of an activity on its
    local start date in its area, or logged by a member for a community and verified there."""
    first, last = year_to_date(date)
    return ServiceHours.objects.filter(
        status=HoursStatus.VERIFIED, on__gte=first, on__lte=last, area__path__startswith=area.path
    )


def _hours(area: Area, date: dt.date) -> float:
    total = _verified_hours(area, date).aggregate(total=Sum("hours"))["total"]
    return float(total or 0)


def _volunteers(area: Area, date: dt.date) -> QuerySet[Member]:
    """Distinct Party members with verified service in the period in the subtree (volunteers who
    are not members have hours but are not counted here)."""
    return Member.objects.filter(
        pk__in=_verified_hours(area, date).filter(member__isnull=False).values("member_id")
    )


def _teams(area: Area, date: dt.date) -> QuerySet[ServiceTeam]:
    """Service teams active on the date in the subtree (from their dated active periods)."""
    periods = TeamPeriod.objects.filter(Dated.on(date), team__area__path__startswith=area.path)
    return ServiceTeam.objects.filter(pk__in=periods.values("team_id"))


def _appeals_due(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Appeals about the subtree that fell due in the period (year to date): ``due_at``, a local
    date, from 1 January to the date (an appeal counts on the day it falls due, whatever the hour)."""
    first, last = year_to_date(date)
    return Appeal.objects.filter(
        due_at__date__gte=first, due_at__date__lte=last, area__path__startswith=area.path
    )


def _appeals_answered_in_time(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Of the appeals due in the period, those first answered by their due time (``answered_at`` at
    or before ``due_at``): the numerator of ``appeals.response_rate``."""
    return _appeals_due(area, date).filter(answered_at__lte=F("due_at"))


def _response_rate(area: Area, date: dt.date) -> float:
    """Appeals answered within their time limit ÷ appeals due, over the year to the date: both
    counted in the year their due day falls in, on and after that day (an appeal not answered by
    then counts in the denominator only; answered late, too)."""
    return ratio(_appeals_answered_in_time(area, date).count(), _appeals_due(area, date).count())


def _appeals_closed(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Appeals about the subtree closed in the period (year to date), by the local date of
    ``closed_at``."""
    first, last = year_to_date(date)
    return Appeal.objects.filter(
        closed_at__date__gte=first, closed_at__date__lte=last, area__path__startswith=area.path
    )


def _appeals_closed_solved(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Of the appeals closed in the period, those closed as solved (not as unsolvable)."""
    return _appeals_closed(area, date).filter(outcome=Outcome.SOLVED)


def _resolution_rate(area: Area, date: dt.date) -> float:
    """Appeals closed as solved ÷ appeals closed, over the year to the date (by the closing day)."""
    return ratio(_appeals_closed_solved(area, date).count(), _appeals_closed(area, date).count())


def _appeals_reached(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Appeals about the subtree whose resident was called back and reached in the period (year to
    date, by the local date of ``called_back_at``): satisfied, basically satisfied or dissatisfied;
    "not reached" counts in neither part of the rate."""
    first, last = year_to_date(date)
    return Appeal.objects.filter(
        callback_result__in=REACHED_RESULTS,
        called_back_at__date__gte=first,
        called_back_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _appeals_satisfied(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Of the residents reached in the period, those satisfied or basically satisfied (基本满意
    counts as satisfied, as hotline reports count it)."""
    return _appeals_reached(area, date).filter(callback_result__in=SATISFIED_RESULTS)


def _satisfaction_rate(area: Area, date: dt.date) -> float:
    """Satisfied (including basically satisfied) ÷ called back and reached, over the year to the
    date. The resident's own online rating is shown with the appeal and not counted here."""
    return ratio(_appeals_satisfied(area, date).count(), _appeals_reached(area, date).count())


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
            "agreements.in_force",
            "在约结对共建协议",
            "在約結對共建協議",
            "Pairing agreements in force",
            "stock",
            _agreements,
        ),
        Indicator(
            "parttime.street",
            "街道大工委兼职委员",
            "街道大工委兼職委員",
            "Part-time members of street committees",
            "stock",
            _seats(CommitteeKind.STREET),
        ),
        Indicator(
            "parttime.community",
            "社区大党委兼职委员",
            "社區大黨委兼職委員",
            "Part-time members of community committees",
            "stock",
            _seats(CommitteeKind.COMMUNITY),
        ),
        Indicator(
            "meetings.joint",
            "召开联席会议",
            "召開聯席會議",
            "Joint meetings held (year to date)",
            "flow",
            _meetings,
        ),
        Indicator("demands.open", "待认领需求", "待認領需求", "Open demands", "stock", _demands_open),
        Indicator("resources.open", "可用资源", "可用資源", "Open resources", "stock", _resources_open),
        Indicator(
            "projects.claimed",
            "认领项目",
            "認領項目",
            "Projects claimed (year to date)",
            "flow",
            _projects_claimed,
        ),
        Indicator(
            "projects.completed",
            "完成项目",
            "完成項目",
            "Projects completed (year to date)",
            "flow",
            _projects_completed,
        ),
        Indicator(
            "projects.completion_rate",
            "项目完成率",
            "項目完成率",
            "Share of claimed projects completed",
            "ratio",
            _projects_claimed_and_completed,
            _completion_rate,
            parts=("_projects.claimed_completed", "projects.claimed"),
        ),
        Indicator(
            "microwishes.raised",
            "微心愿征集",
            "微心願徵集",
            "Micro-wishes raised (year to date)",
            "flow",
            _micro_wishes,
        ),
        Indicator(
            "microwishes.fulfilled",
            "微心愿实现",
            "微心願實現",
            "Micro-wishes fulfilled (year to date)",
            "flow",
            _micro_wishes_fulfilled,
        ),
        Indicator(
            "service.volunteers",
            "参与志愿服务党员",
            "參與志願服務黨員",
            "Members with verified service (year to date)",
            "flow",
            _volunteers,
        ),
        Indicator(
            "service.hours",
            "志愿服务时长",
            "志願服務時長",
            "Verified service hours (year to date)",
            "flow",
            _verified_hours,
            _hours,
        ),
        Indicator("teams.service", "在册服务队", "在冊服務隊", "Active service teams", "stock", _teams),
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
            parts=("_compounds.covered", "_compounds.all"),
        ),
        Indicator(
            "coverage.buildings",
            "楼栋党小组覆盖率",
            "樓棟黨小組覆蓋率",
            "Buildings with a Party group",
            "ratio",
            _covered_buildings,
            _building_coverage,
            parts=("_buildings.covered", "_buildings.all"),
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
            parts=("_members.reported_listed", "members.in_service"),
        ),
        Indicator(
            "households.plaqued",
            "党员家庭户",
            "黨員家庭戶",
            "Party-member households",
            "stock",
            _plaqued,
        ),
        Indicator(
            "appeals.response_rate",
            "诉求响应率",
            "訴求響應率",
            "Share of appeals answered within the time limit (year to date)",
            "ratio",
            _appeals_answered_in_time,
            _response_rate,
            parts=("_appeals.answered_in_time", "_appeals.due"),
        ),
        Indicator(
            "appeals.resolution_rate",
            "诉求解决率",
            "訴求解決率",
            "Share of closed appeals solved (year to date)",
            "ratio",
            _appeals_closed_solved,
            _resolution_rate,
            parts=("_appeals.closed_solved", "_appeals.closed"),
        ),
        Indicator(
            "appeals.satisfaction_rate",
            "诉求满意率",
            "訴求滿意率",
            "Share of residents called back who were satisfied (year to date)",
            "ratio",
            _appeals_satisfied,
            _satisfaction_rate,
            parts=("_appeals.satisfied", "_appeals.reached"),
        ),
        # parts of the ratios above
        *[
            Indicator(key, key, key, key, kind, rows, hidden=True)
            for key, kind, rows in [
                ("_compounds.all", "stock", _compounds),
                ("_compounds.covered", "stock", _covered_compounds),
                ("_buildings.all", "stock", _buildings),
                ("_buildings.covered", "stock", _covered_buildings),
                ("_members.reported_listed", "stock", _reported_of_listed),
                ("_projects.claimed_completed", "flow", _projects_claimed_and_completed),
                ("_appeals.due", "flow", _appeals_due),
                ("_appeals.answered_in_time", "flow", _appeals_answered_in_time),
                ("_appeals.closed", "flow", _appeals_closed),
                ("_appeals.closed_solved", "flow", _appeals_closed_solved),
                ("_appeals.reached", "flow", _appeals_reached),
                ("_appeals.satisfied", "flow", _appeals_satisfied),
            ]
        ],
        *EXTRA,
    ]
}


SHOWN = [key for key, indicator in CATALOGUE.items() if not indicator.hidden]


def from_rows(area: Area, date: dt.date) -> dict[str, float | int]:
    """Every figure counted from its rows: the reference the kept figures must equal."""
    return {key: CATALOGUE[key].compute(area, date) for key in SHOWN}


def compute_all(area: Area, date: dt.date) -> dict[str, float | int]:
    """Every figure of the node on the date (the node and everything below it)."""
    return compute_many([area], [date])[(area.pk, date)]


def _shape(indicator: Indicator, value: float) -> float | int:
    if indicator.id == "service.hours":
        return round(value, 2)
    return round(value)


def compute_many(
    areas: list[Area], dates: list[dt.date]
) -> dict[tuple[int, dt.date], dict[str, float | int]]:
    """Every figure for each area on each date, keyed by (area id, date), from the kept tallies
    (see ``stats.tally``); a figure without a kept source is counted from its rows."""
    from . import tally  # the tally reads sources built from the models

    kept = tally.sources()
    stored = tally.values([a.path for a in areas], dates)
    out: dict[tuple[int, dt.date], dict[str, float | int]] = {}
    for area in areas:
        for date in dates:
            raw = stored[(area.path, date)]
            figures: dict[str, float | int] = {}
            for key, indicator in CATALOGUE.items():
                if key in kept:
                    figures[key] = _shape(indicator, raw.get(key, 0.0))
                elif indicator.parts is None:
                    figures[key] = indicator.compute(area, date)
            for key, indicator in CATALOGUE.items():
                if indicator.parts is not None:
                    part, whole = indicator.parts
                    figures[key] = ratio(figures[part], figures[whole])
            out[(area.pk, date)] = {key: figures[key] for key in SHOWN}
    return out
