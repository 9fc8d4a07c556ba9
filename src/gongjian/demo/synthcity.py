"""The synthetic city of the domain guide §7: benchmarks and capacity planning.

``city``: 10 districts, 180 streets, 1,800 communities, 12,000 compounds (each with buildings),
40,000 Party organisations, 20,000 resident units and 600,000 members; ``small`` is about 1/100
of it, for tests. Everything is generated from a seed (same seed, same city) and written fast:
areas with their materialised paths computed here (treebeard's ``path``, ``depth``, ``numchild``)
and bulk-inserted, units and organisations bulk-inserted, members through
``members.bulk.members_insert`` (sealed, indexed, audited per batch). The members can also be
written as an .xlsx (XlsxWriter in constant-memory mode) and a CSV in the ledger workbook's
columns, ready for ``members.importexport.import_ledger`` (``map_only`` leaves them out of the
database, which is what the import benchmark needs).

Nothing here is a person: names come from pools, ID numbers get valid check characters (every
one passes ``stdnum.cn.ric.validate``: the region code is valid for the birth year) and are made
at run time, phones are 138000xxxxx. The generated files hold clear synthetic ID numbers: keep them
out of the repository (the default folder is ``var/synth``).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from django.db import transaction
from django.utils import timezone
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from gongjian.accounts.actor import Actor
from gongjian.accounts.models import User
from gongjian.accounts.services import user_create
from gongjian.core.audit import audit_record
from gongjian.core.bulkwrite import refresh_statistics
from gongjian.core.events import Event
from gongjian.core.synthetic import credit_code, fake_phone, id_number, person_name
from gongjian.core.text import initials, search_key
from gongjian.members import bulk
from gongjian.members.models import Category, Education, MemberStatus, Standing
from gongjian.orgs.models import Area, Level, PartyOrg, PartyOrgKind, ResidentUnit, UnitKind, UnitRank

CITY_CODE = "990100"  # province code 99 does not exist: obviously synthetic
CITY_NAME = "合成市"
SINCE = dt.date(2015, 1, 1)
BATCH = 5000


@dataclass(frozen=True)
class Scale:
    """What a scale promises, and builds exactly."""

    name: str
    districts: int
    streets: int
    communities: int
    compounds: int
    buildings_per_compound: int
    units: int
    orgs: int
    members: int

    @property
    def buildings(self) -> int:
        return self.compounds * self.buildings_per_compound

    @property
    def building_groups(self) -> int:
        """Party groups on buildings: the organisations left after the territorial and unit ones."""
        return self.orgs - (self.districts + self.streets + self.communities + self.compounds + self.units)

    def counts(self) -> dict[str, int]:
        return {
            "districts": self.districts,
            "streets": self.streets,
            "communities": self.communities,
            "compounds": self.compounds,
            "buildings": self.buildings,
            "party_orgs": self.orgs,
            "units": self.units,
            "members": self.members,
        }


SCALES = {
    "city": Scale("city", 10, 180, 1800, 12000, 4, 20000, 40000, 600_000),
    "small": Scale("small", 2, 6, 18, 120, 4, 200, 400, 6000),
}

# --- pools ------------------------------------------------------------------------------------

_FIRST = "金银新东西南北青桂松枫荷湘丽嘉和安康泰福锦翠华景怡雅馨悦盛瑞晨紫蓝碧"
_SECOND = "桥湖园塘岭坪山湾林洲苑港井源田城府轩庭居"
_UNIT_FIELDS = (
    "信息",
    "科技",
    "建设",
    "物流",
    "医药",
    "文化",
    "教育",
    "环境",
    "能源",
    "食品",
    "机械",
    "电子",
)
_UNIT_KINDS: tuple[tuple[str, str, str, float], ...] = (
    # kind, credit-code prefix, name ending, share
    (UnitKind.PRIVATE, "91", "有限公司", 0.45),
    (UnitKind.SOCIAL, "51", "协会", 0.10),
    (UnitKind.SOE, "91", "集团有限公司", 0.10),
    (UnitKind.INSTITUTION, "12", "服务中心", 0.15),
    (UnitKind.ORGAN, "11", "管理局", 0.08),
    (UnitKind.UNIVERSITY, "12", "学院", 0.02),
    (UnitKind.HOSPITAL, "12", "医院", 0.10),
)
_ETHNICITIES = (
    ("汉族", 0.90),
    ("土家族", 0.04),
    ("苗族", 0.03),
    ("侗族", 0.015),
    ("瑶族", 0.01),
    ("回族", 0.005),
)
#: Birthplaces of ID numbers (长沙 and around); those not valid in a birth year are skipped.
_BIRTHPLACES = ("430121", "430102", "430103", "430104", "430105", "430111", "430181", "430124", "430112")
_EDUCATION_LABELS = {
    Education.POSTGRADUATE: "研究生",
    Education.BACHELOR: "大学本科",
    Education.COLLEGE: "大学专科",
    Education.SECONDARY: "中专",
    Education.HIGH_SCHOOL: "高中",
    Education.BELOW: "初中及以下",
}
_LEDGER_LABELS = {
    Category.DIRECT: "直管",
    Category.IN_SERVICE: "在职",
    Category.MOBILE: "流动",
    Category.RETIRED: "离退休",
}
_STATUS_LABELS = {
    MemberStatus.NORMAL: "正常",
    MemberStatus.SUSPENDED: "停止党籍",
    MemberStatus.DECEASED: "去世",
    MemberStatus.TRANSFERRED_OUT: "转出",
}
#: The ledger workbook's columns written to the files (系统编号 belongs to one database: left out).
FILE_HEADERS = (
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号",
    "联系电话",
    "学历",
    "入党时间",
    "党员类型",
    "党籍状态",
    "所在党组织代码",
    "居住区划代码",
    "工作单位信用代码",
    "工作单位名称",
    "台账类别",
    "困难党员",
    "失联党员",
    "志愿者编号",
)


def _split(total: int, parts: int) -> list[int]:
    """``total`` spread over ``parts`` as evenly as whole numbers allow."""
    return [total * (i + 1) // parts - total * i // parts for i in range(parts)]


def _pick(rng: random.Random, table: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    roll = rng.random()
    for item in table:
        roll -= item[-1]
        if roll < 0:
            return item
    return table[0]


# --- the build --------------------------------------------------------------------------------


@dataclass
class Built:
    """What a build made, and where the files went."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Place:
    community: Area
    compounds: list[Area]
    buildings: dict[int, list[Area]]  # compound pk -> its buildings
    committee: PartyOrg
    branches: dict[int, PartyOrg]  # compound pk -> branch
    groups: dict[int, PartyOrg]  # building pk -> group


