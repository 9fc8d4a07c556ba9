"""Benchmark: every figure of one node, read from the kept tallies, on the synthetic city; and the
dashboard page under 32 concurrent clients.

For each database (SQLite, and PostgreSQL when reachable) and each size (``--scale``, 1.0 being the
domain guide's city, and four times that in the same run) it creates a fresh database and fills it
in a child process:

* the map, units, Party organisations and members of ``gongjian synth`` (``CityBuilder``: areas
  city → district → street → community → compound → building, territorial organisations with
  compound branches and building groups, unit organisations, members sealed and indexed with their
  direct / in-service / retired / mobile ledger entries), at the size asked;
* then, by raw inserts (``COPY`` on PostgreSQL, ``executemany`` on SQLite), every other row a kept
  figure counts, spread over ``--years`` years up to yesterday: ledger moves (entries ended and
  reopened elsewhere), confirmed member reports, co-management, household plaques, alliances with
  member units, pairing agreements in successive terms, expanded committees with part-time seats,
  joint meetings four times a year, demands and resources (100,000 a year at 1.0) with claims and
  projects, service teams with their periods and members, volunteers, service records (5 million a
  year at 1.0, nine in ten verified) and consultations with answers;

all inside ``tally.suspended()``; then ``tally.rebuild()``, timed. A second child process times
``compute_all(node, date)`` on a mid-year date at the root, at streets and at communities (after a
warm-up; up to ``--reps`` calls a kind of node, fewer when one call is slow, within ``--budget``
seconds), checks the kept figures against ``from_rows`` at one node of each kind, times alone
what a call reads (the tally rows, ``tally.values``, and each figure still counted from its rows),
sums up the database's plan of the tally read, and on PostgreSQL repeats 50 calls a kind with its
parallel plans off (``SET max_parallel_workers_per_gather = 0``, not the product's setting).

On the PostgreSQL database of the first size it then serves the app with gunicorn on loopback (two
sync workers, like ``./run``), signs a city administrator in (a session made server-side) and runs
``--clients`` concurrent clients for ``--seconds`` seconds, each asking for the dashboard page
``/stats/<code>/`` of a random node (a level at random, then a node of that level), after a warm-up
and eight pages a level asked by one client alone; then all of it again with the database's
parallel plans off (``ALTER DATABASE``, gunicorn restarted).

It prints tables of milliseconds and the ratios measured side by side. Never a timed test: run it by
hand (see bench/README.md). Databases and the work folder are temporary.

    .venv/bin/python bench/bench_indicators.py                            # 0.02 and 0.08, both databases
    .venv/bin/python bench/bench_indicators.py --scale 0.05 --db postgresql
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import http.client
import io
import json
import math
import os
import pstats
import random
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
TZ = ZoneInfo("Asia/Shanghai")

# the domain guide's city (§7), per year where it says so
CITY = {
    "districts": 10,
    "streets": 180,
    "communities": 1800,
    "compounds": 12000,
    "units": 20000,
    "building_groups": 6010,  # 40,000 organisations less the territorial and unit ones
    "members": 600_000,
    "demands_resources": 100_000,
    "service_records": 5_000_000,
    "appeals": 200_000,  # residents' requests routed to communities, a year
}
DEMAND_SHARE = 2 / 3  # of the demands and resources a year


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _setup_django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    django.setup()


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# --- raw inserts ----------------------------------------------------------------------------------


class Table:
    """Fast inserts into one model's table: the caller gives some fields a row (attnames, ``id``
    first), every other column gets its field's default once (``auto_now`` fields: now)."""

    def __init__(self, model: Any, fields: Sequence[str]) -> None:
        from django.db import connection
        from django.utils import timezone

        opts = model._meta
        given = [opts.get_field(name) for name in fields]
        rest = [f for f in opts.concrete_fields if f not in given and not f.primary_key]
        defaults: list[Any] = []
        for f in rest:
            auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            value: Any = timezone.now() if auto else f.get_default()  # "" for text, None when null
            if value is None and not f.null:
                raise ValueError(f"{opts.label}.{f.name} needs a value")
            defaults.append(f.get_db_prep_save(value, connection))
        self.model = model
        self.table = opts.db_table
        self.columns = [f.column for f in given] + [f.column for f in rest]
        self.rest = tuple(defaults)
        self.written = 0

    def insert(self, rows: Iterable[tuple[Any, ...]]) -> int:
        from django.db import connection

        connection.ensure_connection()
        raw = connection.connection
        cols = ", ".join(f'"{c}"' for c in self.columns)
        rest = self.rest
        count = 0
        cur = raw.cursor()
        try:
            if connection.vendor == "postgresql":
                with cur.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row + rest)
                        count += 1
            else:
                marks = ", ".join("?" * len(self.columns))
                batch: list[tuple[Any, ...]] = []
                sql = f'INSERT INTO "{self.table}" ({cols}) VALUES ({marks})'
                for row in rows:
                    batch.append(row + rest)
                    if len(batch) >= 20_000:
                        cur.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cur.executemany(sql, batch)
                    count += len(batch)
        finally:
            cur.close()
        self.written += count
        return count


