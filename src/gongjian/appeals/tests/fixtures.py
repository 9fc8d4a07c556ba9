"""Appeals on both sides of the 王家垅/尖山湖 line, for scope tests (on ``build_world``'s map).

- 王家垅社区: a hotline appeal assigned to 省民政厅's Party committee (the liaison's unit) and
  answered; an emergency on a building, registered and overdue; one raised online by the
  ``resident`` account;
- 尖山湖社区: an appeal assigned to 芯城科技园's Party branch, solved, closed and called back.

Phone numbers are generated (``fake_phone``); names are synthetic.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongjian.core.synthetic import fake_phone
from gongjian.testing import World

from .. import services as s
from ..models import Appeal


def _ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def build_appeals(world: World) -> dict[str, Appeal]:
    root = world.superuser
    out: dict[str, Appeal] = {}
    hotline = s.appeal_register(
        actor=root,
        area=world.wjl_compound,
        channel="hotline",
        kind="general",
        title="王家垅30号庭院路灯不亮",
        resident_name="居民甲",
        phone=fake_phone(1),
        registered_at=_ago(10),
    )
    s.appeal_assign(actor=root, appeal=hotline, org=world.minzheng_org, at=_ago(9.9))
    out["wjl_assigned"] = s.appeal_answer(actor=root, appeal=hotline, answer="已联系物业", at=_ago(9.5))
    out["wjl_overdue"] = s.appeal_register(
        actor=root,
        area=world.wjl_building,
        channel="grid",
        kind="emergency",
        title="王家垅1栋水管爆裂",
        resident_name="居民乙",
        phone=fake_phone(2),
        registered_at=_ago(1),
    )
    out["wjl_online"] = s.appeal_register(
        actor=world.resident,
        area=world.wjl,
        kind="general",
        title="王家垅社区楼道堆放杂物",
        resident_name="居民丙",
        phone=fake_phone(3),
    )
    jsh = s.appeal_register(
        actor=root,
        area=world.jsh_compound,
        channel="walk_in",
        kind="complex",
        title="尖山湖芯城小区停车难",
        resident_name="居民丁",
        phone=fake_phone(4),
        registered_at=_ago(30),
    )
    s.appeal_assign(actor=root, appeal=jsh, org=world.jsh_firm_org, at=_ago(29))
    s.appeal_answer(actor=root, appeal=jsh, answer="已到现场查看", at=_ago(28))
    s.appeal_solve(actor=root, appeal=jsh, note="开放园区停车场夜间停车", at=_ago(20))
    s.appeal_close(actor=root, appeal=jsh, at=_ago(19))
    out["jsh_closed"] = s.appeal_call_back(
        actor=world.jsh_admin, appeal=jsh, result="satisfied", channel="phone", at=_ago(18)
    )
    return out
