"""The three lists' figures (open demands and resources, projects, micro-wishes), each with the
query of its rows and its kept source side by side. Registered from
:class:`gongjian.lists.apps.ListsConfig`.

For the kept figures, what decides whether a row counts on a date (the area is always the node and
everything below it, by ``path``):

- ``projects.at_meetings``: Project (distinct projects) on its area; meeting not null; claimed_at (local date) in the year to the date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.db import models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from gongjian.orgs.models import Area, Level
from gongjian.stats.registry import Figure, Indicator, Kept, PieceFn, Subjects, Watch, ratio, year_to_date
from gongjian.stats.sources import flow_of, itself, local_day, rows_of
from gongjian.stats.tally_core import Piece, flow, overlap

from .models import Claim, ClaimStatus, Demand, DemandKind, DemandStatus, Project, Resource

# --- rows: the reference count ----------------------------------------------------------------


def _claimed_by(date: dt.date, side: str) -> Coalesce:
    """The quantity accepted by the end of ``date`` on each demand (``side`` = "demand") or
    resource, from the claims' decision times."""
    accepted = (
        Claim.objects.filter(
            **{side: OuterRef("pk")}, status=ClaimStatus.ACCEPTED, decided_at__date__lte=date
        )
        .order_by()
        .values(side)
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return Coalesce(Subquery(accepted), Value(0))


def _demands_open(area: Area, date: dt.date) -> QuerySet[Demand]:
    """Demands published by the date, still on the list on it (not closed, withdrawn, rejected,
    nor past their deadline) and not yet fully claimed by it."""
    return (
        Demand.objects.filter(published_at__date__lte=date, area__path__startswith=area.path)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=date))
        .filter(Q(deadline__isnull=True) | Q(deadline__gte=date))
        .exclude(status=DemandStatus.REJECTED)
        .annotate(claimed_then=_claimed_by(date, "demand"))
        .filter(claimed_then__lt=F("quantity"))
    )


def _resources_open(area: Area, date: dt.date) -> QuerySet[Resource]:
    """Resources published by the date, still offered on it (not withdrawn, nor past their
    availability) and not used up by it."""
    return (
        Resource.objects.filter(published_at__date__lte=date, area__path__startswith=area.path)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__date__gt=date))
        .filter(Q(available_until__isnull=True) | Q(available_until__gte=date))
        .annotate(claimed_then=_claimed_by(date, "resource"))
        .filter(claimed_then__lt=F("capacity"))
    )


def _projects_claimed(area: Area, date: dt.date) -> QuerySet[Project]:
    """Projects formed by claims in the period (year to date) in the subtree."""
    first, last = year_to_date(date)
    return Project.objects.filter(
        claimed_at__date__gte=first, claimed_at__date__lte=last, area__path__startswith=area.path
    )


def _projects_completed(area: Area, date: dt.date) -> QuerySet[Project]:
    """Projects completed in the period (year to date) in the subtree."""
    first, last = year_to_date(date)
    return Project.objects.filter(
        completed_at__date__gte=first, completed_at__date__lte=last, area__path__startswith=area.path
    )


def _projects_claimed_and_completed(area: Area, date: dt.date) -> QuerySet[Project]:
    return _projects_claimed(area, date).filter(completed_at__date__lte=date)


def _completion_rate(area: Area, date: dt.date) -> float | None:
    """Of the projects claimed in the period, the share completed by the date."""
    return ratio(_projects_claimed_and_completed(area, date).count(), _projects_claimed(area, date).count())


