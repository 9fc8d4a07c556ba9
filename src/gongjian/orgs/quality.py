"""The map's data-quality checks (``quality.*``, see ``gongjian.stats.quality``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from gongjian.stats.quality import check
from gongjian.stats.registry import Figure

from .models import Area, Dated, PartyOrg, ResidentUnit


def units_incomplete(area: Area, date: dt.date) -> QuerySet[ResidentUnit]:
    """Resident units in force under the node with no Party organisation in force, or no contact
    person or phone."""
    with_org = PartyOrg.objects.filter(Dated.on(date), unit__isnull=False).values("unit_id")
    return (
        ResidentUnit.objects.filter(Dated.on(date), area__path__startswith=area.path)
        .filter(~Q(pk__in=with_org) | Q(contact_name="") | Q(contact_phone_masked=""))
        .distinct()
    )


CHECKS: list[Figure] = [
    check(
        "units_incomplete",
        (
            "没有党组织或没有联系人的驻区单位",
            "沒有黨組織或沒有聯繫人的駐區單位",
            "Resident units with no Party organisation or no contact",
        ),
        units_incomplete,
        5,
    ),
]
