"""Who hears of an appeal's steps: the staff of the area it was registered in, the organisation
it is assigned to (its unit's liaisons, else the administrators of its area), the resident."""

from __future__ import annotations

from typing import Any

from gongjian.accounts.selectors import nearest_administrators
from gongjian.orgs.models import Area, PartyOrg

from .models import Appeal


def area_people(appeal: Appeal) -> list[Any]:
    """The administrators nearest the appeal's area (the community's, else the street's …)."""
    return nearest_administrators(area_path=appeal.area.path)


def org_people(org: PartyOrg | None) -> list[Any]:
    """The organisation given the work: its unit's liaisons, else the administrators of its area."""
    if org is None:
        return []
    return nearest_administrators(area_path=org.area.path, unit_id=org.unit_id)


def resident_people(appeal: Appeal) -> list[Any]:
    return [appeal.resident] if appeal.resident is not None else []


def callback_people(appeal: Appeal, handlers: set[int]) -> list[Any]:
    """Who calls the resident back once the appeal is closed: the administrators nearest the
    appeal's area who did not handle it (the community's, else the street's, …)."""
    step: int = Area.steplen
    path = appeal.area.path
    for end in range(len(path), 0, -step):
        people = [p for p in nearest_administrators(area_path=path[:end]) if p.pk not in handlers]
        if people:
            return people
    return []
