"""Every read of the ledgers that a person triggers; each takes the actor.

Who sees a member: administrators whose subtree holds the member's organisation, residence, a
co-management or a report of theirs; a unit liaison the members of their unit (organisation or
work unit); a member themself; superusers everyone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.core import pii
from gongjian.core.auditread import PERSON_READS
from gongjian.core.dbfunctions import AddDays
from gongjian.core.models import AuditEntry
from gongjian.core.search import name_search_q
from gongjian.orgs.models import Area, Dated, Level, PartyOrg, ResidentUnit
from gongjian.orgs.selectors import area_list, unit_get
from gongjian.stats import tally

from .models import (
    ID_PURPOSE,
    Category,
    CoManagement,
    Household,
    Member,
    MemberCategory,
    MemberReport,
    MobileRecord,
    Station,
    StationCheckIn,
    Transfer,
    TransferStatus,
    UnitReport,
    parse_id_number,
)

#: A mobile member away longer than this is prompted to transfer the membership.
MOBILE_TRANSFER_AFTER_DAYS = 183
#: Mobile members report back to the home organisation once a year.
MOBILE_REPORT_BACK_DAYS = 365


def _whole_map(paths: tuple[str, ...]) -> bool:
    """True when ``paths`` cover every root of the map (every member is held under them)."""
    roots = Area.objects.get_root_nodes().values_list("path", flat=True)
    return all(any(root.startswith(p) for p in paths) for root in roots)


def _sees_whole_map(actor: Actor) -> bool:
    """True when the actor's subtrees cover every root of the map (a city administrator): then every
    member is in scope and no filter is needed (kept on the actor for the request)."""
    scope = scope_for(actor)
    if scope.everything:
        return True
    if not scope.area_paths:
        return False
    cached: bool | None = getattr(actor, "_gongjian_whole_map", None)
    if cached is None:
        cached = _whole_map(scope.area_paths)
        actor._gongjian_whole_map = cached  # type: ignore[union-attr]
    return cached


def _branches_at(paths: tuple[str, ...], *, links: bool = True) -> list[QuerySet[Any]]:
    """Ids of the members held, living or listed now in a ledger (an open entry) under one of
    ``paths``, and with ``links`` co-managed or reported there: one indexed look-up each (areas by
    path, then organisations, members and entries by their foreign keys)."""
    areas = Area.objects.order_by().filter(_paths_q(paths, "path")).values("pk")
    orgs = PartyOrg.objects.order_by().filter(area_id__in=areas).values("pk")
    branches = [
        Member.objects.order_by().filter(org_id__in=orgs).values("pk"),
        Member.objects.order_by().filter(residence_id__in=areas).values("pk"),
        MemberCategory.objects.order_by().filter(area_id__in=areas, until__isnull=True).values("member_id"),
    ]
    if links:
        branches += [
            CoManagement.objects.order_by().filter(community_id__in=areas).values("member_id"),
            MemberReport.objects.order_by().filter(community_id__in=areas).values("member_id"),
        ]
    return branches


def _union(branches: list[QuerySet[Any]]) -> QuerySet[Any]:
    """One UNION of the branches: a semi-join the database answers from each branch's index (an
    OR of the branches, or of a branch and another column, made PostgreSQL filter every member)."""
    first, *rest = branches
    return first.union(*rest) if rest else first


def _paths_q(paths: tuple[str, ...], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def ledger_covered(*, actor: Actor, within: Area | None, on: dt.date | None) -> bool:
    """True for today's ledger at a node inside the actor's subtrees: everyone it lists is in
    scope (by the open entry), and its totals are the kept figures."""
    today = timezone.localdate()
    return within is not None and (on is None or on == today) and scope_for(actor).covers_path(within.path)


class _RowByRow(Exists):
    """``EXISTS`` asked for each row of the outer list (an index probe or two), never rewritten into
    a hash of the whole branch: ``OFFSET 0`` keeps PostgreSQL from turning it into a semi-join or a
    hashed subplan (which reads every row of a district to show 50). Same rows as ``Exists``."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


