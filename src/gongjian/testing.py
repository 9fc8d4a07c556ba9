"""A small named world for tests: two districts of 長沙, two communities, a unit, and one user per role.

Like healthchecks' Alice and Bob, every test reuses the same names:
``city_admin``, ``kaifu_admin`` (district), ``dongfeng_admin`` (street),
``wjl_admin`` (王家垅社区), ``jsh_admin`` (尖山湖社区), ``liaison`` (省民政厅), ``member``, ``resident``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from gongjian.accounts.models import RoleKind, User
from gongjian.accounts.services import role_grant, user_create
from gongjian.core.synthetic import credit_code, id_number
from gongjian.members import services as m
from gongjian.members.models import Category
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Alliance, Area, Level, PartyOrg, ResidentUnit
from gongjian.stats import tally

__all__ = ["PASSWORD", "Ledgers", "World", "build_ledgers", "build_world", "credit_code"]

PASSWORD = "correct-horse-battery"  # noqa: S105 - test accounts only


@dataclass
class World:
    changsha: Area
    kaifu: Area
    dongfeng: Area
    wjl: Area
    gaoxin: Area
    dongfanghong: Area
    jsh: Area
    wjl_compound: Area
    wjl_building: Area
    jsh_compound: Area
    minzheng: ResidentUnit
    jsh_firm: ResidentUnit
    wjl_committee: PartyOrg
    wjl_branch: PartyOrg
    jsh_branch: PartyOrg
    minzheng_org: PartyOrg
    jsh_firm_org: PartyOrg
    alliance: Alliance
    jsh_alliance: Alliance
    superuser: User
    city_admin: User
    kaifu_admin: User
    dongfeng_admin: User
    wjl_admin: User
    jsh_admin: User
    liaison: User
    member: User
    resident: User


#: The day the test world's map stands from (given explicitly: the platform never invents a start).
WORLD_SINCE = dt.date(2000, 1, 1)


def build_world() -> World:
    """The named test world; its figures are counted once at the end, as the demo does (the writes
    a test makes afterwards keep them up to date one by one)."""
    with tally.suspended():
        world = _build_world()
    tally.rebuild()
    return world


def _build_world() -> World:
    root = user_create(actor=None, username="root", password=PASSWORD, is_superuser=True)
    # the world's map stands from a stated day (nothing is created with a blank start here)
    a = functools.partial(org_services.area_create, since=WORLD_SINCE)
    changsha = a(actor=root, parent=None, name="长沙市", level=Level.CITY, code="430100", kind_label="市")
    kaifu = a(
        actor=root, parent=changsha, name="开福区", level=Level.DISTRICT, code="430105", kind_label="区"
    )
    dongfeng = a(actor=root, parent=kaifu, name="东风路街道", level=Level.STREET, kind_label="街道")
    wjl = a(actor=root, parent=dongfeng, name="王家垅社区", level=Level.COMMUNITY, kind_label="社区")
    wjl_compound = a(actor=root, parent=wjl, name="30号庭院", level=Level.COMPOUND, kind_label="庭院")
    wjl_building = a(actor=root, parent=wjl_compound, name="1栋", level=Level.BUILDING, kind_label="楼栋")
    gaoxin = a(
        actor=root, parent=changsha, name="高新区", level=Level.DISTRICT, code="4301GX", kind_label="开发区"
    )
    dongfanghong = a(actor=root, parent=gaoxin, name="东方红街道", level=Level.STREET, kind_label="街道")
    jsh = a(actor=root, parent=dongfanghong, name="尖山湖社区", level=Level.COMMUNITY, kind_label="社区")
    jsh_compound = a(actor=root, parent=jsh, name="芯城小区", level=Level.COMPOUND, kind_label="小区")

    u = functools.partial(org_services.unit_create, since=WORLD_SINCE)
    minzheng = u(
        actor=root,
        name="湖南省民政厅",
        credit_code=credit_code(1001),
        kind="organ",
        rank="provincial",
        area=wjl,
        address="长沙市开福区",
        contact_name="联络员甲",
        contact_phone="13800001234",
    )
    jsh_firm = u(
        actor=root,
        name="芯城科技园",
        credit_code=credit_code(2002, "430100"),
        kind="private",
        area=jsh,
        incubator=True,
        hosted_firms=1200,
    )

    o = functools.partial(org_services.party_org_create, since=WORLD_SINCE)
    wjl_committee = o(actor=root, name="王家垅社区党委", kind="committee", code="PO-WJL", area=wjl)
    wjl_branch = o(
        actor=root,
        name="30号庭院党支部",
        kind="branch",
        code="PO-WJL-30",
        area=wjl_compound,
        parent=wjl_committee,
    )
    jsh_branch = o(actor=root, name="芯城小区党支部", kind="branch", code="PO-JSH-1", area=jsh_compound)
    minzheng_org = o(actor=root, name="省民政厅机关党委", kind="committee", code="PO-MZT", unit=minzheng)
    jsh_firm_org = o(actor=root, name="芯城科技园党支部", kind="branch", code="PO-XC", unit=jsh_firm)
    dongfeng_org = o(
        actor=root, name="东风路街道党工委", kind="working_committee", code="PO-DFL", area=dongfeng
    )
    jsh_org = o(actor=root, name="尖山湖社区党委", kind="committee", code="PO-JSH", area=jsh)

    alliance = org_services.alliance_create(
        actor=root, name="东风路街道区域化党建联盟", level="street", convener=dongfeng_org, since=WORLD_SINCE
    )
    org_services.alliance_member_add(
        actor=root, alliance=alliance, unit=minzheng, representative="代表甲", since=WORLD_SINCE
    )
    jsh_alliance = org_services.alliance_create(
        actor=root, name="尖山湖社区大服务联盟", level="community", convener=jsh_org, since=WORLD_SINCE
    )
    org_services.alliance_member_add(actor=root, alliance=jsh_alliance, unit=jsh_firm, since=WORLD_SINCE)

    def user(name: str, kind: str, area: Area | None = None, unit: ResidentUnit | None = None) -> User:
        usr = user_create(actor=None, username=name, password=PASSWORD, display_name=name)
        role_grant(actor=None, user=usr, kind=kind, area=area, unit=unit)
        return usr

    return World(
        changsha=changsha,
        kaifu=kaifu,
        dongfeng=dongfeng,
        wjl=wjl,
        gaoxin=gaoxin,
        dongfanghong=dongfanghong,
        jsh=jsh,
        wjl_compound=wjl_compound,
        wjl_building=wjl_building,
        jsh_compound=jsh_compound,
        minzheng=minzheng,
        jsh_firm=jsh_firm,
        wjl_committee=wjl_committee,
        wjl_branch=wjl_branch,
        jsh_branch=jsh_branch,
        minzheng_org=minzheng_org,
        jsh_firm_org=jsh_firm_org,
        alliance=alliance,
        jsh_alliance=jsh_alliance,
        superuser=root,
        city_admin=user("city_admin", RoleKind.CITY_ADMIN, changsha),
        kaifu_admin=user("kaifu_admin", RoleKind.DISTRICT_ADMIN, kaifu),
        dongfeng_admin=user("dongfeng_admin", RoleKind.STREET_ADMIN, dongfeng),
        wjl_admin=user("wjl_admin", RoleKind.COMMUNITY_ADMIN, wjl),
        jsh_admin=user("jsh_admin", RoleKind.COMMUNITY_ADMIN, jsh),
        liaison=user("liaison", RoleKind.UNIT_LIAISON, unit=minzheng),
        member=user("member", RoleKind.MEMBER, wjl),
        resident=user("resident", RoleKind.RESIDENT, wjl),
    )


@dataclass
class Ledgers:
    """One of everything the ledgers hold, in 王家垅社区 and in 尖山湖社区."""

    rows: dict[str, list[Any]]


def build_ledgers(world: World) -> Ledgers:
    """Members and their relations on both sides of the 王家垅/尖山湖 line, for scope tests."""

    rows: dict[str, list[Any]] = {}
    root = world.superuser
    for n, (community, compound, org, unit, unit_org) in enumerate(
        [
            (world.wjl, world.wjl_building, world.wjl_committee, world.minzheng, world.minzheng_org),
            (world.jsh, world.jsh_compound, world.jsh_branch, world.jsh_firm, world.jsh_firm_org),
        ]
    ):
        street = world.dongfeng if community == world.wjl else world.dongfanghong
        street_org = org_services.party_org_create(
            actor=root,
            name=f"{street.name}党工委(测试)",
            kind="working_committee",
            code=f"PO-ST-{n}",
            area=street,
            since=WORLD_SINCE,
        )
        direct = m.member_create(
            actor=root,
            name=f"直管{n}",
            id_number=id_number(10 + n),
            org=org,
            joined_on=dt.date(2000, 7, 1),
            residence=compound,
            categories=[Category.DIRECT],
        )
        staff = m.member_create(
            actor=root,
            name=f"在职{n}",
            id_number=id_number(20 + n),
            org=unit_org,
            joined_on=dt.date(2001, 7, 1),
            residence=compound,
            work_unit=unit,
            categories=[Category.IN_SERVICE],
        )
        report = m.member_report_create(actor=root, member=staff, since=dt.date(2026, 1, 1))
        m.member_report_decide(actor=root, report=report, confirm=True)
        co = m.co_management_add(actor=root, member=staff, community=community, unit=unit)
        unit_report = m.unit_report_create(actor=root, org=unit_org, community=community)
        mobile = m.mobile_record_create(
            actor=root, member=direct, destination="广州", since=dt.date(2026, 1, 1)
        )
        station = m.station_create(actor=root, name=f"{community.name}驿站", area=community)
        m.station_check_in(actor=root, station=station, member=direct)
        household = m.household_award(
            actor=root,
            area=compound,
            address="1栋101",
            members=[direct],
            neighbours=["1栋102"],
            awarded_by=street_org,
        )
        transfer = m.transfer_issue(actor=root, member=staff, to_org=org, letter_no=f"T-{n}")
        for key, value in {
            "member": direct,
            "staff": staff,
            "report": report,
            "co": co,
            "unit_report": unit_report,
            "mobile": mobile,
            "station": station,
            "household": household,
            "transfer": transfer,
        }.items():
            rows.setdefault(key, []).append(value)

    return Ledgers(rows=rows)


def build_every_app(world: World) -> None:
    """The ledgers and each app's test records over ``world``: rows in nearly every table (the
    scope walk reads them all; the demo's reset test checks that none are left)."""
    # reason: the apps' test fixtures import this module (a cycle at module level)
    from gongjian.appeals.tests.fixtures import build_appeals
    from gongjian.cobuild.tests.fixtures_agreements import build_cobuild_agreements
    from gongjian.cobuild.tests.fixtures_meetings import build_cobuild_meetings
    from gongjian.honours.tests.fixtures import build_honours
    from gongjian.lists.tests.fixtures_claims import build_lists_claims
    from gongjian.lists.tests.fixtures_projects import build_lists_projects
    from gongjian.service.tests.fixtures import build_service

    build_ledgers(world)
    build_service(world)
    build_cobuild_agreements(world)
    build_cobuild_meetings(world)
    build_lists_claims(world)
    build_lists_projects(world)
    build_appeals(world)
    build_honours(world)
