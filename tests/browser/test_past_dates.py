"""Issue 16: the confirmation "I am recording a past …" on convening a meeting and publishing an
activity shows as soon as the start typed is in the past, before any submit, and hides again for a
future start."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def _typed(days: int) -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(
    ("username", "url"),
    [("dongfeng_admin", "cobuild:meeting_create"), ("wjl_admin", "service:activity_create")],
)
def test_the_past_date_confirmation_shows_as_soon_as_the_start_is_in_the_past(phone, world, username, url):
    phone.login(getattr(world, username).username)
    phone.goto(reverse(url))
    box = phone.locator("[data-past-start]")
    check = phone.locator("input[name=recorded_after_the_fact]")
    assert box.is_hidden()
    phone.fill("#id_starts_at", _typed(-10))
    assert box.is_visible()
    check.check()
    phone.fill("#id_starts_at", _typed(10))
    assert box.is_hidden() and not check.is_checked()
