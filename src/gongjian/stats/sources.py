"""Where each kept figure comes from: for every indicator of the catalogue, the subjects it counts,
their pieces (area path and days, see ``tally_core``) and which saved rows change which subjects.

Each source mirrors the ``rows`` query of its indicator in ``stats.indicators``; the property tests
recompute every figure from those rows and compare.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from gongjian.appeals.models import REACHED_RESULTS, SATISFIED_RESULTS, Appeal, Outcome
from gongjian.cobuild.models import (
    Agreement,
    Answer,
    CommitteeKind,
    Consultation,
    ConsultationAnswer,
    JointMeeting,
    MeetingStatus,
    PartTimeSeat,
    SeatStep,
)
from gongjian.core.bulkwrite import ids_in
from gongjian.lists.models import Claim, ClaimStatus, Demand, DemandKind, DemandStatus, Project, Resource
from gongjian.members.models import (
    Category,
    CoManagement,
    Household,
    MemberCategory,
    MemberReport,
    ReportStatus,
)
from gongjian.orgs.models import Alliance, AllianceMember, Area, Level, PartyOrg, ResidentUnit, UnitRank
from gongjian.service.models import HoursStatus, ServiceHours, TeamMembership, TeamPeriod

from .tally_core import Piece, chunks, common_path, flow, overlap

Subjects = Iterable[int] | None  # None: every subject (a rebuild)
PieceFn = Callable[[Subjects], Iterator[Piece]]
Watch = Callable[[Any], Iterable[int]]  # a saved or deleted row -> the subjects it changes


@dataclass(frozen=True)
class Source:
    indicator: str
    pieces: PieceFn
    watches: dict[type[models.Model], Watch] = field(default_factory=dict)
    distinct: bool = True  # counts subjects; False: sums weights of rows


def _local(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value is not None else None


def _rows(qs: models.QuerySet[Any], subjects: Subjects, key: str, *fields: str) -> Iterator[dict[str, Any]]:
    """The rows of ``qs`` for the subjects (by the field ``key``), or all of them, in batches."""
    if subjects is None:
        yield from qs.values(key, *fields).order_by().iterator(chunk_size=5000)
        return
    for batch in chunks(sorted(set(subjects)), 5000):
        yield from ids_in(qs, key, batch).values(key, *fields).order_by()


def _self(row: Any) -> list[int]:
    return [row.pk]


def _dated(model: type[models.Model], path: str, where: Q | None = None) -> PieceFn:
    """One piece per dated row (``since``/``until``) at ``path``, the row being the subject."""

    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = model._default_manager.filter(where or Q())
        for r in _rows(qs, subjects, "pk", path, "since", "until"):
            yield Piece(r["pk"], r[path], r["since"], r["until"])

    return pieces


# --- the map ----------------------------------------------------------------------------------


def _alliance_members(subjects: Subjects) -> Iterator[Piece]:
    """Units (subjects) with a membership of an alliance in force (both dated)."""
    qs = AllianceMember.objects.all()
    fields = ("alliance__area__path", "since", "until", "alliance__since", "alliance__until")
    for r in _rows(qs, subjects, "unit_id", *fields):
        days = overlap(r["since"], r["until"], r["alliance__since"], r["alliance__until"])
        if days:
            yield Piece(r["unit_id"], r["alliance__area__path"], *days)


def _org_kinds(kind: str) -> list[str]:
    return [kind, "joint_branch"] if kind == "branch" else [kind]


def _territorial(kind: str, level: int) -> Q:
    return Q(kind__in=_org_kinds(kind), unit__isnull=True, area__level=level)


def _covered(kind: str, level: int) -> PieceFn:
    """Areas of a level (subjects) on days they are in force and carry a territorial organisation
    of the kind in force."""

    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = PartyOrg.objects.filter(_territorial(kind, level))
        fields = ("area__path", "since", "until", "area__since", "area__until")
        for r in _rows(qs, subjects, "area_id", *fields):
            days = overlap(r["since"], r["until"], r["area__since"], r["area__until"])
            if days:
                yield Piece(r["area_id"], r["area__path"], *days)

    return pieces


def _org_area(row: PartyOrg) -> list[int]:
    return [row.area_id]


def _alliance_units(row: Alliance) -> list[int]:
    return list(AllianceMember.objects.filter(alliance=row).values_list("unit_id", flat=True))


def _unit_of(row: AllianceMember) -> list[int]:
    return [row.unit_id]


# --- members ----------------------------------------------------------------------------------


def _member_of(row: Any) -> list[int]:
    return [row.member_id] if row.member_id else []


LedgerEntry = tuple[int, str, str, dt.date, dt.date | None]  # member, category, area path, since, until


@dataclass
class _Shared:
    entries: dict[tuple[int, ...], list[LedgerEntry]] = field(default_factory=dict)
    paths: dict[int, str] = field(default_factory=dict)  # area id -> path


_shared: contextvars.ContextVar[_Shared | None] = contextvars.ContextVar(
    "gongjian_sources_shared", default=None
)


@contextlib.contextmanager
def shared_reads() -> Iterator[None]:
    """Within the block the five ledger figures (``members.total`` and one a ledger) read the
    ledger entries of a batch of members once between them, and area paths once: a round of
    refreshes writes figures only, never the rows they are read from."""
    if _shared.get() is not None:
        yield
        return
    token = _shared.set(_Shared())
    try:
        yield
    finally:
        _shared.reset(token)


def _area_paths(ids: Iterable[int], known: dict[int, str]) -> dict[int, str]:
    """``known`` completed with the paths of these areas (looked up by id: joining the map to
    thousands of rows made PostgreSQL scan all of it for every batch)."""
    missing = sorted({i for i in ids if i not in known})
    for part in chunks(missing, 5000):
        known.update(ids_in(Area.objects.order_by(), "pk", part).values_list("pk", "path"))
    return known


def _ledger_entries(subjects: Iterable[int]) -> list[LedgerEntry]:
    """The entries of the four ledgers of these members (shared within :func:`shared_reads`)."""
    batch = tuple(sorted(set(subjects)))
    shared = _shared.get()
    found = shared.entries.get(batch) if shared is not None else None
    if found is not None:
        return found
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
    paths = _area_paths((r[2] for r in raw), shared.paths if shared is not None else {})
    rows = [(member, category, paths[area], since, until) for member, category, area, since, until in raw]
    if shared is not None:
        shared.entries[batch] = rows
    return rows


def _ledger(*categories: str) -> PieceFn:
    """Members (subjects) with an entry of the categories, at the entry's area."""
    wanted = set(categories)

    def pieces(subjects: Subjects) -> Iterator[Piece]:
        if subjects is None:
            qs = MemberCategory.objects.filter(category__in=categories)
            for r in _rows(qs, subjects, "member_id", "area__path", "since", "until"):
                yield Piece(r["member_id"], r["area__path"], r["since"], r["until"])
            return
        for member, category, path, since, until in _ledger_entries(subjects):
            if category in wanted:
                yield Piece(member, path, since, until)

    return pieces


