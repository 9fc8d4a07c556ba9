"""The three lists in the Changsha 2018 demo: demands, resources, claims and the projects they formed.

What the article tells, and what ``gongjian indicators`` gives back from these records:

- 岳麓区's first joint meeting (2018-06-16): 53 co-building projects "two-way claimed" at it, 送课进校园
  among them: demands of the district's communities claimed by member units, and member units'
  resources claimed by communities, each recorded against the meeting (`projects.claimed` 53 on
  2018-09-04); most completed and rated at the end of 2018.
- 尖山湖社区 (高新区): 永雄集团 needs housing for about 2,000 new employees; two parks of the
  community claim 1,200 and 800 beds the next day and the projects are done on the second day.
- 银星社区 receives lectures, a writing class and a free venue (毛泽东文学院) from 湖南省作家协会.
- 富雅坪社区 links 湖南中医药大学第二附属医院 and 长沙市第一医院 to its residents.
- 金芙蓉影楼's Party branch claims order-keeping in 石板巷 (朝阳社区, 浏阳市).
- 岳麓区 now: seven demands of its communities and six resources of its units published, and a
  supply-and-demand meeting (供需对接会) held today, where the claiming session proposes who takes
  what (the lift money stays unmet).
- 王家垅社区: micro-wishes (one fulfilled by a member; requesters sealed, only a first name shown),
  and a demand and a resource published now, open for the demo users to claim.

The records are written in bulk with one audit entry a batch; micro-wish requesters are synthetic
and sealed like every personal detail.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from gongjian.cobuild.models import AgendaItem, JointMeeting, MeetingUnit
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.synthetic import person_name
from gongjian.lists.models import (
    Category,
    Claim,
    ClaimStatus,
    Demand,
    DemandKind,
    DemandSource,
    DemandStatus,
    Milestone,
    ProgressReport,
    Project,
    ProjectStatus,
    Rating,
    Resource,
    ResourceKind,
    ResourceStatus,
    Urgency,
)
from gongjian.members.models import Member
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit

from . import names

if TYPE_CHECKING:
    from .scenario import _Loader

YUELU_PROJECTS = 53
#: The audit event of each kind of row the lists' demo loads in bulk.
_DEMO_LOAD: dict[str, Event] = {
    "demand": Event.DEMAND_DEMO_LOAD,
    "resource": Event.RESOURCE_DEMO_LOAD,
    "claim": Event.CLAIM_DEMO_LOAD,
    "project": Event.PROJECT_DEMO_LOAD,
}

#: Demands of 岳麓区's communities claimed by member units at the first joint meeting.
YUELU_DEMANDS: tuple[tuple[str, str, int, str], ...] = (
    ("送课进校园", Category.EXPERTISE, 20, "场"),
    ("专家教授社区大讲堂", Category.EXPERTISE, 12, "场"),
    ("法律咨询进社区", Category.EXPERTISE, 12, "次"),
    ("社区义诊", Category.HEALTH, 6, "次"),
    ("关爱留守儿童结对帮扶", Category.VOLUNTEERS, 30, "人"),
    ("老旧小区环境整治志愿服务", Category.VOLUNTEERS, 50, "人"),
    ("社区文艺汇演", Category.VOLUNTEERS, 2, "场"),
    ("困难党员慰问", Category.FUNDS, 20, "户"),
    ("社区图书室图书捐赠", Category.GOODS, 2000, "册"),
    ("垃圾分类宣传志愿服务", Category.VOLUNTEERS, 40, "人"),
)
#: Member units' resources claimed by the district's communities at the first joint meeting.
YUELU_RESOURCES: tuple[tuple[str, str, str, int, str], ...] = (
    ("大学生志愿服务队", ResourceKind.PEOPLE, Category.VOLUNTEERS, 100, "人"),
    ("运动场馆周末开放", ResourceKind.VENUE, Category.VENUE, 24, "次"),
    ("党建专家宣讲团", ResourceKind.PEOPLE, Category.EXPERTISE, 10, "场"),
    ("心理咨询服务", ResourceKind.SERVICE, Category.HEALTH, 12, "次"),
    ("报告厅共享", ResourceKind.VENUE, Category.VENUE, 12, "次"),
)


def _at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_default_timezone()
    )


class _Lists:
    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.actor = loader.actor
        self.rng = loader.rng
        self.counts = {"demands": 0, "resources": 0, "claims": 0, "projects": 0}
        self.pks: dict[str, list[int]] = {"demand": [], "resource": [], "claim": [], "project": []}

    def org(self, area_name: str) -> PartyOrg:
        return self.loader.org_of[self.loader.by_name[area_name].pk]

    def unit(self, name: str) -> ResidentUnit:
        return self.loader.units_by_name[name]

    def demand(self, *, name: str, area: Area, owner: PartyOrg, raised: dt.datetime, **kw: Any) -> Demand:
        published = kw.pop("published", raised + dt.timedelta(hours=2))
        demand = Demand(
            name=name,
            area=area,
            owner_org=owner,
            raised_at=raised,
            reviewed_at=published,
            published_at=published,
            status=kw.pop("status", DemandStatus.PUBLISHED),
            raised_by=self.actor,
            reviewed_by=self.actor,
            **kw,
        )
        demand.save()
        self.pks["demand"].append(demand.pk)
        return demand

    def resource(self, *, name: str, area: Area, created: dt.datetime, **kw: Any) -> Resource:
        resource = Resource(
            name=name,
            area=area,
            created_at=created,
            published_at=kw.pop("published", created + dt.timedelta(hours=1)),
            status=kw.pop("status", ResourceStatus.PUBLISHED),
            created_by=self.actor,
            **kw,
        )
        resource.save()
        self.pks["resource"].append(resource.pk)
        return resource

    def claim(
        self,
        target: Demand | Resource,
        *,
        quantity: int,
        at: dt.datetime,
        decided: dt.datetime | None = None,
        status: str = ClaimStatus.ACCEPTED,
        **kw: Any,
    ) -> Claim:
        side = {"demand": target} if isinstance(target, Demand) else {"resource": target}
        claim = Claim.objects.create(
            **side,
            quantity=quantity,
            status=status,
            claimed_by=self.actor,
            claimed_at=at,
            decided_by=self.actor if status != ClaimStatus.PENDING else None,
            decided_at=(decided or at) if status != ClaimStatus.PENDING else None,
            **kw,
        )
        if status == ClaimStatus.ACCEPTED:
            target.claimed += quantity
            if isinstance(target, Demand):
                target.first_claimed_at = target.first_claimed_at or claim.decided_at
                if target.status == DemandStatus.PUBLISHED:
                    target.status = DemandStatus.CLAIMED
                target.save(update_fields=["claimed", "first_claimed_at", "status"])
            else:
                if target.claimed == target.capacity:
                    target.status, target.ended_at = ResourceStatus.USED_UP, claim.decided_at
                target.save(update_fields=["claimed", "status", "ended_at"])
        self.pks["claim"].append(claim.pk)
        return claim

    def project(
        self,
        claim: Claim,
        *,
        area: Area,
        lead_unit: ResidentUnit | None = None,
        lead_org: PartyOrg | None = None,
        milestones: tuple[str, ...] = ("制定方案", "组织实施", "总结评估"),
        done: dt.datetime | None = None,
        percent: int = 100,
        rating: str = "",
        beneficiaries: int = 0,
        hours: int = 0,
    ) -> Project:
        demand, resource = claim.demand, claim.resource
        origin = demand or resource
        assert origin is not None and claim.decided_at is not None
        start = claim.decided_at.date()
        project = Project.objects.create(
            claim=claim,
            demand=demand,
            resource=resource,
            area=area,
            name=origin.name,
            lead_unit=lead_unit,
            lead_org=lead_org,
            plan=f"{origin.name}：按季度推进，年底评估。",
            starts_on=start,
            due_on=start + dt.timedelta(days=180),
            status=ProjectStatus.DONE if done else ProjectStatus.IN_PROGRESS,
            percent=100 if done else percent,
            beneficiaries=beneficiaries,
            hours=hours,
            meeting=claim.meeting,
            published_at=origin.published_at,
            claimed_at=claim.decided_at,
            completed_at=done,
            rating=rating,
            rated_on=dt.date(done.year, 12, 20) if done and rating else None,
            created_by=self.actor,
        )
        if rating:
            project.status = ProjectStatus.EVALUATED
            project.save(update_fields=["status"])
        weights = len(milestones)
        reached = 100 if done else percent
        for i, title in enumerate(milestones, start=1):
            share = min(100, max(0, reached * weights - (i - 1) * 100))
            Milestone.objects.create(
                project=project,
                position=i,
                title=title,
                weight=1,
                due_on=start + dt.timedelta(days=60 * i),
                percent=min(100, share),
                done_on=(done.date() if done else start + dt.timedelta(days=30 * i))
                if share >= 100
                else None,
            )
        if demand is not None and done is not None:
            demand.done_at = demand.done_at or done
            demand.status = DemandStatus.EVALUATED if rating else DemandStatus.DONE
            demand.save(update_fields=["done_at", "status"])
        elif demand is not None and demand.status == DemandStatus.CLAIMED:
            demand.status = DemandStatus.IN_PROGRESS
            demand.save(update_fields=["status"])
        self.pks["project"].append(project.pk)
        return project

    # -- the article ---------------------------------------------------------------------------

    def yuelu_meeting(self) -> None:
        meeting = JointMeeting.objects.get(title="岳麓区区域化党建第一次联席会议")
        at = meeting.starts_at + dt.timedelta(hours=1)
        units = [m.unit for m in meeting.units.select_related("unit").order_by("pk")]
        communities = [c for s in self.loader.streets_of["岳麓区"] for c in self.loader.communities_of[s.pk]]
        raised = _at(dt.date(2018, 6, 1))
        made = 0
        for n in range(YUELU_PROJECTS):
            community = communities[n % len(communities)]
            org = self.loader.org_of[community.pk]
            unit = units[n % len(units)]
            done_day = dt.date(2018, 7, 20) + dt.timedelta(days=3 * n)
            done = _at(done_day, 17) if n % 9 != 8 else None  # most done in 2018, some still going
            rating = (Rating.EXCELLENT if n % 3 else Rating.FAIR) if done else ""
            if n % 5 != 4:
                name, category, quantity, measure = YUELU_DEMANDS[(n * 7) % len(YUELU_DEMANDS)]
                if n == 0:
                    name, category, quantity, measure = YUELU_DEMANDS[0]  # 送课进校园
                label = name if n < len(YUELU_DEMANDS) else f"{community.name}{name}"
                demand = self.demand(
                    name=label,
                    area=community,
                    owner=org,
                    raised=raised,
                    category=category,
                    quantity=quantity,
                    measure=measure,
                    source=DemandSource.SURVEY,
                    meeting=meeting,
                    deadline=dt.date(2018, 12, 31),
                )
                claim = self.claim(demand, quantity=quantity, at=at, claimant_unit=unit, meeting=meeting)
                self.project(
                    claim,
                    area=community,
                    lead_unit=unit,
                    done=done,
                    percent=60,
                    rating=rating,
                    beneficiaries=200 + 10 * n,
                )
            else:
                name, kind, category, capacity, measure = YUELU_RESOURCES[(n // 5) % len(YUELU_RESOURCES)]
                resource = self.resource(
                    name=f"{unit.name}{name}",
                    area=unit.area,
                    created=raised,
                    kind=kind,
                    category=category,
                    capacity=capacity,
                    measure=measure,
                    provider_unit=unit,
                    available_from=dt.date(2018, 6, 16),
                    available_until=dt.date(2019, 6, 15),
                )
                claim = self.claim(
                    resource, quantity=max(1, capacity // 2), at=at, claimant_org=org, meeting=meeting
                )
                self.project(
                    claim,
                    area=community,
                    lead_unit=unit,
                    done=done,
                    percent=50,
                    rating=rating,
                    beneficiaries=150,
                )
            made += 1
        assert made == YUELU_PROJECTS

    def jianshanhu_housing(self) -> None:
        jsh = self.loader.by_name["尖山湖社区"]
        raised = _at(dt.date(2018, 7, 9), 9)
        demand = self.demand(
            name="永雄集团新招员工住房",
            area=jsh,
            owner=self.loader.org_of[jsh.pk],
            raised=raised,
            published=raised + dt.timedelta(hours=1),
            raised_by_unit=self.unit("永雄集团"),
            category=Category.HOUSING,
            quantity=2000,
            measure="人",
            urgency=Urgency.CRITICAL,
            source=DemandSource.UNIT_REPORT,
            description="永雄集团新招聘约2000名员工，急需就近解决住宿。",
            deadline=dt.date(2018, 7, 12),
        )
        for park, beds, hour in (("中电软件园", 1200, 10), ("芯城科技园", 800, 15)):
            claim = self.claim(
                demand,
                quantity=beds,
                at=_at(dt.date(2018, 7, 10), hour - 1),
                decided=_at(dt.date(2018, 7, 10), hour),
                claimant_unit=self.unit(park),
            )
            self.project(
                claim,
                area=jsh,
                lead_unit=self.unit(park),
                milestones=("腾出宿舍", "员工入住"),
                done=_at(dt.date(2018, 7, 11), 9),
                beneficiaries=beds,
            )

    def writers_and_yinxing(self) -> None:
        yinxing = self.loader.by_name["银星社区"]
        org = self.loader.org_of[yinxing.pk]
        writers = self.unit("湖南省作家协会")
        offers = (
            ("作家进社区文学讲座", ResourceKind.PEOPLE, Category.EXPERTISE, 12, "场", 12),
            ("青少年写作班", ResourceKind.SERVICE, Category.EXPERTISE, 40, "人", 40),
            ("毛泽东文学院场地免费使用", ResourceKind.VENUE, Category.VENUE, 24, "次", 12),
        )
        for name, kind, category, capacity, measure, taken in offers:
            resource = self.resource(
                name=name,
                area=writers.area,
                created=_at(dt.date(2018, 4, 2)),
                kind=kind,
                category=category,
                capacity=capacity,
                measure=measure,
                provider_unit=writers,
                available_from=dt.date(2018, 4, 2),
                available_until=dt.date(2019, 4, 1),
                description="湖南省作家协会机关党委向银星社区开放。",
            )
            claim = self.claim(resource, quantity=taken, at=_at(dt.date(2018, 4, 10)), claimant_org=org)
            self.project(
                claim, area=yinxing, lead_unit=writers, done=_at(dt.date(2018, 8, 30), 17), beneficiaries=300
            )

    def fuyaping_hospitals(self) -> None:
        fyp = self.loader.by_name["富雅坪社区"]
        org = self.loader.org_of[fyp.pk]
        for hospital, offer in (
            ("湖南中医药大学第二附属医院", "名医社区坐诊"),
            ("长沙市第一医院", "居民就医预约绿色通道"),
        ):
            unit = self.unit(hospital)
            resource = self.resource(
                name=offer,
                area=unit.area,
                created=_at(dt.date(2018, 4, 20)),
                kind=ResourceKind.SERVICE,
                category=Category.HEALTH,
                capacity=48,
                measure="次",
                provider_unit=unit,
                available_from=dt.date(2018, 4, 20),
            )
            resource.service_areas.add(fyp)
            claim = self.claim(resource, quantity=24, at=_at(dt.date(2018, 4, 25)), claimant_org=org)
            self.project(claim, area=fyp, lead_unit=unit, percent=70, beneficiaries=600)

    def shibanxiang_order(self) -> None:
        chaoyang = self.loader.by_name["朝阳社区"]
        shibanxiang = Area.objects.get(name="石板巷", path__startswith=chaoyang.path)
        demand = self.demand(
            name="石板巷网格秩序维护",
            area=shibanxiang,
            owner=self.loader.org_of[chaoyang.pk],
            raised=_at(dt.date(2018, 5, 14)),
            category=Category.ORDER,
            quantity=1,
            measure="项",
            place="石板巷",
            source=DemandSource.COMMUNITY,
        )
        studio = self.unit("金芙蓉影楼")
        claim = self.claim(demand, quantity=1, at=_at(dt.date(2018, 5, 20)), claimant_unit=studio)
        project = self.project(
            claim, area=shibanxiang, lead_unit=studio, percent=80, milestones=("划分责任段", "日常巡查")
        )
        ProgressReport.objects.create(
            project=project,
            year=2018,
            quarter=3,
            text="金芙蓉影楼党支部每周两次巡查石板巷，劝导占道经营。",
            percent=80,
            reported_by=self.actor,
            reported_at=_at(dt.date(2018, 9, 28)),
        )

    def wangjialong_now(self) -> None:
        """Micro-wishes and open entries of 王家垅社区, current when the demo is loaded."""
        wjl = self.loader.by_name["王家垅社区"]
        org = self.loader.org_of[wjl.pk]
        now = timezone.now()
        member = Member.objects.filter(user__username="member").first()
        wishes = (
            ("为独居老人更换老旧燃气灶", "李奶奶", Category.GOODS),
            ("一套课外读物", "小明", Category.GOODS),
            ("一台轮椅", "王爷爷", Category.GOODS),
        )
        for i, (wish, first_name, category) in enumerate(wishes):
            demand = self.demand(
                name=wish,
                area=wjl,
                owner=org,
                raised=now - dt.timedelta(days=20 - i),
                kind=DemandKind.MICRO_WISH,
                category=category,
                quantity=1,
                measure="件",
                source=DemandSource.RESIDENT,
                requester_first_name=first_name,
            )
            demand.set_requester(f"{person_name(self.rng)} {names.fake_phone(900 + i)} 王家垅社区")
            demand.save(update_fields=["requester_sealed"])
            if i == 0 and member is not None:
                claim = self.claim(demand, quantity=1, at=now - dt.timedelta(days=10), claimant_member=member)
                self.project(
                    claim, area=wjl, lead_org=org, milestones=("购买安装",), done=now - dt.timedelta(days=5)
                )
        self.demand(
            name="社区老年食堂助餐志愿者",
            area=wjl,
            owner=org,
            raised=now - dt.timedelta(days=3),
            category=Category.VOLUNTEERS,
            quantity=10,
            measure="人",
            deadline=(now + dt.timedelta(days=30)).date(),
            description="每周一至周五11:00-12:30在社区老年食堂协助分餐。",
        )
        self.demand(
            name="30号庭院楼道照明改造",
            area=wjl,
            owner=org,
            raised=now - dt.timedelta(days=1),
            status=DemandStatus.RAISED,
            published=None,
            category=Category.FUNDS,
            quantity=1,
            measure="项",
            source=DemandSource.SURVEY,
        )
        minzheng = self.unit("湖南省民政厅")
        self.resource(
            name="养老服务政策宣讲",
            area=minzheng.area,
            created=now - dt.timedelta(days=7),
            kind=ResourceKind.PEOPLE,
            category=Category.EXPERTISE,
            capacity=4,
            measure="场",
            provider_unit=minzheng,
            available_from=(now - dt.timedelta(days=7)).date(),
            available_until=(now + dt.timedelta(days=120)).date(),
        )

    def yuelu_open(self) -> None:
        """Open entries of 岳麓区, current when the demo is loaded, written the way residents write,
        and a supply-and-demand meeting held today (供需对接会) where the claiming session proposes
        who should take what (one demand, the lift money, stays unmet)."""
        now = timezone.now()
        communities = [c for s in self.loader.streets_of["岳麓区"] for c in self.loader.communities_of[s.pk]]
        wanted = (
            ("儿童口腔检查", "孩子牙疼的多，想请牙医进社区看看蛀牙", Category.HEALTH, 30, "人"),
            ("老人上门理发", "行动不便的老人需要志愿者上门理发", Category.VOLUNTEERS, 8, "人"),
            ("法律知识讲座", "居民想了解遗产继承和物业纠纷", Category.EXPERTISE, 2, "场"),
            ("青少年暑期编程兴趣班", "双职工家庭的孩子暑假没人管，想学编程", Category.EXPERTISE, 20, "人"),
            ("党员活动场地", "社区活动室太小，党员大会需要借用会议室", Category.VENUE, 4, "场"),
            ("楼道照明维修", "老旧小区楼道灯坏了，黑灯瞎火", Category.VOLUNTEERS, 6, "人"),
            ("加装电梯资金缺口", "老旧小区加装电梯还差资金", Category.FUNDS, 1, "部"),
        )
        for i, (name, text, category, quantity, measure) in enumerate(wanted):
            community = communities[(3 * i + 1) % len(communities)]
            self.demand(
                name=name,
                area=community,
                owner=self.loader.org_of[community.pk],
                raised=now - dt.timedelta(days=12 - i),
                description=text,
                category=category,
                quantity=quantity,
                measure=measure,
                source=DemandSource.SURVEY,
                deadline=(now + dt.timedelta(days=60)).date(),
            )
        yuelu = self.loader.by_name["岳麓区"]
        in_yuelu = ResidentUnit.objects.filter(area__path__startswith=yuelu.path).order_by("pk")
        social = in_yuelu.filter(kind="social").first() or in_yuelu.last()
        firm = in_yuelu.filter(kind="private").first() or in_yuelu.first()
        assert social is not None and firm is not None
        offered = (
            (
                self.unit("中南大学"),
                "口腔医学院儿童龋齿检查义诊",
                "口腔医生进社区为儿童免费检查龋齿、涂氟",
                ResourceKind.SERVICE,
                Category.HEALTH,
                40,
                "人",
            ),
            (
                social,
                "志愿者上门理发助老",
                "志愿者为老人提供上门理发、助浴服务",
                ResourceKind.PEOPLE,
                Category.VOLUNTEERS,
                20,
                "人",
            ),
            (
                self.unit("湖南师范大学"),
                "法学院法律咨询讲座",
                "法学院师生为居民讲解继承、物业纠纷等法律知识",
                ResourceKind.PEOPLE,
                Category.EXPERTISE,
                4,
                "场",
            ),
            (
                self.unit("湖南大学"),
                "大学生暑期编程课",
                "计算机学院大学生志愿者为中小学生开设编程兴趣课",
                ResourceKind.PEOPLE,
                Category.EXPERTISE,
                30,
                "人",
            ),
            (
                self.unit("中共湖南省委党校"),
                "报告厅周末开放",
                "党校报告厅和会议室周末向社区党组织开放",
                ResourceKind.VENUE,
                Category.VENUE,
                6,
                "场",
            ),
            (
                firm,
                "电工维修楼道照明",
                "电工义务维修老旧小区楼道照明",
                ResourceKind.SERVICE,
                Category.VOLUNTEERS,
                10,
                "人",
            ),
        )
        for unit, name, text, kind, category, capacity, measure in offered:
            self.resource(
                name=name,
                area=unit.area,
                created=now - dt.timedelta(days=20),
                description=text,
                kind=kind,
                category=category,
                capacity=capacity,
                measure=measure,
                provider_unit=unit,
                available_from=(now - dt.timedelta(days=20)).date(),
                available_until=(now + dt.timedelta(days=180)).date(),
            )
        first = JointMeeting.objects.get(title="岳麓区区域化党建第一次联席会议")
        today = timezone.localdate()
        meeting = JointMeeting.objects.create(
            title="岳麓区区域化党建供需对接会",
            level=first.level,
            area=first.area,
            convener_org=first.convener_org,
            alliance=first.alliance,
            starts_at=_at(today, 9),
            ends_at=_at(today, 11),
            venue="岳麓区委大楼第一会议室",
            status="held",
            agenda_sent_at=_at(today - dt.timedelta(days=3), 9),
            created_by=self.actor,
        )
        MeetingUnit.objects.bulk_create(MeetingUnit(meeting=meeting, unit=m.unit) for m in first.units.all())
        AgendaItem.objects.create(
            meeting=meeting,
            position=1,
            title="对接社区需求和成员单位资源（认领会）",
            source="convener",
            status="accepted",
        )
        audit_record(actor=self.actor, action=Event.JOINTMEETING_DEMO_LOAD, obj=meeting, reason="demo")
        self.loader.counts["meetings"] += 1

    def expire(self) -> None:
        """What ran out before the demo is loaded is expired, as the nightly job would have done."""
        today = timezone.localdate()
        for resource in Resource.objects.filter(
            status=ResourceStatus.PUBLISHED, available_until__lt=today, pk__in=self.pks["resource"]
        ):
            assert resource.available_until is not None
            resource.status = ResourceStatus.EXPIRED
            resource.ended_at = _at(resource.available_until + dt.timedelta(days=1), 0)
            resource.save(update_fields=["status", "ended_at"])
        for demand in Demand.objects.filter(
            status=DemandStatus.PUBLISHED, deadline__lt=today, pk__in=self.pks["demand"]
        ):
            assert demand.deadline is not None
            demand.status = DemandStatus.EXPIRED
            demand.closed_at = _at(demand.deadline + dt.timedelta(days=1), 0)
            demand.save(update_fields=["status", "closed_at"])

    def audit(self) -> None:
        for model, pks in self.pks.items():
            if pks:
                audit_record(
                    actor=self.actor,
                    action=_DEMO_LOAD[model],
                    object_type=f"lists.{model}",
                    object_id=f"{min(pks)}..{max(pks)}",
                    object_label=f"{len(pks)} {model}s",
                    changes={"count": len(pks), "ids": pks},
                    reason="demo",
                )
                self.loader.counts[f"lists.{model}s"] += len(pks)


def build_lists(loader: _Loader) -> None:
    loader.progress("the three lists: demands, resources, claims, projects…")
    lists = _Lists(loader)
    lists.yuelu_meeting()
    lists.jianshanhu_housing()
    lists.writers_and_yinxing()
    lists.fuyaping_hospitals()
    lists.shibanxiang_order()
    lists.wangjialong_now()
    lists.yuelu_open()
    lists.expire()
    lists.audit()
