"""The honours' figures, registered from :class:`gongjian.honours.apps.HonoursConfig`.

- ``honours.awarded``: honours (positive lists) awarded to holders in the subtree from 1 January to
  the date, by the local day of the award (kept);
- ``honours.held``: every honour awarded to holders in the subtree up to the date, of any year
  (kept too: a holder's record of honours, such as 清水塘街道's 十快 of 2016 and 十强 of
  2017, read on a later date).

Each row is an honour with its name and year; a negative list (十差) is a place on the record, not
an honour, and counts in neither.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Q, QuerySet

from gongjian.orgs.models import Area
from gongjian.stats.registry import Figure, Indicator, Kept, Subjects, year_to_date
from gongjian.stats.sources import flow_of, itself, local_day, rows_of
from gongjian.stats.tally_core import Piece

from .models import Honour


def _awarded(area: Area, date: dt.date) -> QuerySet[Honour]:
    first, last = year_to_date(date)
    return Honour.objects.filter(
        negative=False,
        awarded_at__date__gte=first,
        awarded_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _held(area: Area, date: dt.date) -> QuerySet[Honour]:
    return Honour.objects.filter(negative=False, awarded_at__date__lte=date, area__path__startswith=area.path)


def _kept_held(subjects: Subjects) -> Iterator[Piece]:
    """The kept mirror of :func:`_held`: each honour counts from the day it was awarded on."""
    qs = Honour.objects.filter(negative=False)
    for r in rows_of(qs, subjects, "pk", "area__path", "awarded_at"):
        day = local_day(r["awarded_at"])
        assert day is not None
        yield Piece(r["pk"], r["area__path"], day, None)


FIGURES: list[Figure] = [
    Figure(
        Indicator(
            "honours.awarded",
            "获得表彰(年内)",
            "獲得表彰(年內)",
            "Honours awarded (year to date)",
            "flow",
            _awarded,
            order=600,
        ),
        Kept(flow_of(Honour, "awarded_at", Q(negative=False)), {Honour: itself}),
    ),
    Figure(
        Indicator(
            "honours.held",
            "累计获得表彰",
            "累計獲得表彰",
            "Honours held (all years, up to the date)",
            "stock",
            _held,
            order=610,
        ),
        Kept(_kept_held, {Honour: itself}),
    ),
]
