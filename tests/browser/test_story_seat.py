"""Story 2 (issue 16), phone and desktop: a part-time seat on the community's expanded committee
goes to the street and back. The community administrator recommends a unit's leader and screens
the recommendation; the street administrator is told (bell, e-mail), finds the seat on their home
and approves it; the community administrator is told (bell, e-mail) and finds the seat waiting on
their home to be appointed.

Every step starts from the person's home and only clicks and types; axe-core checks every page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from gongjian.accounts.models import User
from gongjian.cobuild.models import PartTimeSeat, SeatStep
from gongjian.cobuild.services import seats
from gongjian.testing import World

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "赵委员"


def _mail_to(user: str) -> list[str]:
    return [m.subject for m in mail.outbox if f"{user}@example.org" in m.to]


def test_a_seat_goes_from_the_community_to_the_street_and_back(people: Any, world: World) -> None:
    for user in ("wjl_admin", "dongfeng_admin"):
        User.objects.filter(username=user).update(email=f"{user}@example.org")
    committee = seats.committee_create(
        actor=world.wjl_admin, org=world.wjl_committee, established_on=dt.date(2026, 1, 1)
    )
    community = people("wjl_admin")
    street = people("dongfeng_admin")

    # the community recommends a unit's leader for its committee, and screens the recommendation
    community.sign_in()
    community.menu("/cobuild/")
    community.click(community.page.locator("main a[href$='/cobuild/committees/']").first)
    community.click(community.page.locator("main a", has_text=committee.name).first)
    community.click(community.page.locator("main a[href$='/recommend/']"))
    community.page.fill("#id_person_name", NAME)
    community.pick("unit", "民政", "湖南省民政厅")
    community.page.fill("#id_unit_title", "处长")
    community.submit()
    seat = PartTimeSeat.objects.get(person_name=NAME)
    assert seat.step == SeatStep.RECOMMENDED
    if community.path() != f"/cobuild/seats/{seat.pk}/":
        community.click(community.page.locator("main a", has_text=NAME).first)
    community.click(community.page.locator("main a[href$='/screen/']"))
    community.submit()
    seat.refresh_from_db()
    assert seat.step == SeatStep.SCREENED

    # the street is told (bell and e-mail), finds the seat on its home and approves it
    assert any("兼职委员" in s and "湖南省民政厅" in s for s in _mail_to("dongfeng_admin")), mail.outbox
    street.sign_in()
    assert street.unread() >= 1
    line = street.inbox("cobuild.seats_to_approve")
    assert line.locator(".inbox-count").inner_text().strip() == "1"
    street.click(line.locator("a.inbox-act"))
    street.click(street.page.locator("main a", has_text=NAME).first)
    street.click("#seat-approve")
    street.submit()
    seat.refresh_from_db()
    assert seat.step == SeatStep.APPROVED

    # back at the community: told (bell and e-mail), the seat waits on its home to be appointed
    assert any("兼职委员" in s and "湖南省民政厅" in s for s in _mail_to("wjl_admin")), mail.outbox
    community.home()
    assert community.unread() >= 1
    community.bell()
    assert community.page.locator("[data-notification]", has_text="湖南省民政厅").count() >= 1
    community.home()
    line = community.inbox("cobuild.seats_to_appoint")
    assert line.locator(".inbox-count").inner_text().strip() == "1"
    community.click(line.locator("a.inbox-act"))
    community.click(community.page.locator("main a", has_text=NAME).first)
    assert community.page.locator("main a[href$='/appoint/']").count() == 1

    community.assert_accessible()
    street.assert_accessible()
