"""The member ledgers (四级台账) of the Changsha 2018 demo.

The article's figures come out of ``gongjian indicators --date 2018-09-04`` from these records:

- 王家垅社区: 152 directly managed members (membership held by 王家垅社区党委 or a courtyard
  branch, living in its courtyards) and 194 members of 省民政厅, 市星城公证处 and 东风路派出所 in
  its co-management (队伍共管) since the alliance was signed (late August 2018).
- 长沙县: 6,800 in-service members of its 24 government organs living in its towns and villages,
  6,580 of them reported (双报到) and confirmed before the article; 1,260 retired members kept by
  the community and village Party organisations. More in-service members arrive after 2018.
- 金龙村 (金井镇): 119 "Party-member households" with plaques awarded by 金井镇党委, each with one
  full member living there and 1-9 neighbouring doors (plus one plaque withdrawn in 2017).
- 淮川街道 (浏阳市): 2,303 Party members in its ledgers, held by its community Party committees and
  compound branches and living in its old compounds (many of them retired).
- 朝阳社区 (淮川街道, 浏阳市): a station for mobile members (流动党员驿站) where members away from
  长沙县, 宁乡市 and 望城区 check in.

Plus hardship and lost-contact flags, a few mobile members (one due to report back, one away more
than six months: both relative to the day the demo is loaded), one transfer received in 2018 and
one issued the week the demo is loaded, and the quarterly contacts of some reported members.

Members are synthetic: names from pools (never one the article gives a private person), ID numbers
generated here at run time with valid check characters and never printed or stored in clear. The
volume goes through ``members_bulk_create`` (audited per batch); the named parts through the
member services, one audit entry each.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from gongjian.accounts.models import User
from gongjian.core.synthetic import fake_phone, id_number, person_name
from gongjian.members import services as member_services
from gongjian.members.bulk import MemberRow, members_bulk_create
from gongjian.members.models import (
    Category,
    Education,
    Member,
    MemberCategory,
    MemberReport,
    MemberStatus,
    Standing,
)
from gongjian.orgs.models import Area, Dated, Level, PartyOrg, ResidentUnit

from . import names

if TYPE_CHECKING:
    from .scenario import _Loader

#: Members who serve in 融城社区's seven teams and in 淮川街道's help squad (service demo).
SERVING_RONGCHENG = 70
SERVING_HUAICHUAN = 45

#: The last day before the article: everything the article counts exists by then.
EVE = dt.date(2018, 9, 3)
ARTICLE_DAY = dt.date(2018, 9, 4)
#: Members joined the Party by this date if they are to count on the article's date.
JOIN_CAP = dt.date(2018, 6, 30)

WJL_DIRECT = 152
#: Resident units of 王家垅社区 and how many of their members joined its co-management (194 in all).
WJL_CO_MANAGED: tuple[tuple[str, int], ...] = (
    ("湖南省民政厅", 116),
    ("长沙市星城公证处", 43),
    ("东风路派出所", 35),
)
WJL_CO_MANAGED_SINCE = (dt.date(2018, 8, 28), EVE)  # the alliance was signed on 2018-08-28

COUNTY_IN_SERVICE = 6_800
COUNTY_REPORTED = 6_580
COUNTY_LATER = 150  # in-service members who arrive after the article
COUNTY_RETIRED = 1_260
JINLONG_RETIRED = 60
JINLONG_WORKING = 72
JINLONG_PLAQUES = 119
XIANGFENG_PLAQUES = 12
#: 淮川街道 (浏阳市): Party members in the street's ledgers on the article's date.
HUAICHUAN_MEMBERS = 2_303

#: Division codes valid for every birth year (长沙县, 望城县), and those valid from 1983 on.
_OLD_CODES = ("430121", "430122")
_CITY_CODES = ("430102", "430103", "430104", "430105", "430111", "430121", "430124")
#: Codes valid only from a later year than 1983 (浏阳市 since 1993).
_CODE_SINCE = {"430181": 1993}


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _birthday(year: int, born: dt.date) -> dt.date:
    return dt.date(year, born.month, min(born.day, 28))


@dataclass
class _Ledgers:
    loader: _Loader
    rng: random.Random
    say: Callable[[str], None]
    today: dt.date
    serials: Counter[tuple[str, dt.date, bool]] = field(default_factory=Counter)
    phone_serial: int = 10_000
    homes_of: dict[int, list[Area]] = field(default_factory=dict)  # community pk → homes
    by_path: dict[str, Area] = field(default_factory=dict)

    # -- people ------------------------------------------------------------------------------

    def _id_number(self, birth: dt.date, male: bool, codes: Sequence[str]) -> str:
        """A fresh, valid ID number (kept only in memory until it is sealed)."""
        usable = [c for c in codes if birth.year >= _CODE_SINCE.get(c, 1983) or c in _OLD_CODES] or list(
            _OLD_CODES
        )
        code = self.rng.choice(usable)
        key = (code, birth, male)
        serial = self.serials[key]
        if serial >= 500:
            code = next(c for c in _OLD_CODES if self.serials[(c, birth, male)] < 500)
            key = (code, birth, male)
            serial = self.serials[key]
        self.serials[key] += 1
        return id_number(serial, area_code=code, birth=birth, male=male)

    def _name(self) -> str:
        while True:
            name = person_name(self.rng)
            if name not in names.AVOID_NAMES:
                return name

    def _education(self, birth: dt.date) -> str:
        if birth.year < 1955:
            pool = [Education.BELOW, Education.HIGH_SCHOOL, Education.SECONDARY, Education.COLLEGE]
        elif birth.year < 1970:
            pool = [Education.HIGH_SCHOOL, Education.SECONDARY, Education.COLLEGE, Education.BACHELOR]
        else:
            pool = [Education.COLLEGE, Education.BACHELOR, Education.BACHELOR, Education.POSTGRADUATE]
        return str(self.rng.choice(pool))

    def person(
        self,
        *,
        org: PartyOrg,
        residence: Area | None,
        born: tuple[int, int],
        codes: Sequence[str] = _OLD_CODES,
        join_cap: dt.date = JOIN_CAP,
        work_unit: ResidentUnit | None = None,
    ) -> MemberRow:
        """A synthetic member held by ``org``, who joined the Party by ``join_cap``."""
        birth = dt.date(self.rng.randint(*born), 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))
        male = self.rng.random() < 0.62
        adult = _birthday(birth.year + 18, birth)
        joined = min(join_cap, adult + dt.timedelta(days=self.rng.randint(0, 22 * 365)))
        joined = max(joined, adult)
        self.phone_serial += 1
        return MemberRow(
            name=self._name(),
            id_number=self._id_number(birth, male, codes),
            org=org,
            joined_on=joined,
            phone=fake_phone(self.phone_serial),
            ethnicity=self.rng.choice(names.ETHNICITIES),
            education=self._education(birth),
            residence=residence,
            work_unit=work_unit,
        )

    def since(self, row: MemberRow, start: dt.date, end: dt.date = JOIN_CAP) -> dt.date:
        """A ledger date between ``start`` and ``end``, never before the member joined."""
        return _day(self.rng, max(start, row.joined_on), max(end, row.joined_on))

    # -- places ------------------------------------------------------------------------------

    def load_homes(self) -> None:
        """Where members can live: the buildings of each community, or its compounds and village
        groups where they have none (commercial buildings excluded)."""
        areas = list(Area.objects.filter(level__gte=Level.COMMUNITY).exclude(kind_label="商务楼宇"))
        self.by_path = {a.path: a for a in areas}
        parents = {a.path[: -Area.steplen] for a in areas}
        for area in areas:
            if area.level == Level.COMMUNITY:
                self.homes_of.setdefault(area.pk, [])
                continue
            if area.path in parents:
                continue  # a compound with buildings: people live in the buildings
            community = self.by_path.get(area.path[: Area.steplen * Level.COMMUNITY])
            if community is not None:
                self.homes_of.setdefault(community.pk, []).append(area)
        for community_pk, homes in self.homes_of.items():
            homes.sort(key=lambda a: a.path)
            if not homes:
                self.homes_of[community_pk] = [a for a in areas if a.pk == community_pk]

    def home(self, community: Area) -> Area:
        return self.rng.choice(self.homes_of[community.pk])

    def communities(self, district: str) -> list[Area]:
        return [c for s in self.loader.streets_of[district] for c in self.loader.communities_of[s.pk]]

    # -- writing -----------------------------------------------------------------------------

    def create(self, rows: list[MemberRow], what: str) -> int:
        total = len(rows)

        def progress(done: int) -> None:
            if done < total:
                self.say(f"  {done:,} of {total:,} {what}…")

        created = members_bulk_create(actor=self.loader.actor, rows=rows, progress=progress)
        self.loader.counts["members"] += created
        return created

    # -- 王家垅社区 --------------------------------------------------------------------------

    def wangjialong(self) -> None:
        self.say(
            f"王家垅社区: {WJL_DIRECT} directly managed members, {sum(n for _, n in WJL_CO_MANAGED)} co-managed…"
        )
        wjl = self.loader.by_name["王家垅社区"]
        committee = self.loader.org_of[wjl.pk]
        rows: list[MemberRow] = []
        for i in range(WJL_DIRECT):
            home = self.home(wjl)
            courtyard = self.by_path[home.path[: Area.steplen * Level.COMPOUND]]
            branch = self.loader.org_of.get(courtyard.pk)
            org = branch if branch is not None and self.rng.random() < 0.85 else committee
            band = self.rng.random()
            born = (1936, 1958) if band < 0.45 else (1959, 1975) if band < 0.75 else (1976, 1996)
            row = self.person(org=org, residence=home, born=born, codes=("430105", *_OLD_CODES))
            row.categories.append((Category.DIRECT, org.area, self.since(row, dt.date(2003, 1, 1))))
            birth = _birth_of(row)
            if birth.year <= 1958:
                retired = min(_birthday(birth.year + 60, birth), JOIN_CAP)
                row.categories.append((Category.RETIRED, org.area, retired))
            if i % 50 == 7:
                row.categories.append((Category.HARDSHIP, org.area, _day(self.rng, dt.date(2016, 1, 1), EVE)))
            rows.append(row)
        self.create(rows, "members of 王家垅社区")

        kaifu = [c for c in self.communities("开福区") if c.pk != wjl.pk and self.homes_of[c.pk]]
        rows = []
        for unit_name, count in WJL_CO_MANAGED:
            unit = self.loader.units_by_name[unit_name]
            org = self.loader.unit_orgs[unit.pk]
            for _ in range(count):
                community = wjl if self.rng.random() < 0.2 else self.rng.choice(kaifu)
                home = self.home(community)
                row = self.person(
                    org=org, residence=home, born=(1962, 1995), codes=("430105", *_CITY_CODES), work_unit=unit
                )
                in_service = self.since(row, dt.date(2010, 1, 1))
                row.categories.append((Category.IN_SERVICE, community, in_service))
                if self.rng.random() < 0.88:
                    row.reported = (
                        community,
                        _day(self.rng, max(in_service, dt.date(2016, 9, 1)), dt.date(2018, 8, 20)),
                    )
                row.co_managed = (wjl, unit, _day(self.rng, *WJL_CO_MANAGED_SINCE))
                rows.append(row)
        self.create(rows, "co-managed members")

    # -- members who serve in teams (service demo) ------------------------------------------

    def servers(self) -> None:
        """Directly managed members of 融城社区 (its seven standing teams) and of 淮川街道's
        communities (its help squad of 45)."""
        rows: list[MemberRow] = []
        huaichuan = self.loader.by_name["淮川街道"]
        places = [(self.loader.by_name["融城社区"], SERVING_RONGCHENG)]
        places += [(c, SERVING_HUAICHUAN // 5 + 1) for c in self.loader.communities_of[huaichuan.pk][:5]]
        for community, count in places:
            org = self.loader.org_of[community.pk]
            for _ in range(count):
                row = self.person(org=org, residence=self.home(community), born=(1950, 1990))
                row.categories.append((Category.DIRECT, org.area, self.since(row, dt.date(2005, 1, 1))))
                rows.append(row)
        self.create(rows, "members of 融城社区 and 淮川街道")

    # -- 淮川街道 ----------------------------------------------------------------------------

    def huaichuan(self) -> None:
        """淮川街道's members up to 2,303 on the article's date: directly managed by the branch of
        the compound they live in (or their community's committee), retired ones also in the
        retired ledger. Run last, with its own random stream, so the rest of the demo is unchanged."""
        street = self.loader.by_name["淮川街道"]
        listed = MemberCategory.objects.filter(
            Dated.on(ARTICLE_DAY), category__in=Category.ledgers(), area__path__startswith=street.path
        )
        missing = HUAICHUAN_MEMBERS - listed.values("member_id").distinct().count()
        if missing <= 0:
            return
        self.say(f"淮川街道: {missing:,} more members, {HUAICHUAN_MEMBERS:,} in all…")
        rng, self.rng = self.rng, random.Random(HUAICHUAN_MEMBERS)
        communities = self.loader.communities_of[street.pk]
        rows: list[MemberRow] = []
        for i in range(missing):
            community = communities[i % len(communities)]
            home = self.home(community)
            compound = self.by_path.get(home.path[: Area.steplen * Level.COMPOUND])
            branch = self.loader.org_of.get(compound.pk) if compound is not None else None
            org = branch or self.loader.org_of[community.pk]
            band = self.rng.random()
            born = (1932, 1958) if band < 0.4 else (1959, 1978) if band < 0.8 else (1979, 1997)
            row = self.person(org=org, residence=home, born=born, codes=("430181", *_OLD_CODES))
            row.categories.append((Category.DIRECT, org.area, self.since(row, dt.date(2000, 1, 1))))
            birth = _birth_of(row)
            age = 60 if _male_of(row) else 55
            if birth.year + age <= JOIN_CAP.year:
                retired = min(_birthday(birth.year + age, birth), JOIN_CAP)
                row.categories.append((Category.RETIRED, org.area, max(retired, row.joined_on)))
            if i % 60 == 11:
                row.categories.append((Category.HARDSHIP, org.area, _day(self.rng, dt.date(2016, 1, 1), EVE)))
            rows.append(row)
        self.create(rows, "members of 淮川街道")
        self.rng = rng

    # -- 长沙县 ------------------------------------------------------------------------------

    def county(self, organs: list[tuple[ResidentUnit, int]]) -> None:
        communities = self.communities("长沙县")
        street_names = {s.pk: s.name for s in self.loader.streets_of["长沙县"]}
        weights = []
        for community in communities:
            seat = street_names[self.loader.parent_of[community.pk]] == "松雅街道"
            weights.append(4 if seat else 1 if community.name.endswith("村") else 2)
        units = [u for u, _ in organs]
        unit_weights = [w for _, w in organs]
        self.say(f"长沙县: {COUNTY_IN_SERVICE + COUNTY_LATER:,} in-service members of its organs…")
        reported = set(self.rng.sample(range(COUNTY_IN_SERVICE), COUNTY_REPORTED))
        rows: list[MemberRow] = []
        for i in range(COUNTY_IN_SERVICE + COUNTY_LATER):
            unit = self.rng.choices(units, unit_weights)[0]
            community = self.rng.choices(communities, weights)[0]
            later = i >= COUNTY_IN_SERVICE
            row = self.person(
                org=self.loader.unit_orgs[unit.pk],
                residence=self.home(community),
                born=(1960, 1996),
                codes=("430121", "430124", "430122"),
                work_unit=unit,
                join_cap=self.today - dt.timedelta(days=60) if later else JOIN_CAP,
            )
            if later:
                start = self.since(row, dt.date(2019, 1, 1), self.today - dt.timedelta(days=30))
                row.categories.append((Category.IN_SERVICE, community, start))
                if self.rng.random() < 0.8:
                    row.reported = (
                        community,
                        min(start + dt.timedelta(days=self.rng.randint(3, 25)), self.today),
                    )
            else:
                start = self.since(row, dt.date(2008, 1, 1))
                row.categories.append((Category.IN_SERVICE, community, start))
                if i in reported:
                    row.reported = (
                        community,
                        _day(self.rng, max(start, dt.date(2016, 3, 1)), dt.date(2018, 8, 31)),
                    )
            rows.append(row)
        self.create(rows, "in-service members")

        self.say(f"长沙县: {COUNTY_RETIRED:,} retired members and the village members…")
        jinlong = self.loader.by_name["金龙村"]
        others = [c for c in communities if c.pk != jinlong.pk]
        share, extra = divmod(COUNTY_RETIRED - JINLONG_RETIRED, len(others))
        rows = []
        for n, community in enumerate([jinlong, *others]):
            org = self.loader.org_of[community.pk]
            retired = JINLONG_RETIRED if community.pk == jinlong.pk else share + (1 if n <= extra else 0)
            working = JINLONG_WORKING if community.pk == jinlong.pk else self.rng.randint(6, 14)
            for i in range(retired):
                row = self.person(org=org, residence=self.home(community), born=(1930, 1958))
                birth = _birth_of(row)
                row.categories.append((Category.DIRECT, community, self.since(row, dt.date(2000, 1, 1))))
                age = 60 if _male_of(row) else 55
                row.categories.append(
                    (Category.RETIRED, community, min(_birthday(birth.year + age, birth), JOIN_CAP))
                )
                if i % 40 == 5:
                    row.categories.append(
                        (Category.HARDSHIP, community, _day(self.rng, dt.date(2015, 1, 1), EVE))
                    )
                rows.append(row)
            for i in range(working):
                probationary = community.pk == jinlong.pk and i >= working - 4
                row = self.person(
                    org=org,
                    residence=self.home(community),
                    born=(1965, 1998),
                    codes=("430121", "430124"),
                    join_cap=self.today - dt.timedelta(days=90) if probationary else JOIN_CAP,
                )
                if probationary:  # joined in the past year: not yet in the 2018 ledgers
                    row.standing = Standing.PROBATIONARY
                    row.joined_on = max(row.joined_on, self.today - dt.timedelta(days=300))
                    row.categories.append((Category.DIRECT, community, row.joined_on))
                else:
                    row.categories.append((Category.DIRECT, community, self.since(row, dt.date(2005, 1, 1))))
                if community.pk != jinlong.pk and i == 0 and n % 5 == 1:
                    row.categories.append(
                        (Category.LOST_CONTACT, community, _day(self.rng, dt.date(2017, 1, 1), EVE))
                    )
                rows.append(row)
        self.create(rows, "village and community members")

    # -- 金龙村 plaques ----------------------------------------------------------------------

    def plaques(self) -> None:
        self.say(f"金龙村: {JINLONG_PLAQUES} Party-member households…")
        jinjing = self.loader.by_name["金井镇"]
        jinlong = self.loader.by_name["金龙村"]
        self._plaques(jinlong, self.loader.org_of[jinjing.pk], JINLONG_PLAQUES, "金井镇", withdrawn=1)
        xiangfeng = self.loader.by_name["湘峰村"]
        changlong = self.loader.by_name["长龙街道"]
        self._plaques(xiangfeng, self.loader.org_of[changlong.pk], XIANGFENG_PLAQUES, "长龙街道", withdrawn=0)

    def _plaques(
        self, village: Area, awarded_by: PartyOrg, count: int, prefix: str, *, withdrawn: int
    ) -> None:
        flagged = MemberCategory.objects.filter(category__in=[Category.LOST_CONTACT, Category.MOBILE])
        candidates = list(
            Member.objects.filter(
                org=self.loader.org_of[village.pk],
                standing=Standing.FULL,
                status=MemberStatus.NORMAL,
                residence__isnull=False,
            )
            .exclude(pk__in=flagged.values("member_id"))
            .select_related("residence")
            .order_by("pk")
        )
        self.rng.shuffle(candidates)
        assert len(candidates) >= count + withdrawn, f"{village.name}: too few members for the plaques"
        doors: Counter[int] = Counter()
        for n, member in enumerate(candidates[: count + withdrawn], start=1):
            group = member.residence
            assert group is not None
            doors[group.pk] += 1
            own = doors[group.pk]
            neighbours = [
                f"{village.name}{group.name}{own + k}号" for k in range(1, self.rng.randint(1, 9) + 1)
            ]
            doors[group.pk] += len(neighbours)
            gone = n > count
            household = member_services.household_award(
                actor=self.loader.actor,
                area=group,
                address=f"{village.name}{group.name}{own}号",
                members=[member],
                neighbours=neighbours,
                awarded_by=awarded_by,
                plaque_no=f"{prefix}党员家庭户第{n:03d}号",
                since=dt.date(2016, 7, 1)
                if gone
                else _day(self.rng, max(dt.date(2017, 5, 1), member.joined_on), EVE),
            )
            if gone:  # history: a plaque withdrawn before the article
                member_services.household_withdraw(
                    actor=self.loader.actor,
                    household=household,
                    until=dt.date(2017, 12, 31),
                    reason="全户迁出本村",
                )
            else:
                self.loader.counts["households"] += 1

    # -- mobile members and the station of 朝阳社区 ------------------------------------------

    def _members_of(
        self, community: Area, *, born_after: int, skip: set[int], joined_before: dt.date = JOIN_CAP
    ) -> list[Member]:
        """Full members in normal standing held by the community's organisation, not lost."""
        flagged = MemberCategory.objects.filter(category=Category.LOST_CONTACT)
        return list(
            Member.objects.filter(
                org=self.loader.org_of[community.pk],
                birth_date__year__gt=born_after,
                joined_on__lt=joined_before,
                standing=Standing.FULL,
                status=MemberStatus.NORMAL,
            )
            .exclude(pk__in=flagged.values("member_id"))
            .exclude(pk__in=sorted(skip))
            .select_related("org__area")
            .order_by("pk")
        )

    def mobile(self) -> None:
        self.say("朝阳社区: a station for mobile members, with check-ins…")
        actor = self.loader.actor
        chaoyang = self.loader.by_name["朝阳社区"]
        station = member_services.station_create(
            actor=actor,
            name="朝阳社区流动党员驿站",
            area=chaoyang,
            org=self.loader.org_of[chaoyang.pk],
            address="浏阳市淮川街道朝阳社区党群服务中心",
        )
        # a few members of 宁乡市 and 望城区 communities, away at 浏阳 since 2018
        rows: list[MemberRow] = []
        for district in ("宁乡市", "望城区"):
            for community in self.communities(district)[:2]:
                row = self.person(
                    org=self.loader.org_of[community.pk],
                    residence=self.home(community),
                    born=(1975, 1995),
                    join_cap=dt.date(2017, 12, 31),
                )
                row.categories.append((Category.DIRECT, community, self.since(row, dt.date(2010, 1, 1))))
                rows.append(row)
        self.create(rows, "members away at 浏阳")
        visitors = list(
            Member.objects.filter(org__in=[r.org for r in rows]).select_related("org__area").order_by("pk")
        )
        # 长沙县: two far away (one due to report back, one away more than six months), two at 浏阳
        plaqued = set(Member.objects.filter(households__isnull=False).values_list("pk", flat=True))
        villages = [
            c for c in self.communities("长沙县") if c.name.endswith("村") and c.name not in {"金龙村"}
        ]
        county: list[Member] = []
        for village in villages:
            county += self._members_of(
                village, born_after=1975, skip=plaqued, joined_before=dt.date(2018, 1, 1)
            )[:1]
        far_due, far_long, *near = county[:4]
        t = self.today
        plans: list[tuple[Member, str, str, dt.date, dt.date | None, bool]] = [
            # (member, destination, reason, since, last reported back, checks in at 朝阳社区)
            (far_due, "广东省深圳市宝安区", "务工", dt.date(2018, 3, 12), t - dt.timedelta(days=400), False),
            (far_long, "浙江省杭州市余杭区", "经商", dt.date(2018, 6, 5), t - dt.timedelta(days=90), False),
        ]
        for member in near[:2]:
            plans.append(
                (
                    member,
                    "湖南省浏阳市淮川街道",
                    "务工",
                    t - dt.timedelta(days=self.rng.randint(40, 150)),
                    None,
                    True,
                )
            )
        for member in visitors:
            start = _day(self.rng, dt.date(2018, 3, 1), dt.date(2018, 7, 31))
            reported_back = t - dt.timedelta(days=self.rng.randint(30, 200))
            plans.append((member, "湖南省浏阳市淮川街道", "务工", start, reported_back, True))
        for n, (member, destination, reason, since, back, here) in enumerate(plans, start=1):
            self.phone_serial += 1
            record = member_services.mobile_record_create(
                actor=actor,
                member=member,
                destination=destination,
                since=since,
                reason=reason,
                card_no=f"HNLD{since.year}{n:04d}",
                contact=fake_phone(self.phone_serial),
                destination_area=chaoyang if here else None,
            )
            if back is not None:
                member_services.mobile_report_back(actor=actor, record=record, on=back)
            self.loader.counts["mobile_records"] += 1
            if not here:
                continue
            days = sorted(
                {_day(self.rng, since, t - dt.timedelta(days=1)) for _ in range(self.rng.randint(2, 4))}
            )
            if since <= dt.date(2018, 8, 1):
                days.insert(0, _day(self.rng, since, dt.date(2018, 9, 1)))
            for day in days:
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(19, self.rng.choice((0, 15, 30)))))
                member_services.station_check_in(
                    actor=actor,
                    station=station,
                    member=member,
                    at=at,
                    purpose=self.rng.choice(names.STATION_PURPOSES),
                )
                self.loader.counts["check_ins"] += 1

    # -- transfers, contacts, the demo member's account -------------------------------------

    def transfers(self) -> None:
        self.say("transfers, service contacts…")
        actor = self.loader.actor
        xiangfeng = self.loader.by_name["湘峰村"]
        streets = self.loader.streets_of["长沙县"]
        changlong = next(s for s in streets if s.name == "长龙街道")
        target = next(
            c
            for c in self.loader.communities_of[changlong.pk]
            if c.pk != xiangfeng.pk and c.name.endswith("村")
        )
        busy = set(Member.objects.filter(households__isnull=False).values_list("pk", flat=True))
        busy |= set(Member.objects.filter(mobile_records__isnull=False).values_list("pk", flat=True))
        settled = MemberCategory.objects.filter(category=Category.DIRECT, since__lt=dt.date(2018, 4, 1))
        mover = next(
            m
            for m in self._members_of(xiangfeng, born_after=1965, skip=busy)
            if settled.filter(member=m).exists()
        )
        letter = member_services.transfer_issue(
            actor=actor,
            member=mover,
            to_org=self.loader.org_of[target.pk],
            letter_no="长县组转〔2018〕017号",
            valid_days=30,
            issued_on=dt.date(2018, 4, 16),
            reason="迁居本街道另一村",
        )
        member_services.transfer_receive(actor=actor, transfer=letter, on=dt.date(2018, 4, 25))
        member_services.member_update(actor=actor, member=mover, residence=self.home(target))
        songya = next(s for s in streets if s.name == "松雅街道")
        retired = MemberCategory.objects.filter(category=Category.RETIRED, until__isnull=True)
        leaving = next(
            m
            for m in self._members_of(self.loader.communities_of[songya.pk][0], born_after=1900, skip=busy)
            if retired.filter(member=m).exists()
        )
        wjl = self.loader.by_name["王家垅社区"]
        kaifu = next(c for c in self.communities("开福区") if c.pk != wjl.pk)
        member_services.transfer_issue(
            actor=actor,
            member=leaving,
            to_org=self.loader.org_of[kaifu.pk],
            letter_no=f"长县组转〔{self.today.year}〕031号",
            valid_days=30,
            issued_on=self.today - dt.timedelta(days=6),
            reason="随子女迁居开福区",
        )
        self.loader.counts["transfers"] += 2

    def contacts(self) -> None:
        """What some reported members of 长沙县教育局 did in 2018's third quarter."""
        reports = MemberReport.objects.filter(
            member__work_unit__name="长沙县教育局", since__lte=dt.date(2018, 6, 30)
        ).order_by("pk")[:15]
        for report in reports:
            for _ in range(self.rng.randint(1, 3)):
                kind, description = self.rng.choice(names.CONTACTS)
                member_services.report_contact_add(
                    actor=self.loader.actor,
                    report=report,
                    on=_day(self.rng, dt.date(2018, 7, 1), EVE),
                    kind=kind,
                    description=description,
                )
                self.loader.counts["report_contacts"] += 1

    def link_demo_member(self) -> None:
        """The ``member`` demo account is one of 王家垅社区's directly managed members."""
        user = User.objects.filter(username="member").first()
        wjl = self.loader.by_name["王家垅社区"]
        member = (
            Member.objects.filter(
                org__area__path__startswith=wjl.path, user__isnull=True, work_unit__isnull=True
            )
            .order_by("pk")
            .first()
        )
        if user is None or member is None:
            return
        member_services.member_link_user(actor=self.loader.actor, member=member, user=user)


def _birth_of(row: MemberRow) -> dt.date:
    """The birth date a row's ID number encodes (digits 7-14)."""
    return dt.date.fromisoformat(f"{row.id_number[6:10]}-{row.id_number[10:12]}-{row.id_number[12:14]}")


def _male_of(row: MemberRow) -> bool:
    return int(row.id_number[16]) % 2 == 1


def build_ledgers(loader: _Loader, organs: list[tuple[ResidentUnit, int]]) -> None:
    """Write the demo's member ledgers (see the module's docstring)."""
    ledgers = _Ledgers(
        loader=loader,
        rng=random.Random(loader.rng.random()),
        say=loader.progress,
        today=timezone.localdate(),
    )
    ledgers.load_homes()
    ledgers.wangjialong()
    ledgers.servers()
    ledgers.county(organs)
    ledgers.plaques()
    ledgers.mobile()
    ledgers.transfers()
    ledgers.contacts()
    ledgers.link_demo_member()
    ledgers.huaichuan()
