"""Ending a dated row (co-management, a mobile record, a plaque): one helper, the same rules for
each: only the right administrator, not twice, not before it began, one audit entry, history kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gongjian.core.models import AuditEntry
from gongjian.core.synthetic import id_number
from gongjian.members import services
from gongjian.members.models import Category, CoManagement, Household, MemberCategory, MobileRecord
from gongjian.orgs import services as org_services
from gongjian.testing import World

SINCE = dt.date(2025, 3, 1)


def _rows(world: World) -> dict[str, Any]:
    root = world.superuser
    direct = services.member_create(
        actor=root,
        name="直管甲",
        id_number=id_number(61, birth=dt.date(1970, 1, 2)),
        org=world.wjl_committee,
        joined_on=dt.date(2000, 7, 1),
        residence=world.wjl_building,
        categories=[Category.DIRECT],
    )
    staff = services.member_create(
        actor=root,
        name="在职乙",
        id_number=id_number(62, birth=dt.date(1971, 1, 2)),
        org=world.minzheng_org,
        joined_on=dt.date(2000, 7, 1),
        residence=world.wjl_building,
        work_unit=world.minzheng,
        categories=[Category.IN_SERVICE],
    )
    street_org = org_services.party_org_create(
        actor=root,
        name="东风路街道党工委(结束)",
        kind="working_committee",
        code="PO-END",
        area=world.dongfeng,
    )
    return {
        "co": services.co_management_add(
            actor=root, member=staff, community=world.wjl, unit=world.minzheng, since=SINCE
        ),
        "mobile": services.mobile_record_create(actor=root, member=direct, destination="深圳", since=SINCE),
        "household": services.household_award(
            actor=root,
            area=world.wjl_compound,
            address="1栋201",
            members=[direct],
            neighbours=["1栋202"],
            awarded_by=street_org,
            since=SINCE,
        ),
    }


ENDERS: dict[str, Callable[..., Any]] = {
    "co": lambda actor, row, until: services.co_management_end(actor=actor, row=row, until=until),
    "mobile": lambda actor, row, until: services.mobile_record_end(actor=actor, record=row, until=until),
    "household": lambda actor, row, until: services.household_withdraw(
        actor=actor, household=row, until=until, reason="搬走"
    ),
}
ACTIONS = {"co": "member.co_management_end", "mobile": "mobile.end", "household": "household.withdraw"}
MODELS: dict[str, Any] = {"co": CoManagement, "mobile": MobileRecord, "household": Household}


@pytest.mark.parametrize("kind", sorted(ENDERS))
def test_ending_follows_the_same_rules(world: World, kind: str) -> None:
    row = _rows(world)[kind]
    end = ENDERS[kind]
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        end(world.jsh_admin, row, dt.date(2026, 1, 1))
    with translation.override("en"), pytest.raises(ValidationError) as too_early:
        end(world.wjl_admin, row, SINCE - dt.timedelta(days=1))
    assert too_early.value.message_dict == {"until": ["This cannot end on that date."]}
    assert AuditEntry.objects.count() == before
    ended = end(world.wjl_admin, row, dt.date(2026, 1, 1))
    assert ended.until == dt.date(2026, 1, 1)
    assert MODELS[kind].objects.get(pk=row.pk).until == dt.date(2026, 1, 1)  # kept, not deleted
    entries = AuditEntry.objects.filter(seq__gt=before, action=ACTIONS[kind])
    assert entries.count() == 1
    entry = entries.get()
    assert entry.changes == {"until": [None, "2026-01-01"]} and entry.object_id == str(row.pk)
    assert entry.reason == ("搬走" if kind == "household" else "")
    with pytest.raises(ValidationError):
        end(world.wjl_admin, row, dt.date(2026, 2, 1))  # not twice


def test_a_member_back_home_leaves_the_mobile_ledger(world: World) -> None:
    record = _rows(world)["mobile"]
    services.mobile_record_end(actor=world.wjl_admin, record=record, until=dt.date(2026, 1, 1))
    entry = MemberCategory.objects.get(member=record.member, category=Category.MOBILE)
    assert entry.until == dt.date(2026, 1, 1)