def _reports_and_service(subjects: Subjects) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    reports: dict[int, list[Any]] = defaultdict(list)
    qs = MemberReport.objects.filter(status=ReportStatus.CONFIRMED, confirmed_on__isnull=False)
    for r in _rows(qs, subjects, "member_id", "community__path", "since", "until", "confirmed_on"):
        days = overlap(r["since"], r["until"], r["confirmed_on"], None)
        if days:
            reports[r["member_id"]].append((r["community__path"], days))
    in_service: dict[int, list[Any]] = defaultdict(list)
    # by member only (see _ledger_entries), the category picked here
    for r in _rows(
        MemberCategory.objects.all(), reports.keys(), "member_id", "category", "area__path", "since", "until"
    ):
        if r["category"] == Category.IN_SERVICE:
            in_service[r["member_id"]].append((r["area__path"], (r["since"], r["until"])))
    return reports, in_service


def _reported(subjects: Subjects) -> Iterator[Piece]:
    """In-service members (anywhere) with a confirmed report in force, at the report's community."""
    reports, in_service = _reports_and_service(subjects)
    for member, own in reports.items():
        for community, days in own:
            for _area, service_days in in_service.get(member, []):
                both = overlap(*days, *service_days)
                if both:
                    yield Piece(member, community, *both)


