"""Issue 19: sessions end after inactivity (``GONGJIAN_IDLE_MINUTES``, 30 by default)."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client

from gongjian.accounts.middleware import LAST_SEEN
from gongjian.testing import World


def _idle(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_a_session_idle_past_the_limit_is_signed_out_and_comes_back_after_sign_in(
    client: Client, world: World
) -> None:
    client.force_login(world.wjl_admin)
    assert client.get("/accounts/tokens/").status_code == 200
    _idle(client, 31 * 60)
    response = client.get("/accounts/tokens/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    assert (
        response["Location"].startswith("/accounts/login/")
        and "next=%2Faccounts%2Ftokens%2F" in response["Location"]
    )
    # signed out: the page asks for sign-in again
    assert client.get("/accounts/tokens/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_activity_within_the_limit_keeps_the_session(client: Client, world: World) -> None:
    client.force_login(world.wjl_admin)
    client.get("/accounts/tokens/")
    _idle(client, 29 * 60)
    assert client.get("/accounts/tokens/").status_code == 200
    # the request moved the last-seen time forward
    assert time.time() - client.session[LAST_SEEN] < 5


def test_the_limit_is_a_setting(client: Client, world: World, settings: Any) -> None:
    settings.GONGJIAN_IDLE_MINUTES = 5
    client.force_login(world.wjl_admin)
    client.get("/accounts/tokens/")
    _idle(client, 6 * 60)
    assert client.get("/accounts/tokens/").status_code == 302
