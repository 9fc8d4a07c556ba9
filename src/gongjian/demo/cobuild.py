"""Co-building in the Changsha 2018 demo: agreements, expanded committees, joint meetings.

What the article tells, and what ``gongjian indicators`` gives back from these records:

- 王家垅社区党委 signs pairing agreements with 省民政厅, 市星城公证处 and 东风路派出所 on the six
  commitments (党建共商、事务共管、资源共享、文明共创、难题共解、活动共办) when its alliance is set
  up (2018-08-28); one agreement per unit (an agreement pairs two organisations), renewed every
  three years, so they are in force today too, with yearly reviews.
- 岳麓区's first joint meeting, 2018-06-16, convened by the district Party secretary 周志凯 with
  the 12 member units of its alliance: pledges of 100+ professors and experts to lecture and
  1,500+ volunteers, and 26 pairing agreements signed on the spot between unit Party
  organisations and the district's communities (five-year terms, renewed at the 2023 meeting).
  The joint meeting then meets every quarter; the next one is a few days after the demo is loaded,
  so its topic collection is open. Decisions of the first meeting carry action items, closed with a
  report or still open, which the next agendas list.
- Part-time members (兼职委员) of the street "big working committees" and community "big Party
  committees": exactly 426 and 2,061 in force on 2018-09-04 across the city (the demo's map has 30
  streets and 150 communities, so each committee holds more seats than Changsha's 95 and 596
  would), appointed for five years and re-appointed in 2023; plus a few seats of 王家垅社区 still
  waiting for the street's approval.
- 湘峰村 (长龙街道) asks its households about street lights: 99% in favour.

Names of part-time members are synthetic; the units are the demo's. Volumes are written in bulk
with one audit entry a batch; nothing personal beyond a synthetic name is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from gongjian.cobuild.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaSource,
    AgendaStatus,
    Agreement,
    AgreementClause,
    AgreementReview,
    AgreementStatus,
    Answer,
    Attendance,
    Clause,
    Committee,
    CommitteeKind,
    Consultation,
    ConsultationAnswer,
    ConsultationKind,
    JointMeeting,
    MeetingLevel,
    MeetingStatus,
    MeetingUnit,
    PartTimeSeat,
    Pledge,
    PledgeKind,
    Resolution,
    SeatStep,
)
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.synthetic import person_name
from gongjian.orgs.models import AllianceMember, Area, Level, PartyOrg, ResidentUnit

if TYPE_CHECKING:
    from .scenario import _Loader

#: Part-time members in force on the article's date (Changsha, 2018-09-04).
PARTTIME_STREET = 426
PARTTIME_COMMUNITY = 2061
ARTICLE_DATE = dt.date(2018, 9, 4)
FIRST_TERM = (dt.date(2018, 3, 1), dt.date(2018, 8, 31))  # appointments of the first term
SECOND_TERM_STARTS = dt.date(2023, 9, 1)
YUELU_FIRST_MEETING = dt.datetime(2018, 6, 16, 9, 0)
YUELU_AGREEMENTS = 26
WJL_SIGNED = dt.date(2018, 8, 28)

#: The six commitments of the 王家垅社区 agreements, each with its wording (demo text).
WJL_COMMITMENTS: tuple[tuple[str, str], ...] = (
    (Clause.CONSULT, "每季度召开一次党建联席会议，共同研究社区党建和基层治理重点工作。"),
    (Clause.AFFAIRS, "共同参与社区环境整治、综治维稳和矛盾纠纷调处等公共事务。"),
    (Clause.RESOURCES, "单位会议室、活动场地和法律、公证等专业资源向社区居民开放。"),
    (Clause.CIVILITY, "共同开展文明创建、志愿服务和移风易俗活动。"),
    (Clause.PROBLEMS, "针对老旧小区改造、停车难等居民难题，共同认领、限时解决。"),
    (Clause.ACTIVITIES, "共同举办主题党日、节日慰问和文体活动。"),
)
YUELU_CLAUSES: tuple[tuple[str, str], ...] = (
    (Clause.ORGANISATION, "单位党组织与社区党组织结对，互派党员参加组织生活。"),
    (Clause.TEAMS, "单位在职党员到社区报到，纳入社区队伍共管。"),
    (Clause.VENUES, "单位活动阵地、图书资料向社区开放共用。"),
    (Clause.RESOURCES, "组织专家教授到社区开展讲座和咨询。"),
)
POSTS = (
    "党委书记",
    "党委副书记",
    "党支部书记",
    "纪委书记",
    "工会主席",
    "副院长",
    "副局长",
    "副总经理",
    "办公室主任",
)


def _aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment, timezone.get_default_timezone())


def _batch_audit(
    loader: _Loader, event: Event, model: str, label: str, pks: Sequence[int], what: dict[str, object]
) -> None:
    if not pks:
        return
    audit_record(
        actor=loader.actor,
        action=event,
        object_type=model,
        object_id=f"{min(pks)}..{max(pks)}",
        object_label=label,
        changes={"count": len(pks), **what},
        reason="demo",
    )


def _org_area(org: PartyOrg) -> Area:
    return org.area


def _agreement(
    loader: _Loader,
    *,
    number: str,
    title: str,
    host: PartyOrg,
    guest: PartyOrg,
    clauses: Sequence[tuple[str, str]],
    starts: dt.date,
    ends: dt.date,
    today: dt.date,
    host_liaison: str = "",
    unit_liaison: str = "",
    plan: str = "",
    meeting: JointMeeting | None = None,
) -> Agreement:
    if ends < today:
        status = AgreementStatus.EXPIRED
    elif starts <= today:
        status = AgreementStatus.IN_FORCE
    else:
        status = AgreementStatus.SIGNED
    unit = guest.unit
    assert unit is not None, guest
    agreement = Agreement.objects.create(
        number=number,
        title=title,
        host_org=host,
        unit_org=guest,
        area=host.area,
        unit=unit,
        host_liaison=host_liaison or person_name(loader.rng),
        host_liaison_title="党委委员",
        unit_liaison=unit_liaison or person_name(loader.rng),
        unit_liaison_title="党建联络员",
        starts_on=starts,
        ends_on=ends,
        yearly_plan=plan,
        status=status,
        signed_on=starts,
        host_signatory=host.secretary or person_name(loader.rng),
        unit_signatory=person_name(loader.rng),
        meeting=meeting,
        created_by=loader.actor,
    )
    AgreementClause.objects.bulk_create(
        AgreementClause(agreement=agreement, position=i, kind=kind, text=text)
        for i, (kind, text) in enumerate(clauses, start=1)
    )
    audit_record(
        actor=loader.actor,
        action=Event.AGREEMENT_DEMO_LOAD,
        obj=agreement,
        changes={"host": host.name, "unit": guest.name, "clauses": [k for k, _ in clauses]},
        reason="demo",
    )
    loader.counts["agreements"] += 1
    return agreement


def build_wangjialong_agreements(loader: _Loader, today: dt.date) -> None:
    from .scenario import WANGJIALONG_UNITS

    wjl = loader.by_name["王家垅社区"]
    host = loader.org_of[wjl.pk]
    for i, plan in enumerate(WANGJIALONG_UNITS, start=1):
        guest = loader.unit_orgs[loader.units_by_name[plan.name].pk]
        starts = WJL_SIGNED
        for term in range(3):
            ends = starts.replace(year=starts.year + 3) - dt.timedelta(days=1)
            agreement = _agreement(
                loader,
                number=f"开福-{starts.year}-WJL{i:02d}",
                title=f"王家垅社区党委与{plan.org_name}结对共建协议",
                host=host,
                guest=guest,
                clauses=WJL_COMMITMENTS,
                starts=starts,
                ends=ends,
                today=today,
                plan=f"{starts.year}年：联合开展主题党日4次，共同解决居民难题不少于3件。",
            )
            for year in range(starts.year, min(ends.year, today.year)):
                AgreementReview.objects.create(
                    agreement=agreement,
                    year=year,
                    rating="good",
                    summary=f"{year}年度共建任务全部完成，居民满意。",
                    reviewed_on=dt.date(year, 12, 20),
                    reviewed_by=loader.actor,
                )
            starts = ends + dt.timedelta(days=1)
            if starts > today and term:
                break


def _yuelu_units(loader: _Loader) -> list[ResidentUnit]:
    yuelu = loader.by_name["岳麓区"]
    return list(ResidentUnit.objects.filter(area__path__startswith=yuelu.path).order_by("pk"))


def build_yuelu_meetings(loader: _Loader, today: dt.date) -> JointMeeting:
    """The first joint meeting and the quarterly ones after it, up to one a few days ahead."""
    yuelu = loader.by_name["岳麓区"]
    convener = loader.org_of[yuelu.pk]
    alliance = convener.alliances.get(name="岳麓区区域化党建联席会议")
    invited = [
        m.unit for m in AllianceMember.objects.filter(alliance=alliance).select_related("unit").order_by("pk")
    ]
    first = JointMeeting.objects.create(
        title="岳麓区区域化党建第一次联席会议",
        level=MeetingLevel.DISTRICT,
        area=yuelu,
        convener_org=convener,
        convener="周志凯",
        alliance=alliance,
        starts_at=_aware(YUELU_FIRST_MEETING),
        ends_at=_aware(YUELU_FIRST_MEETING + dt.timedelta(hours=3)),
        venue="岳麓区委大楼第一会议室",
        status=MeetingStatus.CLOSED,
        agenda_sent_at=_aware(YUELU_FIRST_MEETING - dt.timedelta(days=3)),
        minutes=(
            "会议由区委书记周志凯召集。12家成员单位党组织负责人参加。会议通报了全区区域化党建工作方案，"
            "成员单位作出服务承诺，26家单位党组织与社区党组织现场签订结对共建协议。"
        ),
        minutes_at=_aware(YUELU_FIRST_MEETING + dt.timedelta(days=2)),
        created_by=loader.actor,
    )
    MeetingUnit.objects.bulk_create(
        MeetingUnit(meeting=first, unit=u, representative=person_name(loader.rng)) for u in invited
    )
    topics = [
        ("全区区域化党建工作方案", AgendaSource.CONVENER, None),
        ("高校专家教授进社区讲课安排", AgendaSource.TOPIC, invited[0]),
        ("志愿者下沉社区公益服务", AgendaSource.TOPIC, invited[1]),
        ("现场签订结对共建协议", AgendaSource.CONVENER, None),
    ]
    items = AgendaItem.objects.bulk_create(
        AgendaItem(
            meeting=first,
            position=i,
            title=title,
            source=source,
            status=AgendaStatus.ACCEPTED,
            proposed_by_unit=unit,
        )
        for i, (title, source, unit) in enumerate(topics, start=1)
    )
    Attendance.objects.bulk_create(
        Attendance(
            meeting=first,
            person_name=person_name(loader.rng),
            unit=u,
            method=Attendance.Method.STAFF,
            at=_aware(YUELU_FIRST_MEETING - dt.timedelta(minutes=10)),
        )
        for u in invited
    )
    Pledge.objects.bulk_create(
        [
            Pledge(
                meeting=first,
                unit=None,
                text="组织教授、专家到基层讲课",
                quantity=100,
                measure="名",
                at_least=True,
                kind=PledgeKind.LECTURERS,
            ),
            Pledge(
                meeting=first,
                unit=None,
                text="志愿者下沉社区开展公益服务",
                quantity=1500,
                measure="名",
                at_least=True,
                kind=PledgeKind.VOLUNTEERS,
            ),
            *[
                Pledge(
                    meeting=first,
                    unit=u,
                    text="开放单位活动场地供社区使用",
                    quantity=1,
                    measure="处",
                    kind=PledgeKind.VENUES,
                )
                for u in invited[:4]
            ],
        ]
    )
    decisions: list[tuple[str, list[tuple[str, ResidentUnit | None, int, bool]]]] = [
        ("建立区域化党建联席会议季度例会制度", [("制定联席会议议事规则", None, 30, True)]),
        (
            "组织成员单位专家教授进社区讲课",
            [
                ("编排专家讲课“菜单”并发到各社区", invited[0], 45, True),
                ("完成首批20场社区讲座", invited[1], 120, False),
            ],
        ),
        ("志愿者下沉社区开展公益服务", [("建立志愿者下沉社区登记台账", invited[2], 60, True)]),
    ]
    actions: list[ActionItem] = []
    for i, (text, acts) in enumerate(decisions, start=1):
        resolution = Resolution.objects.create(
            meeting=first, agenda_item=items[min(i, 3) - 1], position=i, text=text
        )
        for title, owner, days, closed in acts:
            due = YUELU_FIRST_MEETING.date() + dt.timedelta(days=days)
            actions.append(
                ActionItem.objects.create(
                    resolution=resolution,
                    meeting=first,
                    title=title,
                    owner_unit=owner,
                    owner_org=None if owner else convener,
                    due_on=due,
                    status=ActionStatus.CLOSED if closed else ActionStatus.OPEN,
                    closed_on=due - dt.timedelta(days=3) if closed else None,
                    report="已按期完成，材料已报区委组织部。" if closed else "",
                    closed_by=loader.actor if closed else None,
                )
            )
    audit_record(
        actor=loader.actor,
        action=Event.JOINTMEETING_DEMO_LOAD,
        obj=first,
        changes={"units": len(invited), "pledges": first.pledges.count(), "actions": len(actions)},
        reason="demo",
    )
    loader.counts["meetings"] += 1

    # 26 agreements signed at the meeting: unit Party organisations with the district's communities
    communities = [c for s in loader.streets_of["岳麓区"] for c in loader.communities_of[s.pk]]
    units = [u for u in _yuelu_units(loader) if u.pk in loader.unit_orgs][:YUELU_AGREEMENTS]
    assert len(units) == YUELU_AGREEMENTS, len(units)
    signed = first.starts_at.date()
    for n, unit in enumerate(units, start=1):
        community = next(
            (c for c in communities if unit.area.path.startswith(c.path)), communities[n % len(communities)]
        )
        host = loader.org_of[community.pk]
        guest = loader.unit_orgs[unit.pk]
        starts = signed
        for term in range(2):
            ends = starts.replace(year=starts.year + 5) - dt.timedelta(days=1)
            _agreement(
                loader,
                number=f"岳麓-{starts.year}-{n:03d}",
                title=f"{host.name}与{guest.name}结对共建协议",
                host=host,
                guest=guest,
                clauses=YUELU_CLAUSES,
                starts=starts,
                ends=ends,
                today=today,
                meeting=first if term == 0 else None,
            )
            starts = ends + dt.timedelta(days=1)

    # then every quarter, up to one a few days after the demo is loaded (topic collection open)
    moments: list[dt.datetime] = []
    moment = dt.datetime(2018, 9, 20, 9, 0)
    while moment.date() < today:
        moments.append(moment)
        moment += dt.timedelta(days=91)
    moments.append(dt.datetime.combine(today + dt.timedelta(days=5), dt.time(9, 0)))
    previous = first
    carried = [a for a in actions if a.status == ActionStatus.OPEN]
    for number, moment in enumerate(moments, start=2):
        held = moment.date() < today
        meeting = JointMeeting.objects.create(
            title=f"岳麓区区域化党建第{number}次联席会议",
            level=MeetingLevel.DISTRICT,
            area=yuelu,
            convener_org=convener,
            convener="周志凯" if moment.year == 2018 else "",
            alliance=alliance,
            starts_at=_aware(moment),
            ends_at=_aware(moment + dt.timedelta(hours=2)),
            venue=invited[number % len(invited)].name,
            status=MeetingStatus.CLOSED if held else MeetingStatus.PLANNED,
            agenda_sent_at=_aware(moment - dt.timedelta(days=3)) if held else None,
            minutes="会议听取成员单位共建项目进展，研究下一季度重点工作。" if held else "",
            minutes_at=_aware(moment + dt.timedelta(days=2)) if held else None,
            previous=previous,
            created_by=loader.actor,
        )
        MeetingUnit.objects.bulk_create(MeetingUnit(meeting=meeting, unit=u) for u in invited)
        # the open action items of earlier meetings were on every agenda sent until they were closed
        # (the upcoming meeting's agenda lists them live until it is sent)
        AgendaItem.objects.bulk_create(
            AgendaItem(
                meeting=meeting,
                position=i,
                title=action.title,
                source=AgendaSource.FOLLOW_UP,
                status=AgendaStatus.ACCEPTED,
                action_item=action,
            )
            for i, action in enumerate(carried if held else [], start=1)
        )
        for action in carried:  # each was reported on and closed at the meeting after it was due
            if held and action.due_on < moment.date():
                action.status = ActionStatus.CLOSED
                action.closed_on = moment.date()
                action.report = "已完成，在联席会议上报告进展。"
                action.closed_by = loader.actor
                action.save()
        carried = [a for a in carried if a.status == ActionStatus.OPEN]
        if held:
            Attendance.objects.bulk_create(
                Attendance(
                    meeting=meeting,
                    person_name=person_name(loader.rng),
                    unit=u,
                    method=Attendance.Method.STAFF,
                    at=_aware(moment - dt.timedelta(minutes=5)),
                )
                for u in invited[: 9 + number % 4]
            )
        if held and moment == moments[-2]:
            # the last meeting held: two action items, one already overdue, one not yet due
            resolution = Resolution.objects.create(
                meeting=meeting, position=1, text="推进成员单位资源清单更新和志愿服务积分互认"
            )
            for title, owner, due in (
                ("更新本单位资源清单并报区委组织部", invited[3], today - dt.timedelta(days=10)),
                ("拟订志愿服务积分互认办法", invited[4], today + dt.timedelta(days=20)),
            ):
                carried.append(
                    ActionItem.objects.create(
                        resolution=resolution, meeting=meeting, title=title, owner_unit=owner, due_on=due
                    )
                )
        loader.counts["meetings"] += 1
        previous = meeting
    # the upcoming meeting: a topic a unit has already proposed
    AgendaItem.objects.create(
        meeting=previous,
        position=1,
        title="高校志愿者寒假进社区服务安排",
        source=AgendaSource.TOPIC,
        status=AgendaStatus.PROPOSED,
        proposed_by_unit=invited[0],
    )
    _batch_audit(
        loader,
        Event.JOINTMEETING_DEMO_LOAD,
        "cobuild.jointmeeting",
        "岳麓区 quarterly joint meetings",
        list(
            JointMeeting.objects.filter(convener_org=convener)
            .exclude(pk=first.pk)
            .values_list("pk", flat=True)
        ),
        {"convener": convener.name},
    )
    return first


def _seat_counts(total: int, committees: int) -> list[int]:
    base, extra = divmod(total, committees)
    return [base + (1 if i < extra else 0) for i in range(committees)]


def _nearby_units(loader: _Loader, area: Area) -> list[ResidentUnit]:
    """Units in the area, else its street, else its district: where part-time members come from."""
    for node in [area, *reversed(Area.objects.get_ancestors(area))]:
        if node.level < Level.DISTRICT:
            break
        units = list(ResidentUnit.objects.filter(area__path__startswith=node.path).order_by("pk")[:40])
        if len(units) >= 3:
            return units
    return list(ResidentUnit.objects.order_by("pk")[:40])


def build_committees(loader: _Loader, today: dt.date) -> None:
    """Expanded committees on every street and community, with part-time seats summing to the
    article's 426 and 2,061 on 2018-09-04, re-appointed for a second term in 2023."""
    city = loader.by_name["长沙市"] if "长沙市" in loader.by_name else Area.objects.get(level=Level.CITY)
    for level, kind, total, label in (
        (Level.STREET, CommitteeKind.STREET, PARTTIME_STREET, "大工委"),
        (Level.COMMUNITY, CommitteeKind.COMMUNITY, PARTTIME_COMMUNITY, "大党委"),
    ):
        areas = list(Area.objects.filter(path__startswith=city.path, level=level).order_by("path"))
        areas = [a for a in areas if a.pk in loader.org_of]
        committees = Committee.objects.bulk_create(
            Committee(
                org=loader.org_of[a.pk],
                area=a,
                kind=kind,
                name=f"{a.name}“{label}”",
                established_on=dt.date(2018, 3, 1),
            )
            for a in areas
        )
        seats: list[PartTimeSeat] = []
        serial = 0
        for committee, count in zip(committees, _seat_counts(total, len(committees)), strict=True):
            units = _nearby_units(loader, committee.area)
            for k in range(count):
                serial += 1
                unit = units[k % len(units)]
                appointed = loader.rng.choice(
                    [dt.date(2018, 4, 28), dt.date(2018, 6, 30), dt.date(2018, 8, 20)]
                )
                name = person_name(loader.rng)
                post = POSTS[(serial + k) % len(POSTS)]
                first_until = SECOND_TERM_STARTS
                common = {
                    "committee": committee,
                    "person_name": name,
                    "unit": unit,
                    "unit_title": post,
                    "duty": "兼职委员",
                    "recommended_by": unit.name,
                }
                seats.append(
                    PartTimeSeat(
                        **common,
                        step=SeatStep.ENDED,
                        recommended_on=appointed - dt.timedelta(days=40),
                        screened_on=appointed - dt.timedelta(days=30),
                        approved_on=appointed - dt.timedelta(days=14),
                        approved_by=loader.actor,
                        appointed_on=appointed,
                        announced_on=appointed + dt.timedelta(days=3),
                        certificate_no=f"JZ{kind[0].upper()}2018{serial:05d}",
                        since=appointed,
                        until=first_until,
                    )
                )
                if serial % 17 == 0:  # about one in seventeen was not re-appointed in 2023
                    continue
                second = SECOND_TERM_STARTS
                seats.append(
                    PartTimeSeat(
                        **common,
                        step=SeatStep.ANNOUNCED,
                        recommended_on=second - dt.timedelta(days=45),
                        screened_on=second - dt.timedelta(days=35),
                        approved_on=second - dt.timedelta(days=15),
                        approved_by=loader.actor,
                        appointed_on=second,
                        announced_on=second + dt.timedelta(days=3),
                        certificate_no=f"JZ{kind[0].upper()}2023{serial:05d}",
                        since=second,
                        until=second.replace(year=second.year + 5),
                    )
                )
        created = PartTimeSeat.objects.bulk_create(seats, batch_size=1000)
        _batch_audit(
            loader,
            Event.PARTTIMESEAT_DEMO_LOAD,
            "cobuild.parttimeseat",
            f"{len(created)} part-time seats ({label})",
            [s.pk for s in created],
            {"committees": len(committees), "in_force_2018_09_04": total},
        )
        loader.counts[f"committees.{kind}"] += len(committees)
        loader.counts[f"seats.{kind}"] += len(created)
    # 王家垅社区's committee has two recommendations waiting for the street's approval
    wjl_committee = Committee.objects.get(area=loader.by_name["王家垅社区"])
    police = loader.units_by_name["东风路派出所"]
    for step, days in ((SeatStep.RECOMMENDED, 3), (SeatStep.SCREENED, 10)):
        PartTimeSeat.objects.create(
            committee=wjl_committee,
            person_name=person_name(loader.rng),
            unit=police,
            unit_title="副所长",
            duty="兼职委员",
            step=step,
            recommended_on=today - dt.timedelta(days=days),
            recommended_by=police.name,
            screened_on=today - dt.timedelta(days=2) if step == SeatStep.SCREENED else None,
            since=today,
        )


