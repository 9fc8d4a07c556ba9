"""Pledges that count (issue 21): a pledge's kind from the catalogue and its quantity ("at least"
counting its least) give ``pledges.<kind>`` at every node above the meeting, year to date, each
opening the pledges behind it; bad kinds are refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gongjian.cobuild.models import PledgeKind
from gongjian.cobuild.services import meetings as services
from gongjian.stats import tally
from gongjian.stats.indicators import CATALOGUE, compute_all

from .fixtures_meetings import DAY, convene


def _held(world, street_org, clock):
    clock.set(DAY)
    meeting = convene(world, street_org)
    services.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="议题")
    services.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    services.meeting_hold(actor=world.dongfeng_admin, meeting=meeting)
    return meeting


def test_pledges_count_by_kind_at_every_node(world, street_org, clock) -> None:
    meeting = _held(world, street_org, clock)
    admin = world.dongfeng_admin
    services.pledge_add(
        actor=admin,
        meeting=meeting,
        text="教授讲课",
        quantity=100,
        measure="名",
        at_least=True,
        kind="lecturers",
    )
    services.pledge_add(
        actor=admin,
        meeting=meeting,
        text="志愿服务",
        quantity=1500,
        measure="名",
        at_least=True,
        kind="volunteers",
    )
    services.pledge_add(actor=admin, meeting=meeting, text="再派讲师", quantity=5, kind=PledgeKind.LECTURERS)
    services.pledge_add(actor=admin, meeting=meeting, text="一句口号")  # no kind: counts nowhere
    for node in (world.dongfeng, world.kaifu, world.changsha):
        figures = compute_all(node, DAY)
        assert (figures["pledges.lecturers"], figures["pledges.volunteers"], figures["pledges.venues"]) == (
            105,
            1500,
            0,
        ), node.name
    assert compute_all(world.gaoxin, DAY)["pledges.lecturers"] == 0
    rows = CATALOGUE["pledges.lecturers"].rows
    assert rows is not None
    assert sorted(p.text for p in rows(world.kaifu, DAY)) == ["再派讲师", "教授讲课"]
    assert compute_all(world.kaifu, DAY.replace(year=DAY.year + 1))["pledges.lecturers"] == 0  # year to date
    assert tally.verify([f"pledges.{k}" for k in ("lecturers", "volunteers", "venues")]) == {}


def test_a_bad_kind_or_a_kind_without_quantity_is_refused(world, street_org, clock) -> None:
    meeting = _held(world, street_org, clock)
    with pytest.raises(ValidationError) as refused:
        services.pledge_add(actor=world.dongfeng_admin, meeting=meeting, text="x", quantity=1, kind="money")
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.pledge_add(actor=world.dongfeng_admin, meeting=meeting, text="x", kind="volunteers")
    assert "quantity" in refused.value.message_dict
    assert not meeting.pledges.exists()