#: An administrator whose subtrees list at least this share of the city's members pages their
#: members by walking the name order and asking each row whether it is in scope (``_walked_at``),
#: instead of gathering the whole scope first (``_branches_at``): the walk reads about
#: 50 ÷ share rows for a page, the gathering reads the whole scope.
WALK_SHARE = 0.05


def _walked_at(paths: tuple[str, ...]) -> Q:
    """The members of ``_branches_at(paths)`` (held, living, listed now in a ledger, co-managed or
    reported under ``paths``), as a test on each member row."""
    return Q(
        _RowByRow(PartyOrg.objects.filter(_paths_q(paths, "area__path"), pk=OuterRef("org_id")))
        | _RowByRow(Area.objects.filter(_paths_q(paths, "path"), pk=OuterRef("residence_id")))
        | _RowByRow(
            MemberCategory.objects.filter(
                _paths_q(paths, "area__path"), member_id=OuterRef("pk"), until__isnull=True
            )
        )
        | _RowByRow(CoManagement.objects.filter(_paths_q(paths, "community__path"), member_id=OuterRef("pk")))
        | _RowByRow(MemberReport.objects.filter(_paths_q(paths, "community__path"), member_id=OuterRef("pk")))
    )


def member_scope_at_least(actor: Actor) -> int:
    """A lower bound of how many members the actor sees, from the kept figures (no count): the
    largest ledger listed today at one of the nodes their subtrees start at (everyone it lists is
    in scope). Kept on the actor for the request."""
    cached: int | None = getattr(actor, "_gongjian_scope_at_least", None)
    if cached is not None:
        return cached
    paths = scope_for(actor).area_paths
    today = timezone.localdate()
    kept = tally.values(list(paths), [today]) if paths else {}
    figures = [LEDGER_FIGURES[c] for c in Category.ledgers()]
    found = max((int(v.get(f, 0)) for v in kept.values() for f in figures), default=0)
    actor._gongjian_scope_at_least = found  # type: ignore[union-attr]
    return found


def _walk_scope(actor: Actor) -> bool:
    """True when the actor's subtrees list at least ``WALK_SHARE`` of the city's members (kept
    figures at the roots and at the actor's nodes; no count)."""
    cached: bool | None = getattr(actor, "_gongjian_walk_scope", None)
    if cached is not None:
        return cached
    at_least = member_scope_at_least(actor)
    walk = False
    if at_least:
        roots = list(Area.objects.get_root_nodes().values_list("path", flat=True))
        kept = tally.values(roots, [timezone.localdate()])
        figures = [LEDGER_FIGURES[c] for c in Category.ledgers()]
        city = sum(max((int(v.get(f, 0)) for f in figures), default=0) for v in kept.values())
        walk = at_least >= WALK_SHARE * max(city, 1)
    actor._gongjian_walk_scope = walk  # type: ignore[union-attr]
    return walk


def _member_scope_q(actor: Actor) -> Q:
    """Members the actor may see: held, living, listed in a ledger, co-managed or reported in one
    of their subtrees; of their units (liaisons); themself. One UNION of indexed branches, or for
    a large share of the city a test on each row (``_walked_at``) read in the list's order."""
    if _sees_whole_map(actor):
        return Q()
    scope = scope_for(actor)
    branches: list[QuerySet[Any]] = []
    walked = Q(pk__in=[])
    if scope.area_paths:
        if _walk_scope(actor):
            walked = _walked_at(scope.area_paths)
        else:
            branches += _branches_at(scope.area_paths)
    if scope.unit_ids:
        units = sorted(scope.unit_ids)
        orgs = PartyOrg.objects.order_by().filter(unit_id__in=units).values("pk")
        branches += [
            Member.objects.order_by().filter(org_id__in=orgs).values("pk"),
            Member.objects.order_by().filter(work_unit_id__in=units).values("pk"),
        ]
    if actor.is_authenticated:
        if scope.area_paths and _walk_scope(actor):
            walked |= Q(user_id=actor.pk)
        else:
            branches.append(Member.objects.order_by().filter(user_id=actor.pk).values("pk"))
    if not branches:
        return Q(walked)
    return Q(walked) | Q(pk__in=_union(branches))


