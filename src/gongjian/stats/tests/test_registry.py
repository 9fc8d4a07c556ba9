"""The catalogue of figures as the apps register it: the ids and order of before the figures moved
to their apps, whatever the order the apps are ready in; checked at first use; and an engine that
imports no domain app."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from gongjian.stats import registry
from gongjian.stats.indicators import CATALOGUE, SHOWN

#: The catalogue of before issue 15, in its order (pages, API and ``gongjian indicators`` follow it).
IDS = [
    "units.resident",
    "alliance.members",
    "agreements.in_force",
    "parttime.street",
    "parttime.community",
    "meetings.joint",
    "demands.open",
    "resources.open",
    "projects.claimed",
    "projects.completed",
    "projects.completion_rate",
    "microwishes.raised",
    "microwishes.fulfilled",
    "service.volunteers",
    "service.hours",
    "teams.service",
    "orgs.compound_branches",
    "orgs.building_groups",
    "coverage.compounds",
    "coverage.buildings",
    "members.direct",
    "members.in_service",
    "members.mobile",
    "members.retired",
    "members.co_managed",
    "members.reported",
    "members.report_rate",
    "households.plaqued",
    "appeals.response_rate",
    "appeals.resolution_rate",
    "appeals.satisfaction_rate",
    "appeals.on_time_rate",
    "appeals.callback_rate",
    "_compounds.all",
    "_compounds.covered",
    "_buildings.all",
    "_buildings.covered",
    "_members.reported_listed",
    "_projects.claimed_completed",
    "_appeals.due",
    "_appeals.answered_in_time",
    "_appeals.closed",
    "_appeals.closed_solved",
    "_appeals.reached",
    "_appeals.satisfied",
    "_appeals.closed_on_time",
    "_appeals.closed_called_back",
    "areas.old_compounds",
    "areas.commercial_buildings",
    "units.incubators",
    "units.hosted_firms",
    "units.provincial",
    "members.total",
    "teams.members",
    "service.retired",
    "projects.at_meetings",
    "consultations.support_rate",
    "_answers.for",
    "_answers.all",
    # issue 21
    "honours.awarded",
    "honours.held",
    "pledges.lecturers",
    "pledges.volunteers",
    "pledges.venues",
    "pledges.funds",
    "pledges.goods",
]
RATIOS = {
    "projects.completion_rate",
    "coverage.compounds",
    "coverage.buildings",
    "members.report_rate",
    "appeals.response_rate",
    "appeals.resolution_rate",
    "appeals.satisfaction_rate",
    "appeals.on_time_rate",
    "appeals.callback_rate",
    "consultations.support_rate",
}
#: The data-quality checks (``<app>/quality.py``, hidden figures after every other, never kept).
CHECKS = [
    "quality.transferred_out_listed",
    "quality.in_service_unconfirmed",
    "quality.mobile_silent",
    "quality.orgs_without_members",
    "quality.units_incomplete",
    "quality.seats_past_term",
    "quality.areas_without_org",
    "quality.agreements_past_term",
    "quality.closed_without_callback",
]
OWNERS = {"orgs", "members", "cobuild", "lists", "service", "appeals", "honours"}
DOMAIN_APPS = (*sorted(OWNERS), "matching", "demo")
STATS = Path(registry.__file__).parent


@pytest.fixture
def fresh() -> Iterator[None]:
    """The registry emptied for the test, and put back as it was after it."""
    figures, maps = dict(registry._figures), list(registry._maps)
    registry._figures.clear()
    registry._maps.clear()
    registry._built.cache_clear()
    try:
        yield
    finally:
        registry._figures.clear()
        registry._figures.update(figures)
        registry._maps[:] = maps
        registry._built.cache_clear()


def _app_figures(label: str) -> list[registry.Figure]:
    module = importlib.import_module(f"{apps.get_app_config(label).name}.figures")
    found: list[registry.Figure] = list(module.FIGURES)
    if importlib.util.find_spec(f"{apps.get_app_config(label).name}.quality") is not None:
        found += importlib.import_module(f"{apps.get_app_config(label).name}.quality").CHECKS
    return found


def test_the_registry_holds_exactly_the_catalogue_of_before_in_its_order() -> None:
    assert list(registry.catalogue()) == IDS + CHECKS
    assert list(CATALOGUE) == IDS + CHECKS
    assert [key for key in IDS if not key.startswith("_")] == SHOWN
    assert set(registry.sources()) == set(IDS) - RATIOS
    assert list(registry.sources()) == [key for key in IDS if key not in RATIOS]
    assert registry.rank_by_level() == {
        2: "projects.completion_rate",
        3: "projects.completion_rate",
        4: "members.report_rate",
        5: "members.direct",
        6: "households.plaqued",
    }


def test_each_figure_is_registered_by_the_app_that_owns_it() -> None:
    for config in apps.get_app_configs():
        path = Path(config.path) / "figures.py"
        if config.label in OWNERS:
            assert path.exists(), config.label
            for figure in _app_figures(config.label):
                assert registry.catalogue()[figure.indicator.id] is figure.indicator
        else:
            assert not path.exists(), f"{config.label} has a figures.py but registers no figure"
    assert type(registry.the_map()).__module__ == "gongjian.orgs.figures"


@pytest.mark.usefixtures("fresh")
def test_the_order_the_apps_are_ready_in_does_not_matter() -> None:
    before = [(i.id, i.order) for i in CATALOGUE.values()]
    for label in sorted(OWNERS, reverse=True):
        registry.register(*reversed(_app_figures(label)))
        registry.register(*_app_figures(label))  # twice: harmless
    with pytest.raises(ImproperlyConfigured, match="No map"):
        registry.the_map()
    orgs = importlib.import_module("gongjian.orgs.figures")
    registry.register_map(orgs.AreaMap())
    assert [(i.id, i.order) for i in registry.catalogue().values()] == before
    assert list(registry.sources()) == [key for key in IDS if key not in RATIOS]


def _indicator(key: str, order: int, **more: Any) -> registry.Indicator:
    return registry.Indicator(key, key, key, key, "stock", None, order=order, **more)


@pytest.mark.usefixtures("fresh")
def test_the_catalogue_is_checked_at_first_use() -> None:
    a = registry.Figure(_indicator("a.one", 10, value=lambda area, date: 1))
    registry.register(a)
    with pytest.raises(ImproperlyConfigured, match="Two figures are registered"):
        registry.register(registry.Figure(_indicator("a.one", 20, value=lambda area, date: 1)))
    registry.register(registry.Figure(_indicator("b.rate", 20, parts=("a.one", "b.missing"))))
    with pytest.raises(ImproperlyConfigured, match=r"b\.missing"):
        registry.catalogue()
    registry._figures.pop("b.rate")
    registry.register(registry.Figure(_indicator("c.same_place", 10, value=lambda area, date: 1)))
    with pytest.raises(ImproperlyConfigured, match="share the place 10"):
        registry.catalogue()
    registry._figures.pop("c.same_place")
    registry.register(
        registry.Figure(_indicator("d.ranks", 30, value=lambda area, date: 1, ranks=(4,))),
        registry.Figure(_indicator("e.ranks", 40, value=lambda area, date: 1, ranks=(4,))),
    )
    with pytest.raises(ImproperlyConfigured, match="rank level 4"):
        registry.catalogue()
    registry._figures.pop("e.ranks")
    registry.register(registry.Figure(_indicator("f.nothing", 50)))
    with pytest.raises(ImproperlyConfigured, match="neither rows nor a kept source"):
        registry.catalogue()
    registry._figures.pop("f.nothing")
    assert list(registry.catalogue()) == ["a.one", "d.ranks"]
    assert registry.catalogue()["a.one"].compute(None, dt.date(2018, 9, 4)) == 1


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_the_engine_imports_no_domain_app() -> None:
    offending = []
    for path in sorted(STATS.rglob("*.py")):
        if "tests" in path.relative_to(STATS).parts:
            continue
        for name in _imports(path):
            if any(name == f"gongjian.{app}" or name.startswith(f"gongjian.{app}.") for app in DOMAIN_APPS):
                offending.append(f"{path.relative_to(STATS)}: {name}")
    assert offending == []
