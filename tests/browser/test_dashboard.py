"""Issue 8's dashboards in a real browser at a phone's size: a street administrator opens the
figures, sees the charts drawn, taps a community's bar in the ranking and lands on that community's
dashboard, then follows a figure to its records."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from gongjian.orgs import services as org_services
from gongjian.orgs.models import Level
from gongjian.testing import build_ledgers

from .conftest import no_sideways_scroll

pytestmark = pytest.mark.django_db(transaction=True)


def _charts_drawn(page: Any) -> None:
    page.wait_for_selector("html[data-charts]")
    for chart in ("trend", "ranking"):
        box = page.locator(f"[data-chart={chart}]")
        if box.count():
            page.wait_for_selector(f"[data-chart={chart}][data-drawn]")
            assert box.locator("canvas").count() >= 1, chart


def _bar_point(page: Any, index: int) -> dict[str, float]:
    """Where the ``index``-th bar of the ranking is in the viewport (from ECharts' own geometry)."""
    point: dict[str, float] = page.evaluate(
        """(index) => {
          const box = document.querySelector('[data-chart=ranking]');
          const chart = window.echarts.getInstanceByDom(box);
          const data = JSON.parse(document.getElementById('dashboard-data').textContent);
          const value = Math.max(Number(data.children[index].value), 0);
          const [x0, y] = chart.convertToPixel({seriesIndex: 0}, [0, index]);
          const [x1] = chart.convertToPixel({seriesIndex: 0}, [value, index]);
          const rect = box.getBoundingClientRect();
          return {x: rect.left + (x0 + Math.max(x1, x0 + 3)) / 2, y: rect.top + y};
        }""",
        index,
    )
    return point


def test_open_the_figures_tap_a_bar_and_land_on_the_community(phone, world):
    build_ledgers(world)
    # a street like the demo's, with more communities than 王家垅社区 (where the members are)
    for n in range(1, 9):
        org_services.area_create(
            actor=world.superuser, parent=world.dongfeng, name=f"东风{n}社区", level=Level.COMMUNITY
        )
    phone.set_default_timeout(30_000)  # the first page of a session is slow on a busy machine
    phone.login("dongfeng_admin")
    phone.goto(reverse("stats:home"))
    phone.wait_for_load_state()
    assert phone.url.split("?")[0].endswith(reverse("stats:dashboard", args=[world.dongfeng.code]))
    _charts_drawn(phone)
    assert phone.locator("[data-chart=trend] canvas").count() >= 1
    assert phone.locator("[data-chart=ranking] canvas").count() >= 1
    assert no_sideways_scroll(phone)

    # 王家垅社区, where every in-service member reported, is ranked first: tap its bar
    ranked = phone.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent).children")
    assert ranked[0]["name"] == "王家垅社区" and len(ranked) == 9
    # Bootstrap scrolls smoothly: jump instead, so the bar stays where it was measured (and keep
    # off the page's end, where the phone's browser bar showing on a tap shifts the page)
    phone.evaluate(
        "document.querySelector('[data-chart=ranking]').scrollIntoView({block: 'center', behavior: 'instant'})"
    )
    point = _bar_point(phone, 0)
    with phone.expect_navigation():
        phone.mouse.click(point["x"], point["y"])
    assert reverse("stats:dashboard", args=[world.wjl.code]) in phone.url
    _charts_drawn(phone)
    assert "王家垅社区" in phone.inner_text("h1")
    assert no_sideways_scroll(phone)

    # the table of the areas below opens a child's dashboard too
    with phone.expect_navigation():
        phone.locator("a.child-link").first.click()
    assert reverse("stats:dashboard", args=[world.wjl_compound.code]) in phone.url

    # a figure opens the records behind it
    phone.go_back()
    phone.wait_for_load_state()
    with phone.expect_navigation():
        phone.locator("[data-indicator='members.direct'] a.figure-link").click()
    assert reverse("stats:rows", args=[world.wjl.code, "members.direct"]) in phone.url
    assert phone.inner_text("#rows-count").strip() == "1"
    assert "直管0" in phone.inner_text("main")
    assert no_sideways_scroll(phone)


def test_charts_follow_the_width_of_the_phone(phone, world):
    build_ledgers(world)
    phone.set_default_timeout(30_000)
    phone.login("wjl_admin")
    phone.goto(reverse("stats:dashboard", args=[world.wjl.code]))
    _charts_drawn(phone)
    width = phone.evaluate(
        "document.querySelector('[data-chart=trend] canvas').getBoundingClientRect().width"
    )
    box = phone.evaluate("document.querySelector('[data-chart=trend]').getBoundingClientRect().width")
    assert abs(width - box) <= 2
    phone.set_viewport_size({"width": 700, "height": 844})
    phone.wait_for_timeout(300)
    wider = phone.evaluate(
        "document.querySelector('[data-chart=trend] canvas').getBoundingClientRect().width"
    )
    assert wider > width + 100
    assert no_sideways_scroll(phone)