def member_list(
    *,
    actor: Actor,
    within: Area | None = None,
    q: str = "",
    category: str = "",
    on: dt.date | None = None,
    status: str = "",
) -> QuerySet[Member]:
    """Members the actor may see. ``category`` lists one ledger (or flag) at ``within`` on ``on``.

    Today's ledger at a node the actor's subtrees cover lists every member with an open entry
    there: each is in scope by that entry, so the scope filter is left out (the list costs what
    the node holds, not what the actor's scope holds)."""
    covered = ledger_covered(actor=actor, within=within, on=on)
    qs = Member.objects.all()
    if not (covered and category) and not _sees_whole_map(actor):
        qs = qs.filter(_member_scope_q(actor))
    if category:
        entries = MemberCategory.objects.order_by().filter(
            Dated.on(on or timezone.localdate()), category=category
        )
        if within is not None and not _whole_map((within.path,)):  # at a root: every entry is under it
            entries = entries.filter(
                area_id__in=Area.objects.order_by().filter(path__startswith=within.path).values("pk")
            )
        qs = qs.filter(pk__in=entries.values("member_id"))
    elif within is not None and not _whole_map((within.path,)):
        qs = qs.filter(pk__in=_union(_branches_at((within.path,), links=False)))
    if q:
        qs = qs.filter(name_search_q(q, bigram_indexed=True))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("org__area", "residence", "work_unit").order_by("name_key", "pk")


def unit_member_list(*, actor: Actor, unit: Any) -> QuerySet[Member]:
    """The members of a resident unit the actor may see: its staff (work unit) and the members its
    Party organisations hold. Http404 when the actor may not see the unit. A unit liaison sees
    exactly these for their own unit, and nothing of another unit's."""
    unit = unit_get(actor=actor, pk=unit.pk)
    return member_list(actor=actor).filter(Q(work_unit_id=unit.pk) | Q(org__unit_id=unit.pk))


def member_get(*, actor: Actor, pk: int) -> Member:
    member = member_list(actor=actor).filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


def member_find_by_id_number(*, actor: Actor, id_number: str) -> Member | None:
    """Look a member up by ID number through the blind index (the clear value is never queried)."""
    compact, _birth, _sex = parse_id_number(id_number)
    index = pii.blind_index(compact, purpose=ID_PURPOSE)
    return member_list(actor=actor).filter(id_number_index=index).first()


#: Ledger tabs whose total is a kept figure (``members/figures.py``) with the same definition.
LEDGER_FIGURES = {
    Category.DIRECT: "members.direct",
    Category.IN_SERVICE: "members.in_service",
    Category.MOBILE: "members.mobile",
    Category.RETIRED: "members.retired",
    "co_managed": "members.co_managed",
}
#: A list without a kept figure is counted up to this many rows ("1,000+"), never the whole scope.
COUNT_CAP = 1000


@dataclass(frozen=True)
class Total:
    """How many rows a list holds: exact (``more`` False), or at least ``value`` (``more`` True)."""

    value: int
    more: bool = False
    #: The indicator whose definition gave the count (the tab then shows that figure, see issue 20:
    #: one definition per word); None for a count of the list itself.
    indicator: str | None = None


def bounded_total(rows: QuerySet[Any], cap: int | None = None) -> Total:
    """Count ``rows`` up to ``cap`` (``COUNT_CAP``; one bounded query: a LIMIT inside the COUNT)."""
    cap = COUNT_CAP if cap is None else cap
    n = rows.order_by()[: cap + 1].count()
    return Total(min(n, cap), more=n > cap)


