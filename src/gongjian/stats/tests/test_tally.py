"""Kept figures equal the figures counted from their rows.

The pure core is checked against brute force (hypothesis); the Django part by random writes,
updates and deletes on a small map, after which every figure at every node on several dates is
recomputed from its rows and compared, and a rebuild from scratch must change nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from gongjian.appeals.models import Appeal
from gongjian.lists.models import Claim, Demand, Project
from gongjian.members.models import Category, Member, MemberCategory, MemberReport
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit
from gongjian.service.models import HoursStatus, ServiceHours
from gongjian.stats import tally
from gongjian.stats.indicators import compute_all, from_rows
from gongjian.stats.models import Contribution, Tally
from gongjian.stats.tally_core import Piece, ancestors, contributions, deltas, value_on

STEP = 2
PATHS = ["01", "0101", "010101", "010102", "0102", "010201"]
DAY0 = dt.date(2017, 1, 1)

days = st.integers(min_value=0, max_value=900).map(lambda n: DAY0 + dt.timedelta(days=n))
pieces = st.builds(
    lambda subject, path, since, length: Piece(
        subject, path, since, None if length is None else since + dt.timedelta(days=length)
    ),
    st.integers(min_value=1, max_value=6),
    st.sampled_from(PATHS),
    days,
    st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)


def brute(items: list[Piece], node: str, date: dt.date, distinct: bool) -> float:
    inside = [
        p
        for p in items
        if p.path.startswith(node) and p.since <= date and (p.until is None or date < p.until)
    ]
    if distinct:
        return float(len({p.subject for p in inside}))
    return float(sum(p.weight for p in inside))


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=12), st.sampled_from(PATHS), days, st.booleans())
def test_core_counts_what_brute_force_counts(items, node, date, distinct):
    rows = contributions(items, distinct=distinct, steplen=STEP)
    kept = deltas(rows, steplen=STEP)
    at_node = [(grain, day, value) for (path, grain, day), value in kept.items() if path == node]
    assert value_on(at_node, date) == brute(items, node, date, distinct)


@settings(max_examples=100, deadline=None)
@given(st.lists(pieces, max_size=8), st.lists(pieces, max_size=8), st.sampled_from(PATHS), days)
def test_taking_back_old_contributions_leaves_only_the_new(old, new, node, date):
    change = deltas(contributions(old, distinct=True, steplen=STEP), steplen=STEP)
    deltas(contributions(old, distinct=True, steplen=STEP), steplen=STEP, sign=-1.0, into=change)
    deltas(contributions(new, distinct=True, steplen=STEP), steplen=STEP, into=change)
    at_node = [(g, d, v) for (p, g, d), v in change.items() if p == node]
    assert value_on(at_node, date) == brute(new, node, date, True)


def test_ancestors_are_root_first():
    assert ancestors("010203", 2) == ["01", "0102", "010203"]


# --- random writes on a small map -------------------------------------------------------------


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)), timezone.get_default_timezone())


def _day(rng: random.Random) -> dt.date:
    return dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(0, 1000))


def _span(rng: random.Random) -> tuple[dt.date, dt.date | None]:
    since = _day(rng)
    return since, (None if rng.random() < 0.5 else since + dt.timedelta(days=rng.randrange(1, 500)))


def _member(world, rng: random.Random, n: int) -> Member:
    return Member.objects.create(
        name=f"测试{n}",
        org=world.wjl_branch,
        joined_on=dt.date(2000, 1, 1),
        gender="1",
        birth_date=dt.date(1980, 1, 1),
        id_number_sealed="-",
        id_number_index=f"test-{n}-{rng.random()}",
        id_number_masked="430104********0000",
    )


def _random_writes(world, rng: random.Random, steps: int) -> None:
    leaves = [
        world.wjl,
        world.wjl_compound,
        world.wjl_building,
        world.jsh,
        world.jsh_compound,
        world.dongfeng,
    ]
    communities = [world.wjl, world.jsh]
    members = [_member(world, rng, n) for n in range(6)]
    made: list = []
    for n in range(steps):
        try:
            with transaction.atomic():  # a write the database's rules refuse is simply not made
                _one_write(world, rng, n, leaves, communities, members, made)
        except IntegrityError:
            continue


def _one_write(world, rng, n, leaves, communities, members, made) -> None:
    if True:
        action = rng.randrange(10)
        if action == 0:
            since, until = _span(rng)
            made.append(
                ResidentUnit.objects.create(
                    name=f"单位{n}",
                    credit_code=f"TEST{n:014d}",
                    incubator=rng.random() < 0.5,
                    hosted_firms=rng.choice([0, 0, 12, 300]),
                    rank=rng.choice(["provincial", "municipal", "district"]),
                    area=rng.choice(communities),
                    since=since,
                    until=until,
                )
            )
        elif action == 1:
            since, until = _span(rng)
            area = rng.choice([world.wjl_compound, world.jsh_compound, world.wjl_building])
            kind = "branch" if area.level == Level.COMPOUND else "group"
            made.append(
                PartyOrg.objects.create(
                    name=f"支部{n}",
                    code=f"TEST-ORG-{n}",
                    kind=kind,
                    area=area,
                    parent=world.wjl_committee,
                    since=since,
                    until=until,
                )
            )
        elif action == 2:
            since, until = _span(rng)
            made.append(
                MemberCategory.objects.create(
                    member=rng.choice(members),
                    category=rng.choice([Category.IN_SERVICE, Category.DIRECT, Category.RETIRED]),
                    area=rng.choice(leaves),
                    since=since,
                    until=until,
                )
            )
        elif action == 3:
            since, until = _span(rng)
            made.append(
                MemberReport.objects.create(
                    member=rng.choice(members),
                    community=rng.choice(communities),
                    status="confirmed",
                    confirmed_on=since + dt.timedelta(days=rng.randrange(0, 30)),
                    since=since,
                    until=until,
                )
            )
        elif action == 4:
            made.append(
                ServiceHours.objects.create(
                    member=rng.choice([*members, None]),
                    area=rng.choice(leaves),
                    on=_day(rng),
                    hours=Decimal(rng.randrange(1, 16)) / 2,
                    status=rng.choice([HoursStatus.VERIFIED, HoursStatus.VERIFIED, "pending"]),
                    description="服务",
                )
            )
        elif action == 5:
            raised = _day(rng)
            demand = Demand.objects.create(
                name=f"需求{rng.random()}",
                category="volunteers",
                kind=rng.choice(["general", "micro_wish"]),
                quantity=rng.randrange(1, 4),
                area=world.wjl,
                owner_org=world.wjl_committee,
                raised_at=_at(raised),
                published_at=_at(raised + dt.timedelta(days=rng.randrange(0, 5))),
                deadline=None if rng.random() < 0.5 else raised + dt.timedelta(days=rng.randrange(0, 300)),
                done_at=None
                if rng.random() < 0.5
                else _at(raised + dt.timedelta(days=rng.randrange(0, 200))),
                status="published",
            )
            made.append(demand)
            for _claim in range(rng.randrange(0, 3)):
                decided = raised + dt.timedelta(days=rng.randrange(0, 100))
                made.append(
                    Claim.objects.create(
                        demand=demand,
                        claimant_unit=world.minzheng,
                        quantity=rng.randrange(1, 3),
                        status=rng.choice(["accepted", "accepted", "pending"]),
                        claimed_at=_at(decided),
                        decided_at=_at(decided),
                    )
                )
        elif action == 6:
            claimed = _day(rng)
            done = rng.choice([None, claimed + dt.timedelta(days=rng.randrange(0, 500))])
            wish = Demand.objects.create(
                name=f"项目需求{rng.random()}",
                category="volunteers",
                quantity=1,
                area=world.wjl,
                owner_org=world.wjl_committee,
                raised_at=_at(claimed),
                status="published",
            )
            claim = Claim.objects.create(
                demand=wish,
                claimant_unit=world.minzheng,
                quantity=1,
                status="accepted",
                claimed_at=_at(claimed),
                decided_at=_at(claimed),
            )
            Project.objects.create(
                claim=claim,
                demand=wish,
                area=rng.choice(communities),
                name=wish.name,
                starts_on=claimed,
                claimed_at=_at(claimed),
                completed_at=_at(done) if done else None,
            )
        elif action == 9:
            made.append(_appeal(world, rng, n, leaves))
        elif action == 7 and made:
            row = rng.choice(made)
            if isinstance(row, Appeal):
                _appeal_change(rng, row)
            elif hasattr(row, "until"):
                row.until = None if row.until else row.since + dt.timedelta(days=rng.randrange(1, 300))
                row.save()
            elif isinstance(row, Demand):
                row.closed_at = None if row.closed_at else _at(_day(rng))
                row.save()
            elif isinstance(row, Claim):
                row.status = "pending" if row.status == "accepted" else "accepted"
                row.save()
        elif action == 8 and made:
            row = made.pop(rng.randrange(len(made)))
            if isinstance(row, Demand):
                Claim.objects.filter(demand=row).delete()
                made[:] = [r for r in made if not (isinstance(r, Claim) and r.demand_id == row.pk)]
            row.delete()


def _appeal(world, rng: random.Random, n: int, leaves) -> Appeal:
    """An appeal at some step of its way, with times in order (around new year and month ends)."""
    registered = _at(_day(rng)) + dt.timedelta(hours=rng.randrange(0, 14))
    due = registered + rng.choice([dt.timedelta(hours=2), dt.timedelta(hours=24), dt.timedelta(days=7)])
    appeal = Appeal(
        number=f"SQT{n:06d}",
        area=rng.choice([a for a in leaves if a.level >= Level.COMMUNITY]),
        channel="hotline",
        kind="general",
        title=f"诉求{n}",
        resident_name="居民",
        registered_at=registered,
        due_at=due,
        status="registered",
    )
    steps = rng.randrange(0, 6)
    at = registered
    if steps >= 1:
        at += dt.timedelta(hours=rng.randrange(0, 30))
        appeal.assigned_org, appeal.assigned_at, appeal.status = world.wjl_branch, at, "assigned"
    if steps >= 2:
        at += dt.timedelta(hours=rng.randrange(0, 200))
        appeal.answered_at, appeal.status = at, "answered"
    if steps >= 3:
        at += dt.timedelta(days=rng.randrange(0, 40))
        appeal.solved_at = at
        appeal.outcome = appeal.status = rng.choice(["solved", "solved", "unsolvable"])
    if steps >= 4:
        at += dt.timedelta(days=rng.randrange(0, 40))
        appeal.closed_at, appeal.status = at, "closed"
    if steps >= 5:
        at += dt.timedelta(days=rng.randrange(0, 40))
        appeal.called_back_at = at
        appeal.callback_result = rng.choice(
            ["satisfied", "basically_satisfied", "dissatisfied", "not_reached"]
        )
    appeal.save()
    return appeal


def _appeal_change(rng: random.Random, row: Appeal) -> None:
    """Move an appeal on: a later answer (late or in time), a call-back result changed, a reopening
    of the call-back, or the outcome switched."""
    choice = rng.randrange(3)
    if choice == 0 and row.answered_at is not None and row.solved_at is None:
        row.answered_at = row.registered_at + dt.timedelta(hours=rng.randrange(0, 400))
    elif choice == 1 and row.called_back_at is not None:
        row.callback_result = rng.choice(["satisfied", "dissatisfied", "not_reached"])
    elif choice == 2 and row.outcome:
        row.outcome = "unsolvable" if row.outcome == "solved" else "solved"
    row.save()


DATES = [
    dt.date(2017, 1, 1),
    dt.date(2017, 6, 30),
    dt.date(2018, 2, 28),
    dt.date(2018, 12, 31),
    dt.date(2019, 9, 4),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_figures_equal_figures_from_rows_after_random_writes(world, seed):
    rng = random.Random(seed)
    _random_writes(world, rng, 60)
    nodes = list(Area.objects.filter(level__lte=Level.BUILDING).order_by("path"))
    for node in nodes:
        for date in DATES:
            assert compute_all(node, date) == from_rows(node, date), (seed, node.name, date)
    assert tally.verify() == {}
    before = sorted(Tally.objects.exclude(value=0).values_list("path", "grain", "day", "indicator", "value"))
    tally.rebuild()
    after = sorted(Tally.objects.exclude(value=0).values_list("path", "grain", "day", "indicator", "value"))
    assert [r[:4] for r in before] == [r[:4] for r in after]
    assert all(abs(a[4] - b[4]) < 1e-9 for a, b in zip(before, after, strict=True))
    assert Contribution.objects.exists()


def test_a_write_around_the_services_is_found_and_repaired(world):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    date = dt.date(2024, 5, 1)
    before = compute_all(world.dongfeng, date)["units.resident"]
    call_command("tally", "verify", stdout=StringIO())  # healthy: no error
    # an update sends no signal: the kept figure no longer follows the rows
    ResidentUnit.objects.filter(pk=world.minzheng.pk).update(until=dt.date(2020, 1, 1))
    assert compute_all(world.dongfeng, date)["units.resident"] == before
    with pytest.raises(CommandError, match=r"units\.resident: 1 subjects differ"):
        call_command("tally", "verify", stdout=StringIO())
    out = StringIO()
    call_command("daily", stdout=out)  # the daily work repairs it
    assert compute_all(world.dongfeng, date)["units.resident"] == before - 1
    assert compute_all(world.dongfeng, date) == from_rows(world.dongfeng, date)
    call_command("tally", "verify", stdout=StringIO())


def test_a_deferred_refresh_reads_each_members_ledger_entries_once(world):
    """The five ledger figures (the total and one a ledger) share one read of the entries of a
    batch of members, and count what the rows say."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(7)
    day = dt.date(2024, 3, 1)
    with tally.deferred():
        members = [_member(world, rng, n) for n in range(30)]
        for n, member in enumerate(members):
            category = [Category.DIRECT, Category.IN_SERVICE, Category.RETIRED][n % 3]
            MemberCategory.objects.create(member=member, category=category, area=world.wjl, since=day)
    # the same refreshes again, watched: the entries are read once, and nothing changes
    with CaptureQueriesContext(connection) as queries, tally.deferred():
        tally.touch_rows(MemberCategory, [SimpleNamespace(member_id=m.pk) for m in members])
    # (no hours, no reports: the retired-serving and reported figures need no entries of their own)
    ledger_reads = [q for q in queries.captured_queries if 'FROM "members_membercategory"' in q["sql"]]
    assert len(ledger_reads) == 1
    figures = compute_all(world.wjl, day)
    assert (figures["members.direct"], figures["members.in_service"], figures["members.retired"]) == (
        10,
        10,
        10,
    )
    assert figures["members.total"] == 30
    assert tally.verify() == {}
