from __future__ import annotations

from django.test import Client
from rest_framework.test import APIClient

from gongjian.testing import PASSWORD


def test_login_is_throttled_after_repeated_failures(world, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "wjl_admin", "password": "wrong"})
    # even the right password is refused while locked out
    resp = client.post("/accounts/login/", {"username": "wjl_admin", "password": PASSWORD})
    assert resp.status_code == 429
    assert "_auth_user_id" not in client.session


def test_token_endpoint_is_throttled_too(world, settings):
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "jsh_admin", "password": "wrong"}, format="json")
    resp = client.post("/api/v1/auth/token/", {"username": "jsh_admin", "password": PASSWORD}, format="json")
    assert resp.status_code == 429
    assert b'"token"' not in resp.content


def test_successful_login(world):
    client = Client()
    resp = client.post("/accounts/login/", {"username": "wjl_admin", "password": PASSWORD})
    assert resp.status_code == 302
    assert client.session["_auth_user_id"] == str(world.wjl_admin.pk)
