"""The ledgers' figures (members of each ledger, co-management, reports to communities, plaqued
households), each with the query of its rows and its kept source side by side. Registered from
:class:`gongjian.members.apps.MembersConfig`.

For the kept figures, what decides whether a row counts on a date (the area is always the node and
everything below it, by ``path``):

- ``members.total``: MemberCategory (distinct member_id) at its area; category in the four ledgers; dated by since/until.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import models
from django.db.models import QuerySet

from gongjian.core.bulkwrite import ids_in
from gongjian.orgs.models import Area, Dated, Level
from gongjian.stats.registry import Figure, Indicator, Kept, PieceFn, Subjects, Watch, ratio
from gongjian.stats.sources import by_field, dated, itself, rows_of, shared
from gongjian.stats.tally_core import Piece, chunks, common_path, overlap

from .models import Category, CoManagement, Household, Member, MemberCategory, MemberReport, ReportStatus

# --- rows: the reference count ----------------------------------------------------------------


def _ledger(category: str) -> Callable[[Area, dt.date], QuerySet[Member]]:
    """Distinct members listed in one ledger at the node or below on the date: an entry of that
    category open on the date whose ``area`` is in the subtree."""

    def rows(area: Area, date: dt.date) -> QuerySet[Member]:
        entries = MemberCategory.objects.filter(
            Dated.on(date), category=category, area__path__startswith=area.path
        )
        return Member.objects.filter(pk__in=entries.values("member_id"))

    return rows


def _co_managed(area: Area, date: dt.date) -> QuerySet[CoManagement]:
    """Co-management rows (队伍共管) in force on the date with a community in the subtree."""
    return CoManagement.objects.filter(Dated.on(date), community__path__startswith=area.path)


def _reports_in_force(area: Area, date: dt.date) -> QuerySet[MemberReport]:
    """Confirmed (by the date) registrations in force on the date with a community in the subtree."""
    return MemberReport.objects.filter(
        Dated.on(date),
        status=ReportStatus.CONFIRMED,
        confirmed_on__lte=date,
        community__path__startswith=area.path,
    )


def _in_service_anywhere(date: dt.date) -> QuerySet[MemberCategory]:
    return MemberCategory.objects.filter(Dated.on(date), category=Category.IN_SERVICE)


def _reported(area: Area, date: dt.date) -> QuerySet[Member]:
    """In-service members (on the date) reported to a community in the subtree."""
    return Member.objects.filter(
        pk__in=_reports_in_force(area, date).values("member_id"),
    ).filter(pk__in=_in_service_anywhere(date).values("member_id"))


def _reported_of_listed(area: Area, date: dt.date) -> QuerySet[Member]:
    """The numerator of the report rate: in-service members listed in the subtree who reported to a
    community in the subtree (the same as ``members.reported`` unless someone reported away from
    where the ledger lists them; this keeps the rate a share, never above 1)."""
    return _ledger(Category.IN_SERVICE)(area, date).filter(
        pk__in=_reports_in_force(area, date).values("member_id")
    )


def _report_rate(area: Area, date: dt.date) -> float | None:
    return ratio(_reported_of_listed(area, date).count(), _ledger(Category.IN_SERVICE)(area, date).count())


def _plaqued(area: Area, date: dt.date) -> QuerySet[Household]:
    """Households whose plaque is in force on the date, in the subtree."""
    return Household.objects.filter(Dated.on(date), area__path__startswith=area.path)


def _members_total(area: Area, date: dt.date) -> QuerySet[Member]:
    """Distinct members listed in any of the four ledgers (direct, in-service, mobile, retired) at
    the node or below on the date: a member in two ledgers counts once."""
    entries = MemberCategory.objects.filter(
        Dated.on(date), category__in=Category.ledgers(), area__path__startswith=area.path
    )
    return Member.objects.filter(pk__in=entries.values("member_id"))


# --- kept: the tally's sources ----------------------------------------------------------------

_member_of = by_field("member_id")

LedgerEntry = tuple[int, str, str, dt.date, dt.date | None]  # member, category, area path, since, until


def _area_paths(ids: Iterable[int], known: dict[int, str]) -> dict[int, str]:
    """``known`` completed with the paths of these areas (looked up by id: joining the map to
    thousands of rows made PostgreSQL scan all of it for every batch)."""
    missing = sorted({i for i in ids if i not in known})
    for part in chunks(missing, 5000):
        known.update(ids_in(Area.objects.order_by(), "pk", part).values_list("pk", "path"))
    return known


def _ledger_entries(subjects: Iterable[int]) -> list[LedgerEntry]:
    """The entries of the four ledgers of these members: within one round of refreshes
    (``gongjian.stats.sources.shared_reads``) the five ledger figures (``members.total`` and one a
    ledger) read the entries of a batch of members once between them, and area paths once."""
    batch = tuple(sorted(set(subjects)))
    entries = shared("members.ledger_entries")
    found = entries.get(batch) if entries is not None else None
    if found is not None:
        result: list[LedgerEntry] = found
        return result
    # by member only, the ledgers picked here: with the category in the statement SQLite may walk
    # the category's index, every entry of the city, instead of the members' (quadratic in an import)
    ledgers = set(Category.ledgers())
    qs = MemberCategory.objects.order_by()
    raw: list[tuple[int, str, int, dt.date, dt.date | None]] = []
    for part in chunks(list(batch), 5000):
        found_rows = ids_in(qs, "member_id", part).values_list(
            "member_id", "category", "area_id", "since", "until"
        )
        raw += [r for r in found_rows if r[1] in ledgers]
    known = shared("map.area_paths")
    paths = _area_paths((r[2] for r in raw), known if known is not None else {})
    rows = [(member, category, paths[area], since, until) for member, category, area, since, until in raw]
    if entries is not None:
        entries[batch] = rows
    return rows


def _kept_ledger(*categories: str) -> PieceFn:
    """Members (subjects) with an entry of the categories, at the entry's area."""
    wanted = set(categories)

    def pieces(subjects: Subjects) -> Iterator[Piece]:
        if subjects is None:
            qs = MemberCategory.objects.filter(category__in=categories)
            for r in rows_of(qs, subjects, "member_id", "area__path", "since", "until"):
                yield Piece(r["member_id"], r["area__path"], r["since"], r["until"])
            return
        for member, category, path, since, until in _ledger_entries(subjects):
            if category in wanted:
                yield Piece(member, path, since, until)

    return pieces