class SynthError(Exception):
    pass


def synth_actor() -> User:
    """The platform administrator the synthetic city is written by (one is created if none exists)."""
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        user = user_create(
            actor=None, username="synth", password=secrets.token_urlsafe(32), is_superuser=True
        )
    return user


class CityBuilder:
    def __init__(
        self,
        scale: Scale,
        *,
        seed: int = 20231231,
        say: Callable[[str], None] = lambda text: None,
        actor: Actor | None = None,
    ) -> None:
        self.scale = scale
        self.seed = seed
        self.rng = random.Random(seed)
        self.say = say
        self.actor = actor or synth_actor()
        self.built = Built()
        self.today = timezone.localdate()
        self.places: list[_Place] = []
        self.unit_orgs: list[tuple[ResidentUnit, PartyOrg]] = []

    # -- areas --

    def _name(self, suffix: str) -> str:
        return self.rng.choice(_FIRST) + self.rng.choice(_SECOND) + suffix

    def build_map(self) -> None:
        if Area.objects.filter(code=CITY_CODE).exists():
            raise SynthError(f"the synthetic city ({CITY_CODE}) is already in this database")
        started = time.perf_counter()
        scale = self.scale
        last = Area.objects.get_last_root_node()
        root_step = Area._str2int(last.path[: Area.steplen]) + 1 if last is not None else 1
        areas: list[Area] = []

        def node(parent: Area | None, step: int, **fields: Any) -> Area:
            path = Area._get_path(parent.path if parent else None, (parent.depth + 1) if parent else 1, step)
            area = Area(
                path=path, depth=(parent.depth + 1) if parent else 1, numchild=0, since=SINCE, **fields
            )
            area.name_key = search_key(area.name)[:120]
            area.initials = initials(area.name)[:120]
            if parent is not None:
                parent.numchild += 1
            areas.append(area)
            return area

        city = node(None, root_step, name=CITY_NAME, code=CITY_CODE, level=Level.CITY, kind_label="市")
        districts = [
            node(
                city,
                i + 1,
                name=self._name("区"),
                code=f"{CITY_CODE[:4]}{i + 1:02d}",
                level=Level.DISTRICT,
                kind_label="区",
            )
            for i in range(scale.districts)
        ]
        streets: list[Area] = []
        for district, n in zip(districts, _split(scale.streets, scale.districts), strict=True):
            for j in range(n):
                streets.append(
                    node(
                        district,
                        j + 1,
                        name=self._name("街道"),
                        code=f"{district.code}{j + 1:03d}",
                        level=Level.STREET,
                        kind_label="街道",
                    )
                )
        communities: list[Area] = []
        for street, n in zip(streets, _split(scale.communities, scale.streets), strict=True):
            for j in range(n):
                communities.append(
                    node(
                        street,
                        j + 1,
                        name=self._name("社区"),
                        code=f"{street.code}{j + 1:03d}",
                        level=Level.COMMUNITY,
                        kind_label="社区",
                    )
                )
        compound_of: dict[str, list[Area]] = {}
        building_of: dict[str, list[Area]] = {}
        for community, n in zip(communities, _split(scale.compounds, scale.communities), strict=True):
            compound_of[community.code] = []
            for j in range(n):
                compound = node(
                    community,
                    j + 1,
                    name=self._name("小区"),
                    code=f"{community.code}-{j + 1:03d}",
                    level=Level.COMPOUND,
                    kind_label="小区",
                    old_compound=self.rng.random() < 0.3,
                )
                compound_of[community.code].append(compound)
                building_of[compound.code] = [
                    node(
                        compound,
                        k + 1,
                        name=f"{k + 1}栋",
                        code=f"{compound.code}-{k + 1:02d}",
                        level=Level.BUILDING,
                        kind_label="楼栋",
                    )
                    for k in range(scale.buildings_per_compound)
                ]
        with transaction.atomic():
            Area.objects.bulk_create(areas, batch_size=BATCH)
            audit_record(
                actor=self.actor,
                action=Event.SYNTH_AREAS_CREATE,
                object_type="orgs.area",
                object_id=CITY_CODE,
                object_label=CITY_NAME,
                changes={"areas": len(areas), "seed": self.seed, "scale": scale.name},
            )
        by_code = dict(Area.objects.filter(path__startswith=city.path).values_list("code", "pk"))
        for area in areas:
            area.pk = by_code[area.code]
        self.built.seconds["areas"] = time.perf_counter() - started
        self.say(f"{len(areas):,} areas")
        self._build_orgs(city, districts, streets, communities, compound_of, building_of)

    # -- units and organisations --

    def _build_orgs(
        self,
        city: Area,
        districts: list[Area],
        streets: list[Area],
        communities: list[Area],
        compound_of: dict[str, list[Area]],
        building_of: dict[str, list[Area]],
    ) -> None:
        started = time.perf_counter()
        scale = self.scale
        if scale.building_groups < 0 or scale.building_groups > scale.buildings:
            raise SynthError("the scale's organisations do not add up")
        rng = self.rng
        sealer = bulk.Sealer()
        units: list[ResidentUnit] = []
        homes = [*communities, *(p for c in communities for p in compound_of[c.code])]
        for n in range(scale.units):
            kind, prefix, ending, _share = _pick(rng, _UNIT_KINDS)
            area = homes[rng.randrange(len(homes))]
            name = f"{self._name('')}{rng.choice(_UNIT_FIELDS)}{ending}"
            phone = fake_phone(n)
            unit = ResidentUnit(
                name=name,
                name_key=search_key(name)[:120],
                initials=initials(name)[:120],
                credit_code=credit_code(50_000_000 + n, "430100", prefix),
                kind=kind,
                rank=UnitRank.NONE if kind in (UnitKind.PRIVATE, UnitKind.SOCIAL) else UnitRank.MUNICIPAL,
                area=area,
                address=f"{area.name}{rng.randint(1, 300)}号",
                contact_name="联络员",
                contact_phone_sealed=sealer.seal(phone, ResidentUnit.PHONE_PURPOSE),
                contact_phone_index=sealer.index(phone, ResidentUnit.PHONE_PURPOSE),
                contact_phone_masked=phone[:3] + "****" + phone[-4:],
                since=SINCE,
            )
            units.append(unit)

        def org(
            name: str,
            kind: str,
            code: str,
            area: Area,
            parent: PartyOrg | None,
            unit: ResidentUnit | None = None,
        ) -> PartyOrg:
            return PartyOrg(
                name=name,
                name_key=search_key(name)[:120],
                initials=initials(name)[:120],
                kind=kind,
                code=code,
                area=area,
                parent=parent,
                unit=unit,
                since=SINCE,
            )

        with transaction.atomic():
            ResidentUnit.objects.bulk_create(units, batch_size=BATCH)
            district_orgs = [
                org(f"{d.name}委员会", PartyOrgKind.COMMITTEE, f"PO-{d.code}", d, None) for d in districts
            ]
            PartyOrg.objects.bulk_create(district_orgs, batch_size=BATCH)
            of_district = {o.area.code: o for o in district_orgs}
            street_orgs = [
                org(
                    f"{s.name}党工委",
                    PartyOrgKind.WORKING_COMMITTEE,
                    f"PO-{s.code}",
                    s,
                    of_district[s.code[:6]],
                )
                for s in streets
            ]
            PartyOrg.objects.bulk_create(street_orgs, batch_size=BATCH)
            of_street = {o.area.code: o for o in street_orgs}
            committees = [
                org(f"{c.name}党委", PartyOrgKind.COMMITTEE, f"PO-{c.code}", c, of_street[c.code[:9]])
                for c in communities
            ]
            PartyOrg.objects.bulk_create(committees, batch_size=BATCH)
            of_community = {o.area.code: o for o in committees}
            branches = [
                org(f"{p.name}党支部", PartyOrgKind.BRANCH, f"PO-{p.code}", p, of_community[c.code])
                for c in communities
                for p in compound_of[c.code]
            ]
            PartyOrg.objects.bulk_create(branches, batch_size=BATCH)
            of_compound = {o.area.code: o for o in branches}
            # building Party groups: spread over the compounds, first building of each first
            buildings = [b for c in communities for p in compound_of[c.code] for b in building_of[p.code]]
            order = sorted(range(len(buildings)), key=lambda i: (int(buildings[i].code[-2:]), i))
            grouped = [buildings[i] for i in order[: scale.building_groups]]
            groups = [
                org(f"{b.name}党小组", PartyOrgKind.GROUP, f"PO-{b.code}", b, of_compound[b.code[:-3]])
                for b in grouped
            ]
            PartyOrg.objects.bulk_create(groups, batch_size=BATCH)
            unit_orgs = [
                org(
                    f"{u.name}党支部",
                    PartyOrgKind.BRANCH,
                    f"PO-{CITY_CODE}-U{n + 1:05d}",
                    u.area,
                    of_street[u.area.code[:9]],
                    unit=u,
                )
                for n, u in enumerate(units)
            ]
            PartyOrg.objects.bulk_create(unit_orgs, batch_size=BATCH)
            all_orgs = len(district_orgs) + len(street_orgs) + len(committees) + len(branches) + len(groups)
            all_orgs += len(unit_orgs)
            audit_record(
                actor=self.actor,
                action=Event.SYNTH_ORGS_CREATE,
                object_type="orgs.partyorg",
                object_id=CITY_CODE,
                object_label=CITY_NAME,
                changes={"units": len(units), "party_orgs": all_orgs, "seed": self.seed},
            )
        of_building = {o.area.code: o for o in groups}
        for c in communities:
            compounds = compound_of[c.code]
            self.places.append(
                _Place(
                    community=c,
                    compounds=compounds,
                    buildings={p.pk: building_of[p.code] for p in compounds},
                    committee=of_community[c.code],
                    branches={p.pk: of_compound[p.code] for p in compounds},
                    groups={
                        b.pk: of_building[b.code]
                        for p in compounds
                        for b in building_of[p.code]
                        if b.code in of_building
                    },
                )
            )
        self.unit_orgs = list(zip(units, unit_orgs, strict=True))
        self.built.counts = {
            "districts": len(districts),
            "streets": len(streets),
            "communities": len(communities),
            "compounds": sum(len(v) for v in compound_of.values()),
            "buildings": len(buildings),
            "party_orgs": all_orgs,
            "units": len(units),
        }
        self.built.seconds["units_and_orgs"] = time.perf_counter() - started
        self.say(f"{len(units):,} resident units, {all_orgs:,} Party organisations")

    # -- members --

    def _people(self, count: int) -> Iterator[dict[str, Any]]:
        """The members, as plain values (clear synthetic ID numbers), deterministic for the seed."""
        rng = random.Random(self.seed + 1)
        serials: dict[tuple[str, dt.date, bool], int] = {}
        valid: dict[tuple[str, int], bool] = {}
        today = self.today
        places, unit_orgs = self.places, self.unit_orgs
        for n in range(count):
            place = places[rng.randrange(len(places))]
            compound = place.compounds[rng.randrange(len(place.compounds))]
            building = rng.choice(place.buildings[compound.pk])
            roll = rng.random()
            status = MemberStatus.NORMAL
            if roll < 0.01:
                status = rng.choice(
                    (
                        MemberStatus.DECEASED,
                        MemberStatus.DECEASED,
                        MemberStatus.TRANSFERRED_OUT,
                        MemberStatus.SUSPENDED,
                    )
                )
                kind, ages = "", (30, 90)
            elif roll < 0.26:
                kind, ages = Category.IN_SERVICE, (23, 58)
            elif roll < 0.47:
                kind, ages = Category.RETIRED, (60, 92)
            else:
                kind, ages = Category.DIRECT, (20, 80)
            unit: ResidentUnit | None = None
            if kind == Category.IN_SERVICE:
                unit, org = unit_orgs[rng.randrange(len(unit_orgs))]
            else:
                org = place.groups.get(building.pk) or (
                    place.branches[compound.pk] if rng.random() < 0.8 else place.committee
                )
            birth = dt.date(today.year - rng.randint(*ages), 1, 1) + dt.timedelta(days=rng.randrange(365))
            birth = min(birth, today - dt.timedelta(days=18 * 366))
            male = rng.random() < 0.62
            area_code = ""
            for code in rng.sample(_BIRTHPLACES, len(_BIRTHPLACES)):
                ok = valid.get((code, birth.year))
                if ok is None:
                    try:
                        ric.validate(id_number(0, area_code=code, birth=birth, male=male))
                        ok = True
                    except StdnumError:
                        ok = False
                    valid[(code, birth.year)] = ok
                if ok and serials.get((code, birth, male), 0) < 500:
                    area_code = code
                    break
            if not area_code:
                continue  # every serial of that day is taken (never at these scales)
            serial = serials.get((area_code, birth, male), 0)
            serials[(area_code, birth, male)] = serial + 1
            adult = dt.date(birth.year + 18, birth.month, min(birth.day, 28))
            latest = max(
                adult, min(today - dt.timedelta(days=1), adult + dt.timedelta(days=rng.randint(0, 30 * 365)))
            )
            probationary = kind in (Category.DIRECT, Category.IN_SERVICE) and rng.random() < 0.03
            joined = today - dt.timedelta(days=rng.randint(30, 360)) if probationary else latest
            joined = max(joined, adult)
            categories: list[str] = []
            if kind:
                categories.append(kind)
                if kind == Category.DIRECT and rng.random() < 0.05:
                    categories.append(Category.MOBILE)
                if kind != Category.IN_SERVICE and rng.random() < 0.02:
                    categories.append(Category.HARDSHIP)
                if kind != Category.IN_SERVICE and rng.random() < 0.005:
                    categories.append(Category.LOST_CONTACT)
            age = today.year - birth.year
            if age >= 60:
                education = rng.choice(
                    (Education.BELOW, Education.HIGH_SCHOOL, Education.SECONDARY, Education.COLLEGE)
                )
            else:
                education = rng.choice(
                    (
                        Education.COLLEGE,
                        Education.BACHELOR,
                        Education.BACHELOR,
                        Education.POSTGRADUATE,
                        Education.HIGH_SCHOOL,
                    )
                )
            work_name = ""
            if unit is None and kind == Category.DIRECT and rng.random() < 0.3:
                work_name = f"{self._name('')}{rng.choice(_UNIT_FIELDS)}有限公司"
            yield {
                "name": person_name(rng),
                "male": male,
                "ethnicity": _pick(rng, _ETHNICITIES)[0],
                "birth": birth,
                "id_number": id_number(serial, area_code=area_code, birth=birth, male=male),
                "phone": fake_phone(n),
                "education": education,
                "joined": joined,
                "standing": Standing.PROBATIONARY if probationary else Standing.FULL,
                "status": status,
                "org": org,
                "residence": building,
                "community": place.community,
                "unit": unit,
                "work_name": work_name,
                "categories": categories,
                "volunteer": f"V{self.seed % 1000:03d}{n:08d}" if rng.random() < 0.3 else "",
            }

    def build_members(
        self,
        count: int | None = None,
        *,
        to_db: bool = True,
        out: Path | None = None,
        xlsx: bool = False,
        csv_file: bool = False,
    ) -> None:
        """Generate the members: into the database (``to_db``) and/or the files."""
        started = time.perf_counter()
        count = self.scale.members if count is None else count
        writers: list[_Writer] = []
        if out is not None and xlsx:
            writers.append(_XlsxWriter(out / f"synth-{self.scale.name}-members.xlsx"))
        if out is not None and csv_file:
            writers.append(_CsvWriter(out / f"synth-{self.scale.name}-members.csv"))
        sealer, checker, names = bulk.Sealer(), bulk.IdChecker(), bulk.NameKeys()
        scope = bulk._OrgScope(self.actor)
        batch: list[bulk.NewMember] = []
        made = 0

        def flush() -> None:
            if batch and to_db:
                with transaction.atomic():
                    bulk.members_insert(
                        actor=self.actor, members=batch, action=Event.MEMBER_SYNTH_CREATE, scope=scope
                    )
            batch.clear()

        try:
            for person in self._people(count):
                for writer in writers:
                    writer.write(person)
                made += 1
                if to_db:
                    compact, birth, sex = checker.check(person["id_number"])
                    key, letters = names(person["name"])
                    id_sealed, id_index, id_masked = sealer.id_number(compact)
                    phone_sealed, phone_index, phone_masked = sealer.phone(person["phone"])
                    org: PartyOrg = person["org"]
                    since = max(person["joined"], SINCE).isoformat()
                    batch.append(
                        bulk.NewMember(
                            name=person["name"],
                            name_key=key,
                            initials=letters,
                            gender=sex,
                            ethnicity=person["ethnicity"],
                            birth_date=birth.isoformat(),
                            id_number_sealed=id_sealed,
                            id_number_index=id_index,
                            id_number_masked=id_masked,
                            phone_sealed=phone_sealed,
                            phone_index=phone_index,
                            phone_masked=phone_masked,
                            education=str(person["education"]),
                            joined_on=person["joined"].isoformat(),
                            standing=str(person["standing"]),
                            status=str(person["status"]),
                            org_id=org.pk,
                            residence_id=person["residence"].pk,
                            work_unit_id=person["unit"].pk if person["unit"] is not None else None,
                            work_unit_name=person["work_name"],
                            volunteer_no=person["volunteer"],
                            categories=tuple(
                                (
                                    str(c),
                                    person["community"].pk if c == Category.IN_SERVICE else org.area_id,
                                    since,
                                )
                                for c in person["categories"]
                            ),
                        )
                    )
                    if len(batch) >= BATCH:
                        flush()
                        if made % 50_000 == 0:
                            self.say(f"  {made:,} members…")
            flush()
        finally:
            for writer in writers:
                writer.close()
        self.built.counts["members"] = made
        self.built.files += [w.path for w in writers]
        self.built.seconds["members"] = time.perf_counter() - started
        self.say(f"{made:,} members" + (" (files only)" if not to_db else ""))