def _reported_listed(steplen: int) -> PieceFn:
    """In-service members listed at A and reported to C: counted at every node above both."""

    def pieces(subjects: Subjects) -> Iterator[Piece]:
        reports, in_service = _reports_and_service(subjects)
        for member, own in reports.items():
            for community, days in own:
                for area, service_days in in_service.get(member, []):
                    both = overlap(*days, *service_days)
                    node = common_path(area, community, steplen)
                    if both and node:
                        yield Piece(member, node, *both)

    return pieces


# --- co-building ------------------------------------------------------------------------------


def _agreements(subjects: Subjects) -> Iterator[Piece]:
    qs = Agreement.objects.filter(signed_on__isnull=False)
    for r in _rows(qs, subjects, "pk", "area__path", "signed_on", "starts_on", "ends_on", "ended_on"):
        days = overlap(
            max(r["signed_on"], r["starts_on"]),
            r["ends_on"] + dt.timedelta(days=1),
            r["starts_on"],
            r["ended_on"],
        )
        if days:
            yield Piece(r["pk"], r["area__path"], *days)


def _seats(kind: str) -> PieceFn:
    return _dated(
        PartTimeSeat,
        "committee__area__path",
        Q(step__in=[SeatStep.APPOINTED, SeatStep.ANNOUNCED, SeatStep.ENDED], committee__kind=kind),
    )


def _meetings(subjects: Subjects) -> Iterator[Piece]:
    qs = JointMeeting.objects.filter(status__in=[MeetingStatus.HELD, MeetingStatus.CLOSED])
    for r in _rows(qs, subjects, "pk", "area__path", "starts_at"):
        yield flow(r["pk"], r["area__path"], _local(r["starts_at"]))  # type: ignore[arg-type]


# --- the three lists --------------------------------------------------------------------------


def _accepted(side: str, subjects: Subjects) -> dict[int, list[tuple[dt.datetime, int]]]:
    out: dict[int, list[tuple[dt.datetime, int]]] = defaultdict(list)
    qs = Claim.objects.filter(status=ClaimStatus.ACCEPTED, decided_at__isnull=False)
    for r in _rows(qs, subjects, f"{side}_id", "decided_at", "quantity"):
        out[r[f"{side}_id"]].append((r["decided_at"], r["quantity"]))
    return out


def _used_up(claims: list[tuple[dt.datetime, int]], amount: int) -> dt.date | None:
    """The local day the accepted claims reach ``amount`` (claims count from their decision day)."""
    total = 0
    by_day: dict[dt.date, int] = defaultdict(int)
    for decided, quantity in claims:
        by_day[_local(decided)] += quantity  # type: ignore[index]
    for day in sorted(by_day):
        total += by_day[day]
        if total >= amount:
            return day
    return None


def _open(model: type[models.Model], side: str, amount: str, closed: str, last_day: str, where: Q) -> PieceFn:
    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = model._default_manager.filter(where, published_at__isnull=False)
        rows = list(_rows(qs, subjects, "pk", "area__path", "published_at", amount, closed, last_day))
        claims = _accepted(side, [r["pk"] for r in rows])
        for r in rows:
            since = _local(r["published_at"])
            assert since is not None
            ends = [_local(r[closed])]
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


