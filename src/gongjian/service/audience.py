"""Who hears of service records: the member or volunteer whose hours or points they are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from gongjian.accounts.selectors import nearest_administrators
from gongjian.orgs.models import Area

from .models import (
    Activity,
    Attendance,
    AttendanceStatus,
    PointsEntry,
    ServiceHours,
    ServiceTeam,
    TeamMembership,
)


def hours_people(records: Iterable[ServiceHours]) -> list[Any]:
    """The accounts of the members and volunteers whose hours these are (those that have one)."""
    people = []
    for record in records:
        side = record.member if record.member_id is not None else record.volunteer
        if side is not None and side.user is not None:
            people.append(side.user)
    return people


def points_people(entry: PointsEntry) -> list[Any]:
    return [entry.member.user] if entry.member.user is not None else []


def my_service_url() -> str:
    return reverse("service:mine")


def area_people(area: Area) -> list[Any]:
    """Who verifies and approves in an area: its nearest administrators."""
    return nearest_administrators(area_path=area.path)


def hours_list_url() -> str:
    return reverse("service:hours_list")


def membership_people(row: TeamMembership) -> list[Any]:
    """The account of the member or volunteer on one row of a team."""
    side = row.member if row.member_id is not None else row.volunteer
    return [side.user] if side is not None and side.user is not None else []


def team_people(team: ServiceTeam) -> list[Any]:
    """The accounts of everyone on a team today (members and volunteers)."""
    people: list[Any] = []
    rows = TeamMembership.objects.filter(team=team, until__isnull=True).select_related(
        "member__user", "volunteer__user"
    )
    for row in rows:
        people += membership_people(row)
    return people


def team_url(team: ServiceTeam) -> str:
    return reverse("service:team_detail", args=[team.pk])


def activity_url(activity: Activity) -> str:
    return reverse("service:activity_detail", args=[activity.pk])


def signed_up_people(activity: Activity) -> list[Any]:
    """The accounts of those signed up for an activity (not cancelled)."""
    people: list[Any] = []
    rows = Attendance.objects.filter(activity=activity).exclude(status=AttendanceStatus.CANCELLED)
    for row in rows.select_related("member__user", "volunteer__user"):
        side = row.member if row.member_id is not None else row.volunteer
        if side is not None and side.user is not None:
            people.append(side.user)
    return people


def attendance_people(row: Attendance) -> list[Any]:
    side = row.member if row.member_id is not None else row.volunteer
    return [side.user] if side is not None and side.user is not None else []
