"""The meeting pack lists the area's unclaimed demands (from the three lists), for the meeting to
assign (交办): published or partly claimed, not fully claimed, the most urgent first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjian.cobuild.selectors.meetings import meeting_unclaimed_demands
from gongjian.cobuild.tests.fixtures_meetings import CobuildMeetings, build_cobuild_meetings
from gongjian.core.pdf import pdf_text
from gongjian.lists.models import Demand


@pytest.fixture
def data(world) -> CobuildMeetings:
    return build_cobuild_meetings(world)


def _demand(world, name: str, area, **kw) -> Demand:
    fields = {"category": "volunteers", "quantity": 5, "status": "published", "raised_at": timezone.now()}
    fields.update(kw)
    return Demand.objects.create(name=name, area=area, owner_org=world.wjl_committee, **fields)


def test_the_pack_lists_unclaimed_demands_of_the_area_most_urgent_first(client, world, data) -> None:
    _demand(world, "助餐志愿者", world.wjl, claimed=2, deadline=dt.date(2030, 1, 1))
    _demand(world, "楼道照明", world.wjl_compound, urgency="critical")
    _demand(world, "已认领满", world.wjl, claimed=5)
    _demand(world, "待审核", world.wjl, status="raised")
    _demand(world, "尖山湖的需求", world.jsh)
    listed = meeting_unclaimed_demands(actor=world.dongfeng_admin, meeting=data.street_next)
    assert [d.name for d in listed] == ["楼道照明", "助餐志愿者"]
    client.force_login(world.dongfeng_admin)
    text = pdf_text(client.get(reverse("cobuild:meeting_pack", args=[data.street_next.pk])).content)
    assert "楼道照明" in text and "助餐志愿者" in text and "尖山湖的需求" not in text
