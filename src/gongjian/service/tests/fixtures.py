"""Service records on both sides of the 王家垅/尖山湖 line, for scope tests (after ``build_ledgers``).

- a volunteer in each community (王家垅's linked to the ``resident`` account: residents volunteer);
- a team in each community (王家垅's 党员360服务队 with a ledger member and the volunteer, a patrol
  rota) and a team of 省民政厅 (the liaison's unit);
- a community activity in each, one of 省民政厅 and one of 尖山湖's team, each with an attendance
  verified into hours; a staff member's own hours pending; points rules and entries.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongjian.accounts.services import user_create
from gongjian.members import services as member_services
from gongjian.testing import PASSWORD, World

from .. import services as s
from ..models import Activity


def _past(days: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def build_service(world: World) -> dict[str, list[Any]]:
    from gongjian.members.models import Member

    root = world.superuser
    rows: dict[str, list[Any]] = {}
    direct = {m.name: m for m in Member.objects.filter(name__in=["直管0", "直管1", "在职0", "在职1"])}
    sides = [
        (
            world.wjl,
            world.wjl_committee,
            direct["直管0"],
            direct["在职0"],
            world.resident,
            "甲",
            "王家垅党员360服务队",
        ),
        (world.jsh, world.jsh_branch, direct["直管1"], direct["在职1"], None, "乙", "尖山湖红色先锋服务队"),
    ]
    for n, (community, org, member, staff, account, letter, team_name) in enumerate(sides):
        volunteer = s.volunteer_create(
            actor=root,
            name=f"志愿者{letter}",
            area=community,
            phone=f"1390000{n:04d}",
            volunteer_no=f"V-{n:04d}",
            user=account,
        )
        team = s.team_create(actor=root, name=team_name, area=community, org=org, since=dt.date(2018, 1, 1))
        s.team_member_add(actor=root, team=team, member=member, leader=True)
        s.team_member_add(actor=root, team=team, volunteer=volunteer)
        s.duty_add(
            actor=root,
            team=team,
            kind="patrol",
            weekdays="1234567",
            starts=dt.time(8, 0),
            ends=dt.time(9, 0),
            route=f"{community.name}主干道",
        )
        organiser = org if org.area_id == community.pk else None
        activity = s.activity_create(
            actor=root,
            title=f"{community.name}环境整治",
            organiser_kind="community" if organiser else "team",
            org=organiser,
            team=None if organiser else team,
            place=f"{community.name}广场",
            starts_at=_past(3),
            ends_at=_past(3, 12),
            signup_limit=20,
        )
        attendance = s.attendance_record(
            actor=root, activity=activity, member=staff, signed_in_at=_past(3), signed_out_at=_past(3, 11)
        )
        hours = s.attendance_verify(actor=root, attendance=attendance)
        staff_user = user_create(actor=None, username=f"staff{n}", password=PASSWORD)
        member_services.member_link_user(actor=root, member=staff, user=staff_user)
        logged = s.hours_log(
            actor=staff_user, on=timezone.localdate(), hours=Decimal("1.5"), description="入户走访"
        )
        claim_rule = s.points_rule_create(
            actor=root,
            name=f"{community.name}先锋示范",
            area=community,
            basis="per_claim",
            points=Decimal(5),
            cap=Decimal(10),
            cap_period="quarter",
            evidence_required=True,
        )
        hour_rule = s.points_rule_create(
            actor=root,
            name=f"{community.name}服务时长积分",
            area=community,
            basis="per_hour",
            points=Decimal(1),
        )
        entry = s.points_claim(
            actor=staff_user,
            rule=claim_rule,
            on=timezone.localdate(),
            evidence="照片两张",
            note="带头清理楼道",
        )
        for key, value in {
            "volunteer": volunteer,
            "team": team,
            "activity": activity,
            "attendance": attendance,
            "hours": hours,
            "logged": logged,
            "rule": claim_rule,
            "hour_rule": hour_rule,
            "entry": entry,
        }.items():
            rows.setdefault(key, []).append(value)
    unit_team = s.team_create(actor=root, name="民政厅志愿服务队", area=world.wjl, unit=world.minzheng)
    unit_activity = s.activity_create(
        actor=root,
        title="民政政策进社区",
        organiser_kind="unit",
        unit=world.minzheng,
        place="王家垅社区活动室",
        starts_at=timezone.now() + dt.timedelta(days=2),
        ends_at=timezone.now() + dt.timedelta(days=2, hours=2),
    )
    rows["team"].append(unit_team)
    rows["activity"].append(unit_activity)
    return rows


def activities() -> list[Activity]:
    return list(Activity.objects.order_by("pk"))
