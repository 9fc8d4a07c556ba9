"""The appeals' data-quality check (``quality.*``, see ``gongjian.stats.quality``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from gongjian.orgs.models import Area
from gongjian.stats.quality import check
from gongjian.stats.registry import Figure

from .models import Appeal, AppealStatus


def closed_without_callback(area: Area, date: dt.date) -> QuerySet[Appeal]:
    """Appeals under the node closed (by the day) without a call-back to the resident."""
    return Appeal.objects.filter(
        area__path__startswith=area.path,
        status=AppealStatus.CLOSED,
        called_back_at__isnull=True,
        closed_at__date__lte=date,
    )


CHECKS: list[Figure] = [
    check(
        "closed_without_callback",
        ("办结后未回访的诉求", "辦結後未回訪的訴求", "Appeals closed without a call-back"),
        closed_without_callback,
        10,
    ),
]
