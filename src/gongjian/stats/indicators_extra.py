"""More indicators of the catalogue: figures the article reports beyond the domain guide's ids.

Each one is a figure of the seed article's table that the model holds (see
``demo/tests/test_article_figures.py``). For incremental aggregates, what decides whether a row
counts on a date (the area is always the node and everything below it, by ``path``):

- ``areas.old_compounds``: orgs.Area (distinct areas); level == COMPOUND, old_compound; dated by Area.since/until.
- ``areas.commercial_buildings``: orgs.Area (distinct areas); level == BUILDING, kind_label in COMMERCIAL_LABELS; dated by since/until.
- ``units.incubators``: orgs.ResidentUnit (distinct units) on its area; incubator; dated by ResidentUnit.since/until.
- ``units.hosted_firms``: orgs.ResidentUnit on its area; a sum of hosted_firms (rows: hosted_firms > 0); dated by since/until.
- ``units.provincial``: orgs.ResidentUnit (distinct units) on its area; rank == "provincial"; dated by since/until.
- ``members.total``: members.MemberCategory (distinct member_id) at its area; category in the four ledgers; dated by since/until.
- ``teams.members``: service.TeamMembership (distinct member_id + distinct volunteer_id) of a team on team.area; dated by TeamMembership.since/until and the team's TeamPeriod.since/until (both on the date).
- ``service.retired``: service.ServiceHours (distinct member_id) at its area; status == verified, ``on`` in the year to the date; and the member has a MemberCategory retired (any area) whose since/until cover the date.
- ``projects.at_meetings``: lists.Project (distinct projects) on its area; meeting not null; claimed_at (local date) in the year to the date.
- ``consultations.support_rate``: cobuild.ConsultationAnswer (for ÷ all) of a Consultation on consultation.area; consultation.closes_on in the year to the date (answers count once, in the year their poll closed).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet, Sum

from gongjian.cobuild.models import Answer, ConsultationAnswer
from gongjian.lists.models import Project
from gongjian.members.models import Category, Member, MemberCategory
from gongjian.orgs.models import Area, Dated, Level, ResidentUnit, UnitRank
from gongjian.service.models import HoursStatus, ServiceHours, TeamMembership, TeamPeriod

from .indicators_base import Indicator, year_to_date

#: How an area's ``kind_label`` names a commercial building (规模商务楼宇), in either script.
COMMERCIAL_LABELS = ("商务楼宇", "商務樓宇")


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


def _members_total(area: Area, date: dt.date) -> QuerySet[Member]:
    """Distinct members listed in any of the four ledgers (direct, in-service, mobile, retired) at
    the node or below on the date: a member in two ledgers counts once."""
    entries = MemberCategory.objects.filter(
        Dated.on(date), category__in=Category.ledgers(), area__path__startswith=area.path
    )
    return Member.objects.filter(pk__in=entries.values("member_id"))


def _team_places(area: Area, date: dt.date) -> QuerySet[TeamMembership]:
    """Places on service teams of the area active on the date, held on the date."""
    active = TeamPeriod.objects.filter(Dated.on(date), team__area__path__startswith=area.path)
    return TeamMembership.objects.filter(Dated.on(date), team_id__in=active.values("team_id"))


def _team_people(area: Area, date: dt.date) -> int:
    """Distinct people (members and volunteers) on the area's active service teams on the date."""
    places = _team_places(area, date)
    members = places.filter(member__isnull=False).values("member_id").distinct().count()
    volunteers = places.filter(volunteer__isnull=False).values("volunteer_id").distinct().count()
    return members + volunteers


def _retired_volunteers(area: Area, date: dt.date) -> QuerySet[Member]:
    """Distinct members in the retired ledger on the date with verified service in the period
    (year to date) in the subtree."""
    first, last = year_to_date(date)
    hours = ServiceHours.objects.filter(
        status=HoursStatus.VERIFIED,
        on__gte=first,
        on__lte=last,
        member__isnull=False,
        area__path__startswith=area.path,
    )
    retired = MemberCategory.objects.filter(Dated.on(date), category=Category.RETIRED)
    return Member.objects.filter(pk__in=hours.values("member_id")).filter(pk__in=retired.values("member_id"))


def _projects_at_meetings(area: Area, date: dt.date) -> QuerySet[Project]:
    """Projects formed by claims made at a joint meeting (现场认领), claimed in the period (year to
    date), in the subtree."""
    first, last = year_to_date(date)
    return Project.objects.filter(
        meeting__isnull=False,
        claimed_at__date__gte=first,
        claimed_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _answers(area: Area, date: dt.date) -> QuerySet[ConsultationAnswer]:
    first, last = year_to_date(date)
    return ConsultationAnswer.objects.filter(
        consultation__closes_on__gte=first,
        consultation__closes_on__lte=last,
        consultation__area__path__startswith=area.path,
    )


def _answers_for(area: Area, date: dt.date) -> QuerySet[ConsultationAnswer]:
    """Answers in favour, to consultations in the subtree that closed in the period (year to date)."""
    return _answers(area, date).filter(answer=Answer.FOR)


def _support_rate(area: Area, date: dt.date) -> float:
    """Of the answers to consultations closed in the period, the share in favour."""
    total = _answers(area, date).count()
    return round(_answers_for(area, date).count() / total, 4) if total else 0.0


EXTRA: list[Indicator] = [
    Indicator(
        "areas.old_compounds",
        "老旧小区",
        "老舊小區",
        "Old residential compounds",
        "stock",
        _old_compounds,
    ),
    Indicator(
        "areas.commercial_buildings",
        "商务楼宇",
        "商務樓宇",
        "Commercial buildings",
        "stock",
        _commercial_buildings,
    ),
    Indicator("units.incubators", "孵化基地", "孵化基地", "Incubation bases", "stock", _incubators),
    Indicator(
        "units.hosted_firms",
        "入驻注册企业",
        "入駐註冊企業",
        "Registered firms hosted",
        "stock",
        _hosting_units,
        _hosted_firms,
    ),
    Indicator("units.provincial", "省直单位", "省直單位", "Provincial units", "stock", _provincial),
    Indicator("members.total", "党员总数", "黨員總數", "Party members", "stock", _members_total),
    Indicator(
        "teams.members",
        "服务队队员",
        "服務隊隊員",
        "People on service teams",
        "stock",
        _team_places,
        _team_people,
    ),
    Indicator(
        "service.retired",
        "参与志愿服务离退休党员",
        "參與志願服務離退休黨員",
        "Retired members with verified service (year to date)",
        "flow",
        _retired_volunteers,
    ),
    Indicator(
        "projects.at_meetings",
        "联席会议现场认领项目",
        "聯席會議現場認領項目",
        "Projects claimed at joint meetings (year to date)",
        "flow",
        _projects_at_meetings,
    ),
    Indicator(
        "consultations.support_rate",
        "征求意见支持率",
        "徵求意見支持率",
        "Share of consultation answers in favour (year to date)",
        "ratio",
        _answers_for,
        _support_rate,
        parts=("_answers.for", "_answers.all"),
    ),
    # parts of the ratio above
    Indicator(
        "_answers.for", "_answers.for", "_answers.for", "_answers.for", "flow", _answers_for, hidden=True
    ),
    Indicator("_answers.all", "_answers.all", "_answers.all", "_answers.all", "flow", _answers, hidden=True),
]
