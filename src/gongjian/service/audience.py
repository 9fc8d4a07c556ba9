"""Who hears of service records: the member or volunteer whose hours or points they are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from gongjian.accounts.selectors import nearest_administrators
from gongjian.orgs.models import Area

from .models import PointsEntry, ServiceHours


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
