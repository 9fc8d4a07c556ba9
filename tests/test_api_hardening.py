"""Issue 19, defect 4: no request gives a 500; every refusal is a 4xx with a JSON body in Chinese."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from gongjian.testing import World


def _api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _json_4xx(response, code: int | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if code is not None:
        assert response.status_code == code, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert _has_chinese(str(body)), body
    return body


def test_deeply_nested_json_is_refused_without_signing_in(db) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
    body = "[" * 5000 + "]" * 5000
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    _json_4xx(response, 400)
    nested = '{"username": ' + "[" * 40 + "]" * 40 + ', "password": "x"}'
    _json_4xx(client.post("/api/v1/auth/token/", nested, content_type="application/json"), 400)


def test_oversized_json_body_is_refused(db, settings) -> None:
    settings.GONGJIAN_API_MAX_BODY = 1000
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
    body = '{"username": "' + "x" * 2000 + '", "password": "x"}'
    _json_4xx(client.post("/api/v1/auth/token/", body, content_type="application/json"), 413)


def test_party_org_with_an_end_date_is_created_or_refused_cleanly(world: World) -> None:
    client = _api(world.wjl_admin)
    body = {
        "code": "P-19-1",
        "name": "测试支部",
        "kind": "branch",
        "area": world.wjl.pk,
        "since": "2018-01-01",
        "until": "2017-01-01",
    }
    _json_4xx(client.post("/api/v1/party-orgs/", body, format="json"), 400)
    body["until"] = "2019-01-01"
    response = client.post("/api/v1/party-orgs/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["until"] == "2019-01-01"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/jobs/abc/"),
        ("get", "/api/v1/notifications/false/"),
        ("post", "/api/v1/notifications/false/read/"),
        ("get", "/api/v1/units/abc/"),
        ("get", "/api/v1/jobs/99999999999999999999999/"),
        ("get", "/api/v1/no-such-thing/"),
    ],
)
def test_malformed_ids_are_json_404s(world: World, method: str, url: str) -> None:
    _json_4xx(getattr(_api(world.wjl_admin), method)(url), 404)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/points-entries/", {"year": "0"}),
        ("/api/v1/service-hours/", {"year": "0"}),
        ("/api/v1/service-hours/", {"year": "1603076735965"}),
        ("/api/v1/points-entries/", {"year": "1603076735965"}),
        ("/api/v1/my-service/", {"year": "0"}),
        ("/api/v1/points-entries/", {"status": "\x00"}),
        ("/api/v1/appeals/", {"q": "a\x00b"}),
    ],
)
def test_bad_query_parameters_are_400s(world: World, url: str, params: dict[str, str]) -> None:
    _json_4xx(_api(world.wjl_admin).get(url, params), 400)


def test_nul_in_a_json_body_is_refused(world: World) -> None:
    body = {"code": "P-19-2", "name": "测试\x00支部", "kind": "branch", "area": world.wjl.pk}
    _json_4xx(_api(world.wjl_admin).post("/api/v1/party-orgs/", body, format="json"), 400)


# --- defect 6: tokens and throttling answer as an API should ---------------------------------


def test_a_bad_token_is_a_401_with_www_authenticate(world: World) -> None:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-token")
    _json_4xx(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    anonymous = client.get("/api/v1/me/")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"] == "Token"


def test_a_locked_out_token_request_is_a_json_429(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans", raise_request_exception=False)
    wrong = {"username": world.wjl_admin.username, "password": "wrong-password-19"}
    for _ in range(3):
        client.post("/api/v1/auth/token/", wrong, format="json")
    body = _json_4xx(client.post("/api/v1/auth/token/", wrong, format="json"), 429)
    assert "登录" in body["detail"]


# --- defect 8: behind a reverse proxy ---------------------------------------------------------


def test_the_proxy_ssl_header_is_settable_from_the_environment() -> None:
    import os
    import subprocess
    import sys

    from django.core.exceptions import ImproperlyConfigured

    from gongjian.settings import proxy_ssl_header

    assert proxy_ssl_header("") is None
    assert proxy_ssl_header("X-Forwarded-Proto: https") == ("HTTP_X_FORWARDED_PROTO", "https")
    assert proxy_ssl_header("X-Forwarded-Proto=https") == ("HTTP_X_FORWARDED_PROTO", "https")
    with pytest.raises(ImproperlyConfigured):
        proxy_ssl_header("X-Forwarded-Proto")
    env = {**os.environ, "GONGJIAN_PROXY_SSL_HEADER": "X-Forwarded-Proto: https"}
    code = "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    out = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'gongjian.settings'); django.setup(); {code}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_behind_the_proxy_a_forwarded_https_request_is_secure(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    client = Client(raise_request_exception=False)
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