# --- files ------------------------------------------------------------------------------------


def _row(person: dict[str, Any]) -> list[Any]:
    categories = person["categories"]
    unit: ResidentUnit | None = person["unit"]
    return [
        person["name"],
        "男" if person["male"] else "女",
        person["ethnicity"],
        person["birth"],
        person["id_number"],
        person["phone"],
        _EDUCATION_LABELS[person["education"]],
        person["joined"],
        "预备" if person["standing"] == Standing.PROBATIONARY else "正式",
        _STATUS_LABELS[person["status"]],
        person["org"].code,
        person["residence"].code,
        unit.credit_code if unit is not None else "",
        unit.name if unit is not None else person["work_name"],
        "、".join(_LEDGER_LABELS[c] for c in categories if c in _LEDGER_LABELS),
        "是" if Category.HARDSHIP in categories else "否",
        "是" if Category.LOST_CONTACT in categories else "否",
        person["volunteer"],
    ]


class _Writer:
    path: Path

    def write(self, person: dict[str, Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _XlsxWriter(_Writer):
    """XlsxWriter in constant-memory mode: rows go to disk as they come."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.sheet = self.book.add_worksheet("党员台账")
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        header = self.book.add_format({"bold": True})
        for col, text in enumerate(FILE_HEADERS):
            self.sheet.write_string(0, col, text, header)
        self.row = 1

    def write(self, person: dict[str, Any]) -> None:
        ws, r = self.sheet, self.row
        for col, value in enumerate(_row(person)):
            if isinstance(value, dt.date):
                ws.write_datetime(r, col, dt.datetime(value.year, value.month, value.day), self.date)
            elif value:
                ws.write_string(r, col, value)
        self.row += 1

    def close(self) -> None:
        self.book.close()


class _CsvWriter(_Writer):
    """UTF-8 with a byte-order mark, so Excel opens the Chinese right."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.file = path.open("w", encoding="utf-8-sig", newline="")
        self.out = csv.writer(self.file)
        self.out.writerow(FILE_HEADERS)

    def write(self, person: dict[str, Any]) -> None:
        self.out.writerow([v.isoformat() if isinstance(v, dt.date) else v for v in _row(person)])

    def close(self) -> None:
        self.file.close()


def build_city(
    scale: Scale | str,
    *,
    seed: int = 20231231,
    members: int | None = None,
    map_only: bool = False,
    out: Path | None = None,
    xlsx: bool = False,
    csv_file: bool = False,
    say: Callable[[str], None] = lambda text: None,
) -> Built:
    """Build the synthetic city into the configured database (module docstring)."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    builder = CityBuilder(scale, seed=seed, say=say)
    builder.build_map()
    if not map_only or xlsx or csv_file:
        builder.build_members(members, to_db=not map_only, out=out, xlsx=xlsx, csv_file=csv_file)
    # a bulk load leaves the planner statistics current (the first ledger page took 16 s without)
    refresh_statistics()
    return builder.built
