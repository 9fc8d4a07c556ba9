"""The care mode (关怀版): one switch in the menu, remembered per person, on every page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gongjian.core.events import Event
from gongjian.core.models import AuditEntry
from gongjian.testing import World

PAGES = ["home", "core:notifications", "accounts:tokens", "orgs:tree", "lists:home", "appeals:register"]


def _body_classes(html: str) -> list[str]:
    found = re.search(r'<body class="([^"]*)"', html)
    assert found, "every page has a body"
    return found.group(1).split()


def _switch(client: Client, on: bool, back: str = "/") -> None:
    response = client.post(reverse("accounts:care_mode"), {"on": "1" if on else "0", "next": back})
    assert response.status_code == 302
    assert response["Location"] == back


def test_the_switch_is_in_the_menu_and_off_by_default(client: Client, world: World) -> None:
    client.force_login(world.wjl_admin)
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("accounts:care_mode")}"' in html
    assert 'name="on" value="1"' in html
    assert "care-mode" not in _body_classes(html)


def test_switched_on_it_stays_on_every_page_and_on_another_device(client: Client, world: World) -> None:
    client.force_login(world.city_admin)
    _switch(client, True, back=reverse("orgs:tree"))
    for name in PAGES:
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, name
        assert "care-mode" in _body_classes(response.content.decode()), name
    # a second device: the preference is the person's, not the browser's
    other = Client()
    other.force_login(world.city_admin)
    assert "care-mode" in _body_classes(other.get(reverse("home")).content.decode())
    # and the switch offers the way back, which turns it off everywhere
    assert 'name="on" value="0"' in other.get(reverse("home")).content.decode()
    _switch(other, False)
    assert "care-mode" not in _body_classes(client.get(reverse("home")).content.decode())
    assert AuditEntry.objects.filter(action=Event.USER_CARE_MODE.value).count() == 2


def test_a_visitor_keeps_it_in_a_cookie(client: Client, db: None) -> None:
    _switch(client, True, back=reverse("accounts:login"))
    assert client.cookies["gj_care"].value == "1"
    assert "care-mode" in _body_classes(client.get(reverse("accounts:login")).content.decode())
    _switch(client, False, back=reverse("accounts:login"))
    assert "care-mode" not in _body_classes(client.get(reverse("accounts:login")).content.decode())


@pytest.mark.parametrize("back", ["https://example.com/", "//example.com/x"])
def test_it_never_sends_anyone_to_another_site(client: Client, db: None, back: str) -> None:
    response = client.post(reverse("accounts:care_mode"), {"on": "1", "next": back})
    assert response["Location"] == "/"


def test_only_a_post_switches_it(client: Client, world: World) -> None:
    client.force_login(world.member)
    assert client.get(reverse("accounts:care_mode"), {"on": "1"}).status_code == 405
    assert "care-mode" not in _body_classes(client.get(reverse("home")).content.decode())
