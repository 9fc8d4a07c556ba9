"""Service in the Changsha 2018 demo: teams, activities and verified hours.

What the article tells, and what ``gongjian indicators`` gives back from these records:

- 融城社区 (雨花区 井湾子街道) runs 7 standing teams, the "党员360服务队" among them, patrolling
  twice a day (`teams.service` 7), each with its members and its patrol rota, and patrol
  activities with verified hours.
- 淮川街道 (浏阳市) has a help squad of 45 members.
- 长沙县's in-service and retired members serve for the long term: in 2018 the county's organs and
  villages ran activities where 7,800 distinct members had their hours verified, 6,560 in-service
  and 1,240 retired (`service.retired` 1,240).
- 岳麓区's universities pledged 1,500+ volunteers: 中南大学's volunteer team (volunteers who are not
  Party members, with no Party data) serves 银星社区.

Everything goes through the service app's services (one audit entry each, or one per activity for
the bulk verification), with the demo's platform administrator as the actor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from gongjian.core.synthetic import person_name
from gongjian.members.models import Category, Member, MemberCategory, MemberReport, ReportStatus
from gongjian.orgs.models import Area, Dated
from gongjian.service import services as svc
from gongjian.service.models import CapPeriod, DutyKind, OrganiserKind, RuleBasis

from . import names

if TYPE_CHECKING:
    from .scenario import _Loader

RONGCHENG_TEAMS = (
    "党员360服务队",
    "平安巡逻队",
    "环境卫生监督队",
    "邻里帮扶队",
    "文明劝导队",
    "法律服务队",
    "文艺宣传队",
)
HUAICHUAN_SQUAD = 45
#: Distinct members of 长沙县 with verified service in 2018: 7,800 (the article: 6,500+ in-service
#: members of its organs and 1,200+ retired members serve the communities for the long term).
COUNTY_SERVING_IN_SERVICE = 6_560
COUNTY_SERVING_RETIRED = 1_240


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_default_timezone()
    )


def _members_listed(area: Area, categories: list[str], on: dt.date) -> list[Member]:
    entries = MemberCategory.objects.filter(
        Dated.on(on), category__in=categories, area__path__startswith=area.path
    ).values("member_id")
    return list(Member.objects.filter(pk__in=entries).order_by("pk"))


def build_rongcheng(loader: _Loader) -> None:
    community = loader.by_name["融城社区"]
    org = loader.org_of[community.pk]
    people = list(Member.objects.filter(org=org).order_by("pk")[:70])
    since = dt.date(2017, 5, 1)
    for i, name in enumerate(RONGCHENG_TEAMS):
        team = svc.team_create(actor=loader.actor, name=name, area=community, org=org, since=since)
        crew = people[i :: len(RONGCHENG_TEAMS)][:10]
        for k, member in enumerate(crew):
            svc.team_member_add(actor=loader.actor, team=team, member=member, leader=k == 0, since=since)
        if i < 2:  # the patrols, twice a day
            for start, end in ((dt.time(7, 30), dt.time(9, 0)), (dt.time(19, 0), dt.time(20, 30))):
                svc.duty_add(
                    actor=loader.actor,
                    team=team,
                    kind=DutyKind.PATROL,
                    weekdays="1234567",
                    starts=start,
                    ends=end,
                    route="融城社区各小区主干道、楼栋出入口",
                    since=since,
                )
            for day in (dt.date(2018, 8, 27) + dt.timedelta(days=d) for d in range(7)):
                for hour in (7, 19):
                    activity = svc.activity_create(
                        actor=loader.actor,
                        title=f"{name}巡逻",
                        organiser_kind=OrganiserKind.TEAM,
                        team=team,
                        place="融城社区",
                        starts_at=_at(day, hour, 30),
                        ends_at=_at(day, hour + 1, 30) if hour == 7 else _at(day, 20, 30),
                    )
                    svc.activity_verify_bulk(actor=loader.actor, activity=activity, members=crew[:6])
        else:
            svc.duty_add(
                actor=loader.actor,
                team=team,
                kind=DutyKind.DOOR_TO_DOOR,
                weekdays="6",
                route="独居老人、困难家庭",
                since=since,
            )
        loader.counts["service.teams"] += 1


def build_huaichuan(loader: _Loader) -> None:
    street = loader.by_name["淮川街道"]
    org = loader.org_of[street.pk]
    team = svc.team_create(
        actor=loader.actor,
        name="淮川街道党员帮扶小分队",
        area=street,
        org=org,
        since=dt.date(2016, 3, 1),
        description="45名党员骨干组成帮扶小分队，联系服务街道2303名党员。",
    )
    members = list(
        Member.objects.filter(org__area__path__startswith=street.path).order_by("pk")[:HUAICHUAN_SQUAD]
    )
    for k in range(HUAICHUAN_SQUAD - len(members)):  # not enough members kept there: volunteers fill in
        volunteer = svc.volunteer_create(
            actor=loader.actor,
            name=person_name(loader.rng),
            area=street,
            phone=names.fake_phone(5000 + k),
            volunteer_no=f"HC{k + 1:04d}",
        )
        svc.team_member_add(actor=loader.actor, team=team, volunteer=volunteer, since=dt.date(2016, 3, 1))
    for k, member in enumerate(members):
        svc.team_member_add(
            actor=loader.actor, team=team, member=member, leader=k == 0, since=dt.date(2016, 3, 1)
        )
    loader.counts["service.teams"] += 1


def build_county(loader: _Loader) -> None:
    """长沙县: activities of 2018 in its towns, where its in-service members (those reported to a
    community first) and its retired members served."""
    county = loader.by_name["长沙县"]
    on = dt.date(2018, 9, 4)
    in_service = _members_listed(county, [Category.IN_SERVICE], on)
    reported = set(
        MemberReport.objects.filter(
            Dated.on(on), status=ReportStatus.CONFIRMED, member_id__in=[m.pk for m in in_service]
        ).values_list("member_id", flat=True)
    )
    in_service.sort(key=lambda m: (m.pk not in reported, m.pk))
    groups = [
        ("在职党员进社区志愿服务", in_service[:COUNTY_SERVING_IN_SERVICE]),
        (
            "离退休党员“银发先锋”服务",
            _members_listed(county, [Category.RETIRED], on)[:COUNTY_SERVING_RETIRED],
        ),
    ]
    communities = [c for s in loader.streets_of["长沙县"] for c in loader.communities_of[s.pk]]
    batch = 400
    n = 0
    for title, serving in groups:
        for start in range(0, len(serving), batch):
            community = communities[n % len(communities)]
            org = loader.org_of[community.pk]
            day = dt.date(2018, 3, 5) + dt.timedelta(days=8 * n)
            activity = svc.activity_create(
                actor=loader.actor,
                title=f"{title}（第{n + 1}场）",
                organiser_kind=OrganiserKind.COMMUNITY,
                org=org,
                place=community.name,
                starts_at=_at(day, 9),
                ends_at=_at(day, 12),
            )
            svc.activity_verify_bulk(
                actor=loader.actor, activity=activity, members=serving[start : start + batch]
            )
            loader.counts["service.activities"] += 1
            n += 1
    loader.counts["service.county_members"] = sum(len(serving) for _, serving in groups)


def build_yuelu_volunteers(loader: _Loader) -> None:
    yinxing = loader.by_name["银星社区"]
    csu = loader.units_by_name["中南大学"]
    team = svc.team_create(
        actor=loader.actor,
        name="中南大学青年志愿者服务队",
        area=csu.area,
        unit=csu,
        since=dt.date(2018, 6, 16),
        description="岳麓区首次联席会议承诺：1500余名志愿者下沉社区开展公益服务。",
    )
    volunteers = [
        svc.volunteer_create(
            actor=loader.actor,
            name=person_name(loader.rng),
            area=csu.area,
            phone=names.fake_phone(6000 + k),
            volunteer_no=f"CSU{k + 1:05d}",
            skills=("支教", "义诊", "法律咨询")[k % 3],
        )
        for k in range(40)
    ]
    for volunteer in volunteers:
        svc.team_member_add(actor=loader.actor, team=team, volunteer=volunteer, since=dt.date(2018, 6, 16))
    activity = svc.activity_create(
        actor=loader.actor,
        title="大学生志愿者进银星社区",
        organiser_kind=OrganiserKind.UNIT,
        unit=csu,
        place=yinxing.name,
        area=csu.area,
        starts_at=_at(dt.date(2018, 7, 7), 9),
        ends_at=_at(dt.date(2018, 7, 7), 16),
    )
    svc.activity_verify_bulk(actor=loader.actor, activity=activity, volunteers=volunteers)
    loader.counts["service.teams"] += 1


def build_rules(loader: _Loader) -> None:
    """The city's points rules (积分): a point per verified hour, capped at 100 a year; 5 points for
    a contact with the community where one lives, approved by the community."""
    city = loader.by_name["长沙市"]
    svc.points_rule_create(
        actor=loader.actor,
        name="志愿服务每小时积1分",
        area=city,
        basis=RuleBasis.PER_HOUR,
        points=Decimal(1),
        cap=Decimal(100),
        cap_period=CapPeriod.YEAR,
        description="经组织者核实的服务时长，每小时1分，每年最多100分。",
    )
    svc.points_rule_create(
        actor=loader.actor,
        name="到居住社区报到联系",
        area=city,
        basis=RuleBasis.PER_CLAIM,
        points=Decimal(5),
        cap=Decimal(20),
        cap_period=CapPeriod.QUARTER,
        evidence_required=True,
        description="每季度与居住社区联系一次积5分，需社区确认。",
    )


def build_service(loader: _Loader) -> None:
    loader.progress("service: teams, activities, verified hours…")
    build_rules(loader)
    build_rongcheng(loader)
    build_huaichuan(loader)
    build_county(loader)
    build_yuelu_volunteers(loader)
