"""Who hears of the ledgers' events, and where a text message reaches a person.

Users carry no phone number; a member's phone is sealed on the ledger (``Member.phone_sealed``).
The SMS channel (``core.sms``) reads it through :func:`phones_for_users`, named in the setting
``GONGJIAN_SMS_PHONES``: the number is opened only to hand it to the gateway, never stored or logged.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongjian.accounts.selectors import nearest_administrators
from gongjian.orgs.models import Area, PartyOrg

from .models import Member


def phones_for_users(user_ids: list[int]) -> dict[int, str]:
    """The clear phone of each of ``user_ids`` that is linked to a member with a phone."""
    rows = (
        Member.objects.filter(user_id__in=user_ids).exclude(phone_sealed="").only("user_id", "phone_sealed")
    )
    return {row.user_id: row.phone_clear() for row in rows if row.user_id is not None}


def org_people(org: PartyOrg) -> list[Any]:
    """An organisation's people: its unit's liaisons, else the administrators nearest its area."""
    return nearest_administrators(area_path=org.area.path, unit_id=org.unit_id)


def community_people(community: Area) -> list[Any]:
    return nearest_administrators(area_path=community.path)


def member_people(member: Member) -> list[Any]:
    return [member.user] if member.user is not None else []


def reports_url(community: Area) -> str:
    return reverse("members:report_list", args=[community.pk])


def transfers_url() -> str:
    return reverse("members:transfer_list")
