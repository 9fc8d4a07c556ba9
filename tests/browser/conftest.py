"""Browser tests: real pages in Debian's Chromium (``/usr/bin/chromium``, which ``.ci/run``
installs), driven by Playwright, against Django's live server, at a phone's size.

Without Chromium the tests skip, saying so. Playwright's sync API runs an event loop in the test's
thread, so Django's guard against ORM calls from async code is lifted for these tests only.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from gongjian.testing import PASSWORD

#: A common phone: 390×844 CSS pixels, touch, a mobile user agent.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}


def chromium_path() -> str | None:
    return os.environ.get("GONGJIAN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    exe = chromium_path()
    if exe is None:
        pytest.skip("browser tests need Chromium (Debian: apt-get install chromium; .ci/run installs it)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh phone-sized page; ``phone.login(username)`` signs in through the login form."""
    context = browser.new_context(**PHONE, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()

    def login(username: str, password: str = PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()

    page.login = login
    try:
        yield page
    finally:
        context.close()


def no_sideways_scroll(page: Any) -> bool:
    """The page fits the phone's width: nothing makes it scroll sideways."""
    return bool(page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1"))


@pytest.fixture(params=["phone", "desktop"])
def people(request: Any, browser: Any, live_server: Any) -> Iterator[Any]:
    """``people("wjl_admin")``: a person of the browser stories (``story.Person``) in a browser of
    their own, at a phone's size and then at a desktop's."""
    from .story import Person

    made: list[Person] = []

    def person(username: str) -> Person:
        made.append(Person(browser, live_server.url, request.param, username))
        return made[-1]

    try:
        yield person
    finally:
        for one in made:
            one.close()
