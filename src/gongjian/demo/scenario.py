"""The Changsha 2018 scenario: the map, units, Party organisations and alliances of the Hunan Daily
article (2018-09-04) that Gongjian is built from, plus one demo account per role.

Exact where the article names things (names in Simplified Chinese as in ``article.zh-Hans.txt``);
generated, deterministically, everywhere else (about 30 streets and 150 communities in all).
Every write goes through the services with the system superuser ``admin`` as the actor, so every
record is in the audit log. The figures the article reports for the map come out exactly from
``gongjian indicators``: 淮川街道 has 371 old compounds, 75 with a Party branch, and 88 building
Party groups; 尖山湖社区 has 4 incubation bases hosting 5000+ firms; 清水塘街道 has 20+ provincial
units; 岳麓区's first joint meeting has 12 member units. The member ledgers (``ledgers.py``) give
王家垅社区 152 directly managed and 194 co-managed members, 长沙县 6,500+ reported in-service and
1,200+ retired members, and 金龙村 119 plaqued households, on the article's date.

Private persons named in the article never become records. Officials appear only in their public
role (岳麓区委's secretary, who convened the district's first joint meeting).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from gongjian.accounts.models import Role, RoleKind, User
from gongjian.accounts.services import role_grant, user_create
from gongjian.core.audit import audit_checkpoints_restart
from gongjian.core.bulkwrite import refresh_statistics
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Alliance, Area, Level, PartyOrg, ResidentUnit
from gongjian.stats import tally

from . import names
from .appeals import build_appeals
from .cobuild import build_cobuild
from .honours import build_honours
from .ledgers import build_ledgers
from .lists import build_lists
from .service import build_service

DEMO_PASSWORD = "gongjian-demo"  # noqa: S105 - the documented password of the demo accounts
SEED = 20180904
ARTICLE_DATE = dt.date(2018, 9, 4)
#: The scenario's map (areas, units and their organisations) stands from this day unless a plan says
#: otherwise; a stated fact of the scenario, given explicitly (the platform never invents a start).
MAP_SINCE = dt.date(2000, 1, 1)


class DemoError(Exception):
    """The demo cannot be loaded (e.g. the database already holds data)."""


# --- the demo accounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str  # a RoleKind, or "superuser"
    where: str  # area name, or unit name for a unit liaison


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", "平台管理员（演示）", "superuser", ""),
    DemoAccount("changsha", "长沙市委组织部管理员（演示）", RoleKind.CITY_ADMIN, "长沙市"),
    DemoAccount("kaifu", "开福区委组织部管理员（演示）", RoleKind.DISTRICT_ADMIN, "开福区"),
    DemoAccount("dongfeng", "东风路街道党工委管理员（演示）", RoleKind.STREET_ADMIN, "东风路街道"),
    DemoAccount("wangjialong", "王家垅社区党委管理员（演示）", RoleKind.COMMUNITY_ADMIN, "王家垅社区"),
    DemoAccount("jianshanhu", "尖山湖社区党委管理员（演示）", RoleKind.COMMUNITY_ADMIN, "尖山湖社区"),
    DemoAccount("minzheng", "省民政厅联络员（演示）", RoleKind.UNIT_LIAISON, "湖南省民政厅"),
    DemoAccount("member", "王家垅社区党员（演示）", RoleKind.MEMBER, "王家垅社区"),
    DemoAccount("resident", "王家垅社区居民（演示）", RoleKind.RESIDENT, "王家垅社区"),
)


# --- the map as the article names it --------------------------------------------------------


@dataclass(frozen=True)
class DistrictPlan:
    name: str
    code: str
    kind_label: str
    org_name: str
    org_kind: str
    centre: tuple[float, float]  # lat, lng, roughly
    streets: tuple[tuple[str, str, tuple[str, ...]], ...]  # (name, 街道/镇, named communities)
    secretary: str = ""


CITY = ("长沙市", "430100", "市", "中共长沙市委")

DISTRICTS: tuple[DistrictPlan, ...] = (
    DistrictPlan(
        "芙蓉区",
        "430102",
        "区",
        "中共芙蓉区委",
        "committee",
        (28.193, 113.032),
        (("荷香街道", "街道", ()), ("朝晖街道", "街道", ()), ("东湖街道", "街道", ())),
    ),
    DistrictPlan(
        "天心区",
        "430103",
        "区",
        "中共天心区委",
        "committee",
        (28.114, 112.990),
        (("书院街道", "街道", ()), ("南湖街道", "街道", ()), ("云栖街道", "街道", ())),
    ),
    DistrictPlan(
        "岳麓区",
        "430104",
        "区",
        "中共岳麓区委",
        "committee",
        (28.235, 112.931),
        (
            ("银盆岭街道", "街道", ("银星社区",)),
            ("麓山街道", "街道", ()),
            ("桃花岭街道", "街道", ()),
            ("枫林街道", "街道", ()),
        ),
        # A public role: the district Party secretary convened the first joint meeting (2018-06-16).
        secretary="周志凯",
    ),
    DistrictPlan(
        "开福区",
        "430105",
        "区",
        "中共开福区委",
        "committee",
        (28.256, 112.986),
        (
            ("东风路街道", "街道", ("王家垅社区",)),
            ("望麓园街道", "街道", ("富雅坪社区",)),
            ("清水塘街道", "街道", ()),
            ("新河街道", "街道", ()),
        ),
    ),
    DistrictPlan(
        "雨花区",
        "430111",
        "区",
        "中共雨花区委",
        "committee",
        (28.135, 113.035),
        (("井湾子街道", "街道", ("融城社区",)), ("圭塘街道", "街道", ()), ("杉木街道", "街道", ())),
    ),
    DistrictPlan(
        "望城区",
        "430112",
        "区",
        "中共望城区委",
        "committee",
        (28.347, 112.819),
        (("丁香街道", "街道", ()), ("月亮岛街道", "街道", ())),
    ),
    DistrictPlan(
        "长沙县",
        "430121",
        "县",
        "中共长沙县委",
        "committee",
        (28.246, 113.081),
        (("金井镇", "镇", ("金龙村",)), ("长龙街道", "街道", ("湘峰村",)), ("松雅街道", "街道", ())),
    ),
    DistrictPlan(
        "浏阳市",
        "430181",
        "县级市",
        "中共浏阳市委",
        "committee",
        (28.163, 113.643),
        (("淮川街道", "街道", ("朝阳社区",)), ("关口街道", "街道", ()), ("沙市镇", "镇", ())),
    ),
    DistrictPlan(
        "宁乡市",
        "430182",
        "县级市",
        "中共宁乡市委",
        "committee",
        (28.277, 112.552),
        (("玉潭街道", "街道", ()), ("白马桥街道", "街道", ())),
    ),
    DistrictPlan(
        "高新区",
        "4301GX",  # not an official division: a clearly generated code
        "开发区",
        "长沙高新区党工委",
        "working_committee",
        (28.220, 112.882),
        (("东方红街道", "街道", ("尖山湖社区",)), ("麓谷街道", "街道", ()), ("谷山街道", "街道", ())),
    ),
)

COMMUNITIES_PER_STREET = 5

#: The article's organisations on named communities (kind of the territorial organisation).
NAMED_COMMUNITY_ORGS: dict[str, tuple[str, str]] = {
    "王家垅社区": ("王家垅社区党委", "committee"),
    "富雅坪社区": ("富雅坪社区党委", "committee"),
    "尖山湖社区": ("尖山湖社区党委", "committee"),
    "银星社区": ("银星社区党委", "committee"),
    "朝阳社区": ("朝阳社区党委", "committee"),
    "融城社区": ("融城社区党委", "committee"),
    "金龙村": ("金龙村党总支", "general_branch"),
    "湘峰村": ("湘峰村党总支", "general_branch"),
}

#: 淮川街道: 371 old residential compounds, 75 with a Party branch, 88 buildings with a Party group.
HUAICHUAN_COMPOUNDS = 371
HUAICHUAN_BRANCHES = 75
HUAICHUAN_GROUPS = 88
#: 清水塘街道: 20+ provincial units (22 here) and 27 commercial buildings.
QINGSHUITANG_PROVINCIAL = 22
QINGSHUITANG_BUILDINGS = 27


@dataclass(frozen=True)
class UnitPlan:
    name: str
    kind: str
    rank: str
    org_name: str
    org_kind: str
    incubator: bool = False
    hosted_firms: int = 0


#: Units the article names, grouped by where they sit.
WANGJIALONG_UNITS = (
    UnitPlan("湖南省民政厅", "organ", "provincial", "湖南省民政厅机关党委", "committee"),
    UnitPlan("长沙市星城公证处", "institution", "municipal", "长沙市星城公证处党支部", "branch"),
    UnitPlan("东风路派出所", "organ", "district", "东风路派出所党支部", "branch"),
)
FUYAPING_UNITS = (
    UnitPlan(
        "湖南中医药大学第二附属医院", "hospital", "provincial", "湖南中医药大学第二附属医院党委", "committee"
    ),
    UnitPlan("长沙市第一医院", "hospital", "municipal", "长沙市第一医院党委", "committee"),
)
JIANSHANHU_UNITS = (
    UnitPlan("中电软件园", "soe", "none", "中电软件园党委", "committee", incubator=True, hosted_firms=1650),
    UnitPlan(
        "芯城科技园",
        "private",
        "none",
        "芯城科技园党总支",
        "general_branch",
        incubator=True,
        hosted_firms=1420,
    ),
    UnitPlan(
        "尖山湖创新创业孵化基地",
        "private",
        "none",
        "尖山湖创新创业孵化基地联合党支部",
        "joint_branch",
        incubator=True,
        hosted_firms=1180,
    ),
    UnitPlan(
        "东方红科技企业孵化器",
        "private",
        "none",
        "东方红科技企业孵化器党支部",
        "branch",
        incubator=True,
        hosted_firms=890,
    ),
    UnitPlan("永雄集团", "private", "none", "永雄集团党委", "committee"),
)
QINGSHUITANG_NAMED = (
    UnitPlan("湖南省政协", "organ", "provincial", "湖南省政协机关党委", "committee"),
    UnitPlan("湖南省公路局", "organ", "provincial", "湖南省公路局机关党委", "committee"),
    UnitPlan("中共湖南省委统战部", "organ", "provincial", "中共湖南省委统战部机关党委", "committee"),
)
CHANGSHA_BANK = UnitPlan("长沙银行", "soe", "municipal", "长沙银行党委", "committee")
YUELU_NAMED = (
    UnitPlan("中南大学", "university", "central", "中共中南大学委员会", "committee"),
    UnitPlan("湖南大学", "university", "central", "中共湖南大学委员会", "committee"),
    UnitPlan("湖南师范大学", "university", "provincial", "中共湖南师范大学委员会", "committee"),
    UnitPlan("中共湖南省委党校", "institution", "provincial", "中共湖南省委党校机关党委", "committee"),
    UnitPlan("中铁城建集团", "soe", "central", "中铁城建集团党委", "committee"),
    UnitPlan("湖南湘江新区管理委员会", "organ", "provincial", "湖南湘江新区机关党委", "committee"),
)
WRITERS = UnitPlan("湖南省作家协会", "institution", "provincial", "湖南省作家协会机关党委", "committee")
JINFURONG = UnitPlan("金芙蓉影楼", "private", "none", "金芙蓉影楼党支部", "branch")
YUELU_MEETING_UNITS = 12

#: 长沙县's government organs (county level, as named in 2018), whose in-service members serve the
#: communities they live in (6500+ in the article); the weight sizes each organ's membership.
COUNTY_ORGANS: tuple[tuple[str, int], ...] = (
    ("中共长沙县委办公室", 1),
    ("长沙县人民政府办公室", 1),
    ("中共长沙县委组织部", 1),
    ("中共长沙县委宣传部", 1),
    ("长沙县发展和改革局", 1),
    ("长沙县教育局", 3),
    ("长沙县财政局", 1),
    ("长沙县人力资源和社会保障局", 1),
    ("长沙县国土资源局", 1),
    ("长沙县住房和城乡建设局", 1),
    ("长沙县交通运输局", 1),
    ("长沙县农业局", 1),
    ("长沙县水务局", 1),
    ("长沙县卫生和计划生育局", 2),
    ("长沙县民政局", 1),
    ("长沙县司法局", 1),
    ("长沙县审计局", 1),
    ("长沙县统计局", 1),
    ("长沙县环境保护局", 1),
    ("长沙县商务局", 1),
    ("长沙县城市管理和行政执法局", 1),
    ("长沙县公安局", 3),
    ("长沙县人民法院", 1),
    ("长沙县人民检察院", 1),
)

#: The six commitments of the 王家垅社区 agreement.
WJL_CLAUSES = "党建共商、事务共管、资源共享、文明共创、难题共解、活动共办"


# --- the loader -----------------------------------------------------------------------------


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _short(street_name: str) -> str:
    """东风路街道 → 东风路, 金井镇 → 金井."""
    for suffix in ("街道", "镇", "乡"):
        if street_name.endswith(suffix):
            return street_name[: -len(suffix)]
    return street_name


@dataclass
class _Loader:
    actor: User
    rng: random.Random
    progress: Callable[[str], None]
    counts: Counter[str] = field(default_factory=Counter)
    parent_of: dict[int, int] = field(default_factory=dict)
    org_of: dict[int, PartyOrg] = field(default_factory=dict)
    by_name: dict[str, Area] = field(default_factory=dict)
    units_by_name: dict[str, ResidentUnit] = field(default_factory=dict)
    streets_of: dict[str, list[Area]] = field(default_factory=dict)
    communities_of: dict[int, list[Area]] = field(default_factory=dict)
    district_of: dict[int, DistrictPlan] = field(default_factory=dict)
    generated_units: dict[int, list[ResidentUnit]] = field(default_factory=dict)  # street pk → units
    unit_orgs: dict[int, PartyOrg] = field(default_factory=dict)  # unit pk → its Party organisation
    used_seeds: set[int] = field(default_factory=set)
    phone_serial: int = 0

    # -- building blocks ---------------------------------------------------------------------

    def area(
        self,
        parent: Area | None,
        name: str,
        level: int,
        kind_label: str,
        *,
        code: str = "",
        old_compound: bool = False,
    ) -> Area:
        area = org_services.area_create(
            actor=self.actor,
            parent=parent,
            name=name,
            level=level,
            code=code,
            kind_label=kind_label,
            old_compound=old_compound,
            since=MAP_SINCE,
        )
        if parent is not None:
            self.parent_of[area.pk] = parent.pk
        if level <= Level.COMMUNITY:
            assert name not in self.by_name, f"demo names of streets and communities are unique: {name}"
            self.by_name[name] = area
        self.counts[f"areas.{Level(level).name.lower()}"] += 1
        return area

    def _parent_org(self, area: Area) -> PartyOrg | None:
        pk: int | None = self.parent_of.get(area.pk)
        while pk is not None:
            if pk in self.org_of:
                return self.org_of[pk]
            pk = self.parent_of.get(pk)
        return None

    def org(
        self, area: Area, name: str, kind: str, *, since: dt.date | None = None, secretary: str = ""
    ) -> PartyOrg:
        """The territorial Party organisation of ``area``, under the nearest one above it."""
        org = org_services.party_org_create(
            actor=self.actor,
            name=name,
            kind=kind,
            code=f"PO{area.code}",
            area=area,
            parent=self._parent_org(area),
            secretary=secretary,
            since=since or MAP_SINCE,
        )
        self.org_of[area.pk] = org
        self.counts[f"orgs.{kind}"] += 1
        return org

    def _seed(self) -> int:
        while True:
            seed = self.rng.randrange(10_000_000, 100_000_000)
            if seed not in self.used_seeds:
                self.used_seeds.add(seed)
                return seed

    def unit(self, plan: UnitPlan, area: Area, district: DistrictPlan) -> ResidentUnit:
        """A resident unit with its own Party organisation."""
        assert plan.name not in self.units_by_name, f"demo unit names are unique: {plan.name}"
        area_code = district.code if district.code.isdigit() else CITY[1]
        self.phone_serial += 1
        lat = Decimal(str(district.centre[0] + self.rng.uniform(-0.03, 0.03))).quantize(Decimal("0.000001"))
        lng = Decimal(str(district.centre[1] + self.rng.uniform(-0.03, 0.03))).quantize(Decimal("0.000001"))
        unit = org_services.unit_create(
            actor=self.actor,
            name=plan.name,
            credit_code=names.credit_code(self._seed(), area_code, names.KIND_PREFIX[plan.kind]),
            kind=plan.kind,
            rank=plan.rank,
            area=area,
            address="".join(a.name for a in [*Area.objects.get_ancestors(area), area]),
            lat=lat,
            lng=lng,
            contact_name="党建联络员",
            contact_phone=names.fake_phone(self.phone_serial),
            incubator=plan.incubator,
            hosted_firms=plan.hosted_firms,
            since=MAP_SINCE,
        )
        self.unit_orgs[unit.pk] = org_services.party_org_create(
            actor=self.actor,
            name=plan.org_name,
            kind=plan.org_kind,
            code=f"PU{unit.credit_code}",
            unit=unit,
            since=MAP_SINCE,
        )
        self.units_by_name[plan.name] = unit
        self.counts["units"] += 1
        self.counts[f"orgs.{plan.org_kind}"] += 1
        return unit

    def alliance(
        self,
        *,
        name: str,
        level: str,
        convener: PartyOrg,
        members: Iterable[ResidentUnit],
        since: dt.date,
        description: str = "",
        title: str = "党组织负责人",
    ) -> Alliance:
        alliance = org_services.alliance_create(
            actor=self.actor, name=name, level=level, convener=convener, description=description, since=since
        )
        for unit in members:
            org_services.alliance_member_add(
                actor=self.actor, alliance=alliance, unit=unit, representative_title=title, since=since
            )
            self.counts["alliance_members"] += 1
        self.counts["alliances"] += 1
        return alliance

    # -- the map -----------------------------------------------------------------------------

    def build_map(self) -> None:
        city = self.area(None, CITY[0], Level.CITY, CITY[2], code=CITY[1])
        self.org(city, CITY[3], "committee")
        taken = {n.removesuffix("社区").removesuffix("村") for n in NAMED_COMMUNITY_ORGS}
        place_words = names.place_words(self.rng, exclude=taken)
        for plan in DISTRICTS:
            self.progress(f"{plan.name}…")
            district = self.area(city, plan.name, Level.DISTRICT, plan.kind_label, code=plan.code)
            self.org(district, plan.org_name, plan.org_kind, secretary=plan.secretary)
            self.district_of[district.pk] = plan
            self.streets_of[plan.name] = []
            for street_name, street_kind, named in plan.streets:
                street = self.area(district, street_name, Level.STREET, street_kind)
                self.district_of[street.pk] = plan
                self.streets_of[plan.name].append(street)
                self.org(
                    street,
                    f"{street_name}党工委" if street_kind == "街道" else f"{street_name}党委",
                    "working_committee" if street_kind == "街道" else "committee",
                )
                self.communities_of[street.pk] = []
                for community_name in self._community_names(street_name, street_kind, named, place_words):
                    self._community(street, community_name)

    def _community_names(
        self, street_name: str, street_kind: str, named: tuple[str, ...], pool: list[str]
    ) -> list[str]:
        out = list(named)
        villages = {"镇": COMMUNITIES_PER_STREET - 1, "长龙街道": 2}.get(
            street_kind if street_kind == "镇" else street_name, 0
        )
        villages -= sum(1 for n in named if n.endswith("村"))
        while len(out) < COMMUNITIES_PER_STREET:
            word = pool.pop()
            if villages > 0:
                out.append(f"{word}村")
                villages -= 1
            else:
                out.append(f"{word}社区")
        return out

    def _community(self, street: Area, name: str) -> Area:
        village = name.endswith("村")
        community = self.area(street, name, Level.COMMUNITY, "村" if village else "社区")
        self.communities_of[street.pk].append(community)
        if name in NAMED_COMMUNITY_ORGS:
            org_name, org_kind = NAMED_COMMUNITY_ORGS[name]
        elif village:
            org_kind = self.rng.choice(["committee", "general_branch"])
            org_name = f"{name}{'党委' if org_kind == 'committee' else '党总支'}"
        else:
            org_kind = self.rng.choice(["committee", "committee", "general_branch"])
            org_name = f"{name}{'党委' if org_kind == 'committee' else '党总支'}"
        self.org(community, org_name, org_kind)
        return community

    # -- compounds and buildings ---------------------------------------------------------------

    def build_compounds(self) -> None:
        words = names.compound_words(self.rng)
        for street_list in self.streets_of.values():
            for street in street_list:
                if street.name == "淮川街道":
                    continue  # built to the article's figures by build_huaichuan()
                for community in self.communities_of[street.pk]:
                    if community.name == "王家垅社区":
                        self._wangjialong(community)
                    elif community.name == "湘峰村":
                        self._village(community, ["东组", "西组", "南组", "北组"])
                    elif community.name.endswith("村"):
                        count = self.rng.randint(3, 6)
                        self._village(community, [f"{names.numeral(i)}组" for i in range(1, count + 1)])
                    else:
                        for _ in range(self.rng.randint(2, 4)):
                            self._compound(community, words.pop(), "小区", old=self.rng.random() < 0.3)

    def _village(self, village: Area, groups: list[str]) -> None:
        for group in groups:
            self.area(village, group, Level.COMPOUND, "村民小组")

    def _compound(
        self,
        community: Area,
        name: str,
        kind_label: str,
        *,
        old: bool,
        branch: bool | None = None,
        buildings: int | None = None,
    ) -> Area:
        compound = self.area(community, name, Level.COMPOUND, kind_label, old_compound=old)
        has_branch = self.rng.random() < 0.6 if branch is None else branch
        if has_branch:
            self.org(
                compound,
                f"{name}党支部",
                "branch",
                since=_day(self.rng, dt.date(2008, 1, 1), dt.date(2017, 12, 31)),
            )
        for n in range(1, (self.rng.randint(1, 3) if buildings is None else buildings) + 1):
            building = self.area(compound, f"{n}栋", Level.BUILDING, "楼栋")
            if has_branch and self.rng.random() < 0.35:
                self.org(building, f"{name}{n}栋党小组", "group", since=dt.date(2018, 1, 1))
        return compound

    def _wangjialong(self, community: Area) -> None:
        """王家垅社区, an old community: courtyards with courtyard Party branches (30号, 43号, 76号 …)."""
        for number, branch in (("9", False), ("30", True), ("43", True), ("61", False), ("76", True)):
            name = f"{number}号庭院"
            compound = self.area(community, name, Level.COMPOUND, "庭院", old_compound=True)
            if branch:
                self.org(compound, f"{name}党支部", "branch", since=dt.date(2016, 7, 1))
            for n in range(1, self.rng.randint(2, 4) + 1):
                building = self.area(compound, f"{n}栋", Level.BUILDING, "楼栋")
                if branch and n == 1:
                    self.org(building, f"{name}{n}栋党小组", "group", since=dt.date(2017, 3, 1))

    def build_huaichuan(self) -> None:
        """淮川街道 (浏阳市): 371 old compounds, 75 with a Party branch, 88 buildings with a Party group,
        all set up in the three years before the article."""
        self.progress("淮川街道: 371 old compounds…")
        street = self.by_name["淮川街道"]
        communities = self.communities_of[street.pk]
        named = ["石板巷", "财富新世界"]
        generated = names.old_compound_names(self.rng, HUAICHUAN_COMPOUNDS - len(named), exclude=named)
        # 朝阳社区 (the first) takes the remainder; the others an even share.
        share = HUAICHUAN_COMPOUNDS // len(communities)
        sizes = [HUAICHUAN_COMPOUNDS - share * (len(communities) - 1)] + [share] * (len(communities) - 1)
        all_names = named + generated
        with_branch = {"财富新世界", *self.rng.sample(generated, HUAICHUAN_BRANCHES - 1)}
        group_compounds = sorted(with_branch)
        self.rng.shuffle(group_compounds)
        # every branch compound has one building group; some have two, to make 88
        groups_in = dict.fromkeys(group_compounds, 1)
        for name in group_compounds[: HUAICHUAN_GROUPS - HUAICHUAN_BRANCHES]:
            groups_in[name] = 2
        start, end = dt.date(2015, 9, 1), dt.date(2018, 8, 31)
        position = 0
        for community, size in zip(communities, sizes, strict=True):
            for name in all_names[position : position + size]:
                kind_label = "网格" if name == "石板巷" else "小区"
                compound = self.area(community, name, Level.COMPOUND, kind_label, old_compound=True)
                if name not in with_branch:
                    continue
                since = _day(self.rng, start, end - dt.timedelta(days=60))
                self.org(compound, f"{name}党支部", "branch", since=since)
                groups = groups_in[name]
                for n in range(1, groups + self.rng.randint(0, 2) + 1):
                    building = self.area(compound, f"{n}栋", Level.BUILDING, "楼栋")
                    if n <= groups:
                        self.org(building, f"{name}{n}栋党小组", "group", since=_day(self.rng, since, end))
            position += size
        assert position == HUAICHUAN_COMPOUNDS

    def build_qingshuitang_buildings(self) -> None:
        """清水塘街道, in the CBD: 27 commercial buildings (商务楼宇), some with a joint Party branch."""
        street = self.by_name["清水塘街道"]
        communities = self.communities_of[street.pk]
        first = "锦华瑞盛嘉恒泰鑫汇通隆兴"
        second = ("大厦", "国际中心", "广场", "金融中心", "商务楼")
        pool = [a + b + c for a in first for b in first if a != b for c in second]
        self.rng.shuffle(pool)
        for i in range(QINGSHUITANG_BUILDINGS):
            community = communities[i % len(communities)]
            building = self.area(community, pool[i], Level.BUILDING, "商务楼宇")
            if i % 2 == 0:
                self.org(building, f"{pool[i]}楼宇联合党支部", "joint_branch", since=dt.date(2017, 5, 1))

    # -- resident units ----------------------------------------------------------------------

    def _district(self, area: Area) -> DistrictPlan:
        pk: int | None = area.pk
        while pk is not None:
            if pk in self.district_of:
                return self.district_of[pk]
            pk = self.parent_of.get(pk)
        raise KeyError(area.name)

    def place(self, plan: UnitPlan, area: Area) -> ResidentUnit:
        return self.unit(plan, area, self._district(area))

    def build_named_units(self) -> None:
        self.progress("units the article names…")
        for plan in WANGJIALONG_UNITS:
            self.place(plan, self.by_name["王家垅社区"])
        for plan in FUYAPING_UNITS:
            self.place(plan, self.by_name["富雅坪社区"])
        for plan in JIANSHANHU_UNITS:
            self.place(plan, self.by_name["尖山湖社区"])
        self.place(WRITERS, self.by_name["银星社区"])
        writers_org = PartyOrg.objects.get(unit=self.units_by_name[WRITERS.name])
        for n in range(1, 6):  # 省作协机关党委的5个支部
            org_services.party_org_create(
                actor=self.actor,
                name=f"湖南省作家协会机关第{names.numeral(n)}党支部",
                kind="branch",
                code=f"{writers_org.code}-{n}",
                unit=self.units_by_name[WRITERS.name],
                parent=writers_org,
                since=MAP_SINCE,
            )
            self.counts["orgs.branch"] += 1
        self.place(JINFURONG, self.by_name["朝阳社区"])
        # 岳麓区: universities and the other named members of the first joint meeting sit in its streets
        yuelu_communities = [
            c for s in self.streets_of["岳麓区"] if s.name != "银盆岭街道" for c in self.communities_of[s.pk]
        ]
        for i, plan in enumerate(YUELU_NAMED):
            self.place(plan, yuelu_communities[(i * 2) % len(yuelu_communities)])
        # 清水塘街道: the named provincial units, generated ones to 22, and 长沙银行 in a CBD building
        qst = self.communities_of[self.by_name["清水塘街道"].pk]
        provincial = list(QINGSHUITANG_NAMED)
        pool = [f"湖南省{f}{b}" for f in names.UNIT_FIELDS for b in names.UNIT_BODIES]
        self.rng.shuffle(pool)
        while len(provincial) < QINGSHUITANG_PROVINCIAL:
            unit_name = pool.pop()
            if unit_name in self.units_by_name:
                continue
            kind = "committee" if self.rng.random() < 0.5 else "general_branch"
            provincial.append(
                UnitPlan(
                    unit_name,
                    "institution",
                    "provincial",
                    f"{unit_name}{'机关党委' if kind == 'committee' else '党总支'}",
                    kind,
                )
            )
        for i, plan in enumerate(provincial):
            self.place(plan, qst[i % len(qst)])
        cbd = Area.objects.filter(path__startswith=self.by_name["清水塘街道"].path, kind_label="商务楼宇")
        self.place(CHANGSHA_BANK, cbd.order_by("path").first() or qst[0])

    def build_generated_units(self) -> None:
        """A few generated units in the other communities: schools, clinics, firms, social groups."""
        self.progress("generated units…")
        skip = {"王家垅社区", "尖山湖社区"}
        words = names.compound_words(self.rng)
        for district_name, streets in self.streets_of.items():
            plan_district = next(p for p in DISTRICTS if p.name == district_name)
            town = {"浏阳市": "浏阳", "宁乡市": "宁乡"}.get(district_name, "长沙")
            for street in streets:
                self.generated_units[street.pk] = []
                for community in self.communities_of[street.pk]:
                    if community.name in skip:
                        continue
                    low = 1 if district_name == "岳麓区" else 0
                    for _ in range(self.rng.randint(low, 2)):
                        plan = self._generated_plan(plan_district, street, community, town, words)
                        if plan is None:
                            continue
                        self.generated_units[street.pk].append(self.place(plan, community))

    def build_county_organs(self) -> list[tuple[ResidentUnit, int]]:
        """长沙县's government organs, each with its 机关党委 (or 党总支), in the county seat's streets."""
        self.progress(f"长沙县: {len(COUNTY_ORGANS)} government organs…")
        county = next(p for p in DISTRICTS if p.name == "长沙县")
        seats = [
            c
            for s in self.streets_of["长沙县"]
            if s.name in {"松雅街道", "长龙街道"}
            for c in self.communities_of[s.pk]
            if not c.name.endswith("村")
        ]
        out: list[tuple[ResidentUnit, int]] = []
        for i, (name, weight) in enumerate(COUNTY_ORGANS):
            org_kind = "committee" if weight > 1 or i % 3 else "general_branch"
            suffix = "机关党委" if org_kind == "committee" else "机关党总支"
            plan = UnitPlan(name, "organ", "district", f"{name}{suffix}", org_kind)
            out.append((self.unit(plan, seats[i % len(seats)], county), weight))
        return out

    def _generated_plan(
        self, district: DistrictPlan, street: Area, community: Area, town: str, words: list[str]
    ) -> UnitPlan | None:
        w = words.pop()[:2]
        short = _short(street.name)
        village = community.name.endswith("村")
        options: list[tuple[str, str, str, str]] = [
            # (name, kind, rank, Party organisation suffix)
            (f"{town}{w}科技有限公司", "private", "none", "党支部"),
            (f"湖南{w}物业服务有限公司", "private", "none", "党支部"),
            (f"{town}{w}商贸有限公司", "private", "none", "党支部"),
            (
                f"{community.name[:-2] if not village else community.name[:-1]}社会工作服务站",
                "social",
                "none",
                "党支部",
            ),
            (f"{town}市{w}志愿服务协会", "social", "none", "联合党支部"),
            (f"{district.name}{w}小学", "institution", "district", "党支部"),
            (f"{short}社区卫生服务中心", "institution", "district", "党支部"),
            (f"{short}派出所", "organ", "district", "党支部"),
            (f"{short}市场监管所", "organ", "district", "党支部"),
            (f"{town}{w}建设投资有限公司", "soe", "municipal", "党委"),
            (f"{district.name}{w}医院", "hospital", "district", "党总支"),
        ]
        if village:
            options = [o for o in options if o[1] in {"private", "social", "institution"}]
        self.rng.shuffle(options)
        for name, kind, rank, suffix in options:
            if name in self.units_by_name:
                continue
            org_kind = {
                "党支部": "branch",
                "联合党支部": "joint_branch",
                "党委": "committee",
                "党总支": "general_branch",
            }[suffix]
            return UnitPlan(name, kind, rank, f"{name}{suffix}", org_kind)
        return None

    # -- alliances ---------------------------------------------------------------------------

    def build_alliances(self) -> None:
        self.progress("alliances…")
        u = self.units_by_name
        wjl = self.by_name["王家垅社区"]
        self.alliance(
            name="王家垅社区区域化党建联盟",
            level="community",
            convener=self.org_of[wjl.pk],
            members=[u[p.name] for p in WANGJIALONG_UNITS],
            since=dt.date(2018, 8, 28),
            description=(
                "开福区首个区域化党建联盟，签约仪式在东风路街道举行。王家垅社区党委与省民政厅、"
                f"市星城公证处、东风路派出所协议“{WJL_CLAUSES}”，以组织共建、队伍共管、阵地共用的方式"
                "共同开展基层治理。（签约日期为演示数据）"
            ),
            title="党组织书记",
        )
        yuelu = "岳麓区"
        yuelu_generated = [
            unit
            for street in self.streets_of[yuelu]
            for unit in self.generated_units[street.pk]
            if unit.kind != "private"
        ]
        named = [u[p.name] for p in YUELU_NAMED] + [u[WRITERS.name]]
        members = named + yuelu_generated[: YUELU_MEETING_UNITS - len(named)]
        assert len(members) == YUELU_MEETING_UNITS
        yuelu_area = self.by_name[yuelu]
        self.alliance(
            name="岳麓区区域化党建联席会议",
            level="district",
            convener=self.org_of[yuelu_area.pk],
            members=members,
            since=dt.date(2018, 6, 16),
            description=(
                "2018年6月16日召开岳麓区区域化党建第一次联席会议，区委书记担任召集人，"
                "12家驻区单位党组织参加。联席单位承诺组织100余名教授、专家到基层讲课，"
                "1500余名志愿者下沉社区开展公益服务。"
            ),
            title="党委负责人",
        )
        jsh = self.by_name["尖山湖社区"]
        self.alliance(
            name="尖山湖社区“大服务”党支部联席会议",
            level="community",
            convener=self.org_of[jsh.pk],
            members=[u[p.name] for p in JIANSHANHU_UNITS],
            since=dt.date(2018, 3, 15),
            description=(
                "社区党委牵头，各园区、企业党组织共同参加党员培训、参加辖区劳动，"
                "建立“大服务”党支部联席会议制度。（成立日期为演示数据）"
            ),
        )
        qst = self.by_name["清水塘街道"]
        qst_units = ResidentUnit.objects.filter(area__path__startswith=qst.path).order_by("pk")
        self.alliance(
            name="清水塘街道“大工委”",
            level="street",
            convener=self.org_of[qst.pk],
            members=[*qst_units.filter(rank="provincial"), u[CHANGSHA_BANK.name]],
            since=dt.date(2017, 3, 1),
            description=(
                "街道“大工委”牵头，把驻区单位、企业、社会组织的各种力量充分吸纳到一个“兵团”。"
                "2016年荣膺长沙市“十快”街道，2017年挺进全市“十强”。（成立日期为演示数据）"
            ),
            title="兼职委员",
        )
        fyp = self.by_name["富雅坪社区"]
        self.alliance(
            name="富雅坪社区区域化党建联盟",
            level="community",
            convener=self.org_of[fyp.pk],
            members=[u[p.name] for p in FUYAPING_UNITS],
            since=dt.date(2018, 4, 20),
            description="以区域化党建盘活优质医疗资源，居民在家门口预约名医。（成立日期为演示数据）",
        )
        # Generated: streets outside 岳麓区 convened joint meetings later in 2018, as the article
        # announces ("今年以内…全部架构起…联席会议制度").
        done = {"东风路街道", "清水塘街道", "望麓园街道", "东方红街道"}
        for district_name, streets in self.streets_of.items():
            if district_name == "岳麓区":
                continue
            for street in streets:
                units = self.generated_units.get(street.pk, [])
                if street.name in done or len(units) < 2:
                    continue
                self.alliance(
                    name=f"{street.name}区域化党建联席会议",
                    level="street",
                    convener=self.org_of[street.pk],
                    members=units[:8],
                    since=_day(self.rng, dt.date(2018, 9, 10), dt.date(2018, 12, 28)),
                )

    # -- accounts ----------------------------------------------------------------------------

    def build_accounts(self) -> None:
        self.progress("demo accounts…")
        for account in DEMO_ACCOUNTS[1:]:
            user = user_create(
                actor=self.actor,
                username=account.username,
                password=DEMO_PASSWORD,
                display_name=account.display_name,
            )
            if account.role == RoleKind.UNIT_LIAISON:
                role_grant(
                    actor=self.actor, user=user, kind=account.role, unit=self.units_by_name[account.where]
                )
            else:
                role_grant(actor=self.actor, user=user, kind=account.role, area=self.by_name[account.where])
            self.counts["users"] += 1


# --- clearing -------------------------------------------------------------------------------


def _domain_models() -> list[type[models.Model]]:
    """Every table of the platform's own apps (the map, accounts, the audit log …), plus API tokens
    and sessions: what ``--reset`` empties. Django's own bookkeeping (migrations, content types,
    permissions) stays."""
    chosen: list[type[models.Model]] = []
    for model in apps.get_models(include_auto_created=True):
        app = model._meta.app_config
        if app is not None and (
            app.name.startswith("gongjian.")
            or app.label in {"authtoken", "sessions", "otp_totp", "otp_static"}
        ):
            chosen.append(model)
    # children before parents, so the order works even where a foreign key is not deferred
    ordered: list[type[models.Model]] = []
    pending = set(chosen)

    def refers_to(model: type[models.Model]) -> set[type[models.Model]]:
        out: set[type[models.Model]] = set()
        for f in model._meta.get_fields():
            target = getattr(f, "related_model", None)
            if (
                getattr(f, "concrete", False)
                and f.is_relation
                and isinstance(target, type)
                and target is not model
            ):
                out.add(target)
        return out

    while pending:
        referenced = {t for m in pending for t in refers_to(m)}
        leaves = sorted((m for m in pending if m not in referenced), key=lambda m: m._meta.db_table)
        if not leaves:  # a cycle: the deferred foreign keys cope
            leaves = sorted(pending, key=lambda m: m._meta.db_table)
        ordered.extend(leaves)
        pending.difference_update(leaves)
    return ordered


def clear_all() -> dict[str, int]:
    """Empty the platform's tables, including the append-only audit log and its head row: a reset
    starts a new log (the old chain cannot be continued without its entries). Raw SQL, because the
    audit models refuse deletes through the ORM."""
    existing = set(connection.introspection.table_names())
    removed: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for model in _domain_models():
            table = model._meta.db_table
            if table not in existing:
                continue
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from the app registry
            if cursor.rowcount:
                removed[table] = cursor.rowcount
    return removed


# --- entry points ---------------------------------------------------------------------------


def status() -> str:
    """``empty`` when the map has no area, else ``loaded``."""
    return "loaded" if Area.objects.exists() else "empty"


def _quiet(_message: str) -> None:
    return None


def load_demo(*, reset: bool = False, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Load the Changsha 2018 scenario; with ``reset``, empty the platform's tables first.

    One transaction: a failure leaves the database as it was. Returns what was written, and how
    long it took (``seconds``).
    """
    started = time.monotonic()
    say = progress or _quiet
    # the figures are counted once at the end, from the rows, rather than after every write
    with transaction.atomic(), tally.suspended():
        cleared: dict[str, int] = {}
        if reset:
            say("emptying the platform's tables (the audit log starts anew)…")
            cleared = clear_all()
            audit_checkpoints_restart()
        elif Area.objects.exists():
            raise DemoError(
                f"The database already holds {Area.objects.count()} areas. Loading the demo on top would "
                "mix it with them: run 'gongjian demo --reset' to delete all data and load the demo."
            )
        taken = sorted(
            User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list(
                "username", flat=True
            )
        )
        if taken:
            raise DemoError(
                f"The demo accounts {', '.join(taken)} already exist. Run 'gongjian demo --reset' to delete "
                "all data and load the demo."
            )
        admin_account = DEMO_ACCOUNTS[0]
        admin = user_create(
            actor=None,
            username=admin_account.username,
            password=DEMO_PASSWORD,
            display_name=admin_account.display_name,
            is_superuser=True,
        )
        loader = _Loader(actor=admin, rng=random.Random(SEED), progress=say)
        loader.counts["users"] += 1
        loader.build_map()
        loader.build_compounds()
        loader.build_huaichuan()
        loader.build_qingshuitang_buildings()
        loader.build_named_units()
        loader.build_generated_units()
        loader.build_alliances()
        loader.build_accounts()
        organs = loader.build_county_organs()
        build_ledgers(loader, organs)
        build_cobuild(loader)
        build_lists(loader)
        build_service(loader)
        build_appeals(loader)
        build_honours(loader)
        say("counting the figures…")
        tally.rebuild()
    refresh_statistics()
    result: dict[str, Any] = dict(sorted(loader.counts.items()))
    result["cleared_rows"] = sum(cleared.values())
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


@dataclass(frozen=True)
class AccountRow:
    username: str
    display_name: str
    role: str
    where: str
    password: str


def demo_accounts() -> list[AccountRow]:
    """The demo accounts that exist, with their role and where it is held."""
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    rows: list[AccountRow] = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        if user.is_superuser:
            rows.append(AccountRow(user.username, user.display_name, "superuser", "全部", DEMO_PASSWORD))
            continue
        for role in Role.objects.filter(user=user, active=True).select_related("area", "unit"):
            where = role.unit.name if role.unit is not None else (role.area.name if role.area else "")
            rows.append(AccountRow(user.username, user.display_name, role.kind, where, DEMO_PASSWORD))
    return rows
