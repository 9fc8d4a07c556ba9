"""Story (issue 23), phone and desktop: the unit liaison finds on their home the demands matching
for their unit's resources, opens the page of all of them, sees each demand with the reasons it
was recommended (what the texts share, where), claims one through the confirmation (the quantity
and what the claim commits the unit to, with a cancel), and the community keeping the demand's list
is told in the bell; the claim button is then gone.

Every step starts from the person's home and only clicks; axe-core checks every page.
"""

from __future__ import annotations

from typing import Any

import pytest

from gongjian.lists.models import Claim, ClaimStatus
from gongjian.matching.models import FeedbackOutcome, RecommendationFeedback
from gongjian.matching.tests.product_fixtures import build_product
from gongjian.testing import World

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_liaison_claims_a_recommended_demand_through_the_confirmation(people: Any, world: World) -> None:
    p = build_product(world)
    liaison = people("liaison")
    admin = people("wjl_admin")

    liaison.sign_in()
    line = liaison.inbox("matching.demands_matched")
    assert line.count() == 1
    liaison.click(line.locator("a.inbox-act"))
    assert liaison.path() == "/matching/recommendations/"

    # the barbers' section: the haircut demand comes first, with reasons; nothing outside the reach
    section = liaison.page.locator("section", has=liaison.page.locator("h2", has_text=p.barbers.name))
    rows = section.locator("li.matching-row")
    assert rows.count() >= 1
    first = rows.first
    assert p.haircut.name in first.inner_text()
    reasons = first.locator(".badge.text-bg-light")
    assert reasons.count() >= 1 and all(r.strip() for r in reasons.all_inner_texts())
    assert p.jsh_teeth.name not in liaison.text()
    for n in range(rows.count()):  # every row says why it is there
        assert rows.nth(n).locator(".badge.text-bg-light").count() >= 1

    # the claim asks first: quantity, what it commits to, cancel; cancel changes nothing
    liaison.click(first.locator("[data-matching-claim=offer]"))
    assert liaison.page.locator("[data-claim-quantity]").inner_text().strip() == "5"
    said = liaison.text()
    assert p.haircut.name in said and p.barbers.name in said and world.minzheng.name in said
    liaison.click(liaison.page.locator("main a", has_text="取消"))
    assert liaison.path() == "/matching/recommendations/"
    assert not Claim.objects.filter(demand=p.haircut).exists()

    section = liaison.page.locator("section", has=liaison.page.locator("h2", has_text=p.barbers.name))
    liaison.click(section.locator("li.matching-row").first.locator("[data-matching-claim=offer]"))
    liaison.click("[data-claim-confirm]")
    claim = Claim.objects.get(demand=p.haircut)
    assert (claim.status, claim.quantity, claim.claimant_unit) == (ClaimStatus.PENDING, 5, world.minzheng)
    assert RecommendationFeedback.objects.get(claim=claim).outcome == FeedbackOutcome.CLAIMED
    assert liaison.path() == "/matching/recommendations/"
    assert "已认领5" in liaison.text() or "5" in liaison.text()
    # the button for that pair is gone
    section = liaison.page.locator("section", has=liaison.page.locator("h2", has_text=p.barbers.name))
    haircut_row = section.locator("li.matching-row", has_text=p.haircut.name)
    assert haircut_row.count() == 0 or haircut_row.locator("[data-matching-claim=offer]").count() == 0

    # the community is told in the bell, and the claim waits on its home
    admin.sign_in()
    assert admin.unread() >= 1
    admin.bell()
    assert p.haircut.name in admin.text()

    liaison.assert_accessible()
    admin.assert_accessible()
