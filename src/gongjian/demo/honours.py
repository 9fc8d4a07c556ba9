"""The article's honours, through the same services users call (issue 21):

- 清水塘街道 named one of Changsha's "ten fastest" streets (十快) in 2016 and, with 26.54 亿元 of
  tax revenue, one of the "ten strongest" (十强) in 2017;
- 财富新世界 (浏阳市 淮川街道) on the "ten worst" list for environmental hygiene (十差), then one
  of the "ten best compounds" (十佳小区).

The article names only these holders, so each campaign records the one it names (nominated, scored
by the panel with the article as evidence) and leaves the other places of its ten empty rather than
inventing them. The article gives no dates for 财富新世界's lists nor the days of the awards: those
are demo data (2016 and 2018, the award of 十佳 before 2018-09-04), said so in the evidence.

Two campaigns are the demo's own, not the article's (said so in their names' evidence):

- 长沙县 rates its towns and streets by the service hours verified over 2018-01-01 – 2018-09-04 (a
  criterion over a period, read from the demo's 2018 activities there), and names the first two;
- 东风路街道 names its 优秀共产党员 of 2018 from three nominated demo members (synthetic people,
  masked on the public list), scored by the panel.

Both are awarded after 2018-09-04, so the article's figures on its date are unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gongjian.core.levels import Level
from gongjian.honours import services as s
from gongjian.members.models import Member, MemberStatus
from gongjian.orgs.models import Area
from gongjian.stats import tally

ARTICLE = "《湖南日报》2018年报道"


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _campaign(
    actor: Any,
    *,
    organiser: Area,
    holder: Area,
    name: str,
    honour: str,
    year: int,
    level: int,
    item: str,
    value: str,
    evidence: str,
    negative: bool = False,
    awarded: dt.date,
) -> None:
    campaign = s.campaign_create(
        actor=actor,
        area=organiser,
        name=name,
        year=year,
        honour=honour,
        candidate_kind="area",
        candidate_level=level,
        how_many=10,
        negative=negative,
        by_nomination=True,
        figures_on=awarded - dt.timedelta(days=30),
        notice_until=awarded - dt.timedelta(days=1),
        award_on=awarded,
    )
    criterion = s.criterion_add(actor=actor, campaign=campaign, kind="panel", label=item, weight="1")
    entry = s.nomination_add(actor=actor, campaign=campaign, candidate=holder, note=evidence)
    s.panel_score_set(actor=actor, entry=entry, criterion=criterion, value=value, evidence=evidence)
    s.campaign_score(actor=actor, campaign=campaign)
    s.campaign_publish(
        actor=actor,
        campaign=campaign,
        notice_until=awarded - dt.timedelta(days=1),
        at=_at(awarded - dt.timedelta(days=8)),
    )
    s.campaign_award(actor=actor, campaign=campaign, at=_at(awarded))


def build_honours(loader: Any) -> None:
    loader.progress("honours: 十快, 十强, 十差 → 十佳…")
    actor = loader.actor
    changsha = Area.objects.get(level=Level.CITY, name="长沙市")
    liuyang = Area.objects.get(level=Level.DISTRICT, name="浏阳市")
    qst = Area.objects.get(level=Level.STREET, name="清水塘街道")
    cfxsj = Area.objects.get(level=Level.COMPOUND, name="财富新世界")
    _campaign(
        actor,
        organiser=changsha,
        holder=qst,
        name="长沙市“十快”街道评选",
        honour="十快街道",
        year=2016,
        level=Level.STREET,
        item="评审组评定(列入“十快”计1分)",
        value="1",
        evidence=f"{ARTICLE}：2016年荣膺长沙市“十快”街道（评选日期为演示数据）",
        awarded=dt.date(2016, 12, 28),
    )
    _campaign(
        actor,
        organiser=changsha,
        holder=qst,
        name="长沙市“十强”街道评选",
        honour="十强街道",
        year=2017,
        level=Level.STREET,
        item="财政税收(亿元)",
        value="26.54",
        evidence=f"{ARTICLE}：2017年以26.54亿元的财政税收挺进全市“十强”，位列该区第一",
        awarded=dt.date(2017, 12, 27),
    )
    _campaign(
        actor,
        organiser=liuyang,
        holder=cfxsj,
        name="环境卫生“十差”小区",
        honour="环境卫生十差小区",
        year=2016,
        level=Level.COMPOUND,
        item="评审组评定(列入“十差”计1分)",
        value="1",
        evidence=f"{ARTICLE}：往昔的“环境卫生十差”小区（年份为演示数据）",
        negative=True,
        awarded=dt.date(2016, 11, 30),
    )
    _campaign(
        actor,
        organiser=liuyang,
        holder=cfxsj,
        name="“十佳小区”评选",
        honour="十佳小区",
        year=2018,
        level=Level.COMPOUND,
        item="评审组评定(列入“十佳”计1分)",
        value="1",
        evidence=f"{ARTICLE}：进入了“十佳小区”先进行列（年份为演示数据）",
        awarded=dt.date(2018, 7, 20),
    )
    loader.counts["honours"] += 4
    build_demo_campaigns(loader)


#: The period of the demo's rating by figures: the year to the article's date.
PERIOD = (dt.date(2018, 1, 1), dt.date(2018, 9, 4))
DEMO = "演示数据"


def build_demo_campaigns(loader: Any) -> None:
    """The demo's own campaigns: one by a figure over a period, one of members by the panel."""
    actor = loader.actor
    county = Area.objects.get(level=Level.DISTRICT, name="长沙县")
    awarded = dt.date(2018, 9, 28)
    rating = s.campaign_create(
        actor=actor,
        area=county,
        name="志愿服务先进镇（街道）评选",
        year=2018,
        honour="志愿服务先进镇（街道）",
        candidate_kind="area",
        candidate_level=Level.STREET,
        how_many=2,
        figures_from=PERIOD[0],
        figures_on=PERIOD[1],
        notice_until=awarded - dt.timedelta(days=1),
        award_on=awarded,
    )
    s.criterion_add(actor=actor, campaign=rating, kind="figure", indicator="service.hours", weight="1")
    # the load counts its figures once at its end: the hours it scores from are counted now
    tally.rebuild(["service.hours"])
    s.campaign_score(actor=actor, campaign=rating)
    s.campaign_publish(
        actor=actor,
        campaign=rating,
        notice_until=awarded - dt.timedelta(days=1),
        at=_at(dt.date(2018, 9, 20)),
    )
    s.campaign_award(actor=actor, campaign=rating, at=_at(awarded))

    street = Area.objects.get(level=Level.STREET, name="东风路街道")
    members = list(
        Member.objects.filter(org__area__path__startswith=street.path, status=MemberStatus.NORMAL).order_by(
            "pk"
        )[:3]
    )
    # at the year's end, after the article's date: its figures on 2018-09-04 stay the article's
    assert len(members) == 3, "the demo's members of 东风路街道 (王家垅社区)"
    day = dt.date(2018, 12, 20)
    excellent = s.campaign_create(
        actor=actor,
        area=street,
        name="优秀共产党员评选",
        year=2018,
        honour="优秀共产党员",
        candidate_kind="member",
        how_many=2,
        by_nomination=True,
        figures_on=day,
        notice_until=day + dt.timedelta(days=6),
        award_on=dt.date(2018, 12, 28),
    )
    items = [
        s.criterion_add(actor=actor, campaign=excellent, kind="panel", label=label, weight=weight)
        for label, weight in (("服务群众表现", "0.6"), ("组织生活参与", "0.4"))
    ]
    scores = (("95", "90"), ("88", "96"), ("80", "85"))
    for member, values in zip(members, scores, strict=False):
        entry = s.nomination_add(
            actor=actor, campaign=excellent, candidate=member, note=f"支部推荐（{DEMO}）"
        )
        for item, value in zip(items, values, strict=True):
            s.panel_score_set(
                actor=actor, entry=entry, criterion=item, value=value, evidence=f"评审组考评表（{DEMO}）"
            )
    s.campaign_score(actor=actor, campaign=excellent)
    s.campaign_publish(actor=actor, campaign=excellent, notice_until=day + dt.timedelta(days=6), at=_at(day))
    s.campaign_award(actor=actor, campaign=excellent, at=_at(dt.date(2018, 12, 28)))
    loader.counts["honours"] += 2