def ledger_totals(*, actor: Actor, area: Area, on: dt.date | None = None) -> dict[str, Total]:
    """How many members each ledger tab lists at ``area`` (and below) on ``on``: the four ledgers
    and co-management from the kept figures on today's ledger at a node the actor's subtrees cover
    (the tab then lists exactly what the figure counts, see ``member_list``), else a bounded count; the flags and
    the reports tab (no figure) a bounded count. Never a count of the whole scope."""
    kept: dict[str, float] = {}
    covered = ledger_covered(actor=actor, within=area, on=on)
    if covered:
        on = timezone.localdate()
        kept = tally.values([area.path], [on]).get((area.path, on), {})
    on = on or timezone.localdate()
    totals: dict[str, Total] = {}
    whole = covered and _whole_map((area.path,))
    for key in [*Category.values, "co_managed", "reports"]:
        figure = LEDGER_FIGURES.get(key)
        if figure is not None and kept:
            totals[key] = Total(int(kept.get(figure, 0)), indicator=figure)
        elif key == "co_managed":
            totals[key] = bounded_total(co_management_list(actor=actor, within=area, on=on))
        elif key == "reports":
            totals[key] = bounded_total(member_report_list(actor=actor, within=area))
        elif covered:
            # a flag at a covered node: its open entries there, one a member (no join to the members)
            entries = MemberCategory.objects.filter(Dated.on(on), category=key)
            if not whole:  # at a root every entry is under it: no look-up of the map's areas
                entries = entries.filter(area_id__in=_areas_under(area.path))
            totals[key] = bounded_total(entries)
        else:
            totals[key] = bounded_total(member_list(actor=actor, within=area, category=key, on=on))
    return totals


def _areas_under(path: str) -> QuerySet[Any]:
    return Area.objects.order_by().filter(path__startswith=path).values("pk")


def category_history(*, actor: Actor, member: Member) -> QuerySet[MemberCategory]:
    member_get(actor=actor, pk=member.pk)
    return MemberCategory.objects.filter(member=member).select_related("area").order_by("-since", "category")


def co_management_list(
    *, actor: Actor, within: Area | None = None, on: dt.date | None = None
) -> QuerySet[CoManagement]:
    scope = scope_for(actor)
    qs = CoManagement.objects.filter(Dated.on(on or timezone.localdate()))
    qs = qs.filter(scope.rows_q("community__", "unit_id"))
    if within is not None:
        qs = qs.filter(community__path__startswith=within.path)
    return qs.select_related("member", "community", "unit").order_by("community__path", "member__name_key")


def member_report_list(
    *, actor: Actor, within: Area | None = None, status: str = "", current: bool = True
) -> QuerySet[MemberReport]:
    qs = MemberReport.objects.filter(member__in=member_list(actor=actor))
    if current:
        qs = qs.filter(until__isnull=True)
    if within is not None:
        qs = qs.filter(community__path__startswith=within.path)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("member", "community", "member__work_unit").order_by("community__path", "-since")


def member_report_get(*, actor: Actor, pk: int) -> MemberReport:
    report = member_report_list(actor=actor, current=False).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def unit_report_list(*, actor: Actor, within: Area | None = None) -> QuerySet[UnitReport]:
    scope = scope_for(actor)
    qs = UnitReport.objects.filter(scope.rows_q("community__", "org__unit_id") | scope.area_q("org__area__"))
    if within is not None:
        qs = qs.filter(community__path__startswith=within.path)
    return qs.select_related("org", "community").order_by("community__path")


def unit_report_get(*, actor: Actor, pk: int) -> UnitReport:
    report = unit_report_list(actor=actor).filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def feedback_unit_get(*, actor: Actor, pk: int) -> Any:
    """The employer whose quarterly feedback sheet the actor may open: a unit they see (its
    liaison, administrators of where it sits), or a unit elsewhere that employs members who
    registered (双报到, confirmed) with a community the actor administers. The sheet then lists
    only the registrations the actor sees (``feedback_sheet``). Http404 otherwise."""
    try:
        return unit_get(actor=actor, pk=pk)
    except Http404:
        reports = member_report_list(actor=actor, current=False).filter(
            member__work_unit_id=pk, status="confirmed"
        )
        if not reports.exists():
            raise
    return ResidentUnit.objects.get(pk=pk)


