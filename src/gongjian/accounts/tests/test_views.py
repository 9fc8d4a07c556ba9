"""Sign-in, lockout, the API-token page and the overview."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongjian.testing import PASSWORD

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


# --- sign in ---------------------------------------------------------------------------------


def test_login_page_renders_for_a_phone(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert VIEWPORT in html
    assert 'name="username"' in html and 'name="password"' in html
    assert f'action="{reverse("set_language")}"' in html  # languages can be chosen before signing in
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_login_page_renders_in_every_language(client, db, language):
    client.cookies["django_language"] = language
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()


def test_sign_in_and_out(client, world):
    response = client.post(reverse("accounts:login"), {"username": "wjl_admin", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302  # back to sign in


def test_sign_in_goes_to_next(client, world):
    target = reverse("orgs:unit_list")
    page = client.get(f"{reverse('accounts:login')}?next={target}")
    assert f'value="{target}"' in page.content.decode()
    response = client.post(
        reverse("accounts:login"), {"username": "wjl_admin", "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target


def test_wrong_password_is_told_on_the_form(client, world):
    response = client.post(reverse("accounts:login"), {"username": "wjl_admin", "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_too_many_failures_lock_the_account_for_a_while(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "wjl_admin", "password": "wrong-password"})
    response = client.post(reverse("accounts:login"), {"username": "wjl_admin", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "15" in html  # minutes to wait
    assert VIEWPORT in html
    assert "_auth_user_id" not in client.session


def test_locked_page_renders_in_english(client, world, settings):
    client.cookies["django_language"] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("accounts:login"), {"username": "wjl_admin", "password": "nope-nope"})
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()


# --- API tokens ------------------------------------------------------------------------------


def test_tokens_page_needs_sign_in(client, world):
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- the overview ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    [
        "city_admin",
        "kaifu_admin",
        "dongfeng_admin",
        "wjl_admin",
        "jsh_admin",
        "liaison",
        "member",
        "resident",
    ],
)
def test_home_renders_for_everyone(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert VIEWPORT in html
    assert who in html  # the greeting uses the display name


def test_home_links_to_the_admins_areas(client, world):
    client.force_login(world.wjl_admin)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("orgs:area_detail", args=[world.wjl.pk])}"' in html
    assert "王家垅社区" in html
    assert "no-scope" not in html


@pytest.mark.parametrize("who", ["member", "resident"])
def test_home_explains_that_members_pages_come_later(client, world, who):
    client.force_login(getattr(world, who))
    html = client.get(reverse("home")).content.decode()
    assert "no-scope" in html
    assert reverse("orgs:search") not in html  # no search box: there is nothing to search yet
    assert "王家垅社区" in html  # the role's place is shown


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_home_and_tokens_render_in_other_languages(client, world, language):
    client.force_login(world.member)
    response = client.post(reverse("set_language"), {"language": language, "next": reverse("home")})
    assert response.status_code == 302
    for url in (reverse("home"), reverse("accounts:tokens")):
        page = client.get(url)
        assert page.status_code == 200
        assert f'<html lang="{language}">' in page.content.decode()
