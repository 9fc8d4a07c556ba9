"""Who hears of an appeal's steps: the staff of the area it was registered in, the organisation
it is assigned to (its unit's liaisons, else the administrators of its area), the resident."""

from __future__ import annotations

from typing import Any

from gongjian.accounts.selectors import nearest_administrators
from gongjian.orgs.models import PartyOrg

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