def _flow_of(model: type[models.Model], moment: str, where: Q | None = None) -> PieceFn:
    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = model._default_manager.filter(where or Q(), **{f"{moment}__isnull": False})
        for r in _rows(qs, subjects, "pk", "area__path", moment):
            yield flow(r["pk"], r["area__path"], _local(r[moment]))  # type: ignore[arg-type]

    return pieces


def _claimed_completed(subjects: Subjects) -> Iterator[Piece]:
    """Projects claimed in a year and completed by the date: from the later day to year end."""
    qs = Project.objects.filter(completed_at__isnull=False)
    for r in _rows(qs, subjects, "pk", "area__path", "claimed_at", "completed_at"):
        claimed, completed = _local(r["claimed_at"]), _local(r["completed_at"])
        assert claimed is not None and completed is not None
        days = overlap(max(claimed, completed), flow(0, "", claimed).until, claimed, None)
        if days:
            yield Piece(r["pk"], r["area__path"], *days)


# --- service ----------------------------------------------------------------------------------


def _hours(subjects: Subjects) -> Iterator[Piece]:
    qs = ServiceHours.objects.filter(status=HoursStatus.VERIFIED)
    for r in _rows(qs, subjects, "pk", "area__path", "on", "hours"):
        yield flow(r["pk"], r["area__path"], r["on"], float(r["hours"]))


def _volunteers(subjects: Subjects) -> Iterator[Piece]:
    qs = ServiceHours.objects.filter(status=HoursStatus.VERIFIED, member__isnull=False)
    for r in _rows(qs, subjects, "member_id", "area__path", "on"):
        yield flow(r["member_id"], r["area__path"], r["on"])


def _teams(subjects: Subjects) -> Iterator[Piece]:
    for r in _rows(TeamPeriod.objects.all(), subjects, "team_id", "team__area__path", "since", "until"):
        yield Piece(r["team_id"], r["team__area__path"], r["since"], r["until"])


def _team_of(row: TeamPeriod) -> list[int]:
    return [row.team_id]


# --- the article's further figures (stats.indicators_extra) ------------------------------------