def feedback_sheet(*, actor: Actor, unit_id: int, year: int, quarter: int) -> list[dict[str, Any]]:
    """The quarterly sheet for one employer: each of its reported members and what they did."""
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    reports = (
        member_report_list(actor=actor, current=False)
        .filter(member__work_unit_id=unit_id, status="confirmed", since__lt=end)
        .filter(Q(until__isnull=True) | Q(until__gt=start))
        .prefetch_related("contacts")
    )
    rows = []
    for report in reports:
        done = [c for c in report.contacts.all() if start <= c.on < end]
        rows.append(
            {
                "member": report.member,
                "community": report.community,
                "contacts": sum(1 for c in done if c.kind == "contact"),
                "activities": sum(1 for c in done if c.kind == "activity"),
                "items": done,
            }
        )
    return rows


def mobile_list(*, actor: Actor, within: Area | None = None, current: bool = True) -> QuerySet[MobileRecord]:
    qs = MobileRecord.objects.filter(member__in=member_list(actor=actor, within=within))
    if current:
        qs = qs.filter(until__isnull=True)
    return qs.select_related("member", "member__org").order_by("since")


def mobile_get(*, actor: Actor, pk: int) -> MobileRecord:
    record = mobile_list(actor=actor, current=False).filter(pk=pk).first()
    if record is None:
        raise Http404
    return record


def mobile_reminders(
    *, actor: Actor, within: Area | None = None, on: dt.date | None = None
) -> dict[str, QuerySet[MobileRecord]]:
    """Mobile members whose yearly report-back is due, and those away so long they should
    transfer: the current mobile records the actor sees, filtered in SQL (fit for a city's
    ledgers), ordered as ``mobile_list``."""
    current = mobile_list(actor=actor, within=within)
    return {
        "report_back_due": report_back_due(current, on),
        "transfer_prompted": transfer_prompted(current, on),
    }


def report_back_due(records: QuerySet[MobileRecord], on: dt.date | None = None) -> QuerySet[MobileRecord]:
    """``records`` whose yearly report-back is due on ``on``: a year (``MOBILE_REPORT_BACK_DAYS``)
    or more since the last report-back, or since the member left when they never reported back."""
    today = on or timezone.localdate()
    return records.alias(last=Coalesce("last_report_back", "since")).filter(
        last__lte=today - dt.timedelta(days=MOBILE_REPORT_BACK_DAYS)
    )


def transfer_prompted(records: QuerySet[MobileRecord], on: dt.date | None = None) -> QuerySet[MobileRecord]:
    """``records`` of members away longer than six months (``MOBILE_TRANSFER_AFTER_DAYS``) on
    ``on``: the activity card covers up to six months, a longer stay moves the membership."""
    today = on or timezone.localdate()
    return records.filter(since__lt=today - dt.timedelta(days=MOBILE_TRANSFER_AFTER_DAYS))


def station_list(*, actor: Actor, within: Area | None = None) -> QuerySet[Station]:
    scope = scope_for(actor)
    qs = Station.objects.filter(scope.area_q("area__")) if not scope.everything else Station.objects.all()
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    return qs.select_related("area").order_by("area__path")


def station_get(*, actor: Actor, pk: int) -> Station:
    station = station_list(actor=actor).filter(pk=pk).first()
    if station is None:
        raise Http404
    return station


def check_in_list(*, actor: Actor, station: Station) -> QuerySet[StationCheckIn]:
    station_get(actor=actor, pk=station.pk)
    return StationCheckIn.objects.filter(station=station).select_related("member")


def transfer_list(*, actor: Actor, status: str = "") -> QuerySet[Transfer]:
    """Transfers out of or into organisations the actor may see."""
    scope = scope_for(actor)
    qs = Transfer.objects.all()
    if not scope.everything:
        qs = qs.filter(
            scope.area_q("from_org__area__")
            | scope.area_q("to_org__area__")
            | Q(from_org__unit_id__in=sorted(scope.unit_ids))
            | Q(to_org__unit_id__in=sorted(scope.unit_ids))
        )
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("member", "from_org", "to_org").order_by("-issued_on", "-pk")


def transfer_get(*, actor: Actor, pk: int) -> Transfer:
    transfer = transfer_list(actor=actor).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


def transfer_overdue(*, actor: Actor, on: dt.date | None = None) -> QuerySet[Transfer]:
    """Letters still open past their validity, filtered in SQL; ``transfers_expire`` closes them."""
    return expired_before(transfer_list(actor=actor, status=TransferStatus.ISSUED), on)