def build_xiangfeng_consultation(loader: _Loader) -> None:
    """湘峰村 asks its households whether to install street lights: 99% in favour."""
    village = loader.by_name["湘峰村"]
    org = loader.org_of[village.pk]
    asked, answered, against = 312, 300, 3
    consultation = Consultation.objects.create(
        area=village,
        org=org,
        kind=ConsultationKind.POLL,
        question="是否在村主干道和各组入户道路安装太阳能路灯？",
        description="村党总支逐户上门征求意见，费用由村集体和共建单位共同承担。",
        opens_on=dt.date(2018, 5, 2),
        closes_on=dt.date(2018, 5, 20),
        asked=asked,
        decision="按99%的户赞成，安装路灯186盏，当年完工。",
        created_by=loader.actor,
    )
    start = _aware(dt.datetime(2018, 5, 3, 9, 0))
    ConsultationAnswer.objects.bulk_create(
        ConsultationAnswer(
            consultation=consultation,
            respondent=f"{1 + i // 25}组{1 + i % 25}号",
            answer=Answer.AGAINST if i % 100 == 42 else Answer.FOR,
            at=start + dt.timedelta(minutes=7 * i),
        )
        for i in range(answered)
    )
    assert consultation.answers.filter(answer=Answer.AGAINST).count() == against
    audit_record(
        actor=loader.actor,
        action=Event.CONSULTATION_DEMO_LOAD,
        obj=consultation,
        changes={"asked": asked, "answered": answered},
        reason="demo",
    )
    loader.counts["consultations"] += 1


def build_cobuild(loader: _Loader) -> None:
    today = timezone.localdate()
    loader.progress("co-building: agreements, committees, joint meetings…")
    build_wangjialong_agreements(loader, today)
    build_yuelu_meetings(loader, today)
    build_committees(loader, today)
    build_xiangfeng_consultation(loader)
