"""Story 1 (issue 16), phone and desktop: the community administrator raises and publishes a
demand; the unit liaison finds it on their home and claims it (the claim page says what remains
and asks for the quantity); the community administrator finds the claim on their home and accepts
it; both reach the project. Each side is told in the bell and by e-mail.

Every step starts from the person's home and only clicks and types; axe-core checks every page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from gongjian.accounts.models import User
from gongjian.lists.models import Claim, ClaimStatus, Demand, DemandStatus, Project
from gongjian.testing import World

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "楼道扶手加装志愿者"


def _mail_to(user: str) -> list[str]:
    address = f"{user}@example.org"
    return [m.subject for m in mail.outbox if address in m.to]


def test_a_demand_is_published_claimed_accepted_and_both_see_the_project(people: Any, world: World) -> None:
    for user in ("wjl_admin", "liaison"):
        User.objects.filter(username=user).update(email=f"{user}@example.org")
    admin = people("wjl_admin")
    liaison = people("liaison")

    # the community administrator raises a demand on the community's list and publishes it
    admin.sign_in()
    admin.menu("三张清单")
    admin.click(admin.page.locator("main a", has_text="提出需求"))
    admin.pick("owner_org", "王家垅", "王家垅社区党委")
    admin.page.fill("#id_name", NAME)
    admin.page.select_option("#id_category", index=1)
    admin.page.fill("#id_quantity", "3")
    admin.page.fill("#id_measure", "人")
    admin.submit()
    demand = Demand.objects.get(name=NAME)
    assert demand.status == DemandStatus.RAISED
    admin.click("#demand-review")
    admin.page.check("input[name=decision][value=publish]")
    admin.submit()
    demand.refresh_from_db()
    assert demand.status == DemandStatus.PUBLISHED

    # the liaison finds it on their home among the demands in the unit's reach, and claims two
    liaison.sign_in()
    line = liaison.inbox("lists.demands_in_reach")
    assert line.locator(".inbox-count").inner_text().strip() == "1"
    liaison.click(line.locator("a.inbox-act"))
    liaison.click(liaison.page.locator("main a", has_text=NAME).first)
    liaison.click("#demand-claim")
    assert "还剩3人可认领" in liaison.text()  # what remains, before choosing how many
    liaison.pick("unit", "民政", "湖南省民政厅")
    liaison.page.fill("#id_quantity", "2")
    liaison.submit()
    claim = Claim.objects.get(demand=demand)
    assert (claim.status, claim.quantity, claim.claimant_unit) == (ClaimStatus.PENDING, 2, world.minzheng)

    # the community is told: in the bell and by e-mail; the claim waits on its home
    assert any(NAME in s for s in _mail_to("wjl_admin")), _mail_to("wjl_admin")
    admin.home()
    assert admin.unread() >= 1
    line = admin.inbox("lists.claims_to_accept")
    assert line.locator(".inbox-count").inner_text().strip() == "1"
    admin.click(line.locator("a.inbox-act"))
    admin.click(admin.page.locator("main a", has_text=NAME).first)
    admin.click("#claim-accept")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ACCEPTED
    project = Project.objects.get(claim=claim)
    admin.click(admin.page.locator("main a", has_text="查看项目").first)
    assert NAME in admin.text()

    # the liaison is told in the bell and by e-mail, and reaches the project from the bell
    assert any(NAME in s for s in _mail_to("liaison")), _mail_to("liaison")
    liaison.home()
    assert liaison.unread() >= 1
    assert liaison.inbox("lists.claim_decisions").count() == 1
    liaison.bell()
    told = liaison.text()
    assert f"接受认领：{NAME}" in told and f"项目立项：{NAME}" in told, told
    liaison.open_notification(f"项目立项：{NAME}")
    assert liaison.path().endswith(f"/projects/{project.pk}/")
    assert NAME in liaison.text()

    admin.assert_accessible()
    liaison.assert_accessible()
