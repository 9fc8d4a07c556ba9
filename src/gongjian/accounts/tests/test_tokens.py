"""Issue 19, defect 6: several named API tokens per user, each with an expiry and a "last used"
time, revocable one by one; asking for a token never revokes another; the key is shown once and
only its digest is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gongjian.accounts import services
from gongjian.accounts.models import ApiToken
from gongjian.core.models import AuditEntry
from gongjian.testing import PASSWORD, World

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def _with(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_two_named_tokens_both_work_and_one_is_revoked_alone(world: World) -> None:
    report = services.token_create(actor=world.wjl_admin, name="月报脚本", expires_on=TOMORROW)
    sync = services.token_create(actor=world.wjl_admin, name="数据同步", expires_on=TOMORROW)
    assert _with(report.key).get("/api/v1/me/").json()["username"] == "wjl_admin"
    assert _with(sync.key).get("/api/v1/me/").status_code == 200
    # only the digest is kept
    assert not ApiToken.objects.filter(digest=report.key).exists()
    assert report.key not in str(list(ApiToken.objects.values()))
    services.token_revoke(actor=world.wjl_admin, token=report.token)
    refused = _with(report.key).get("/api/v1/me/")
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Token"
    assert _with(sync.key).get("/api/v1/me/").status_code == 200
    assert list(AuditEntry.objects.filter(action__startswith="token.").values_list("action", flat=True)) == [
        "token.create",
        "token.create",
        "token.revoke",
    ]


def test_last_used_is_kept_and_an_expired_token_is_refused(world: World) -> None:
    made = services.token_create(actor=world.wjl_admin, name="脚本", expires_on=TOMORROW)
    assert made.token.last_used_at is None
    _with(made.key).get("/api/v1/me/")
    made.token.refresh_from_db()
    assert made.token.last_used_at is not None
    ApiToken.objects.filter(pk=made.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _with(made.key).get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize(
    ("name", "expires_on", "field"),
    [
        ("", TOMORROW, "name"),
        ("脚本", timezone.localdate(), "expires_on"),
        ("脚本", timezone.localdate() + dt.timedelta(days=400), "expires_on"),
        ("脚本", None, "expires_on"),
    ],
)
def test_a_bad_name_or_expiry_is_refused_and_nothing_is_made(
    world: World, name: str, expires_on: dt.date | None, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.token_create(actor=world.wjl_admin, name=name, expires_on=expires_on)
    assert field in refused.value.message_dict
    assert not ApiToken.objects.exists()


def test_asking_for_a_token_with_a_password_keeps_the_others(world: World) -> None:
    kept = services.token_create(actor=world.wjl_admin, name="保留", expires_on=TOMORROW)
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "wjl_admin", "password": PASSWORD, "name": "新脚本"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["name"] == "新脚本"
    assert _with(response.json()["token"]).get("/api/v1/me/").status_code == 200
    assert _with(kept.key).get("/api/v1/me/").status_code == 200
    # a default expiry that is a setting, not forever
    made = ApiToken.objects.get(name="新脚本")
    assert made.expires_at is not None and made.expires_at > timezone.now()


def test_the_tokens_api_lists_makes_and_revokes_the_callers_own(world: World) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(world.wjl_admin)
    made = client.post("/api/v1/tokens/", {"name": "接口", "expires_on": TOMORROW.isoformat()}, format="json")
    assert made.status_code == 201 and made["Cache-Control"] == "no-store"
    key, pk = made.json()["token"], made.json()["id"]
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [row["name"] for row in listed] == ["接口"] and "token" not in listed[0]
    other = APIClient()
    other.force_authenticate(world.jsh_admin)
    assert other.get("/api/v1/tokens/").json()["results"] == []
    assert other.post(f"/api/v1/tokens/{pk}/revoke/").status_code == 404
    assert client.post(f"/api/v1/tokens/{pk}/revoke/").json()["revoked_at"]
    assert _with(key).get("/api/v1/me/").status_code == 401
    bad = client.post("/api/v1/tokens/", {"name": "接口2", "expires_on": "2001-01-01"}, format="json")
    assert bad.status_code == 400 and "今天" in str(bad.json())


def test_the_tokens_page_shows_a_new_key_once_and_lists_last_use(client: Client, world: World) -> None:
    client.force_login(world.wjl_admin)
    response = client.post(
        reverse("accounts:tokens"), {"action": "create", "name": "月报", "expires_on": TOMORROW.isoformat()}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.wjl_admin)
    body = response.content.decode()
    key = response.context["new_key"]
    assert key in body and key.startswith(token.prefix)
    again = client.get(reverse("accounts:tokens")).content.decode()
    assert key not in again and "月报" in again and token.prefix in again
    refused = client.post(
        reverse("accounts:tokens"), {"action": "create", "name": "月报", "expires_on": TOMORROW}
    )
    assert refused.status_code == 200 and ApiToken.objects.filter(user=world.wjl_admin).count() == 1
    assert refused.context["form"].errors["name"]
    gone = client.post(reverse("accounts:tokens"), {"action": "revoke", "token": token.pk})
    assert gone.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_of_the_old_kind_keeps_working_after_the_migration(world: World) -> None:
    """The migration's carry-over (run here on the live models) turns the old one-per-user token
    into a named one whose key still works, with no invented expiry."""
    import importlib

    from django.apps import apps
    from rest_framework.authtoken.models import Token

    old = Token.objects.create(user=world.kaifu_admin)
    migration: Any = importlib.import_module("gongjian.accounts.migrations.0003_i19_named_tokens")
    migration.carry_over(apps, None)
    assert not Token.objects.exists()
    carried = ApiToken.objects.get(user=world.kaifu_admin)
    assert carried.expires_at is None and carried.prefix == old.key[:8]
    assert _with(old.key).get("/api/v1/me/").json()["username"] == "kaifu_admin"
