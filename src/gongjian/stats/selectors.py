"""Figures an actor may read: only for areas inside their scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gongjian.accounts.scope import scope_for
from gongjian.orgs.models import Area

from .indicators import CATALOGUE, compute_all


def indicators_for(*, actor: Any, area: Area, date: dt.date) -> dict[str, float | int]:
    if not scope_for(actor).covers_path(area.path):
        raise Http404
    return compute_all(area, date)


def indicator_rows(*, actor: Any, area: Area, indicator_id: str, date: dt.date) -> QuerySet[Any]:
    """The records behind one figure."""
    if not scope_for(actor).covers_path(area.path) or indicator_id not in CATALOGUE:
        raise Http404
    rows = CATALOGUE[indicator_id].rows
    if rows is None:
        raise Http404
    return rows(area, date)
