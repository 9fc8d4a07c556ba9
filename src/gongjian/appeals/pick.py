"""The appeal forms' area picker: the areas where the actor may raise or register an appeal (a
resident's own community, which is not theirs to browse on the map; staff's subtree), searched
by name in either script or by pinyin initials."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gongjian.accounts.actor import Actor
from gongjian.core.search import name_search_q
from gongjian.web.pick import register_purpose

from . import selectors

#: The purpose of the appeal forms' area fields (``for=appeal`` on the picker).
PURPOSE = "appeal"


def _areas(actor: Actor, q: str, params: Mapping[str, str]) -> Any:
    rows = selectors.area_choices(actor=actor)
    return rows.filter(name_search_q(q)) if q else rows


#: The purpose of the hand-off form's organisation field.
HANDOFF = "appeal_handoff"


def _handoff_orgs(actor: Actor, q: str, params: Mapping[str, str]) -> Any:
    return selectors.handoff_org_search(actor=actor, q=q)


def register_pickers() -> None:
    register_purpose("area", PURPOSE, _areas)
    register_purpose("org", HANDOFF, _handoff_orgs)
