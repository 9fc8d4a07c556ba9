"""What waits in co-building, the ledgers and service: each provider's items appear for the people
who must act, in their scope only, and go when the work is done."""

from __future__ import annotations

import pytest

from gongjian.cobuild.services import resolutions as resolution_services
from gongjian.cobuild.services import seats as seat_services
from gongjian.cobuild.tests.fixtures_agreements import build_cobuild_agreements
from gongjian.cobuild.tests.fixtures_meetings import build_cobuild_meetings
from gongjian.members import services as member_services
from gongjian.service import services as service_services
from gongjian.service.models import EntryStatus, HoursStatus, PointsEntry, ServiceHours
from gongjian.service.tests.fixtures import build_service
from gongjian.testing import build_ledgers
from gongjian.web import inbox
from gongjian.web.inbox import InboxItem

pytestmark = pytest.mark.django_db


def _items(user) -> dict[str, InboxItem]:
    return {i.kind: i for i in inbox.inbox_for(user)}


# --- co-building ------------------------------------------------------------------------------


def test_seats_wait_at_each_step_for_the_side_that_acts(world):
    cobuild = build_cobuild_agreements(world)
    community = _items(world.wjl_admin)
    assert community["cobuild.seats_to_screen"].count == 1
    assert community["cobuild.seats_to_announce"].count == 1
    assert "cobuild.seats_to_approve" not in community  # the level above approves
    assert _items(world.dongfeng_admin)["cobuild.seats_to_approve"].count == 1
    assert "cobuild.seats_to_screen" not in _items(world.jsh_admin)
    # The unit is asked for the public notice of its member's appointment.
    assert _items(world.liaison)["cobuild.seat_notices"].count == 1

    seat_services.seat_screen(actor=world.wjl_admin, seat=cobuild.seats["recommended"])
    assert "cobuild.seats_to_screen" not in _items(world.wjl_admin)
    assert _items(world.dongfeng_admin)["cobuild.seats_to_approve"].count == 2


def test_overdue_action_item_waits_in_red_for_its_unit_and_the_convener(world):
    meetings = build_cobuild_meetings(world)
    unit = _items(world.liaison)["cobuild.unit_actions"]
    assert unit.overdue and unit.count == 1
    street = _items(world.dongfeng_admin)["cobuild.actions_due"]
    assert street.overdue and street.count == 1  # the other item is due in 30 days
    assert "cobuild.actions_due" not in _items(world.jsh_admin)
    resolution_services.action_item_close(actor=world.liaison, item=meetings.mz_action, report="已完成")
    assert "cobuild.unit_actions" not in _items(world.liaison)


def test_consultation_open_to_the_resident_household(world):
    build_cobuild_meetings(world)
    item = _items(world.resident)["cobuild.consultations_open"]
    assert item.count == 1
    assert item.due is not None


# --- ledgers ----------------------------------------------------------------------------------


def test_transfers_and_unit_reports_wait_for_the_receiving_community(world):
    ledgers = build_ledgers(world)
    wjl = _items(world.wjl_admin)
    assert wjl["members.transfers_to_receive"].count == 1
    assert wjl["members.unit_reports_to_confirm"].count == 1
    transfer = next(t for t in ledgers.rows["transfer"] if t.to_org.area.path.startswith(world.wjl.path))
    member_services.transfer_receive(actor=world.wjl_admin, transfer=transfer)
    assert "members.transfers_to_receive" not in _items(world.wjl_admin)
    assert _items(world.jsh_admin)["members.transfers_to_receive"].count == 1


# --- service ----------------------------------------------------------------------------------


def test_hours_and_points_wait_for_the_community(world):
    build_ledgers(world)
    build_service(world)
    wjl = _items(world.wjl_admin)
    pending = ServiceHours.objects.filter(area__path__startswith=world.wjl.path, status=HoursStatus.PENDING)
    entries = PointsEntry.objects.filter(area__path__startswith=world.wjl.path, status=EntryStatus.PENDING)
    assert wjl["service.hours_to_verify"].count == pending.count() > 0
    assert wjl["service.points_to_approve"].count == entries.count() > 0
    for record in pending:
        service_services.hours_decide(actor=world.wjl_admin, record=record, approve=True)
    assert "service.hours_to_verify" not in _items(world.wjl_admin)
    # 尖山湖's own records wait for 尖山湖 only.
    jsh_pending = ServiceHours.objects.filter(
        area__path__startswith=world.jsh.path, status=HoursStatus.PENDING
    )
    assert _items(world.jsh_admin)["service.hours_to_verify"].count == jsh_pending.count()
