"""Who hears of a campaign's steps: the organiser's administrators (objections to answer), the
administrators nearest each candidate or holder (the list is published, the honour awarded), and
the person who objected (the answer)."""

from __future__ import annotations

from typing import Any

from gongjian.accounts.selectors import nearest_administrators

from .models import Campaign, Entry, Objection


def organiser_people(campaign: Campaign) -> list[Any]:
    return nearest_administrators(area_path=campaign.area.path)


def entry_people(entry: Entry) -> list[Any]:
    """The administrators nearest the candidate (a unit's liaisons for a unit or its organisation)."""
    unit_id = entry.unit_id or (entry.org.unit_id if entry.org is not None else None)
    people = list(nearest_administrators(area_path=entry.home.path, unit_id=unit_id))
    if entry.member is not None and entry.member.user is not None:
        people.append(entry.member.user)  # a member named hears of it themself
    return people


def objector_people(objection: Objection) -> list[Any]:
    return [objection.filed_by] if objection.filed_by is not None else []
