"""The employer's quarterly feedback sheet links to the same quarter's verified service hours."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from gongjian.testing import build_ledgers


def test_the_feedback_sheet_links_to_the_quarters_verified_hours(world):
    build_ledgers(world)
    client = Client()
    client.force_login(world.liaison)
    page = client.get(
        reverse("members:feedback_sheet", args=[world.minzheng.pk]), {"year": 2024, "quarter": 2}
    )
    assert page.status_code == 200
    link = f"{reverse('service:feedback', args=[world.minzheng.pk])}?year=2024&amp;quarter=2"
    assert link in page.content.decode()
    assert (
        client.get(
            reverse("service:feedback", args=[world.minzheng.pk]), {"year": 2024, "quarter": 2}
        ).status_code
        == 200
    )
