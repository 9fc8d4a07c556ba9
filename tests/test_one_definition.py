"""One definition per word (issue 20): a count shown on a page under the name of an indicator is
that indicator's figure. The walk opens the pages that show figures' names (the home's figure strip,
an area's page, the dashboards, every tab of a ledger) as a street administrator and:

- every element marked ``data-indicator`` that shows a number (a figure card, a ledger tab) shows
  the indicator's figure for the page's node, as the dashboard formats it;
- every other text on the page that reads as an indicator's name (the name itself, or the name
  without its trailing 党员) sits inside such an element, or is a column header, a choice or a
  heading that shows no number of its own;
- the ledger's tab of report registrations (pending ones included) is not called by the name of
  the figure of confirmed reports (已报到 / 报到在职党员).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from gongjian.core.templatetags.ui import figure
from gongjian.members.models import Category
from gongjian.stats.indicators import CATALOGUE
from gongjian.stats.selectors import indicators_for
from gongjian.testing import World, build_ledgers

#: Elements whose text names a figure without showing a number of its own (the menu, column headers,
#: choices, labels and headings).
NAMING_ONLY = {
    "nav",
    "th",
    "option",
    "label",
    "title",
    "script",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "select",
}
NUMBER = re.compile(r"[\d,，.]+%?|—（无数据）")


@dataclass(eq=False)
class Node:
    tag: str
    indicator: str | None
    text: list[str] = field(default_factory=list)


class _Page(HTMLParser):
    """Every element with the text inside it, and every text node with the elements above it."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[Node] = []
        self.marked: list[Node] = []
        self.texts: list[tuple[str, list[Node]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        node = Node(tag, dict(attrs).get("data-indicator"))
        if node.indicator:
            self.marked.append(node)
        self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if not text:
            return
        for node in self.stack:
            node.text.append(text)
        self.texts.append((text, list(self.stack)))


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _names() -> dict[str, str]:
    """Each shown indicator's names as a page could write them -> its id."""
    out: dict[str, str] = {}
    for key, indicator in CATALOGUE.items():
        if indicator.hidden:
            continue
        out[indicator.name_hans] = key
        if indicator.name_hans.endswith("党员") and len(indicator.name_hans) > 4:
            out[indicator.name_hans.removesuffix("党员")] = key
    return out


def _check(html: str, values: dict[str, float | int | None], where: str) -> int:
    """Compare the page with the figures; returns how many marked numbers it checked."""
    page = _parse(html)
    checked = 0
    for item in page.marked:
        if item.tag in NAMING_ONLY:
            continue
        indicator = CATALOGUE[item.indicator]
        numbers = [t for t in item.text if NUMBER.fullmatch(t)]
        assert numbers, (where, item.indicator, item.text)
        with translation.override("zh-hans"):
            shown = figure(values[item.indicator], indicator.kind)
        assert shown in numbers, (where, item.indicator, numbers, shown)
        checked += 1
    names = _names()
    for text, above in page.texts:
        key = names.get(text)
        if key is None or {n.tag for n in above} & NAMING_ONLY:
            continue
        # the smallest element around the name that holds more than the name: the name's card,
        # tab or line; a count shown there under this name must be the figure's (marked)
        box = next((n for n in reversed(above) if len(n.text) > 1), None)
        if box is None or not any(NUMBER.fullmatch(t) for t in box.text):
            continue  # a link or a line naming the records, with no count
        marks = {n.indicator for n in above if n.indicator}
        assert key in marks, (where, text, "shows a count not from", key, box.text[:6])
    return checked


@pytest.fixture
def street(client: Client, world: World) -> Client:
    build_ledgers(world)
    client.force_login(world.dongfeng_admin)
    return client


def test_every_count_named_like_a_figure_is_the_figure(street: Client, world: World) -> None:
    today = timezone.localdate()
    actor = world.dongfeng_admin
    at = {area.pk: indicators_for(actor=actor, area=area, date=today) for area in (world.dongfeng, world.wjl)}
    pages = [
        (reverse("home"), world.dongfeng),
        (reverse("orgs:area_detail", args=[world.wjl.pk]), world.wjl),
        (reverse("orgs:area_detail", args=[world.dongfeng.pk]), world.dongfeng),
        (reverse("stats:dashboard", args=[world.wjl.code]), world.wjl),
        (reverse("stats:dashboard", args=[world.dongfeng.code]), world.dongfeng),
    ]
    ledger = reverse("members:ledger", args=[world.wjl.pk])
    pages += [(f"{ledger}?tab={tab}", world.wjl) for tab in [*Category.values, "co_managed", "reports"]]
    checked = 0
    for url, area in pages:
        resp = street.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert resp.status_code == 200, url
        checked += _check(resp.content.decode(), at[area.pk], url)
    assert checked > 0  # the walk found figures to compare


def test_the_registrations_tab_is_not_named_like_the_figure_of_confirmed_reports(
    street: Client, world: World
) -> None:
    resp = street.get(reverse("members:ledger", args=[world.wjl.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = _parse(resp.content.decode())
    tabs = [text for text, above in page.texts if {"a", "ul"} <= {n.tag for n in above}]
    assert "报到登记" in tabs
    assert not [t for t in tabs if "已报到" in t or t == CATALOGUE["members.reported"].name_hans]
    # the ledgers' tabs count by the indicators' definitions (marked, so the walk compares them)
    marked = {m.indicator for m in page.marked}
    assert {"members.direct", "members.in_service", "members.mobile", "members.retired"} <= marked
