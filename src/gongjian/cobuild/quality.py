"""Co-building's data-quality checks (``quality.*``, see ``gongjian.stats.quality``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from gongjian.orgs.models import Area
from gongjian.stats.quality import check
from gongjian.stats.registry import Figure

from .models import Agreement, AgreementStatus, PartTimeSeat, SeatStep


def seats_past_term(area: Area, date: dt.date) -> QuerySet[PartTimeSeat]:
    """Part-time seats whose term has run out but are still marked appointed (not ended)."""
    return PartTimeSeat.objects.filter(
        committee__area__path__startswith=area.path,
        step__in=[SeatStep.APPOINTED, SeatStep.ANNOUNCED],
        until__isnull=False,
        until__lte=date,
    )


def agreements_past_term(area: Area, date: dt.date) -> QuerySet[Agreement]:
    """Agreements whose term has run out but are still marked in force."""
    return Agreement.objects.filter(
        area__path__startswith=area.path, status=AgreementStatus.IN_FORCE, ends_on__lt=date
    )


CHECKS: list[Figure] = [
    check(
        "seats_past_term",
        (
            "任期已满仍在任的兼职委员",
            "任期已滿仍在任的兼職委員",
            "Part-time seats past their term still marked serving",
        ),
        seats_past_term,
        6,
    ),
    check(
        "agreements_past_term",
        (
            "期满仍标为生效的共建协议",
            "期滿仍標為生效的共建協議",
            "Agreements past their term still marked in force",
        ),
        agreements_past_term,
        9,
    ),
]
