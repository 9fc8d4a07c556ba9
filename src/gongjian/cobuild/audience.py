"""Who hears of co-building's events: the unit or organisation given an action item."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongjian.accounts.models import RoleKind, User
from gongjian.accounts.selectors import nearest_administrators
from gongjian.core.events import Event
from gongjian.orgs.models import Area

from .models import ActionItem, PartTimeSeat


def action_owner_people(item: ActionItem) -> list[Any]:
    """The owner of an action item: the unit's liaisons, else its organisation's administrators."""
    if item.owner_unit is not None:
        return nearest_administrators(area_path=item.owner_unit.area.path, unit_id=item.owner_unit_id)
    if item.owner_org is not None:
        return nearest_administrators(area_path=item.owner_org.area.path, unit_id=item.owner_org.unit_id)
    return []


def action_url(item: ActionItem) -> str:
    return reverse("cobuild:meeting_detail", args=[item.meeting_id])


def _parent_path(path: str, steplen: int) -> str:
    return path[:-steplen] if len(path) > steplen else ""


def seat_people(event: Event, seat: PartTimeSeat) -> list[Any]:
    """Who hears of a step of a part-time seat: the committee's side for what it does next, the
    level above when a seat waits for its approval, the unit (its liaisons) and the person."""
    area = seat.committee.area
    side = nearest_administrators(area_path=area.path)
    unit = nearest_administrators(area_path=seat.unit.area.path, unit_id=seat.unit_id)
    person = [seat.member.user] if seat.member is not None and seat.member.user is not None else []
    if event == Event.SEAT_SCREEN:
        above = _parent_path(area.path, area.steplen)
        return nearest_administrators(area_path=above) if above else []
    if event in (Event.SEAT_RECOMMEND, Event.SEAT_ANNOUNCE):
        return side
    if event == Event.SEAT_APPROVE:
        return [*side, *unit]
    return [*unit, *person, *(side if event == Event.SEAT_REJECT else [])]


def seat_url(seat: PartTimeSeat) -> str:
    return reverse("cobuild:seat_detail", args=[seat.pk])


def area_households(area: Area) -> list[Any]:
    """The residents and members with a role in ``area`` or below (a consultation's households)."""
    return list(
        User.objects.filter(
            roles__kind__in=[RoleKind.RESIDENT, RoleKind.MEMBER],
            roles__active=True,
            roles__area__path__startswith=area.path,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )
