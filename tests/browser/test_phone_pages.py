"""Pages as a user on a phone sees them: sign in, the ledgers, revealing an ID number."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongjian.core.models import AuditEntry
from gongjian.testing import build_ledgers

from .conftest import no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_and_the_ledgers_fit_a_phone(phone, world):
    build_ledgers(world)
    phone.login("wjl_admin")
    assert phone.url.endswith("/"), phone.url
    phone.goto(reverse("members:ledger", args=[world.wjl.pk]))
    assert "王家垅社区" in phone.title() + phone.inner_text("main")
    assert no_sideways_scroll(phone)
    # ID numbers are masked on the list: 6 digits, 8 stars, 4 characters; never in full
    text = phone.inner_text("main")
    assert re.search(r"\d{6}\*{8}\d{3}[\dX]", text)
    assert not re.search(r"\d{17}[\dX]", text)


def test_revealing_an_id_number_asks_for_a_reason_and_is_audited(phone, world):
    ledgers = build_ledgers(world)
    member = ledgers.rows["member"][0]
    phone.login("wjl_admin")
    phone.goto(reverse("members:member_detail", args=[member.pk]))
    assert no_sideways_scroll(phone)
    assert not re.search(r"\d{17}[\dX]", phone.inner_text("main"))
    before = AuditEntry.objects.filter(action="pii.reveal").count()
    phone.click("details.reveal summary")
    form = phone.locator("details.reveal form")
    form.locator("select[name=field]").select_option("id_number")
    form.locator("button[type=submit]").click()  # no reason: refused
    phone.wait_for_load_state()
    assert AuditEntry.objects.filter(action="pii.reveal").count() == before
    assert phone.locator(".revealed-value").count() == 0
    assert phone.locator("details.reveal[open]").count() == 1  # the form stays open with its error
    form = phone.locator("details.reveal form")
    form.locator("select[name=field]").select_option("id_number")
    form.locator("[name=reason]").fill("核对组织关系转接")
    form.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    value = phone.inner_text(".revealed-value")
    assert re.fullmatch(r"\d{17}[\dX]", value) is not None  # shown in full, once (never printed here)
    entry = AuditEntry.objects.filter(action="pii.reveal").latest("seq")
    assert entry.reason == "核对组织关系转接"
    assert entry.object_id == str(member.pk)