def expired_before(transfers: QuerySet[Transfer], on: dt.date | None = None) -> QuerySet[Transfer]:
    """``transfers`` whose letter expired before ``on`` (default today): ``issued_on + valid_days``
    earlier than that day, computed by the database."""
    today = on or timezone.localdate()
    return transfers.alias(expires=AddDays("issued_on", "valid_days")).filter(expires__lt=today)


def household_list(*, actor: Actor, within: Area | None = None, current: bool = True) -> QuerySet[Household]:
    scope = scope_for(actor)
    qs = Household.objects.filter(scope.area_q("area__")) if not scope.everything else Household.objects.all()
    if current:
        qs = qs.filter(Dated.on(timezone.localdate()))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    return (
        qs.select_related("area", "awarded_by")
        .prefetch_related("members", "neighbours")
        .order_by("area__path")
    )


def household_get(*, actor: Actor, pk: int) -> Household:
    household = household_list(actor=actor, current=False).filter(pk=pk).first()
    if household is None:
        raise Http404
    return household


# --- reads of the ledger pages --------------------------------------------------------------


def member_self(*, actor: Actor) -> Member | None:
    """The actor's own member record (linked through ``Member.user``), if any."""
    if not actor.is_authenticated:
        return None
    return Member.objects.filter(user_id=actor.pk).select_related("org", "residence").first()


def ledger_member_list(
    *,
    actor: Actor,
    within: Area | None = None,
    category: str = "",
    on: dt.date | None = None,
    q: str = "",
    status: str = "",
    standing: str = "",
) -> QuerySet[Member]:
    """``member_list`` with the pages' extra filter by standing (full / probationary)."""
    qs = member_list(actor=actor, within=within, category=category, on=on, q=q, status=status)
    if standing:
        qs = qs.filter(standing=standing)
    return qs


def ledger_co_management_list(
    *, actor: Actor, within: Area, on: dt.date | None = None, q: str = ""
) -> QuerySet[CoManagement]:
    """The co-management tab of a ledger page: ``co_management_list`` searched by member name."""
    qs = co_management_list(actor=actor, within=within, on=on)
    if q:
        qs = qs.filter(name_search_q(q, prefix="member__", bigram_indexed=True))
    return qs


def ledger_report_list(
    *, actor: Actor, within: Area, q: str = "", status: str = ""
) -> QuerySet[MemberReport]:
    """The reports tab of a ledger page: current registrations, searched by member name."""
    qs = member_report_list(actor=actor, within=within, status=status)
    if q:
        qs = qs.filter(name_search_q(q, prefix="member__", bigram_indexed=True))
    return qs


def member_dossier(*, actor: Actor, member: Member) -> dict[str, Any]:
    """What a member's page shows besides the person: ledger history, reports, mobile records,
    transfers, households and co-management, each as the actor may see it."""
    member_get(actor=actor, pk=member.pk)
    return {
        "categories": list(category_history(actor=actor, member=member)),
        "reports": list(
            member_report_list(actor=actor, current=False)
            .filter(member=member)
            .prefetch_related("contacts")
            .order_by("-since", "-pk")
        ),
        "mobile_records": list(
            mobile_list(actor=actor, current=False).filter(member=member).order_by("-since", "-pk")
        ),
        "transfers": list(transfer_list(actor=actor).filter(member=member)),
        "households": list(household_list(actor=actor, current=False).filter(members=member)),
        "co_managements": list(
            CoManagement.objects.filter(member=member)
            .filter(scope_for(actor).rows_q("community__", "unit_id") | Q(member__user_id=actor.pk))
            .select_related("community", "unit")
            .order_by("-since")
        ),
    }


def report_communities(*, actor: Actor) -> QuerySet[Area]:
    """Communities a unit report may name: those in the actor's subtree, and (for a unit liaison)
    the community each of their units sits in."""
    scope = scope_for(actor)
    qs = Area.objects.filter(level=Level.COMMUNITY)
    if scope.everything:
        return qs.order_by("path")
    q = scope.area_q()
    for unit in ResidentUnit.objects.filter(pk__in=sorted(scope.unit_ids)).select_related("area"):
        home = unit.area
        if home.level > Level.COMMUNITY:
            home = Area.objects.get_ancestors(home).filter(level=Level.COMMUNITY).first() or home
        q |= Q(pk=home.pk)
    return qs.filter(q).order_by("path")


