"""The members' picker: a member by name (either script or pinyin initials), labelled with the
masked ID number and the organisation holding the membership, read through ``member_list``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gongjian.accounts.actor import Actor
from gongjian.orgs.pick import org_labels
from gongjian.web.pick import SEP, PickSource, register

from . import selectors
from .models import Member


def member_labels(members: Sequence[Member]) -> list[str]:
    orgs = org_labels([m.org for m in members])
    return [f"{m.name}{SEP}{m.id_number_masked}{SEP}{org}" for m, org in zip(members, orgs, strict=True)]


def _members(actor: Actor, q: str, params: Mapping[str, str]) -> Any:
    return selectors.member_list(actor=actor, q=q).select_related("org__area")


def register_pickers() -> None:
    register(PickSource(kind="member", model=Member, rows=_members, labels=member_labels))