class Ids:
    """Primary keys drawn in advance (so rows can point at rows not yet written); the sequences of
    PostgreSQL are moved past them at the end."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, model: Any, count: int = 1) -> int:
        from django.db import connection

        table = model._meta.db_table
        if table not in self.next:
            with connection.cursor() as cur:
                cur.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
                self.next[table] = int(cur.fetchone()[0]) + 1
        first = self.next[table]
        self.next[table] = first + count
        return first

    def sync(self) -> None:
        from django.db import connection

        if connection.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT follows the largest key written
        with connection.cursor() as cur:
            for table in self.next:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM \"{table}\"))",
                    [table],
                )


# --- the dataset -----------------------------------------------------------------------------------


def scale_for(factor: float) -> Any:
    from gongjian.demo.synthcity import Scale

    districts = max(1, round(CITY["districts"] * factor))
    streets = max(districts, round(CITY["streets"] * factor))
    communities = max(streets, round(CITY["communities"] * factor))
    compounds = max(communities, round(CITY["compounds"] * factor))
    units = max(1, round(CITY["units"] * factor))
    groups = round(CITY["building_groups"] * factor)
    orgs = districts + streets + communities + compounds + units + groups
    members = round(CITY["members"] * factor)
    return Scale(f"x{factor:g}", districts, streets, communities, compounds, 4, units, orgs, members)


DEMAND_NAMES = (
    "为独居老人代购药品",
    "小区楼道照明维修",
    "暑期儿童托管志愿者",
    "社区义诊进楼栋",
    "法律咨询进社区",
    "老旧小区加装电梯协调",
    "垃圾分类宣传志愿者",
    "困难家庭子女课业辅导",
    "社区活动室桌椅",
    "微心愿：一套学习用品",
    "微心愿：一台收音机",
    "微心愿：冬季棉被",
)
RESOURCE_NAMES = (
    "党员活动室场地开放",
    "医护人员周末义诊",
    "律师事务所法律顾问",
    "青年志愿者服务队",
    "健身器材捐赠",
    "高校学生课业辅导",
    "企业食堂助老配餐",
    "会议室借用",
)
TEAM_NAMES = ("党员先锋服务队", "红色物业服务队", "平安巡逻队", "助老志愿服务队", "文明劝导队")


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Filler:
    """Every row a kept figure counts, beyond the map and the members of ``CityBuilder``."""

    def __init__(self, factor: float, years: int, seed: int) -> None:
        from gongjian.members.models import Category, MemberCategory
        from gongjian.members.models import Member as MemberModel
        from gongjian.orgs.models import Area, PartyOrg, ResidentUnit

        self.factor = factor
        self.rng = random.Random(seed + 7)
        self.ids = Ids()
        self.steplen = Area.steplen
        self.today = dt.datetime.now(TZ).date()
        self.end = self.today - dt.timedelta(days=1)
        self.start = dt.date(self.today.year - years + 1, 1, 1)
        self.seconds: dict[str, float] = {}
        areas = list(Area.objects.values_list("id", "path", "level"))
        self.area_path = {pk: path for pk, path, _level in areas}
        self.path_id = {path: pk for pk, path, _level in areas}
        self.by_level: dict[int, list[int]] = defaultdict(list)
        for pk, _path, level in areas:
            self.by_level[level].append(pk)
        self.org_of: dict[int, int] = dict(
            PartyOrg.objects.filter(unit__isnull=True).values_list("area_id", "id")
        )
        self.unit_org = dict(PartyOrg.objects.filter(unit__isnull=False).values_list("unit_id", "id"))
        self.unit_area = dict(ResidentUnit.objects.values_list("id", "area_id"))
        self.units_of_street: dict[int, list[int]] = defaultdict(list)
        for unit, area in self.unit_area.items():
            self.units_of_street[self.up(area, 3)].append(unit)
        self.members = list(MemberModel.objects.values_list("id", "residence_id", "work_unit_id"))
        self.members_of_community: dict[int, list[int]] = defaultdict(list)
        self.community_of_member: dict[int, int] = {}
        self.compound_of_member: dict[int, int] = {}
        for pk, residence, _unit in self.members:
            community = self.up(residence, 4)
            self.members_of_community[community].append(pk)
            self.community_of_member[pk] = community
            self.compound_of_member[pk] = self.up(residence, 5)
        self.in_service = list(
            MemberCategory.objects.filter(category=Category.IN_SERVICE, until__isnull=True).values_list(
                "member_id", "area_id"
            )
        )
        self.meetings_of: dict[int, list[int]] = defaultdict(list)
        self.volunteers_of: dict[int, list[int]] = defaultdict(list)

    # -- helpers --

    def up(self, area_id: int, level: int) -> int:
        """The node of ``level`` above (or at) an area."""
        return self.path_id[self.area_path[area_id][: self.steplen * level]]

    def level(self, area_id: int) -> int:
        return len(self.area_path[area_id]) // self.steplen

    def day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randrange(max(1, (last - first).days + 1)))

    def moment(self, day: dt.date) -> Any:
        from django.db import connection

        at = dt.datetime.combine(day, dt.time(self.rng.randint(8, 19), self.rng.randrange(60)), tzinfo=TZ)
        return connection.ops.adapt_datetimefield_value(at)

    def per_year(self, per_city_year: float) -> list[tuple[int, dt.date, dt.date]]:
        """(count, first day, last day) for each year of the data, the current one pro rata."""
        out = []
        for year in range(self.start.year, self.end.year + 1):
            first, last = dt.date(year, 1, 1), min(self.end, dt.date(year, 12, 31))
            days = (last - first).days + 1
            out.append((round(per_city_year * self.factor * days / 365), first, last))
        return out

    def some_unit(self, area_id: int) -> int:
        """A unit of the area's street (any unit when the street has none)."""
        near = self.units_of_street.get(self.up(area_id, 3))
        return self.rng.choice(near) if near else self.rng.choice(list(self.unit_area))

    def step(self, name: str, work: Callable[[], None]) -> None:
        from django.db import transaction

        started = time.perf_counter()
        with transaction.atomic():
            work()
        self.seconds[name] = time.perf_counter() - started
        log(f"  {name}: {self.seconds[name]:.1f} s")

    def run(self) -> None:
        self.step("ledger moves", self.ledger_moves)
        self.step("reports, co-management, households", self.members_side)
        self.step("alliances, agreements, committees, seats", self.cobuilding)
        self.step("joint meetings, consultations", self.meetings)
        self.step("demands, resources, claims, projects", self.lists)
        self.step("teams, volunteers", self.teams)
        self.step("service records", self.service)
        self.step("appeals", self.appeals)
        self.step("units flagged", self.units)
        self.ids.sync()

    # -- members --

    def ledger_moves(self) -> None:
        """One entry in twelve of the direct, retired and mobile ledgers ends on a day of the data
        and reopens at another compound (a move): history, and subjects on two paths."""
        from django.db import connection

        from gongjian.members.models import Category, MemberCategory

        rng = self.rng
        open_entries = list(
            MemberCategory.objects.filter(
                category__in=[Category.DIRECT, Category.RETIRED, Category.MOBILE], until__isnull=True
            ).values_list("id", "member_id", "category")
        )
        moved = [e for e in open_entries if rng.random() < 1 / 12]
        compounds = self.by_level[5]
        ends = [(e, self.day(self.start, self.end)) for e in moved]
        with connection.cursor() as cur:
            cur.executemany(
                "UPDATE members_membercategory SET until = %s WHERE id = %s",
                [(d.isoformat(), e[0]) for e, d in ends],
            )
        table = Table(MemberCategory, ["id", "since", "until", "member_id", "category", "area_id"])
        first = self.ids.take(MemberCategory, len(ends))
        table.insert(
            (first + n, d.isoformat(), None, e[1], e[2], rng.choice(compounds))
            for n, (e, d) in enumerate(ends)
        )

    def members_side(self) -> None:
        from gongjian.members.models import CoManagement, Household, MemberReport, ReportStatus

        rng = self.rng
        old = dt.date(self.start.year - 3, 1, 1)
        # 双报到: four in five in-service members reported to the community where they live
        reports = Table(
            MemberReport, ["id", "since", "until", "member_id", "community_id", "status", "confirmed_on"]
        )
        rows = []
        for member, _listed in self.in_service:
            roll = rng.random()
            if roll > 0.85:
                continue
            since = self.day(old, self.end)
            status = ReportStatus.CONFIRMED if roll < 0.8 else ReportStatus.PENDING
            confirmed = (
                since + dt.timedelta(days=rng.randrange(15)) if status == ReportStatus.CONFIRMED else None
            )
            if confirmed is not None and confirmed > self.end:
                confirmed = self.end
            rows.append((member, since, status, confirmed))
        first = self.ids.take(MemberReport, len(rows))
        reports.insert(
            (first + n, s.isoformat(), None, m, self.community_of_member[m], st, c.isoformat() if c else None)
            for n, (m, s, st, c) in enumerate(rows)
        )
        # 队伍共管: three in ten in-service members with the community their unit sits in
        co = Table(CoManagement, ["id", "since", "until", "member_id", "community_id", "unit_id"])
        rows_co = []
        for pk, _residence, unit in self.members:
            if unit is None or rng.random() > 0.3:
                continue
            since = self.day(old, self.end)
            until = self.day(since, self.end) if rng.random() < 0.1 else None
            rows_co.append((pk, since, until, self.up(self.unit_area[unit], 4), unit))
        first = self.ids.take(CoManagement, len(rows_co))
        co.insert(
            (first + n, s.isoformat(), u.isoformat() if u else None, m, c, unit)
            for n, (m, s, u, c, unit) in enumerate(rows_co)
        )
        # 党员家庭户: one household a fifteen members, awarded by the street
        houses = Table(
            Household, ["id", "since", "until", "area_id", "address", "plaque_no", "awarded_by_id"]
        )
        buildings = self.by_level[6]
        count = len(self.members) // 15
        first = self.ids.take(Household, count)

        def household(n: int) -> tuple[Any, ...]:
            building = rng.choice(buildings)
            since = self.day(dt.date(2016, 1, 1), self.end)
            until = self.day(since, self.end).isoformat() if rng.random() < 0.05 else None
            door = f"{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
            org = self.org_of[self.up(building, 3)]
            return (first + n, since.isoformat(), until, building, door, f"PH{first + n:07d}", org)

        houses.insert(household(n) for n in range(count))

    # -- co-building --

    def cobuilding(self) -> None:
        from gongjian.cobuild.models import Agreement, Committee, CommitteeKind, PartTimeSeat, SeatStep
        from gongjian.orgs.models import Alliance, AllianceMember

        rng = self.rng
        streets, communities = self.by_level[3], self.by_level[4]
        # alliances: one a street, with about thirteen member units
        alliances = Table(
            Alliance, ["id", "name", "name_key", "initials", "since", "level", "convener_id", "area_id"]
        )
        first = self.ids.take(Alliance, len(streets))
        alliances.insert(
            (
                first + n,
                "区域化党建联盟",
                "区域化党建联盟",
                "qyhdjlm",
                "2016-01-01",
                "street",
                self.org_of[s],
                s,
            )
            for n, s in enumerate(streets)
        )
        members = Table(AllianceMember, ["id", "since", "until", "alliance_id", "unit_id", "representative"])
        rows = []
        for n, street in enumerate(streets):
            near = self.units_of_street.get(street, [])
            for unit in rng.sample(near, min(13, len(near))):
                since = self.day(dt.date(2016, 1, 1), self.end)
                until = self.day(since, self.end).isoformat() if rng.random() < 0.1 else None
                rows.append((first + n, unit, since.isoformat(), until))
        top = self.ids.take(AllianceMember, len(rows))
        members.insert((top + i, s, u, a, unit, "联络员") for i, (a, unit, s, u) in enumerate(rows))
        # pairing agreements: two a community and three a street, in successive two-year terms
        agreements = Table(
            Agreement,
            [
                "id",
                "number",
                "title",
                "host_org_id",
                "unit_org_id",
                "area_id",
                "unit_id",
                "starts_on",
                "ends_on",
                "status",
                "signed_on",
                "ended_on",
            ],
        )
        rows_a = []
        for host, pairs in [*((c, 2) for c in communities), *((s, 3) for s in streets)]:
            for _ in range(pairs):
                unit = self.some_unit(host)
                starts = self.day(dt.date(self.start.year - 2, 1, 1), self.start)
                while starts <= self.end:
                    ends = add_years(starts, 2) - dt.timedelta(days=1)
                    ended = self.day(starts, ends) if rng.random() < 0.05 else None
                    status = "ended" if ended else ("expired" if ends < self.today else "in_force")
                    signed = starts - dt.timedelta(days=rng.randrange(1, 20))
                    rows_a.append((host, unit, starts, ends, status, signed, ended))
                    starts = ends + dt.timedelta(days=1)
        first = self.ids.take(Agreement, len(rows_a))
        agreements.insert(
            (
                first + n,
                f"GJ-{first + n:07d}",
                "结对共建协议",
                self.org_of[host],
                self.unit_org[unit],
                host,
                unit,
                s.isoformat(),
                e.isoformat(),
                st,
                sg.isoformat(),
                en.isoformat() if en else None,
            )
            for n, (host, unit, s, e, st, sg, en) in enumerate(rows_a)
        )
        # expanded committees and part-time seats: eight a street, three a community, three-year terms
        committees = Table(Committee, ["id", "org_id", "area_id", "kind", "name", "established_on"])
        hosts = [(s, CommitteeKind.STREET, 8) for s in streets] + [
            (c, CommitteeKind.COMMUNITY, 3) for c in communities
        ]
        first = self.ids.take(Committee, len(hosts))
        committees.insert(
            (
                first + n,
                self.org_of[a],
                a,
                kind,
                "大工委" if kind == CommitteeKind.STREET else "大党委",
                "2016-01-01",
            )
            for n, (a, kind, _seats) in enumerate(hosts)
        )
        seats = Table(
            PartTimeSeat,
            [
                "id",
                "since",
                "until",
                "committee_id",
                "person_name",
                "unit_id",
                "step",
                "recommended_on",
                "appointed_on",
            ],
        )
        rows_s = []
        for n, (area, _kind, count) in enumerate(hosts):
            for _ in range(count):
                starts = self.day(dt.date(self.start.year - 3, 1, 1), self.start)
                while starts <= self.end:
                    ends = add_years(starts, 3)
                    current = ends > self.today
                    step = rng.choice([SeatStep.APPOINTED, SeatStep.ANNOUNCED]) if current else SeatStep.ENDED
                    rows_s.append((starts, None if current else ends, first + n, self.some_unit(area), step))
                    starts = ends
        top = self.ids.take(PartTimeSeat, len(rows_s))
        seats.insert(
            (
                top + i,
                s.isoformat(),
                u.isoformat() if u else None,
                c,
                "兼职委员",
                unit,
                step,
                (s - dt.timedelta(days=30)).isoformat(),
                s.isoformat(),
            )
            for i, (s, u, c, unit, step) in enumerate(rows_s)
        )

    def meetings(self) -> None:
        from gongjian.cobuild.models import Answer, Consultation, ConsultationAnswer, JointMeeting

        rng = self.rng
        hosts = [(s, "street") for s in self.by_level[3]] + [(c, "community") for c in self.by_level[4]]
        table = Table(
            JointMeeting,
            ["id", "title", "level", "area_id", "convener_org_id", "starts_at", "status", "sign_in_secret"],
        )
        rows = []
        for area, level in hosts:
            for year in range(self.start.year, self.end.year + 1):
                for quarter in range(4):
                    first = dt.date(year, 3 * quarter + 1, 1)
                    if first > self.end:
                        break
                    last = min(
                        self.end, (first + dt.timedelta(days=92)).replace(day=1) - dt.timedelta(days=1)
                    )
                    day = self.day(first, last)
                    roll = rng.random()
                    status = "held" if roll < 0.6 else ("closed" if roll < 0.95 else "cancelled")
                    rows.append((area, level, day, status))
        top = self.ids.take(JointMeeting, len(rows))
        for n, (area, _level, _day, _status) in enumerate(rows):
            self.meetings_of[self.up(area, 3)].append(top + n)
        table.insert(
            (
                top + n,
                "联席会议",
                level,
                area,
                self.org_of[area],
                self.moment(day),
                status,
                secrets.token_urlsafe(18),
            )
            for n, (area, level, day, status) in enumerate(rows)
        )
        # consultations of households: two a community a year, twenty answers each
        polls = Table(Consultation, ["id", "area_id", "org_id", "question", "opens_on", "closes_on", "asked"])
        rows_p = []
        for community in self.by_level[4]:
            for count, first, last in self.per_year(2 / self.factor):
                for _ in range(count):
                    opens = self.day(first, last)
                    rows_p.append((community, opens, opens + dt.timedelta(days=14)))
        top = self.ids.take(Consultation, len(rows_p))
        polls.insert(
            (top + n, c, self.org_of[c], "是否同意加装电梯", o.isoformat(), e.isoformat(), 30)
            for n, (c, o, e) in enumerate(rows_p)
        )
        answers = Table(ConsultationAnswer, ["id", "consultation_id", "respondent", "answer", "at"])
        choices = [Answer.FOR] * 6 + [Answer.AGAINST] * 2 + [Answer.ABSTAIN]
        first_answer = self.ids.take(ConsultationAnswer, 20 * len(rows_p))
        answers.insert(
            (first_answer + 20 * n + k, top + n, f"{k + 1}栋", rng.choice(choices), self.moment(o))
            for n, (_c, o, _e) in enumerate(rows_p)
            for k in range(20)
        )

    # -- the three lists --

    def lists(self) -> None:
        from gongjian.core.text import initials, search_key
        from gongjian.lists.models import Claim, Demand, Project, Resource

        rng = self.rng
        keys = {
            name: (search_key(name)[:120], initials(name)[:120]) for name in DEMAND_NAMES + RESOURCE_NAMES
        }
        categories = ["volunteers", "expertise", "venue", "goods", "funds", "health", "order", "other"]
        communities, compounds, streets = self.by_level[4], self.by_level[5], self.by_level[3]

        def place(community_share: float, street_share: float) -> int:
            roll = rng.random()
            if roll < community_share:
                return rng.choice(communities)
            if roll < community_share + street_share:
                return rng.choice(streets)
            return rng.choice(compounds)

        demand_t = Table(
            Demand,
            [
                "id",
                "name",
                "name_key",
                "initials",
                "kind",
                "category",
                "quantity",
                "measure",
                "claimed",
                "area_id",
                "owner_org_id",
                "deadline",
                "status",
                "requester_first_name",
                "raised_at",
                "reviewed_at",
                "published_at",
                "first_claimed_at",
                "done_at",
                "closed_at",
            ],
        )
        resource_t = Table(
            Resource,
            [
                "id",
                "name",
                "name_key",
                "initials",
                "kind",
                "category",
                "capacity",
                "measure",
                "claimed",
                "area_id",
                "provider_unit_id",
                "available_from",
                "available_until",
                "status",
                "created_at",
                "published_at",
                "ended_at",
            ],
        )
        claim_t = Table(
            Claim,
            [
                "id",
                "demand_id",
                "resource_id",
                "claimant_unit_id",
                "claimant_org_id",
                "quantity",
                "status",
                "claimed_at",
                "decided_at",
            ],
        )
        project_t = Table(
            Project,
            [
                "id",
                "name",
                "name_key",
                "initials",
                "claim_id",
                "demand_id",
                "resource_id",
                "area_id",
                "lead_unit_id",
                "lead_org_id",
                "starts_on",
                "due_on",
                "status",
                "percent",
                "meeting_id",
                "claimed_at",
                "completed_at",
            ],
        )
        demands: list[tuple[Any, ...]] = []
        resources: list[tuple[Any, ...]] = []
        claims: list[tuple[Any, ...]] = []
        projects: list[tuple[Any, ...]] = []

        def claim(
            day: dt.date,
            demand: int | None,
            resource: int | None,
            unit: int | None,
            org: int | None,
            qty: int,
        ) -> tuple[int, dt.date]:
            pk = self.ids.take(Claim)
            decided = min(self.end, day + dt.timedelta(days=rng.randrange(1, 30)))
            claims.append(
                (
                    pk,
                    demand,
                    resource,
                    unit,
                    org,
                    qty,
                    "accepted",
                    self.moment(decided - dt.timedelta(days=1)),
                    self.moment(decided),
                )
            )
            return pk, decided

        def project(
            name: str,
            claim_pk: int,
            demand: int | None,
            resource: int | None,
            area: int,
            unit: int | None,
            org: int | None,
            decided: dt.date,
        ) -> dt.date | None:
            completed = decided + dt.timedelta(days=rng.randrange(7, 150)) if rng.random() < 0.7 else None
            if completed is not None and completed > self.end:
                completed = None
            meetings = self.meetings_of.get(self.up(area, 3))
            meeting = rng.choice(meetings) if meetings and rng.random() < 0.15 else None
            key, letters = keys[name]
            projects.append(
                (
                    self.ids.take(Project),
                    name,
                    key,
                    letters,
                    claim_pk,
                    demand,
                    resource,
                    area,
                    unit,
                    org,
                    decided.isoformat(),
                    (decided + dt.timedelta(days=90)).isoformat(),
                    "done" if completed else "in_progress",
                    100 if completed else rng.randrange(0, 90),
                    meeting,
                    self.moment(decided),
                    self.moment(completed) if completed else None,
                )
            )
            return completed

        for count, first, last in self.per_year(CITY["demands_resources"] * DEMAND_SHARE):
            for _ in range(count):
                pk = self.ids.take(Demand)
                area = place(0.75, 0.10)
                micro = rng.random() < 0.3
                name = rng.choice(DEMAND_NAMES[-3:] if micro else DEMAND_NAMES[:-3])
                quantity = 1 if micro else rng.randint(1, 5)
                raised = self.day(first, last)
                reviewed = min(self.end, raised + dt.timedelta(days=rng.randrange(0, 4)))
                claimed, status = 0, "published"
                published: dt.date | None = reviewed
                first_claimed = done = closed = None
                deadline = (
                    reviewed + dt.timedelta(days=rng.randrange(30, 180)) if rng.random() < 0.5 else None
                )
                roll = rng.random()
                if roll < 0.05:
                    status, published, closed = "rejected", None, reviewed
                elif roll < 0.70:
                    unit = self.some_unit(area)
                    qty = quantity if rng.random() < 0.8 else rng.randint(1, quantity)
                    claim_pk, decided = claim(reviewed, pk, None, unit, None, qty)
                    claimed, first_claimed, status = qty, decided, "claimed"
                    if rng.random() < 0.8:
                        completed = project(name, claim_pk, pk, None, area, unit, None, decided)
                        if completed is not None:
                            status, done = "done", completed
                            if rng.random() < 0.5:
                                status, closed = "closed", min(self.end, completed + dt.timedelta(days=7))
                elif roll < 0.73:
                    status, closed = "withdrawn", self.day(reviewed, self.end)
                elif deadline is not None and deadline < self.end:
                    status, closed = "expired", deadline + dt.timedelta(days=1)
                key, letters = keys[name]
                demands.append(
                    (
                        pk,
                        name,
                        key,
                        letters,
                        "micro_wish" if micro else "general",
                        rng.choice(categories),
                        quantity,
                        "件" if micro else "人",
                        claimed,
                        area,
                        self.org_of[area],
                        deadline.isoformat() if deadline else None,
                        status,
                        "王" if micro else "",
                        self.moment(raised),
                        self.moment(reviewed),
                        self.moment(published) if published else None,
                        self.moment(first_claimed) if first_claimed else None,
                        self.moment(done) if done else None,
                        self.moment(closed) if closed else None,
                    )
                )
        for count, first, last in self.per_year(CITY["demands_resources"] * (1 - DEMAND_SHARE)):
            for _ in range(count):
                pk = self.ids.take(Resource)
                area = place(0.7, 0.2)
                unit = self.some_unit(area)
                name = rng.choice(RESOURCE_NAMES)
                capacity = rng.randint(1, 10)
                created = self.day(first, last)
                window = rng.random() < 0.3
                until = created + dt.timedelta(days=rng.randrange(30, 365)) if window else None
                claimed, status, ended = 0, "published", None
                roll = rng.random()
                if roll < 0.3:
                    org = self.org_of[self.up(area, 4) if self.level(area) >= 4 else area]
                    qty = rng.randint(1, capacity)
                    claim_pk, decided = claim(created, None, pk, None, org, qty)
                    claimed = qty
                    if qty == capacity:
                        status, ended = "used_up", decided
                    if rng.random() < 0.5:
                        project(name, claim_pk, None, pk, area, unit, org, decided)
                elif roll < 0.4:
                    status, ended = "withdrawn", self.day(created, self.end)
                elif until is not None and until < self.end:
                    status, ended = "expired", until + dt.timedelta(days=1)
                key, letters = keys[name]
                resources.append(
                    (
                        pk,
                        name,
                        key,
                        letters,
                        rng.choice(["venue", "people", "service", "equipment", "funds"]),
                        rng.choice(categories),
                        capacity,
                        "次",
                        claimed,
                        area,
                        unit,
                        created.isoformat() if window else None,
                        until.isoformat() if until else None,
                        status,
                        self.moment(created),
                        self.moment(created),
                        self.moment(ended) if ended else None,
                    )
                )
        demand_t.insert(demands)
        resource_t.insert(resources)
        claim_t.insert(claims)
        project_t.insert(projects)

    # -- service --

    def teams(self) -> None:
        from gongjian.core.text import initials, search_key
        from gongjian.service.models import ServiceTeam, TeamMembership, TeamPeriod, Volunteer

        rng = self.rng
        keys = {name: (search_key(name)[:120], initials(name)[:120]) for name in TEAM_NAMES}
        teams = Table(ServiceTeam, ["id", "name", "name_key", "initials", "area_id", "org_id", "active"])
        periods = Table(TeamPeriod, ["id", "since", "until", "team_id"])
        places = Table(
            TeamMembership, ["id", "since", "until", "team_id", "member_id", "volunteer_id", "leader"]
        )
        volunteers = Table(Volunteer, ["id", "name", "name_key", "initials", "area_id", "volunteer_no"])
        rows_v = []
        for community in self.by_level[4]:
            for _ in range(max(1, len(self.members_of_community.get(community, [])) // 25)):
                pk = self.ids.take(Volunteer)
                rows_v.append((pk, "志愿者", "志愿者", "zyz", community, f"V{pk:08d}"))
                self.volunteers_of[community].append(pk)
        volunteers.insert(rows_v)
        rows_t: list[tuple[Any, ...]] = []
        rows_p: list[tuple[Any, ...]] = []
        rows_m: list[tuple[Any, ...]] = []
        for community in self.by_level[4]:
            residents = self.members_of_community.get(community, [])
            for _ in range(3):
                team = self.ids.take(ServiceTeam)
                name = rng.choice(TEAM_NAMES)
                since = self.day(dt.date(2016, 1, 1), self.end)
                stood_down = self.day(since, self.end) if rng.random() < 0.15 else None
                again = self.day(stood_down, self.end) if stood_down and rng.random() < 0.5 else None
                rows_t.append(
                    (
                        team,
                        name,
                        *keys[name],
                        community,
                        self.org_of[community],
                        not stood_down or bool(again),
                    )
                )
                rows_p.append(
                    (
                        self.ids.take(TeamPeriod),
                        since.isoformat(),
                        stood_down.isoformat() if stood_down else None,
                        team,
                    )
                )
                if again:
                    rows_p.append((self.ids.take(TeamPeriod), again.isoformat(), None, team))
                for n, member in enumerate(rng.sample(residents, min(10, len(residents)))):
                    joined = self.day(since, self.end)
                    left = self.day(joined, self.end).isoformat() if rng.random() < 0.1 else None
                    rows_m.append(
                        (self.ids.take(TeamMembership), joined.isoformat(), left, team, member, None, n == 0)
                    )
                for volunteer in rng.sample(
                    self.volunteers_of[community], min(2, len(self.volunteers_of[community]))
                ):
                    joined = self.day(since, self.end)
                    rows_m.append(
                        (
                            self.ids.take(TeamMembership),
                            joined.isoformat(),
                            None,
                            team,
                            None,
                            volunteer,
                            False,
                        )
                    )
        teams.insert(rows_t)
        periods.insert(rows_p)
        places.insert(rows_m)

    def service(self) -> None:
        """Service records: 92 % by members (60 % at their community, 25 % at their compound, 15 %
        at another community of the street), the rest by volunteers; 90 % verified."""
        from django.db import connection

        from gongjian.service.models import ServiceHours

        rng = self.rng
        table = Table(
            ServiceHours,
            [
                "id",
                "member_id",
                "volunteer_id",
                "area_id",
                "on",
                "hours",
                "source",
                "status",
                "logged_at",
                "decided_at",
            ],
        )
        members = [pk for pk, _r, _u in self.members]
        communities_of_street: dict[int, list[int]] = defaultdict(list)
        for community in self.by_level[4]:
            communities_of_street[self.up(community, 3)].append(community)
        volunteers = [(v, c) for c, vs in self.volunteers_of.items() for v in vs]
        hours = ["0.50", "1.00", "1.50", "2.00", "2.00", "3.00", "4.00"]
        adapt = connection.ops.adapt_datetimefield_value
        # one logged_at / decided_at a day (the figures read ``on``): fewer conversions
        stamps: dict[dt.date, tuple[Any, Any]] = {}

        def stamp(day: dt.date) -> tuple[Any, Any]:
            got = stamps.get(day)
            if got is None:
                at = dt.datetime.combine(day, dt.time(20, 0), tzinfo=TZ)
                got = stamps[day] = (adapt(at), adapt(at + dt.timedelta(days=1)))
            return got

        def records(count: int, first: dt.date, last: dt.date, top: int) -> Iterable[tuple[Any, ...]]:
            span = (last - first).days + 1
            random_ = rng.random
            for n in range(count):
                day = first + dt.timedelta(days=int(random_() * span))
                logged, decided = stamp(day)
                roll = random_()
                status = "verified" if roll < 0.9 else ("pending" if roll < 0.96 else "rejected")
                if random_() < 0.92:
                    member = members[int(random_() * len(members))]
                    where = random_()
                    if where < 0.6:
                        area = self.community_of_member[member]
                    elif where < 0.85:
                        area = self.compound_of_member[member]
                    else:
                        street = communities_of_street[self.up(self.community_of_member[member], 3)]
                        area = street[int(random_() * len(street))]
                    person: tuple[Any, Any] = (member, None)
                else:
                    volunteer, area = volunteers[int(random_() * len(volunteers))]
                    person = (None, volunteer)
                yield (
                    top + n,
                    *person,
                    area,
                    day.isoformat(),
                    hours[int(random_() * len(hours))],
                    "activity" if random_() < 0.7 else "self",
                    status,
                    logged,
                    None if status == "pending" else decided,
                )

        for count, first, last in self.per_year(CITY["service_records"]):
            done = 0
            while done < count:
                size = min(100_000, count - done)
                top = self.ids.take(ServiceHours, size)
                table.insert(records(size, first, last, top))
                done += size
            log(f"    {first.year}: {count:,} service records")

    def appeals(self) -> None:
        """Residents' requests (接诉即办) about communities, compounds and buildings: nine in ten
        closed (solved four in five), answered within the limit nine in ten, called back."""
        from gongjian.appeals.models import Appeal

        rng = self.rng
        limits = {"emergency": 2, "utilities": 24, "general": 7 * 24, "complex": 15 * 24}
        kinds = ["general"] * 6 + ["utilities"] * 2 + ["complex", "emergency"]
        places = self.by_level[4] + self.by_level[5] + self.by_level[6]
        table = Table(
            Appeal,
            [
                "id", "number", "area_id", "channel", "kind", "title", "resident_name", "registered_at",
                "due_at", "status", "assigned_org_id", "assigned_at", "answered_at", "solved_at",
                "outcome", "closed_at", "callback_result", "called_back_at",
            ],
        )  # fmt: skip

        def stamp(at: dt.datetime) -> Any:
            from django.db import connection

            return connection.ops.adapt_datetimefield_value(at)

        def rows() -> Iterable[tuple[Any, ...]]:
            n = 0
            for count, first, last in self.per_year(CITY["appeals"]):
                for _ in range(count):
                    area = rng.choice(places)
                    kind = rng.choice(kinds)
                    day = self.day(first, last)
                    at = dt.datetime.combine(day, dt.time(rng.randint(8, 19), rng.randrange(60)), tzinfo=TZ)
                    due = at + dt.timedelta(hours=limits[kind])
                    late = rng.random() < 0.1
                    answered = at + dt.timedelta(hours=limits[kind] * (1.5 if late else rng.random() * 0.9))
                    if answered.date() > self.end:
                        answered = None
                    closed = answered is not None and rng.random() < 0.9
                    solved = (
                        answered + dt.timedelta(hours=rng.randint(1, 72)) if closed and answered else None
                    )
                    if solved is not None and solved.date() > self.end:
                        solved, closed = None, False
                    closed_at = solved + dt.timedelta(hours=2) if solved is not None and closed else None
                    called = closed_at + dt.timedelta(days=1) if closed_at is not None else None
                    if called is not None and called.date() > self.end:
                        called = None
                    status = "closed" if closed_at else ("answered" if answered else "assigned")
                    outcome = ("solved" if rng.random() < 0.8 else "unsolvable") if solved else ""
                    result = (
                        rng.choice(
                            ["satisfied"] * 6 + ["basically_satisfied"] * 2 + ["dissatisfied", "not_reached"]
                        )
                        if called
                        else ""
                    )
                    org = self.org_of[self.up(area, 4)]
                    n += 1
                    yield (
                        top + n - 1, f"SQ{n:010d}", area, "hotline", kind, "楼道灯坏了", "居民",
                        stamp(at), stamp(due), status, org, stamp(at + dt.timedelta(minutes=30)),
                        stamp(answered) if answered else None, stamp(solved) if solved else None,
                        outcome, stamp(closed_at) if closed_at else None, result,
                        stamp(called) if called else None,
                    )  # fmt: skip

        total = sum(count for count, _first, _last in self.per_year(CITY["appeals"]))
        top = self.ids.take(Appeal, total)
        table.insert(rows())

    def units(self) -> None:
        """One unit in a hundred an incubation base hosting firms, two in a hundred provincial."""
        from django.db import connection

        rng = self.rng
        units = list(self.unit_area)
        with connection.cursor() as cur:
            cur.executemany(
                "UPDATE orgs_residentunit SET incubator = %s, hosted_firms = %s WHERE id = %s",
                [(True, rng.randint(5, 60), u) for u in rng.sample(units, max(1, len(units) // 100))],
            )
            cur.executemany(
                "UPDATE orgs_residentunit SET rank = %s WHERE id = %s",
                [("provincial", u) for u in rng.sample(units, max(1, len(units) // 50))],
            )


def child_build(factor: float, years: int, seed: int) -> dict[str, Any]:
    _setup_django()
    from django.apps import apps
    from django.db import connection

    from gongjian.demo.synthcity import CityBuilder
    from gongjian.stats import tally
    from gongjian.stats.models import Contribution, Tally

    scale = scale_for(factor)
    seconds: dict[str, float] = {}
    if connection.vendor == "sqlite":  # a larger page cache for the bench's own writes only
        connection.ensure_connection()
        default_cache = connection.connection.execute("PRAGMA cache_size").fetchone()[0]
        connection.connection.execute("PRAGMA cache_size = -262144")
    started = time.perf_counter()
    with tally.suspended():
        builder = CityBuilder(scale, seed=seed, say=lambda text: log(f"  {text}"))
        builder.build_map()
        builder.build_members()
        seconds["map and members"] = time.perf_counter() - started
        filler = Filler(factor, years, seed)
        filler.run()
    seconds["rows"] = time.perf_counter() - started
    if connection.vendor == "sqlite":  # the rebuild runs as the product runs it
        connection.connection.execute(f"PRAGMA cache_size = {int(default_cache)}")
    log("  rebuilding the tallies…")
    started = time.perf_counter()
    contributions = tally.rebuild()
    seconds["rebuild"] = time.perf_counter() - started
    log(f"  rebuild: {seconds['rebuild']:.1f} s")
    peak_rebuild = _peak_mib()
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        seconds["analyze"] = time.perf_counter() - started
    counted = [
        "orgs.Area",
        "orgs.ResidentUnit",
        "orgs.PartyOrg",
        "orgs.AllianceMember",
        "members.Member",
        "members.MemberCategory",
        "members.MemberReport",
        "members.CoManagement",
        "members.Household",
        "cobuild.Agreement",
        "cobuild.PartTimeSeat",
        "cobuild.JointMeeting",
        "cobuild.ConsultationAnswer",
        "lists.Demand",
        "lists.Resource",
        "lists.Claim",
        "lists.Project",
        "service.ServiceTeam",
        "service.TeamPeriod",
        "service.TeamMembership",
        "service.ServiceHours",
        "appeals.Appeal",
    ]
    counts = {label: apps.get_model(label).objects.count() for label in counted}
    counts["stats.Contribution"] = Contribution.objects.count()
    counts["stats.Tally"] = Tally.objects.count()
    return {
        "scale": scale.counts(),
        "counts": counts,
        "seconds": {k: round(v, 2) for k, v in seconds.items()},
        "steps": {k: round(v, 2) for k, v in filler.seconds.items()},
        "contributions": contributions,
        "peak_mib": peak_rebuild,
        "start": filler.start.isoformat(),
        "end": filler.end.isoformat(),
    }


# --- timing compute_all -------------------------------------------------------------------------------


def query_date() -> dt.date:
    """A mid-year date within the data: 30 June of this year, or of the last when before July."""
    today = dt.datetime.now(TZ).date()
    mid = dt.date(today.year, 6, 30)
    return mid if mid < today else dt.date(today.year - 1, 6, 30)


#: What ``compute_all`` runs: runs compared side by side must have read the same code.
FIGURE_CODE = ("indicators*.py", "registry.py", "sources.py", "tally*.py", "models.py")


def code_fingerprint() -> str:
    """A hash of the figures' code: the engine (``FIGURE_CODE`` in ``gongjian/stats``) and the
    figures each app declares (``gongjian/<app>/figures.py``)."""
    digest = hashlib.sha256()
    package = REPO / "src" / "gongjian"
    engine = {p for pattern in FIGURE_CODE for p in (package / "stats").glob(pattern)}
    for path in sorted(engine | set(package.glob("*/figures.py"))):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def explain(work: Callable[[], Any], full: bool) -> str:
    """How the database reads what ``work`` asks: each statement's plan, summed up in a few words
    (the whole plans on stderr with ``full``)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        work()
    notes: list[str] = []
    for query in queries.captured_queries:
        if not query["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
            continue  # the read's transaction and settings
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            else:
                cur.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = "\n".join(str(row[-1]) for row in cur.fetchall())
        if full:
            log(f"--- {query['sql'][:200]}…\n{plan}")
        lines = [line.strip() for line in plan.splitlines()]
        if connection.vendor == "postgresql":
            nodes = [line.split("  (")[0].removeprefix("->  ") for line in lines if "(cost=" in line]
            scans = [n.split(" on ")[0] for n in nodes if " on " in n and "Bitmap Index" not in n]
            kinds = (["parallel"] if any("Gather" in n for n in nodes) else []) + list(dict.fromkeys(scans))
            took = [line for line in lines if line.startswith("Execution Time")]
            notes.append(", ".join(kinds) + (f" ({took[0].split(':')[1].strip()})" if took else ""))
        else:
            steps = [line for line in lines if line.startswith(("SCAN ", "SEARCH "))]
            notes.append(", ".join(dict.fromkeys(line.split(" (")[0] for line in steps)))
    return "; ".join(notes)


def child_time(reps: int, budget: float, seed: int, profile: bool, full_plans: bool) -> dict[str, Any]:
    _setup_django()

    from gongjian.demo.synthcity import CITY_CODE
    from gongjian.orgs.models import Area, Level
    from gongjian.stats import tally
    from gongjian.stats.indicators import CATALOGUE, compute_all, from_rows

    rng = random.Random(seed)
    date = query_date()
    root = Area.objects.get(code=CITY_CODE)
    streets = list(Area.objects.filter(level=Level.STREET).order_by("code"))
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code"))
    kinds = {
        "root": [root],
        "street": rng.sample(streets, min(5, len(streets))),
        "community": rng.sample(communities, min(5, len(communities))),
    }
    kept = tally.sources()
    from_row_ids = [k for k, i in CATALOGUE.items() if k not in kept and i.parts is None]
    out: dict[str, Any] = {
        "date": date.isoformat(),
        "code": code_fingerprint(),
        "nodes": {},
        "breakdown": {},
        "check": {},
        "plans": {},
    }
    for kind, nodes in kinds.items():
        for node in nodes:  # warm-up
            for _ in range(3):
                compute_all(node, date)
        samples: list[float] = []
        started = time.perf_counter()
        n = 0
        while len(samples) < reps and (len(samples) < 20 or time.perf_counter() - started < budget):
            node = nodes[n % len(nodes)]
            n += 1
            t0 = time.perf_counter()
            compute_all(node, date)
            samples.append((time.perf_counter() - t0) * 1000)
        out["nodes"][kind] = {
            "codes": [a.code for a in nodes],
            "n": len(samples),
            "p50": percentile(samples, 0.5),
            "p95": percentile(samples, 0.95),
            "mean": sum(samples) / len(samples),
        }
        log(f"  {kind}: {len(samples)} calls, p50 {out['nodes'][kind]['p50']:.1f} ms")
        # what one call reads, each part alone (median of a few)
        node = nodes[0]
        parts: dict[str, float] = {}

        def median_ms(work: Callable[[], Any], times: int) -> float:
            got = []
            for _ in range(times):
                t0 = time.perf_counter()
                work()
                got.append((time.perf_counter() - t0) * 1000)
            return percentile(got, 0.5)

        parts["tally.values"] = median_ms(partial(tally.values, [node.path], [date]), 20)
        for key in from_row_ids:
            parts[key] = median_ms(partial(CATALOGUE[key].compute, node, date), 5)
        out["breakdown"][kind] = parts
        out["plans"][kind] = explain(partial(tally.values, [node.path], [date]), full_plans)
        # the kept figures against the rows, at one node of each kind
        kept_values = compute_all(node, date)
        reference = from_rows(node, date)
        out["check"][kind] = sorted(
            k for k in reference if abs(float(reference[k]) - float(kept_values.get(k, math.nan))) > 1e-6
        )
        if profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(10):
                compute_all(node, date)
            prof.disable()
            text = io.StringIO()
            pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(25)
            log(f"--- profile of 10 calls at {kind} {node.code} ---\n{text.getvalue()}")
    return out


# --- the dashboard under load ----------------------------------------------------------------------


def child_session() -> dict[str, Any]:
    """A city administrator signed in (the session made server-side), and the nodes to ask for."""
    _setup_django()
    from django.test import Client

    from gongjian.accounts.models import RoleKind
    from gongjian.accounts.services import role_grant, user_create
    from gongjian.demo.synthcity import CITY_CODE
    from gongjian.orgs.models import Area, Level

    root = Area.objects.get(code=CITY_CODE)
    user = user_create(
        actor=None, username=f"bench-{secrets.token_hex(4)}", password=secrets.token_urlsafe(24)
    )
    role_grant(actor=None, user=user, kind=RoleKind.CITY_ADMIN, area=root)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    codes = {
        "root": [root.code],
        "district": list(Area.objects.filter(level=Level.DISTRICT).values_list("code", flat=True)),
        "street": list(Area.objects.filter(level=Level.STREET).values_list("code", flat=True)),
        "community": list(Area.objects.filter(level=Level.COMMUNITY).values_list("code", flat=True)),
    }
    return {"cookie": client.cookies["sessionid"].value, "codes": codes}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str, cookie: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}", "Accept-Language": "zh-hans"})
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def load(
    env: dict[str, str],
    session: dict[str, Any],
    work: Path,
    clients: int,
    seconds: float,
    warmup: float,
    workers: int,
    seed: int,
    dated: bool = False,
) -> dict[str, Any]:
    """``dated``: each request asks for a random date of the three years before the query date, so
    nearly every page is computed; otherwise the page's own date (today), cached after its first view."""
    cookie, codes = session["cookie"], session["codes"]
    first_day = query_date() - dt.timedelta(days=3 * 365)

    def path_for(code: str, rng: random.Random) -> str:
        path = page.format(code=code)
        if dated:
            path += f"?date={(first_day + dt.timedelta(days=rng.randrange(3 * 365))).isoformat()}"
        return path

    port = free_port()
    errlog = work / "gunicorn.log"
    with errlog.open("w") as err:
        server = subprocess.Popen(
            [GUNICORN, "gongjian.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--timeout", "120"],
            env=env,
            cwd=REPO,
            stdout=err,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"gunicorn did not start: see {errlog}") from None
                time.sleep(0.3)
        page = "/stats/{code}/"
        status, _size = _get(port, page.format(code=codes["root"][0]), cookie)
        if status == 404:
            log("  the dashboard page answers 404: measuring the API /api/v1/stats/<code>/ instead")
            page = "/api/v1/stats/{code}/"
            status, _size = _get(port, page.format(code=codes["root"][0]), cookie)
        if status != 200:
            raise SystemExit(f"{page} answers {status} for the root: see {errlog}")
        results: list[tuple[str, int, float]] = []
        lock = threading.Lock()
        levels = list(codes)

        def client(n: int, until: float, keep: bool) -> None:
            rng = random.Random(seed * 1000 + n)
            mine: list[tuple[str, int, float]] = []
            while time.monotonic() < until:
                level = rng.choice(levels)
                code = rng.choice(codes[level])
                t0 = time.perf_counter()
                try:
                    got, _size = _get(port, path_for(code, rng), cookie)
                except (OSError, http.client.HTTPException):
                    got = -1
                mine.append((level, got, (time.perf_counter() - t0) * 1000))
            if keep:
                with lock:
                    results.extend(mine)

        def phase(name: str, length: float, keep: bool) -> float:
            log(f"  {name}: {clients} clients, {length:.0f} s")
            until = time.monotonic() + length
            threads = [threading.Thread(target=client, args=(n, until, keep)) for n in range(clients)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return time.perf_counter() - started

        phase("warm-up", warmup, False)
        # one client alone: what a page costs the server without waiting for a worker
        alone: dict[str, float] = {}
        rng = random.Random(seed)
        for level in levels:
            got = []
            for _ in range(8):
                t0 = time.perf_counter()
                _get(port, path_for(rng.choice(codes[level]), rng), cookie)
                got.append((time.perf_counter() - t0) * 1000)
            alone[level] = percentile(got, 0.5)
        wall = phase("measure", seconds, True)
        times = [ms for _l, _s, ms in results]
        by_level = {}
        for level in levels:
            got = [ms for lv, _s, ms in results if lv == level]
            by_level[level] = {
                "n": len(got),
                "p50": percentile(got, 0.5),
                "p95": percentile(got, 0.95),
                "alone": alone[level],
            }
        return {
            "page": page,
            "clients": clients,
            "workers": workers,
            "seconds": wall,
            "requests": len(results),
            "errors": sum(1 for _l, s, _ms in results if s != 200),
            "statuses": sorted({s for _l, s, _ms in results}),
            "p50": percentile(times, 0.5),
            "p95": percentile(times, 0.95),
            "throughput": len(results) / wall,
            "by_level": by_level,
        }
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- databases (as bench_ledger_import) ------------------------------------------------------------


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)


def pg_reachable(url: str) -> bool:
    try:
        _pg_admin(url, "SELECT 1")
        return True
    except Exception:
        return False


def prepare(kind: str, work: Path, pg_url: str, tag: str) -> tuple[dict[str, str], str]:
    """A fresh database with migrations applied; the environment that points at it."""
    env = dict(os.environ)
    env["GONGJIAN_VAR_DIR"] = str(work / "var")
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("CELERY_BROKER_URL", None)
    env.pop("GONGJIAN_DEBUG", None)
    if kind == "sqlite":
        db = work / f"bench-{tag}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{db}"
        name = str(db)
    else:
        name = f"gongjian_bench_{os.getpid()}_{tag}"
        _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}"')
        _pg_admin(pg_url, f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = urlunsplit(urlsplit(pg_url)._replace(path=f"/{name}"))
    subprocess.run([PYTHON, "-m", "gongjian", "migrate", "-v0"], env=env, cwd=REPO, check=True)
    return env, name


def drop(kind: str, name: str, pg_url: str) -> None:
    if kind == "postgresql":
        _pg_admin(pg_url, f'DROP DATABASE IF EXISTS "{name}"')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


def run_child(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, __file__, *args], env=env, cwd=REPO, check=True, stdout=subprocess.PIPE, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# --- the run ----------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    if math.isnan(value):
        return "–"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def report(
    runs: list[dict[str, Any]], loaded: list[dict[str, Any]], factors: list[float], load_avg: list[float]
) -> None:
    base, big = factors
    print()
    print(
        f"Load average (1 min) of the machine: {load_avg[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end."
    )
    print()
    print("Datasets (rows written, then `tally.rebuild()`):")
    print()
    print(
        "| database | scale | communities | members | ledger entries | demands + resources | "
        "service records | rows (s) | rebuild (s) | contributions | tally rows | peak MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        c, s = r["build"]["counts"], r["build"]["seconds"]
        print(
            f"| {r['db']} | {r['factor']:g} | {r['build']['scale']['communities']:,} | {c['members.Member']:,} | "
            f"{c['members.MemberCategory']:,} | {c['lists.Demand'] + c['lists.Resource']:,} | "
            f"{c['service.ServiceHours']:,} | {s['rows']:.0f} | {s['rebuild']:.0f} | "
            f"{c['stats.Contribution']:,} | {c['stats.Tally']:,} | {r['build']['peak_mib']:,.0f} |"
        )
    print()
    print(f"`compute_all(node, {runs[0]['time']['date']})`, milliseconds (calls in brackets):")
    print()
    print(
        "| database | scale | root p50 | root p95 | street p50 | street p95 | community p50 | community p95 "
        "| root ÷ community (p50) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        n = r["time"]["nodes"]
        print(
            f"| {r['db']} | {r['factor']:g} | {_ms(n['root']['p50'])} ({n['root']['n']}) | {_ms(n['root']['p95'])} | "
            f"{_ms(n['street']['p50'])} ({n['street']['n']}) | {_ms(n['street']['p95'])} | "
            f"{_ms(n['community']['p50'])} ({n['community']['n']}) | {_ms(n['community']['p95'])} | "
            f"{n['root']['p50'] / n['community']['p50']:.2f}× |"
        )
    print()
    print(f"Growth, {big:g} against {base:g} ({big / base:g}× the size), p50:")
    print()
    print("| database | root | street | community |")
    print("|---|---:|---:|---:|")
    for db in dict.fromkeys(r["db"] for r in runs):
        pair = {r["factor"]: r["time"]["nodes"] for r in runs if r["db"] == db}
        if base in pair and big in pair:
            cells = [
                f"{pair[big][k]['p50'] / pair[base][k]['p50']:.2f}×" for k in ("root", "street", "community")
            ]
            print(f"| {db} | {' | '.join(cells)} |")
    print()
    print("Where a call goes (median ms of each part alone, at the first node of each kind):")
    print()
    keys = list(runs[0]["time"]["breakdown"]["root"])
    print("| database | scale | node | " + " | ".join(keys) + " |")
    print("|---|---:|---|" + "---:|" * len(keys))
    for r in runs:
        for kind, parts in r["time"]["breakdown"].items():
            print(
                f"| {r['db']} | {r['factor']:g} | {kind} | "
                + " | ".join(_ms(parts.get(k, math.nan)) for k in keys)
                + " |"
            )
    print()
    print("How the database reads the tally rows (`tally.values` at the first node of each kind):")
    print()
    print("| database | scale | root | street | community |")
    print("|---|---:|---|---|---|")
    for r in runs:
        plans = r["time"]["plans"]
        print(f"| {r['db']} | {r['factor']:g} | {plans['root']} | {plans['street']} | {plans['community']} |")
    codes = {r["time"]["code"] for r in runs}
    print()
    if len(codes) > 1:
        print(
            f"**The figures' code changed during the run** ({', '.join(sorted(codes))}): ratios compare different code."
        )
    else:
        print(
            f"Figures' code (sha256 of gongjian/stats/{{{','.join(FIGURE_CODE)}}} and gongjian/*/figures.py): "
            f"{codes.pop()}, the same in every run."
        )
    bad = [(r["db"], r["factor"], kind, ids) for r in runs for kind, ids in r["time"]["check"].items() if ids]
    print()
    if bad:
        for db, factor, kind, ids in bad:
            print(f"kept figures differ from the rows: {db} {factor:g} {kind}: {', '.join(ids)}")
    else:
        print("kept figures equal `from_rows` at the checked root, street and community of every dataset")
    if loaded:
        first = loaded[0]
        print()
        print(
            f"Dashboard `{first['page']}` on PostgreSQL, scale {first['factor']:g}: gunicorn with "
            f"{first['workers']} sync workers, {first['clients']} concurrent clients for {first['seconds']:.0f} s "
            "(a level at random, then a node of it), ms:"
        )
        print()
        levels = list(first["by_level"])
        print(
            "| pages asked | requests | errors | p50 | p95 | requests/s | "
            + " | ".join(f"{lv} p50 / p95" for lv in levels)
            + " | one client alone, p50 by level |"
        )
        print("|---|---:|---:|---:|---:|---:|" + "---:|" * len(levels) + "---|")
        for got in loaded:
            level_cells = " | ".join(f"{_ms(v['p50'])} / {_ms(v['p95'])}" for v in got["by_level"].values())
            alone = ", ".join(f"{lv} {_ms(v['alone'])}" for lv, v in got["by_level"].items())
            print(
                f"| {got['variant']} | {got['requests']:,} | {got['errors']:,} | {_ms(got['p50'])} | {_ms(got['p95'])} | "
                f"{got['throughput']:.1f} | {level_cells} | {alone} |"
            )
    print()
    print("Goals:")
    for r in runs:
        if r["db"] != "postgresql":
            continue
        n = r["time"]["nodes"]
        worst = max(n[k]["p50"] for k in n)
        print(
            f"  postgresql {r['factor']:g}: p50 ≤ 20 ms at every node: {'met' if worst <= 20 else 'missed'} (worst {worst:.1f} ms)"
        )
        ratio = n["root"]["p50"] / n["community"]["p50"]
        print(
            f"  postgresql {r['factor']:g}: root ≤ 2× a community: {'met' if ratio <= 2 else 'missed'} ({ratio:.2f}×)"
        )
    pair = {r["factor"]: r["time"]["nodes"] for r in runs if r["db"] == "postgresql"}
    if base in pair and big in pair:
        worst = max(pair[big][k]["p50"] / pair[base][k]["p50"] for k in ("root", "street", "community"))
        print(
            f"  postgresql {big / base:g}× the size ≤ 1.3× the time: {'met' if worst <= 1.3 else 'missed'} (worst {worst:.2f}×)"
        )
    for got in loaded:
        ok = got["p95"] <= 150 and got["errors"] == 0
        print(
            f"  dashboard p95 ≤ 150 ms, no errors ({got['variant']}): {'met' if ok else 'missed'} "
            f"(p95 {got['p95']:.0f} ms, {got['errors']} errors)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.02, help="the first size (1.0 = the guide's city)")
    parser.add_argument(
        "--times", type=float, default=4.0, help="the second size, as a multiple of the first"
    )
    parser.add_argument("--years", type=int, default=3, help="years of dated rows, up to yesterday")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--pg",
        default=os.environ.get("DATABASE_URL", "")
        if "postgres" in os.environ.get("DATABASE_URL", "")
        else "",
        help="PostgreSQL server URL (default: DATABASE_URL when it is one, else postgres://postgres@127.0.0.1:5432/postgres)",
    )
    parser.add_argument("--reps", type=int, default=200, help="calls of compute_all a kind of node, at most")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds a kind of node, after 20 calls")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0, help="of load, after --warmup")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--no-load", action="store_true", help="skip the dashboard load test")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of compute_all at each kind")
    parser.add_argument("--explain", action="store_true", help="print the plans of the tally reads")
    parser.add_argument("--seed", type=int, default=20231231)
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and databases")
    parser.add_argument("--child", choices=["build", "time", "session"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        if args.child == "build":
            result = child_build(args.scale, args.years, args.seed)
        elif args.child == "time":
            result = child_time(args.reps, args.budget, args.seed, args.profile, args.explain)
        else:
            result = child_session()
        print(json.dumps(result, ensure_ascii=False))
        return 0

    pg_url = args.pg or "postgres://postgres@127.0.0.1:5432/postgres"
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not pg_reachable(pg_url):
        log(f"PostgreSQL not reachable at {urlsplit(pg_url).hostname}: measuring SQLite only")
        kinds = [k for k in kinds if k != "postgresql"]
    if not kinds:
        return 1
    factors = [args.scale, args.scale * args.times]
    work = args.work or Path(tempfile.mkdtemp(prefix="gongjian-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runs: list[dict[str, Any]] = []
    loaded: list[dict[str, Any]] = []
    load_avg = list(os.getloadavg())
    common = ["--years", str(args.years), "--seed", str(args.seed)]
    try:
        for kind in kinds:
            for factor in factors:
                tag = f"{factor:g}".replace(".", "_")
                env, name = prepare(kind, work, pg_url, tag)
                try:
                    log(f"{kind}, scale {factor:g}: building…")
                    started = time.perf_counter()
                    built = run_child(["--child", "build", "--scale", str(factor), *common], env)
                    log(f"  built in {time.perf_counter() - started:.0f} s; timing compute_all…")
                    timed_args = [
                        "--child",
                        "time",
                        "--reps",
                        str(args.reps),
                        "--budget",
                        str(args.budget),
                        *common,
                    ]
                    flags = [
                        *(["--profile"] if args.profile else []),
                        *(["--explain"] if args.explain else []),
                    ]
                    timed = run_child([*timed_args, *flags], env)
                    runs.append({"db": kind, "factor": factor, "build": built, "time": timed})
                    if kind == "postgresql" and factor == factors[0] and not args.no_load:
                        log("  dashboard under load…")
                        session = run_child(["--child", "session"], env)
                        shape = (args.clients, args.seconds, args.warmup, args.workers, args.seed)
                        loaded = [load(env, session, work, *shape)]
                        loaded[0].update(
                            factor=factor, variant="today (each page cached after its first view)"
                        )
                        log(
                            "  again, each request on a random date of three years (nearly every page computed)…"
                        )
                        loaded.append(load(env, session, work, *shape, dated=True))
                        loaded[1].update(factor=factor, variant="a random date (computed)")
                finally:
                    if not args.keep:
                        drop(kind, name, pg_url)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    report(runs, loaded, factors, load_avg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
