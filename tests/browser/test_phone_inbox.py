"""Issue 16, part 1, in a real browser at a phone's size: the community administrator's home lists
the unit's pending claim, overdue work reads in red with words, and one click opens the claim to
accept; once accepted, it no longer waits."""

from __future__ import annotations

import pytest

from gongjian.lists.tests.fixtures_claims import build_lists_claims

from .conftest import no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)


def test_community_home_lists_a_pending_claim_with_a_working_link(phone, world):
    build_lists_claims(world)
    phone.login("wjl_admin")
    phone.goto("/")
    assert no_sideways_scroll(phone)
    item = phone.locator("[data-kind='lists.claims_to_accept']")
    assert item.locator(".inbox-count").inner_text().strip() == "2"
    assert "待确认的认领" in item.inner_text()

    # one click to act: the claims waiting, then the claim and its accept button
    item.locator("a.inbox-act").click()
    phone.wait_for_load_state()
    assert "楼道照明维修志愿者" in phone.content()
    assert no_sideways_scroll(phone)
    phone.locator("a", has_text="楼道照明维修志愿者").first.click()
    phone.wait_for_load_state()
    accept = phone.locator("form[action$='/accept/'] button")
    assert accept.count() == 1
    accept.click()
    phone.wait_for_load_state()

    phone.goto("/")
    assert phone.locator("[data-kind='lists.claims_to_accept'] .inbox-count").inner_text().strip() == "1"