def _reports_and_service(subjects: Subjects) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    reports: dict[int, list[Any]] = defaultdict(list)
    qs = MemberReport.objects.filter(status=ReportStatus.CONFIRMED, confirmed_on__isnull=False)
    for r in rows_of(qs, subjects, "member_id", "community__path", "since", "until", "confirmed_on"):
        days = overlap(r["since"], r["until"], r["confirmed_on"], None)
        if days:
            reports[r["member_id"]].append((r["community__path"], days))
    in_service: dict[int, list[Any]] = defaultdict(list)
    # by member only (see _ledger_entries), the category picked here
    for r in rows_of(
        MemberCategory.objects.all(), reports.keys(), "member_id", "category", "area__path", "since", "until"
    ):
        if r["category"] == Category.IN_SERVICE:
            in_service[r["member_id"]].append((r["area__path"], (r["since"], r["until"])))
    return reports, in_service


def _kept_reported(subjects: Subjects) -> Iterator[Piece]:
    """In-service members (anywhere) with a confirmed report in force, at the report's community."""
    reports, in_service = _reports_and_service(subjects)
    for member, own in reports.items():
        for community, days in own:
            for _area, service_days in in_service.get(member, []):
                both = overlap(*days, *service_days)
                if both:
                    yield Piece(member, community, *both)


def _kept_reported_listed(subjects: Subjects) -> Iterator[Piece]:
    """In-service members listed at A and reported to C: counted at every node above both."""
    reports, in_service = _reports_and_service(subjects)
    for member, own in reports.items():
        for community, days in own:
            for area, service_days in in_service.get(member, []):
                both = overlap(*days, *service_days)
                node = common_path(area, community, Area.steplen)
                if both and node:
                    yield Piece(member, node, *both)


def _ledger_figure(
    key: str, hans: str, hant: str, en: str, category: str, order: int, ranks: tuple[int, ...] = ()
) -> Figure:
    return Figure(
        Indicator(key, hans, hant, en, "stock", _ledger(category), order=order, ranks=ranks),
        Kept(_kept_ledger(category), {MemberCategory: _member_of}),
    )


_REPORTS: dict[type[models.Model], Watch] = {MemberReport: _member_of, MemberCategory: _member_of}

FIGURES: list[Figure] = [
    _ledger_figure(
        "members.direct",
        "直管党员",
        "直管黨員",
        "Directly managed members",
        Category.DIRECT,
        210,
        (Level.COMPOUND,),
    ),
    _ledger_figure(
        "members.in_service", "在职党员", "在職黨員", "In-service members", Category.IN_SERVICE, 220
    ),
    _ledger_figure("members.mobile", "流动党员", "流動黨員", "Mobile members", Category.MOBILE, 230),
    _ledger_figure("members.retired", "离退休党员", "離退休黨員", "Retired members", Category.RETIRED, 240),
    Figure(
        Indicator(
            "members.co_managed",
            "队伍共管党员",
            "隊伍共管黨員",
            "Unit members in co-management",
            "stock",
            _co_managed,
            order=250,
        ),
        Kept(dated(CoManagement, "community__path"), {CoManagement: itself}),
    ),
    Figure(
        Indicator(
            "members.reported",
            "报到在职党员",
            "報到在職黨員",
            "In-service members reported to a community",
            "stock",
            _reported,
            order=260,
        ),
        Kept(_kept_reported, _REPORTS),
    ),
    Figure(
        Indicator(
            "members.report_rate",
            "在职党员报到率",
            "在職黨員報到率",
            "Share of in-service members reported",
            "ratio",
            _reported_of_listed,
            _report_rate,
            parts=("_members.reported_listed", "members.in_service"),
            order=270,
            ranks=(Level.COMMUNITY,),
        )
    ),
    Figure(
        Indicator(
            "households.plaqued",
            "党员家庭户",
            "黨員家庭戶",
            "Party-member households",
            "stock",
            _plaqued,
            order=280,
            ranks=(Level.BUILDING,),
        ),
        Kept(dated(Household, "area__path"), {Household: itself}),
    ),
    # the part of the ratio above
    Figure(
        Indicator(
            "_members.reported_listed",
            "已报到的在册在职党员",
            "已報到的在冊在職黨員",
            "In-service members on the ledger who reported",
            "stock",
            _reported_of_listed,
            hidden=True,
            order=360,
        ),
        Kept(_kept_reported_listed, _REPORTS),
    ),
    # the article's further figures
    Figure(
        Indicator(
            "members.total", "党员总数", "黨員總數", "Party members", "stock", _members_total, order=490
        ),
        Kept(_kept_ledger(*Category.ledgers()), {MemberCategory: _member_of}),
    ),
]