def _micro_wishes(area: Area, date: dt.date) -> QuerySet[Demand]:
    first, last = year_to_date(date)
    return Demand.objects.filter(
        kind=DemandKind.MICRO_WISH,
        raised_at__date__gte=first,
        raised_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _micro_wishes_fulfilled(area: Area, date: dt.date) -> QuerySet[Demand]:
    first, last = year_to_date(date)
    return Demand.objects.filter(
        kind=DemandKind.MICRO_WISH,
        done_at__date__gte=first,
        done_at__date__lte=last,
        area__path__startswith=area.path,
    )


def _projects_at_meetings(area: Area, date: dt.date) -> QuerySet[Project]:
    """Projects formed by claims made at a joint meeting (现场认领), claimed in the period (year to
    date), in the subtree."""
    first, last = year_to_date(date)
    return Project.objects.filter(
        meeting__isnull=False,
        claimed_at__date__gte=first,
        claimed_at__date__lte=last,
        area__path__startswith=area.path,
    )


# --- kept: the tally's sources ----------------------------------------------------------------


def _accepted(side: str, subjects: Subjects) -> dict[int, list[tuple[dt.datetime, int]]]:
    out: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    qs = Claim.objects.filter(status=ClaimStatus.ACCEPTED, decided_at__isnull=False)
    for r in rows_of(qs, subjects, f"{side}_id", "decided_at", "quantity"):
        out[r[f"{side}_id"]].append((r["decided_at"], r["quantity"]))
    return out


def _used_up(claims: list[tuple[dt.datetime, int]], amount: int) -> dt.date | None:
    """The local day the accepted claims reach ``amount`` (claims count from their decision day)."""
    total = 0
    by_day: dict[dt.date, int] = defaultdict(int)
    for decided, quantity in claims:
        day = local_day(decided)
        assert day is not None
        by_day[day] += quantity
    for day in sorted(by_day):
        total += by_day[day]
        if total >= amount:
            return day
    return None


def _kept_open(
    model: type[models.Model], side: str, amount: str, closed: str, last_day: str, where: Q
) -> PieceFn:
    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = model._default_manager.filter(where, published_at__isnull=False)
        rows = list(rows_of(qs, subjects, "pk", "area__path", "published_at", amount, closed, last_day))
        claims = _accepted(side, [r["pk"] for r in rows])
        for r in rows:
            since = local_day(r["published_at"])
            assert since is not None
            ends = [local_day(r[closed])]
            if r[last_day] is not None:
                ends.append(r[last_day] + dt.timedelta(days=1))
            ends.append(_used_up(claims.get(r["pk"], []), r[amount]))
            days = overlap(since, None, since, min((e for e in ends if e is not None), default=None))
            if days:
                yield Piece(r["pk"], r["area__path"], *days)

    return pieces


def _claim_side(side: str) -> Watch:
    def watch(row: Claim) -> list[int]:
        value = getattr(row, f"{side}_id")
        return [value] if value else []

    return watch


def _kept_claimed_completed(subjects: Subjects) -> Iterator[Piece]:
    """Projects claimed in a year and completed by the date: from the later day to year end."""
    qs = Project.objects.filter(completed_at__isnull=False)
    for r in rows_of(qs, subjects, "pk", "area__path", "claimed_at", "completed_at"):
        claimed, completed = local_day(r["claimed_at"]), local_day(r["completed_at"])
        assert claimed is not None and completed is not None
        days = overlap(max(claimed, completed), flow(0, "", claimed).until, claimed, None)
        if days:
            yield Piece(r["pk"], r["area__path"], *days)


_MICRO = Q(kind=DemandKind.MICRO_WISH)

FIGURES: list[Figure] = [
    Figure(
        Indicator(
            "demands.open", "待认领需求", "待認領需求", "Open demands", "stock", _demands_open, order=70
        ),
        Kept(
            _kept_open(
                Demand, "demand", "quantity", "closed_at", "deadline", ~Q(status=DemandStatus.REJECTED)
            ),
            {Demand: itself, Claim: _claim_side("demand")},
        ),
    ),
    Figure(
        Indicator(
            "resources.open", "可用资源", "可用資源", "Open resources", "stock", _resources_open, order=80
        ),
        Kept(
            _kept_open(Resource, "resource", "capacity", "ended_at", "available_until", Q()),
            {Resource: itself, Claim: _claim_side("resource")},
        ),
    ),
    Figure(
        Indicator(
            "projects.claimed",
            "认领项目",
            "認領項目",
            "Projects claimed (year to date)",
            "flow",
            _projects_claimed,
            order=90,
        ),
        Kept(flow_of(Project, "claimed_at"), {Project: itself}),
    ),
    Figure(
        Indicator(
            "projects.completed",
            "完成项目",
            "完成項目",
            "Projects completed (year to date)",
            "flow",
            _projects_completed,
            order=100,
        ),
        Kept(flow_of(Project, "completed_at"), {Project: itself}),
    ),
    Figure(
        Indicator(
            "projects.completion_rate",
            "项目完成率",
            "項目完成率",
            "Share of claimed projects completed",
            "ratio",
            _projects_claimed_and_completed,
            _completion_rate,
            parts=("_projects.claimed_completed", "projects.claimed"),
            order=110,
            ranks=(Level.DISTRICT, Level.STREET),
        )
    ),
    Figure(
        Indicator(
            "microwishes.raised",
            "微心愿征集",
            "微心願徵集",
            "Micro-wishes raised (year to date)",
            "flow",
            _micro_wishes,
            order=120,
        ),
        Kept(flow_of(Demand, "raised_at", _MICRO), {Demand: itself}),
    ),
    Figure(
        Indicator(
            "microwishes.fulfilled",
            "微心愿实现",
            "微心願實現",
            "Micro-wishes fulfilled (year to date)",
            "flow",
            _micro_wishes_fulfilled,
            order=130,
        ),
        Kept(flow_of(Demand, "done_at", _MICRO), {Demand: itself}),
    ),
    # the part of the ratio above
    Figure(
        Indicator(
            "_projects.claimed_completed",
            "已认领并完成的项目",
            "已認領並完成的項目",
            "Claimed projects completed",
            "flow",
            _projects_claimed_and_completed,
            hidden=True,
            order=370,
        ),
        Kept(_kept_claimed_completed, {Project: itself}),
    ),
    # the article's further figures
    Figure(
        Indicator(
            "projects.at_meetings",
            "联席会议现场认领项目",
            "聯席會議現場認領項目",
            "Projects claimed at joint meetings (year to date)",
            "flow",
            _projects_at_meetings,
            order=520,
        ),
        Kept(flow_of(Project, "claimed_at", Q(meeting__isnull=False)), {Project: itself}),
    ),
]
