"""Service's figures (volunteers and hours, teams and the people on them), each with the query of
its rows and its kept source side by side. Registered from :class:`gongjian.service.apps.ServiceConfig`.

For the kept figures, what decides whether a row counts on a date (the area is always the node and
everything below it, by ``path``):

- ``teams.members``: TeamMembership (distinct member_id + distinct volunteer_id) of a team on team.area; dated by TeamMembership.since/until and the team's TeamPeriod.since/until (both on the date).
- ``service.retired``: ServiceHours (distinct member_id) at its area; status == verified, ``on`` in the year to the date; and the member has a members.MemberCategory retired (any area) whose since/until cover the date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet, Sum

from gongjian.members.models import Category, Member, MemberCategory
from gongjian.orgs.models import Area, Dated
from gongjian.stats.registry import Figure, Indicator, Kept, Subjects, year_to_date
from gongjian.stats.sources import by_field, itself, rows_of
from gongjian.stats.tally_core import Piece, chunks, flow, overlap

from .models import HoursStatus, ServiceHours, ServiceTeam, TeamMembership, TeamPeriod

# --- rows: the reference count ----------------------------------------------------------------


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


# --- kept: the tally's sources ----------------------------------------------------------------

_member_of = by_field("member_id")
_team_of = by_field("team_id")


def _kept_hours(subjects: Subjects) -> Iterator[Piece]:
    qs = ServiceHours.objects.filter(status=HoursStatus.VERIFIED)
    for r in rows_of(qs, subjects, "pk", "area__path", "on", "hours"):
        yield flow(r["pk"], r["area__path"], r["on"], float(r["hours"]))


def _kept_volunteers(subjects: Subjects) -> Iterator[Piece]:
    qs = ServiceHours.objects.filter(status=HoursStatus.VERIFIED, member__isnull=False)
    for r in rows_of(qs, subjects, "member_id", "area__path", "on"):
        yield flow(r["member_id"], r["area__path"], r["on"])


def _kept_teams(subjects: Subjects) -> Iterator[Piece]:
    for r in rows_of(TeamPeriod.objects.all(), subjects, "team_id", "team__area__path", "since", "until"):
        yield Piece(r["team_id"], r["team__area__path"], r["since"], r["until"])


def _kept_team_people(subjects: Subjects) -> Iterator[Piece]:
    """People on active teams: member m is subject 2m, volunteer v is 2v + 1 (counted apart)."""
    teams: set[int] = set()
    places: list[dict[str, Any]] = []
    fields = ("team_id", "team__area__path", "member_id", "volunteer_id", "since", "until")
    if subjects is None:
        places = list(TeamMembership.objects.values(*fields).order_by().iterator(chunk_size=5000))
    else:
        wanted = set(subjects)
        members = [s // 2 for s in wanted if s % 2 == 0]
        volunteers = [s // 2 for s in wanted if s % 2 == 1]
        for batch in chunks(members):
            places += TeamMembership.objects.filter(member_id__in=batch).values(*fields).order_by()
        for batch in chunks(volunteers):
            places += TeamMembership.objects.filter(volunteer_id__in=batch).values(*fields).order_by()
    teams = {p["team_id"] for p in places}
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for r in rows_of(TeamPeriod.objects.all(), teams, "team_id", "since", "until"):
        periods[r["team_id"]].append((r["since"], r["until"]))
    for p in places:
        subject = 2 * p["member_id"] if p["member_id"] else 2 * p["volunteer_id"] + 1
        for period in periods.get(p["team_id"], []):
            days = overlap(p["since"], p["until"], *period)
            if days:
                yield Piece(subject, p["team__area__path"], *days)


def _person_of(row: TeamMembership) -> list[int]:
    return [2 * row.member_id] if row.member_id else [2 * row.volunteer_id + 1] if row.volunteer_id else []


def _team_people_of(row: TeamPeriod) -> list[int]:
    return [s for m in TeamMembership.objects.filter(team_id=row.team_id) for s in _person_of(m)]


def _kept_retired_serving(subjects: Subjects) -> Iterator[Piece]:
    """Members with verified hours in the year to date while in the retired ledger (any area)."""
    qs = ServiceHours.objects.filter(status=HoursStatus.VERIFIED, member__isnull=False)
    hours = list(rows_of(qs, subjects, "member_id", "area__path", "on"))
    retired: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    entries = MemberCategory.objects.all()  # by member only (see members.figures._ledger_entries)
    for r in rows_of(entries, {h["member_id"] for h in hours}, "member_id", "category", "since", "until"):
        if r["category"] == Category.RETIRED:
            retired[r["member_id"]].append((r["since"], r["until"]))
    for h in hours:
        served = flow(h["member_id"], h["area__path"], h["on"])
        for entry in retired.get(h["member_id"], []):
            days = overlap(served.since, served.until, *entry)
            if days:
                yield Piece(h["member_id"], h["area__path"], *days)


FIGURES: list[Figure] = [
    Figure(
        Indicator(
            "service.volunteers",
            "参与志愿服务党员",
            "參與志願服務黨員",
            "Members with verified service (year to date)",
            "flow",
            _volunteers,
            order=140,
        ),
        Kept(_kept_volunteers, {ServiceHours: _member_of}),
    ),
    Figure(
        Indicator(
            "service.hours",
            "志愿服务时长",
            "志願服務時長",
            "Verified service hours (year to date)",
            "flow",
            _verified_hours,
            _hours,
            order=150,
            decimals=2,
        ),
        Kept(_kept_hours, {ServiceHours: itself}, distinct=False),
    ),
    Figure(
        Indicator(
            "teams.service", "在册服务队", "在冊服務隊", "Active service teams", "stock", _teams, order=160
        ),
        Kept(_kept_teams, {TeamPeriod: _team_of}),
    ),
    # the article's further figures
    Figure(
        Indicator(
            "teams.members",
            "服务队队员",
            "服務隊隊員",
            "People on service teams",
            "stock",
            _team_places,
            _team_people,
            order=500,
        ),
        Kept(_kept_team_people, {TeamMembership: _person_of, TeamPeriod: _team_people_of}),
    ),
    Figure(
        Indicator(
            "service.retired",
            "参与志愿服务离退休党员",
            "參與志願服務離退休黨員",
            "Retired members with verified service (year to date)",
            "flow",
            _retired_volunteers,
            order=510,
        ),
        Kept(_kept_retired_serving, {ServiceHours: _member_of, MemberCategory: _member_of}),
    ),
]
