"""Joint meetings, action items and consultations on both sides of the 王家垅/尖山湖 line, built
through the services, for the scope walk and the tests.

- ``street_held``: 东风路街道's meeting three weeks ago (held, minutes archived), 省民政厅 invited
  through the street's alliance; a decision with two action items (one of 省民政厅, overdue; one
  of the street's working committee); a pledge; attendance.
- ``street_next``: the street's next meeting in five days (topics being collected, one proposed by
  省民政厅's liaison); its agenda will carry the two open items.
- ``community``: 王家垅社区's own meeting in three weeks (no unit invited).
- ``jsh_held``: 尖山湖社区's meeting two weeks ago with 芯城科技园, and its action item.
- consultations of 王家垅社区 (open, two households answered) and of 尖山湖社区.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from gongjian.cobuild.models import ActionItem, Consultation, JointMeeting, Resolution
from gongjian.cobuild.services import meetings as services
from gongjian.core.models import AuditEntry
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World


@dataclass
class CobuildMeetings:
    street_org: PartyOrg
    jsh_org: PartyOrg
    street_held: JointMeeting
    street_next: JointMeeting
    community: JointMeeting
    jsh_held: JointMeeting
    resolution: Resolution
    mz_action: ActionItem
    street_action: ActionItem
    jsh_action: ActionItem
    wjl_consultation: Consultation
    jsh_consultation: Consultation


def _at(days: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build_cobuild_meetings(world: World) -> CobuildMeetings:
    root = world.superuser
    street_org = PartyOrg.objects.get(code="PO-DFL")
    jsh_org = PartyOrg.objects.get(code="PO-JSH")
    today = timezone.localdate()

    held = services.meeting_convene(
        actor=root,
        title="第三季度联席会议",
        convener_org=street_org,
        convener="书记甲",
        alliance=world.alliance,
        starts_at=_at(-21),
        venue="街道党群服务中心",
    )
    services.agenda_item_add(actor=root, meeting=held, title="老旧小区改造")
    services.meeting_send_agenda(actor=root, meeting=held)
    services.meeting_hold(actor=root, meeting=held)
    services.attendance_add(actor=root, meeting=held, person_name="代表甲", unit=world.minzheng)
    services.pledge_add(
        actor=root,
        meeting=held,
        text="志愿者参加服务",
        unit=world.minzheng,
        quantity=50,
        measure="人",
        at_least=True,
    )
    resolution = services.resolution_record(
        actor=root,
        meeting=held,
        text="推进老旧小区改造",
        actions=[
            {
                "title": "调研加装电梯需求",
                "owner_unit": world.minzheng,
                "due_on": today - dt.timedelta(days=3),
            },
            {"title": "制定改造方案", "owner_org": street_org, "due_on": today + dt.timedelta(days=30)},
        ],
    )
    mz_action, street_action = list(resolution.actions.order_by("pk"))
    services.meeting_minutes_record(actor=root, meeting=held, minutes="会议讨论了老旧小区改造。")
    services.meeting_close(actor=root, meeting=held)

    nxt = services.meeting_convene(
        actor=root,
        title="第四季度联席会议",
        convener_org=street_org,
        alliance=world.alliance,
        starts_at=_at(5),
        venue="省民政厅会议室",
    )
    services.agenda_topic_propose(actor=world.liaison, meeting=nxt, title="社区养老服务")

    community = services.meeting_convene(
        actor=root,
        title="社区联席会议",
        convener_org=world.wjl_committee,
        starts_at=_at(21),
        venue="社区活动室",
    )

    jsh_held = services.meeting_convene(
        actor=root,
        title="园区共建联席会议",
        convener_org=jsh_org,
        units=[world.jsh_firm],
        starts_at=_at(-14),
    )
    services.agenda_item_add(actor=root, meeting=jsh_held, title="园区停车")
    services.meeting_send_agenda(actor=root, meeting=jsh_held)
    services.meeting_hold(actor=root, meeting=jsh_held)
    jsh_resolution = services.resolution_record(
        actor=root,
        meeting=jsh_held,
        text="开放园区停车场",
        actions=[
            {"title": "夜间开放停车场", "owner_unit": world.jsh_firm, "due_on": today + dt.timedelta(days=10)}
        ],
    )
    jsh_action = jsh_resolution.actions.get()

    wjl_consultation = services.consultation_create(
        actor=root,
        area=world.wjl,
        org=world.wjl_committee,
        question="是否在主干道加装路灯？",
        opens_on=today - dt.timedelta(days=2),
        closes_on=today + dt.timedelta(days=5),
        asked=10,
    )
    services.consultation_answer(actor=root, consultation=wjl_consultation, respondent="1栋101", answer="for")
    services.consultation_answer(
        actor=root, consultation=wjl_consultation, respondent="1栋102", answer="against"
    )
    jsh_consultation = services.consultation_create(
        actor=root,
        area=world.jsh,
        org=jsh_org,
        question="园区周末是否开放？",
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=6),
        asked=5,
    )
    for row in (held, nxt, community, jsh_held):
        row.refresh_from_db()
    return CobuildMeetings(
        street_org=street_org,
        jsh_org=jsh_org,
        street_held=held,
        street_next=nxt,
        community=community,
        jsh_held=jsh_held,
        resolution=resolution,
        mz_action=mz_action,
        street_action=street_action,
        jsh_action=jsh_action,
        wjl_consultation=wjl_consultation,
        jsh_consultation=jsh_consultation,
    )


class Clock:
    """Moves "now" for the services and pages (``django.utils.timezone.now``), so a test can walk
    through the cycle of a meeting: a week ahead, two days ahead, on the day."""

    def __init__(self, monkeypatch: Any) -> None:
        self.monkeypatch = monkeypatch

    def set(self, day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        when = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
        self.monkeypatch.setattr(timezone, "now", lambda: when)
        return when


#: The meeting day the services' tests convene on.
DAY = dt.date(2026, 9, 10)


def at_day(day: dt.date, hour: int = 9) -> dt.datetime:
    """``hour`` o'clock, local time, on ``day``."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def convene(world: World, org: PartyOrg, **kw: Any) -> JointMeeting:
    """A joint meeting of the world's alliance convened by the street administrator on ``DAY``."""
    args: dict[str, Any] = {
        "actor": world.dongfeng_admin,
        "title": "联席会议",
        "convener_org": org,
        "alliance": world.alliance,
        "starts_at": at_day(DAY),
    }
    args.update(kw)
    return services.meeting_convene(**args)


def audits(action: str) -> int:
    """How many audit entries record ``action``."""
    return AuditEntry.objects.filter(action=action).count()
