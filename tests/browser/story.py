"""The people of the browser stories (issue 16): each in a browser of their own, at a phone's or
a desktop's size, who signs in through the login form and from there only clicks, taps and types
into fields (the site's address is opened once, like typing it into the phone's browser).

Every page a person reaches is checked by axe-core (from npm, ``node_modules/axe-core``): the
serious and critical violations are collected and the story fails on them at the end; on a phone
each page must also fit the width.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gongjian.testing import PASSWORD

from .conftest import PHONE, no_sideways_scroll

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
SIZES = {"phone": PHONE, "desktop": DESKTOP}

#: The serious and critical violations axe finds on the page: rule, impact, help, first elements.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
}"""


class Person:
    """One person's browser: ``sign_in()``, then ``click(...)``, ``fill(...)``, ``menu(...)``."""

    def __init__(self, browser: Any, base_url: str, size: str, username: str) -> None:
        if not AXE.exists():
            pytest.skip("axe-core is not installed (./run setup installs it from npm)")
        self.size = size
        self.username = username
        # axe is injected by the test: the site's Content-Security-Policy (scripts from the site
        # only) is lifted for this browser, never for the site.
        self.context = browser.new_context(**SIZES[size], base_url=base_url, bypass_csp=True)
        self.context.set_default_timeout(20_000)
        self.page = self.context.new_page()
        self.visited: list[str] = []
        self.violations: list[str] = []
        self.too_wide: list[str] = []

    # --- moving about -------------------------------------------------------------------------

    def sign_in(self) -> None:
        """Open the site (the one address typed), sign in through the form, land on the home."""
        self.page.goto("/", timeout=60_000)  # the live server's first answer is slow to warm up
        self.page.wait_for_load_state()
        self.check()  # the login page
        self.page.fill("input[name=username]", self.username)
        self.page.fill("input[name=password]", PASSWORD)
        self.click(self.page.locator("main form button[type=submit]"))
        assert self.path() == "/", self.path()

    def click(self, target: Any) -> None:
        """Click a locator (or a selector) that leads to another page, then check that page."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        with self.page.expect_navigation():
            locator.click()
        self.page.wait_for_load_state()
        self.check()

    def home(self) -> None:
        """Back to the home page by the brand in the top bar."""
        self.click(self.page.locator("a.navbar-brand"))

    def menu(self, label: str) -> None:
        """Open a module from the main menu by its words or, starting with "/", its address (on a
        phone, the menu opens first)."""
        toggler = self.page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            self.page.locator("#main-nav.show").wait_for()
        if label.startswith("/"):
            self.click(self.page.locator(f"a.nav-link:visible[href='{label}']").first)
        else:
            self.click(self.page.locator("a.nav-link:visible", has_text=label).first)

    def bell(self) -> None:
        """Open one's notifications from the bell in the top bar."""
        if self.size == "phone":
            self.click(self.page.locator("header a.d-lg-none[href$='/notifications/']"))
        else:
            self.click(self.page.locator("#nav-notifications"))

    def notification(self, text: str) -> Any:
        """On the bell's page: the (first) notification that says ``text``."""
        return self.page.locator("[data-notification]", has_text=text).first

    def open_notification(self, text: str) -> None:
        """On the bell's page: open what the notification that says ``text`` is about."""
        self.click(self.notification(text).locator("button[name=open]"))

    def inbox(self, kind: str) -> Any:
        """The home's line for one kind of waiting work."""
        return self.page.locator(f"[data-kind='{kind}']")

    def pick(self, field: str, typed: str, option: str) -> None:
        """Choose in a searchable picker (Tom Select) by typing and taking the offered option."""
        chosen = self.page.locator(f"#id_{field} option:checked")
        if chosen.count() and option in chosen.first.inner_text():
            return  # the only choice, already taken
        self.page.focus(f"#id_{field}-ts-control")
        self.page.keyboard.type(typed)
        self.page.locator(".ts-dropdown .option:visible", has_text=option).first.click()
        assert option in self.page.locator(f"#id_{field} option:checked").first.inner_text()

    def submit(self, label: str | None = None) -> None:
        """Send the page's main form (by its button's words when given)."""
        button = (
            self.page.locator("main form button[type=submit]", has_text=label)
            if label
            else self.page.locator("main form button[type=submit]")
        )
        self.click(button.last)

    # --- what the page says -------------------------------------------------------------------

    def path(self) -> str:
        return str(re.sub(r"^https?://[^/]+", "", self.page.url))

    def text(self, selector: str = "main") -> str:
        return str(self.page.inner_text(selector))

    def unread(self) -> int:
        """The unread count on the bell (0 when it shows none)."""
        sel = "header a.d-lg-none .badge" if self.size == "phone" else "#nav-notifications .badge"
        badge = self.page.locator(sel)
        if badge.count() == 0:
            return 0
        return int(re.sub(r"\D", "", badge.first.inner_text()) or 0)

    # --- the checks ---------------------------------------------------------------------------

    def check(self) -> None:
        """axe-core on the page (once per address), and on a phone: nothing scrolls sideways."""
        path = self.path()
        if path in self.visited:
            return
        self.visited.append(path)
        self.page.wait_for_load_state("networkidle")
        self.page.add_script_tag(path=str(AXE))
        for v in self.page.evaluate(RUN_AXE):
            self.violations.append(f"{path} {v['id']} ({v['impact']}): {v['help']} {v['nodes']}")
        if self.size == "phone" and not no_sideways_scroll(self.page):
            self.too_wide.append(path)

    def assert_accessible(self) -> None:
        assert not self.violations, f"{self.username}:\n" + "\n".join(self.violations)
        assert not self.too_wide, f"{self.username}: wider than the phone: {self.too_wide}"

    def close(self) -> None:
        self.context.close()