def _team_people(subjects: Subjects) -> Iterator[Piece]:
    """People on active teams: member m is subject 2m, volunteer v is 2v + 1 (counted apart)."""
    teams: set[int] = set()
    places: list[dict[str, Any]] = []
    fields = ("team_id", "team__area__path", "member_id", "volunteer_id", "since", "until")
    if subjects is None:
        places = list(TeamMembership.objects.values(*fields).order_by().iterator(chunk_size=5000))
    else:
        wanted = set(subjects)
        members = [s // 2 for s in wanted if s % 2 == 0]
        volunteers = [s // 2 for s in wanted if s % 2 == 1]
        for batch in chunks(members):
            places += TeamMembership.objects.filter(member_id__in=batch).values(*fields).order_by()
        for batch in chunks(volunteers):
            places += TeamMembership.objects.filter(volunteer_id__in=batch).values(*fields).order_by()
    teams = {p["team_id"] for p in places}
    periods: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for r in _rows(TeamPeriod.objects.all(), teams, "team_id", "since", "until"):
        periods[r["team_id"]].append((r["since"], r["until"]))
    for p in places:
        subject = 2 * p["member_id"] if p["member_id"] else 2 * p["volunteer_id"] + 1
        for period in periods.get(p["team_id"], []):
            days = overlap(p["since"], p["until"], *period)
            if days:
                yield Piece(subject, p["team__area__path"], *days)


def _person_of(row: TeamMembership) -> list[int]:
    return [2 * row.member_id] if row.member_id else [2 * row.volunteer_id + 1] if row.volunteer_id else []


def _team_people_of(row: TeamPeriod) -> list[int]:
    return [s for m in TeamMembership.objects.filter(team_id=row.team_id) for s in _person_of(m)]


def _retired_serving(subjects: Subjects) -> Iterator[Piece]:
    """Members with verified hours in the year to date while in the retired ledger (any area)."""
    qs = ServiceHours.objects.filter(status=HoursStatus.VERIFIED, member__isnull=False)
    hours = list(_rows(qs, subjects, "member_id", "area__path", "on"))
    retired: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    entries = MemberCategory.objects.all()  # by member only (see _ledger_entries)
    for r in _rows(entries, {h["member_id"] for h in hours}, "member_id", "category", "since", "until"):
        if r["category"] == Category.RETIRED:
            retired[r["member_id"]].append((r["since"], r["until"]))
    for h in hours:
        served = flow(h["member_id"], h["area__path"], h["on"])
        for entry in retired.get(h["member_id"], []):
            days = overlap(served.since, served.until, *entry)
            if days:
                yield Piece(h["member_id"], h["area__path"], *days)


def _answers(where: Q) -> PieceFn:
    def pieces(subjects: Subjects) -> Iterator[Piece]:
        qs = ConsultationAnswer.objects.filter(where)
        for r in _rows(qs, subjects, "pk", "consultation__area__path", "consultation__closes_on"):
            yield flow(r["pk"], r["consultation__area__path"], r["consultation__closes_on"])

    return pieces


def _answers_of(row: Consultation) -> list[int]:
    return list(ConsultationAnswer.objects.filter(consultation=row).values_list("pk", flat=True))


def _extra_sources() -> list[Source]:
    from .indicators_extra import COMMERCIAL_LABELS

    compound, building = Level.COMPOUND, Level.BUILDING
    return [
        Source(
            "areas.old_compounds", _dated(Area, "path", Q(level=compound, old_compound=True)), {Area: _self}
        ),
        Source(
            "areas.commercial_buildings",
            _dated(Area, "path", Q(level=building, kind_label__in=COMMERCIAL_LABELS)),
            {Area: _self},
        ),
        Source(
            "units.incubators", _dated(ResidentUnit, "area__path", Q(incubator=True)), {ResidentUnit: _self}
        ),
        Source(
            "units.provincial",
            _dated(ResidentUnit, "area__path", Q(rank=UnitRank.PROVINCIAL)),
            {ResidentUnit: _self},
        ),
        Source("units.hosted_firms", _hosted_firms, {ResidentUnit: _self}, distinct=False),
        Source("members.total", _ledger(*Category.ledgers()), {MemberCategory: _member_of}),
        Source("teams.members", _team_people, {TeamMembership: _person_of, TeamPeriod: _team_people_of}),
        Source("service.retired", _retired_serving, {ServiceHours: _member_of, MemberCategory: _member_of}),
        Source(
            "projects.at_meetings",
            _flow_of(Project, "claimed_at", Q(meeting__isnull=False)),
            {Project: _self},
        ),
        Source(
            "_answers.for",
            _answers(Q(answer=Answer.FOR)),
            {ConsultationAnswer: _self, Consultation: _answers_of},
        ),
        Source("_answers.all", _answers(Q()), {ConsultationAnswer: _self, Consultation: _answers_of}),
    ]


def _hosted_firms(subjects: Subjects) -> Iterator[Piece]:
    qs = ResidentUnit.objects.filter(hosted_firms__gt=0)
    for r in _rows(qs, subjects, "pk", "area__path", "since", "until", "hosted_firms"):
        yield Piece(r["pk"], r["area__path"], r["since"], r["until"], float(r["hosted_firms"]))


def build_sources(steplen: int) -> dict[str, Source]:
    compound, building = Level.COMPOUND, Level.BUILDING
    micro = Q(kind=DemandKind.MICRO_WISH)
    sources = [
        Source("units.resident", _dated(ResidentUnit, "area__path"), {ResidentUnit: _self}),
        Source("alliance.members", _alliance_members, {AllianceMember: _unit_of, Alliance: _alliance_units}),
        Source(
            "orgs.compound_branches",
            _dated(PartyOrg, "area__path", _territorial("branch", compound)),
            {PartyOrg: _self},
        ),
        Source(
            "orgs.building_groups",
            _dated(PartyOrg, "area__path", _territorial("group", building)),
            {PartyOrg: _self},
        ),
        Source("_compounds.all", _dated(Area, "path", Q(level=compound)), {Area: _self}),
        Source("_compounds.covered", _covered("branch", compound), {PartyOrg: _org_area, Area: _self}),
        Source("_buildings.all", _dated(Area, "path", Q(level=building)), {Area: _self}),
        Source("_buildings.covered", _covered("group", building), {PartyOrg: _org_area, Area: _self}),
        Source("agreements.in_force", _agreements, {Agreement: _self}),
        Source("parttime.street", _seats(CommitteeKind.STREET), {PartTimeSeat: _self}),
        Source("parttime.community", _seats(CommitteeKind.COMMUNITY), {PartTimeSeat: _self}),
        Source("meetings.joint", _meetings, {JointMeeting: _self}),
        Source(
            "demands.open",
            _open(Demand, "demand", "quantity", "closed_at", "deadline", ~Q(status=DemandStatus.REJECTED)),
            {Demand: _self, Claim: _claim_side("demand")},
        ),
        Source(
            "resources.open",
            _open(Resource, "resource", "capacity", "ended_at", "available_until", Q()),
            {Resource: _self, Claim: _claim_side("resource")},
        ),
        Source("projects.claimed", _flow_of(Project, "claimed_at"), {Project: _self}),
        Source("projects.completed", _flow_of(Project, "completed_at"), {Project: _self}),
        Source("_projects.claimed_completed", _claimed_completed, {Project: _self}),
        Source("microwishes.raised", _flow_of(Demand, "raised_at", micro), {Demand: _self}),
        Source("microwishes.fulfilled", _flow_of(Demand, "done_at", micro), {Demand: _self}),
        Source("service.hours", _hours, {ServiceHours: _self}, distinct=False),
        Source("service.volunteers", _volunteers, {ServiceHours: _member_of}),
        Source("teams.service", _teams, {TeamPeriod: _team_of}),
        Source("members.co_managed", _dated(CoManagement, "community__path"), {CoManagement: _self}),
        Source("members.reported", _reported, {MemberReport: _member_of, MemberCategory: _member_of}),
        Source(
            "_members.reported_listed",
            _reported_listed(steplen),
            {MemberReport: _member_of, MemberCategory: _member_of},
        ),
        Source("households.plaqued", _dated(Household, "area__path"), {Household: _self}),
        # appeals: the parts of the three rates, each a flow from its day (see stats.indicators)
        Source("_appeals.due", _flow_of(Appeal, "due_at"), {Appeal: _self}),
        Source(
            "_appeals.answered_in_time",
            _flow_of(Appeal, "due_at", Q(answered_at__lte=F("due_at"))),
            {Appeal: _self},
        ),
        Source("_appeals.closed", _flow_of(Appeal, "closed_at"), {Appeal: _self}),
        Source(
            "_appeals.closed_solved",
            _flow_of(Appeal, "closed_at", Q(outcome=Outcome.SOLVED)),
            {Appeal: _self},
        ),
        Source(
            "_appeals.reached",
            _flow_of(Appeal, "called_back_at", Q(callback_result__in=REACHED_RESULTS)),
            {Appeal: _self},
        ),
        Source(
            "_appeals.satisfied",
            _flow_of(Appeal, "called_back_at", Q(callback_result__in=SATISFIED_RESULTS)),
            {Appeal: _self},
        ),
    ]
    for key, category in [
        ("members.direct", Category.DIRECT),
        ("members.in_service", Category.IN_SERVICE),
        ("members.mobile", Category.MOBILE),
        ("members.retired", Category.RETIRED),
    ]:
        sources.append(Source(key, _ledger(category), {MemberCategory: _member_of}))
    sources += _extra_sources()
    return {s.indicator: s for s in sources}
