"""Accessibility: axe-core (from npm, pinned in package-lock.json) checks the home page, a form with
a picker, a list and a detail page as a community administrator and as a member, on a phone and on
a desktop: no serious or critical violation. The pickers work by keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from gongjian.appeals.models import Appeal
from gongjian.service.models import Activity
from gongjian.testing import PASSWORD, World, build_every_app

from .conftest import PHONE, no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)

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


def _page(browser: Any, live_server: Any, size: str) -> Iterator[Any]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (./run setup installs it from npm)")
    # axe is injected by the test: the site's Content-Security-Policy (scripts from the site only)
    # is lifted for this context, never for the site.
    context = browser.new_context(**SIZES[size], base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(params=["phone", "desktop"])
def page(request: Any, browser: Any, live_server: Any) -> Iterator[Any]:
    yield from _page(browser, live_server, request.param)


def _login(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _violations(page: Any, url: str) -> list[dict[str, Any]]:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [{"url": url, **v} for v in found]


def _pages(world: World, role: str) -> list[str]:
    if role == "wjl_admin":
        appeal = Appeal.objects.filter(area__path__startswith=world.wjl.path).order_by("pk").first()
        assert appeal is not None
        return [
            reverse("home"),
            reverse("appeals:register"),  # a form with a picker (the area)
            reverse("orgs:unit_list"),
            reverse("appeals:detail", args=[appeal.pk]),
            reverse("orgs:area_detail", args=[world.wjl.pk]),
        ]
    activity = Activity.objects.order_by("pk").first()
    assert activity is not None
    return [
        reverse("home"),
        reverse("appeals:raise"),  # a form with a picker (the area)
        reverse("service:activity_list"),
        reverse("service:activity_detail", args=[activity.pk]),
    ]


@pytest.mark.parametrize("role", ["wjl_admin", "member"])
def test_no_serious_or_critical_violation(page: Any, world: World, role: str) -> None:
    build_every_app(world)
    _login(page, role)
    found: list[dict[str, Any]] = []
    for url in _pages(world, role):
        found += _violations(page, url)
        assert no_sideways_scroll(page), url
    assert not found, "\n".join(f"{v['url']} {v['id']} ({v['impact']}): {v['nodes']}" for v in found)


def test_the_care_mode_has_no_serious_or_critical_violation(page: Any, world: World) -> None:
    build_every_app(world)
    _login(page, "member")
    page.goto(reverse("home"))
    if page.locator("#care-switch").is_hidden():
        page.click(".navbar-toggler")
    page.click("#care-switch")
    page.wait_for_load_state()
    assert "care-mode" in (page.get_attribute("body", "class") or "")
    assert _violations(page, reverse("home")) == []
    assert no_sideways_scroll(page)


def test_a_picker_is_used_by_keyboard_alone(browser: Any, live_server: Any, world: World) -> None:
    """On a phone: Tab to the area picker, type pinyin initials, choose with Enter, send the form."""
    build_every_app(world)
    for page in _page(browser, live_server, "phone"):
        _login(page, "wjl_admin")
        page.goto(reverse("appeals:register"))
        page.wait_for_load_state("networkidle")
        control = page.locator("#id_area-ts-control")
        assert control.count() == 1  # Tom Select took over the drop-down
        # the label names the picker's input, so a screen reader announces it
        assert page.locator("label[for=id_area-ts-control]").count() == 1
        page.focus("#id_area-ts-control")
        page.keyboard.type("1栋")
        option = page.locator(".ts-dropdown .option", has_text="王家垅社区 · 30号庭院 · 1栋")
        option.wait_for()
        # once the answer is in, only what matches is offered (nothing left over from before)
        page.wait_for_function("document.querySelectorAll('.ts-wrapper.loading').length === 0")
        page.wait_for_function("document.querySelectorAll('.ts-dropdown .option').length === 1")
        page.keyboard.press("Enter")
        assert page.locator("select[name=area]").input_value() == str(world.wjl_building.pk)
        assert no_sideways_scroll(page)
