"""Co-building indicators: agreements in force, part-time members, joint meetings held."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from gongjian.cobuild.models import (
    Agreement,
    Committee,
    CommitteeKind,
    JointMeeting,
    MeetingStatus,
    PartTimeSeat,
    SeatStep,
)
from gongjian.orgs.models import PartyOrg
from gongjian.stats.indicators import CATALOGUE

IDS = ["agreements.in_force", "parttime.street", "parttime.community", "meetings.joint"]


def on(area: str, date: str) -> dict[str, Any]:
    out = StringIO()
    call_command("indicators", "--area", area, "--date", date, "--format", "json", stdout=out)
    return json.loads(out.getvalue())["indicators"]


def _agreement(world, number: str, **dates: Any) -> Agreement:
    return Agreement.objects.create(
        number=number,
        title="结对共建协议",
        host_org=world.wjl_committee,
        unit_org=world.minzheng_org,
        area=world.wjl,
        unit=world.minzheng,
        status="signed" if dates.get("signed_on") else "draft",
        **dates,
    )


def test_cobuild_indicators_are_in_the_catalogue_in_three_languages(world):
    for key in IDS:
        indicator = CATALOGUE[key]
        assert indicator.name_hans and indicator.name_hant and indicator.name_en
        assert indicator.rows is not None
    assert CATALOGUE["meetings.joint"].kind == "flow"
    assert CATALOGUE["parttime.street"].name("zh-hant") == "街道大工委兼職委員"


def test_agreements_count_signed_within_term_and_not_ended(world):
    term = {"starts_on": dt.date(2018, 9, 1), "ends_on": dt.date(2021, 8, 31)}
    _agreement(world, "A1", signed_on=dt.date(2018, 8, 28), **term)
    _agreement(world, "A2", **term)  # a draft never counts
    _agreement(
        world, "A3", signed_on=dt.date(2018, 8, 28), ended_on=dt.date(2019, 1, 1), end_reason="撤并", **term
    )
    assert on("王家垅社区", "2018-08-31")["agreements.in_force"] == 0  # signed, term not begun
    assert on("王家垅社区", "2018-09-04")["agreements.in_force"] == 2
    assert on("开福区", "2019-01-01")["agreements.in_force"] == 1  # ended that day
    assert on("开福区", "2021-08-31")["agreements.in_force"] == 1  # last day of the term
    assert on("开福区", "2021-09-01")["agreements.in_force"] == 0
    assert on("尖山湖社区", "2018-09-04")["agreements.in_force"] == 0  # another subtree


def test_part_time_seats_count_appointed_in_term_by_committee_kind(world):
    street_org = PartyOrg.objects.get(area=world.dongfeng, unit__isnull=True)
    street = Committee.objects.create(
        org=street_org,
        area=world.dongfeng,
        kind=CommitteeKind.STREET,
        name="大工委",
        established_on=dt.date(2018, 1, 1),
    )
    community = Committee.objects.create(
        org=world.wjl_committee,
        area=world.wjl,
        kind=CommitteeKind.COMMUNITY,
        name="大党委",
        established_on=dt.date(2018, 1, 1),
    )

    def seat(committee: Committee, step: str, since: dt.date, until: dt.date | None = None) -> None:
        PartTimeSeat.objects.create(
            committee=committee,
            person_name="甲乙",
            unit=world.minzheng,
            step=step,
            recommended_on=dt.date(2018, 1, 1),
            since=since,
            until=until,
        )

    seat(street, SeatStep.APPOINTED, dt.date(2018, 6, 1))
    seat(street, SeatStep.ANNOUNCED, dt.date(2018, 6, 1), dt.date(2018, 9, 1))  # term over
    seat(street, SeatStep.SCREENED, dt.date(2018, 6, 1))  # not appointed yet
    seat(community, SeatStep.ANNOUNCED, dt.date(2018, 6, 1))
    seat(community, SeatStep.ENDED, dt.date(2018, 6, 1), dt.date(2019, 6, 1))  # ended later: counts
    figures = on("开福区", "2018-09-04")
    assert (figures["parttime.street"], figures["parttime.community"]) == (1, 2)
    assert on("王家垅社区", "2018-09-04")["parttime.street"] == 0  # the street's committee is above
    assert on("开福区", "2019-06-01")["parttime.community"] == 1


def test_joint_meetings_held_in_the_year_to_date(world):
    street_org = PartyOrg.objects.get(area=world.dongfeng, unit__isnull=True)
    tz = timezone.get_default_timezone()

    def meeting(when: dt.datetime, status: str) -> None:
        JointMeeting.objects.create(
            title="联席会议",
            level="street",
            area=world.dongfeng,
            convener_org=street_org,
            starts_at=timezone.make_aware(when, tz),
            status=status,
        )

    meeting(dt.datetime(2017, 12, 20, 9), MeetingStatus.CLOSED)  # last year
    meeting(dt.datetime(2018, 3, 20, 9), MeetingStatus.CLOSED)
    meeting(dt.datetime(2018, 6, 20, 9), MeetingStatus.HELD)
    meeting(dt.datetime(2018, 7, 20, 9), MeetingStatus.CANCELLED)
    meeting(dt.datetime(2018, 9, 4, 23, 30), MeetingStatus.HELD)  # late evening, Beijing time: that day
    meeting(dt.datetime(2018, 12, 20, 9), MeetingStatus.PLANNED)
    assert on("东风路街道", "2018-09-04")["meetings.joint"] == 3
    assert on("东风路街道", "2018-09-03")["meetings.joint"] == 2
    assert on("长沙市", "2018-01-01")["meetings.joint"] == 0
    assert on("王家垅社区", "2018-09-04")["meetings.joint"] == 0  # held by the street, above