# --- reads of the ledgers' API: single rows, and the choices a form or request may name ---------


def member_category_get(*, actor: Actor, pk: int) -> MemberCategory:
    """One ledger entry of a member the actor may see."""
    entry = (
        MemberCategory.objects.filter(pk=pk, member__in=member_list(actor=actor))
        .select_related("member", "area")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def co_management_get(*, actor: Actor, pk: int) -> CoManagement:
    """One co-management row (current or ended) in the actor's scope."""
    scope = scope_for(actor)
    row = (
        CoManagement.objects.filter(scope.rows_q("community__", "unit_id"), pk=pk)
        .select_related("member", "community", "unit")
        .first()
    )
    if row is None:
        raise Http404
    return row


def place_list(*, actor: Actor) -> QuerySet[Area]:
    """Areas a ledger row may point at beyond the actor's own subtree: where a unit's staff live,
    where a mobile member goes, the community a member registers with. The whole map (names of
    places, nothing personal) for anyone with a role or a member record; nothing for others."""
    scope = scope_for(actor)
    if scope.empty and member_self(actor=actor) is None:
        return Area.objects.none()
    return Area.objects.order_by("path")


def residence_choices(*, actor: Actor) -> QuerySet[Area]:
    """Where the actor may say a member lives: their subtree; anywhere for a unit liaison (staff
    live all over the city). Mirrors the check in ``services.member_create``."""
    scope = scope_for(actor)
    if scope.everything or scope.unit_ids:
        return place_list(actor=actor)
    return area_list(actor=actor)


def community_choices(*, actor: Actor) -> QuerySet[Area]:
    """Communities (and villages) a member may register with: any, since people report where
    they live, which need not be in the registering administrator's subtree."""
    return place_list(actor=actor).filter(level=Level.COMMUNITY)


def transfer_destination_list(*, actor: Actor) -> QuerySet[Any]:
    """Organisations a transfer letter may be addressed to: any organisation in force, for an actor
    who administers something (the receiving side decides on the letter)."""
    if scope_for(actor).empty:
        return PartyOrg.objects.none()
    return PartyOrg.objects.filter(Dated.on(timezone.localdate())).order_by("code", "pk")


def co_management_candidates(*, actor: Actor) -> QuerySet[Member]:
    """Members the actor may enrol in a community's co-management: those they see, and the staff
    (organisation or work unit) of the resident units that sit in the actor's subtree."""
    scope = scope_for(actor)
    units = ResidentUnit.objects.filter(scope.area_q("area__")).values("pk")
    return Member.objects.filter(
        Q(pk__in=member_list(actor=actor).values("pk"))
        | Q(org__unit_id__in=units)
        | Q(work_unit_id__in=units)
    ).order_by("name_key", "pk")


def co_management_member_choices(*, actor: Actor, community: Area, q: str = "") -> QuerySet[Member]:
    """Members the actor may enrol in ``community``'s co-management: unit members among
    ``co_management_candidates`` (their work unit or the unit whose organisation holds them), in
    normal standing, not already taking part there; searched by name or initials with ``q``."""
    from .models import MemberStatus

    taking_part = CoManagement.objects.filter(community=community, until__isnull=True).values("member_id")
    qs = (
        co_management_candidates(actor=actor)
        .filter(Q(org__unit__isnull=False) | Q(work_unit__isnull=False), status=MemberStatus.NORMAL)
        .exclude(pk__in=taking_part)
        .select_related("work_unit", "org__unit")
    )
    if q:
        qs = qs.filter(name_search_q(q, bigram_indexed=True))
    return qs


def self_check_in_away(*, actor: Actor) -> MobileRecord:
    """The actor's own current stay away, which lets them check themself in at a station.

    PermissionDenied (with the reason, for the page) unless the actor is signed in with the
    account linked to a member record (``Member.user``) and that member is away now."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    member = member_self(actor=actor)
    if member is None:
        raise PermissionDenied(_("Sign in with the account linked to your member record to check in."))
    away = (
        MobileRecord.objects.filter(member=member, until__isnull=True)
        .select_related("member", "destination_area")
        .order_by("-since", "-pk")
        .first()
    )
    if away is None:
        raise PermissionDenied(_("Only a member away from home (mobile) checks in at a station."))
    return away


def station_for_self_check_in(*, actor: Actor, pk: int) -> tuple[Station, MobileRecord]:
    """The station a member away from home opens from its link to check themself in, and their stay
    away (``self_check_in_away``). Any station: members travel, and a station's name and address
    are public; nothing else of it (no one else's check-in) is shown. Http404 for an unknown one."""
    away = self_check_in_away(actor=actor)
    station = Station.objects.select_related("area", "org").filter(pk=pk).first()
    if station is None:
        raise Http404
    return station, away


def self_check_in_station_list(*, actor: Actor, q: str = "") -> QuerySet[Station]:
    """Stations a member away from home may check in at, those at their destination first,
    searched by name or initials (PermissionDenied for anyone else)."""
    from django.db.models import Case, IntegerField, Value, When

    away = self_check_in_away(actor=actor)
    qs = Station.objects.select_related("area")
    if q:
        qs = qs.filter(name_search_q(q))
    near: Any = Value(1)
    if away.destination_area is not None:
        near = Case(
            When(area__path__startswith=away.destination_area.path, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    return qs.annotate(near=near).order_by("near", "area__path", "name_key", "pk")


def own_check_in_list(*, actor: Actor, station: Station | None = None) -> QuerySet[StationCheckIn]:
    """The actor's own check-ins (at ``station``), newest first; none for someone not a member."""
    member = member_self(actor=actor)
    if member is None:
        return StationCheckIn.objects.none()
    qs = StationCheckIn.objects.filter(member=member)
    if station is not None:
        qs = qs.filter(station=station)
    return qs.select_related("station", "station__area").order_by("-at", "-pk")


def link_user_find(*, actor: Actor, username: str) -> Any:
    """The active account with this exact user name, for an administrator linking a member record
    to it (no listing: one name at a time); None when there is none or the actor administers nothing."""
    from django.contrib.auth import get_user_model

    if scope_for(actor).empty or not username.strip():
        return None
    return get_user_model().objects.filter(username=username.strip(), is_active=True).first()


def check_in_member_choices(*, actor: Actor) -> QuerySet[Member]:
    """Members who may be signed in at the actor's stations: those the actor sees, and mobile
    members currently away to a place in the actor's subtree (their membership is held elsewhere)."""
    scope = scope_for(actor)
    away = MobileRecord.objects.filter(scope.area_q("destination_area__"), until__isnull=True)
    return Member.objects.filter(
        Q(pk__in=member_list(actor=actor).values("pk")) | Q(pk__in=away.values("member_id"))
    ).order_by("name_key", "pk")


def check_in_member_find(*, actor: Actor, id_number: str) -> Member | None:
    """A member who may be signed in at the actor's stations, looked up by ID number through the
    blind index (the clear value is never queried). Raises ValidationError for a malformed number."""
    compact, _birth, _sex = parse_id_number(id_number)
    index = pii.blind_index(compact, purpose=ID_PURPOSE)
    return check_in_member_choices(actor=actor).filter(id_number_index=index).first()


def member_seen_by(*, actor: Actor, member: Member) -> QuerySet[AuditEntry]:
    """Who saw this member's personal data: every reveal of a full number and every look-up that
    found them, newest first (who, when, which number, the reason given). For the member themself
    (their right to know, PIPL art. 44–45) and for whoever may reveal the numbers; 403 otherwise."""
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from .services import member_reveal_allowed

    if not member_reveal_allowed(actor=actor, member=member):
        raise PermissionDenied(_("Only the member and those who may see their numbers see who saw them."))
    return (
        AuditEntry.objects.filter(
            object_type="members.member", object_id=str(member.pk), action__in=PERSON_READS
        )
        .select_related("actor")
        .order_by("-seq")
    )
