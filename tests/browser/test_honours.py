"""Issue 21's story in a real browser at a phone's size: a district opens a 十快街道 campaign from
its menu, the scores come from the figures, the panel adjusts one with a reason, the list is
published, a visitor (not signed in) objects, the district answers, the honour is awarded and
appears on the street's page and in its figures. With ``GONGJIAN_SCREENSHOTS=1`` the published
list is saved as the README's screenshot (``docs/screenshots/honours-notice-phone.png``)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjian.honours.models import Campaign
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Level

from .conftest import PHONE, no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)

SHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "honours-notice-phone.png"


def _submit(page: Any) -> None:
    page.click("main form.card button[type=submit]")
    page.wait_for_load_state()


def test_a_district_names_its_fastest_street(phone, browser, live_server, world):
    qst = org_services.area_create(
        actor=world.superuser, parent=world.kaifu, name="清水塘街道", level=Level.STREET
    )
    phone.set_default_timeout(30_000)
    phone.login("kaifu_admin")
    # from the menu, not a typed address
    phone.click(".navbar-toggler")
    # the menu slides open: a tap while it moves can land beside the link, so wait until it is open
    phone.locator(".navbar-collapse.show").first.wait_for()
    phone.locator("a.nav-link[href='/honours/']").first.click()
    phone.wait_for_url("**/honours/")
    phone.click("text=开启评比")
    phone.select_option("select[name=area]", str(world.kaifu.pk))
    phone.fill("input[name=name]", "开福区“十快”街道评选")
    phone.fill("input[name=year]", str(timezone.localdate().year))
    phone.fill("input[name=honour]", "十快街道")
    phone.select_option("select[name=candidate_kind]", "area")
    phone.select_option("select[name=candidate_level]", str(Level.STREET))
    phone.fill("input[name=how_many]", "1")
    phone.fill("input[name=figures_on]", timezone.localdate().isoformat())
    _submit(phone)
    campaign = Campaign.objects.get()
    assert phone.url.endswith(reverse("honours:campaign", args=[campaign.pk]))
    # a figure of the catalogue: resident units (东风路街道 has one, 清水塘街道 none yet)
    phone.click("text=添加评分项")
    phone.select_option("select[name=kind]", "figure")
    phone.fill("input[name=indicator]", "駐區單位")  # typed in the other script: the same word
    phone.fill("input[name=weight]", "10")
    _submit(phone)
    phone.click("main form[action$='/score/'] button")
    phone.wait_for_load_state()
    assert phone.locator("tr[data-entry=东风路街道] [data-score]").inner_text() == "10.00"
    assert phone.locator("tr[data-entry=清水塘街道] [data-score]").inner_text() == "0.00"
    # the panel adjusts 清水塘街道 with a reason: it goes first
    phone.locator("tr[data-entry=清水塘街道] a", has_text="调整").click()
    phone.fill("input[name=adjustment]", "15")
    phone.fill("textarea[name=reason]", "老毛病解决快：积案清零")
    _submit(phone)
    assert phone.locator("tr[data-entry=清水塘街道] [data-score]").inner_text() == "15.00"
    assert "积案清零" in phone.locator("tr[data-entry=清水塘街道]").inner_text()
    phone.click("main a[href$='/publish/']")
    phone.fill("input[name=notice_until]", timezone.localdate().isoformat())
    _submit(phone)
    assert no_sideways_scroll(phone)

    # a visitor, not signed in, reads the list and objects
    visitor_context = browser.new_context(**PHONE, base_url=live_server.url)
    visitor = visitor_context.new_page()
    visitor.set_default_timeout(30_000)
    visitor.goto(reverse("honours:notices"))
    visitor.click("text=开福区“十快”街道评选")
    assert "积案清零" in visitor.content()
    assert no_sideways_scroll(visitor)
    if os.environ.get("GONGJIAN_SCREENSHOTS"):
        visitor.screenshot(path=str(SHOT), full_page=True)
    # from the candidate's row: the form comes with it chosen
    visitor.locator("tr[data-entry=清水塘街道] a[data-object]").click()
    chosen = visitor.locator("select[name=entry] option:checked").inner_text()
    assert chosen.endswith("清水塘街道")
    visitor.fill("textarea[name=text]", "积案清零的数据请核实")
    _submit(visitor)
    assert "积案清零的数据请核实" in visitor.content()
    visitor_context.close()

    # the district answers the objection (not upheld) from its campaign page
    phone.goto(reverse("honours:campaign", args=[campaign.pk]))
    phone.locator("[data-objection] a", has_text="答复").click()
    phone.fill("textarea[name=answer]", "经核实，积案清零属实")
    _submit(phone)
    # the notice period passes; the district awards
    Campaign.objects.filter(pk=campaign.pk).update(notice_until=timezone.localdate() - dt.timedelta(days=1))
    phone.reload()
    phone.click("main form[action$='/award/'] button")
    phone.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.status == "awarded"
    # on the street's page, with its certificate, and in its figures
    phone.goto(reverse("orgs:area_detail", args=[qst.pk]))
    panel = phone.locator("section.record-panel").inner_text()
    assert "十快街道" in panel and "荣誉证书" in panel
    phone.goto(
        f"{reverse('stats:rows', args=[qst.code, 'honours.awarded'])}?date={timezone.localdate().isoformat()}"
    )
    assert "十快街道 清水塘街道" in phone.content()
