"""Residents' appeals (接诉即办) in the Changsha 2018 demo.

- The article's case: 尖山湖社区 (高新区) took 永雄集团's request to house about 2,000 new
  employees on 2018-07-09 09:00, assigned it to the community's Party committee within the hour,
  answered it at once and solved it two days later (2018-07-11 09:00: 中电软件园 and 芯城科技园
  found 1,200 + 800 beds, see ``demo/lists.py``); closed, and the firm's contact called back
  satisfied. The contact person's name is synthetic.
- About 360 appeals of 2018 across the demo's communities (none in 尖山湖社区, whose one appeal of
  the article stays alone): every kind, every channel, answered in time or late, solved or not,
  closed and called back with every result; a few left open at the end of the year.
- Current work for the demo accounts: 王家垅社区 has appeals registered in the last days — one
  waiting to be assigned, one overdue, one assigned to 省民政厅 (the ``minzheng`` liaison answers it)
  — and the ``resident`` account's own appeal raised online.

Everything goes through the appeals' services (one audit entry each), with the demo's platform
administrator as the actor. Names come from the pools; phone numbers are generated at run time
(``fake_phone``), never written down.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from gongjian.accounts.models import User
from gongjian.appeals import services as ap
from gongjian.appeals.models import Appeal
from gongjian.core.synthetic import fake_phone, person_name
from gongjian.orgs.models import Area, Dated, Level, PartyOrg

if TYPE_CHECKING:
    from .scenario import _Loader

SEED = 12345
APPEALS_2018 = 360
HOUSING_TITLE = "永雄集团新招员工约2000人住房需求"
JIANSHANHU = "尖山湖社区"

#: (kind, weight, titles)
TOPICS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("emergency", 8, ("楼道起火隐患", "电梯困人", "燃气泄漏气味", "化粪池外溢", "井盖缺失")),
    ("utilities", 20, ("小区停水", "楼栋停电", "暖气不热", "燃气表故障", "水压过低", "路灯不亮")),
    (
        "general",
        55,
        ("噪音扰民", "垃圾清运不及时", "楼道堆放杂物", "违章停车", "宠物扰民", "绿化带破损", "占道经营"),
    ),
    ("complex", 17, ("老旧小区加装电梯", "物业费纠纷", "小区停车位规划", "房屋漏水责任纠纷", "违建拆除")),
)
CHANNELS = (
    ("hotline", 45),
    ("walk_in", 12),
    ("phone", 12),
    ("wechat", 12),
    ("online", 0),
    ("grid", 14),
    ("letter", 5),
)
#: How the residents are called back (by the city's call-back desk, who did not handle the appeals).
CALLBACK_CHANNELS = (("phone", 80), ("sms", 8), ("wechat", 8), ("visit", 4))
CALLBACKS = (("satisfied", 68), ("basically_satisfied", 17), ("dissatisfied", 7), ("not_reached", 8))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day, dt.time(hour, minute)), timezone.get_default_timezone()
    )


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


class _Appeals:
    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.actor = loader.actor
        # call-backs are independent of the handling: the city's demo administrator makes them
        self.caller = User.objects.get(username="changsha")
        self.rng = random.Random(SEED)

    def phone(self) -> str:
        self.loader.phone_serial += 1
        return fake_phone(self.loader.phone_serial)

    def housing(self) -> Appeal:
        """The article's case, solved in two days."""
        jsh = self.loader.by_name[JIANSHANHU]
        registered = _at(dt.date(2018, 7, 9), 9)
        appeal = ap.appeal_register(
            actor=self.actor,
            area=jsh,
            channel="walk_in",
            kind="complex",
            title=HOUSING_TITLE,
            description="永雄集团新招聘约2000名员工，急需在尖山湖社区周边就近解决住宿。",
            resident_name=f"{person_name(self.rng)}（永雄集团行政部）",
            phone=self.phone(),
            registered_at=registered,
        )
        org = self.loader.org_of[jsh.pk]
        ap.appeal_assign(
            actor=self.actor,
            appeal=appeal,
            org=org,
            note="社区“大服务”党支部联席会议协调",
            at=registered + dt.timedelta(minutes=40),
        )
        ap.appeal_answer(
            actor=self.actor,
            appeal=appeal,
            answer="已受理，社区党委正联系辖区园区腾出宿舍，两日内答复。",
            at=registered + dt.timedelta(hours=1),
        )
        ap.appeal_solve(
            actor=self.actor,
            appeal=appeal,
            note="中电软件园腾出宿舍1200个床位、芯城科技园800个床位，员工已入住。",
            at=registered + dt.timedelta(days=2),
        )
        ap.appeal_close(actor=self.actor, appeal=appeal, at=registered + dt.timedelta(days=2, hours=1))
        ap.appeal_call_back(
            actor=self.caller,
            appeal=appeal,
            result="satisfied",
            channel="phone",
            solved=True,
            note="企业对社区两天解决住房表示满意",
            at=registered + dt.timedelta(days=3),
        )
        return appeal

    def _orgs(self, community: Area, day: dt.date) -> list[PartyOrg]:
        """The community's Party committee, and the Party organisations of units sitting in it (in
        force on ``day``)."""
        own = self.loader.org_of.get(community.pk)
        units = list(
            PartyOrg.objects.filter(
                Dated.on(day), unit__isnull=False, area__path__startswith=community.path
            ).order_by("pk")[:3]
        )
        return ([own] if own else []) + units

    def year_2018(self) -> int:
        communities = [
            c
            for c in Area.objects.filter(level=Level.COMMUNITY).exclude(name=JIANSHANHU).order_by("path")
            if self.loader.org_of.get(c.pk) is not None
        ]
        rng = self.rng
        made = 0
        for n in range(APPEALS_2018):
            community = communities[n % len(communities)] if n < len(communities) else rng.choice(communities)
            places = [
                community,
                *Area.objects.filter(path__startswith=community.path, level__gt=Level.COMMUNITY)[:6],
            ]
            kind, _weight, titles = rng.choices(TOPICS, weights=[t[1] for t in TOPICS])[0]
            day = dt.date(2018, 1, 2) + dt.timedelta(days=rng.randrange(0, 350))
            registered = _at(day, rng.randrange(8, 19), rng.randrange(0, 60))
            appeal = ap.appeal_register(
                actor=self.actor,
                area=rng.choice(places),
                channel=_pick(rng, CHANNELS),
                kind=kind,
                title=rng.choice(titles),
                resident_name=person_name(rng),
                phone=self.phone(),
                registered_at=registered,
            )
            made += 1
            fate = rng.random()
            if fate < 0.02:
                continue  # registered and never assigned: overdue
            limit = appeal.due_at - registered
            at = registered + limit * rng.uniform(0.02, 0.15)
            ap.appeal_assign(
                actor=self.actor, appeal=appeal, org=rng.choice(self._orgs(community, at.date())), at=at
            )
            if fate < 0.04:
                continue  # assigned, never answered
            in_time = rng.random() < 0.9
            at = registered + limit * (rng.uniform(0.2, 0.95) if in_time else rng.uniform(1.05, 2.0))
            ap.appeal_answer(actor=self.actor, appeal=appeal, answer="已联系居民，正在办理。", at=at)
            if fate < 0.06:
                continue  # answered, still being handled
            solved = rng.random() < 0.88
            at += dt.timedelta(hours=rng.randrange(2, 24 * (3 if kind in ("general", "complex") else 1)))
            ap.appeal_solve(
                actor=self.actor,
                appeal=appeal,
                solved=solved,
                note="已办理完毕。" if solved else "涉及产权或历史遗留问题，已向居民解释政策。",
                at=at,
            )
            at += dt.timedelta(hours=rng.randrange(1, 30))
            ap.appeal_close(actor=self.actor, appeal=appeal, at=at)
            if rng.random() < 0.05:
                continue  # closed, not yet called back
            at += dt.timedelta(hours=rng.randrange(4, 72))
            result = _pick(rng, CALLBACKS)
            if not solved and result == "satisfied":
                result = rng.choice(["basically_satisfied", "dissatisfied"])
            ap.appeal_call_back(
                actor=self.caller,
                appeal=appeal,
                result=result,
                channel=_pick(rng, CALLBACK_CHANNELS),
                solved=None if result == "not_reached" else (solved and result != "dissatisfied"),
                at=at,
            )
            if result == "not_reached" and rng.random() < 0.6:
                at += dt.timedelta(days=1)
                ap.appeal_call_back(
                    actor=self.caller,
                    appeal=appeal,
                    channel="phone",
                    solved=solved,
                    result="satisfied" if solved else "basically_satisfied",
                    at=at,
                )
        return made

    def current(self) -> int:
        """Work waiting for the demo accounts in 王家垅社区, registered in the last days."""
        wjl = self.loader.by_name["王家垅社区"]
        places = [
            wjl,
            *Area.objects.filter(path__startswith=wjl.path, level__gt=Level.COMMUNITY).order_by("path")[:4],
        ]
        now = timezone.now()
        ap.appeal_register(
            actor=self.actor,
            area=places[1 % len(places)],
            channel="hotline",
            kind="general",
            title="楼道声控灯损坏",
            resident_name=person_name(self.rng),
            phone=self.phone(),
            registered_at=now - dt.timedelta(hours=3),
        )
        overdue = ap.appeal_register(
            actor=self.actor,
            area=places[-1],
            channel="grid",
            kind="utilities",
            title="楼栋二次供水水箱异味",
            resident_name=person_name(self.rng),
            phone=self.phone(),
            registered_at=now - dt.timedelta(hours=30),
        )
        ap.appeal_assign(
            actor=self.actor, appeal=overdue, org=self.loader.org_of[wjl.pk], at=now - dt.timedelta(hours=29)
        )
        minzheng = self.loader.units_by_name.get("湖南省民政厅")
        unit_org = self.loader.unit_orgs.get(minzheng.pk) if minzheng is not None else None
        count = 2
        if unit_org is not None:
            for_unit = ap.appeal_register(
                actor=self.actor,
                area=wjl,
                channel="phone",
                kind="complex",
                title="省民政厅宿舍区老人助餐点设置",
                resident_name=person_name(self.rng),
                phone=self.phone(),
                registered_at=now - dt.timedelta(days=2),
            )
            ap.appeal_assign(
                actor=self.actor,
                appeal=for_unit,
                org=unit_org,
                note="请驻区单位协助",
                at=now - dt.timedelta(days=2) + dt.timedelta(hours=2),
            )
            count += 1
        resident = User.objects.filter(username="resident").first()
        if resident is not None:
            ap.appeal_register(
                actor=resident,
                area=wjl,
                kind="general",
                title="小区健身器材损坏",
                description="中心广场两台健身器材松动，老人使用有危险。",
                resident_name="居民（演示）",
                phone=self.phone(),
            )
            count += 1
        return count


def build_appeals(loader: _Loader) -> None:
    loader.progress("appeals: 2018 and current…")
    builder = _Appeals(loader)
    builder.housing()
    loader.counts["appeals"] += 1 + builder.year_2018() + builder.current()
