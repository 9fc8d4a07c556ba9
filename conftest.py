"""Shared fixtures: the named test world, and markers that skip (saying why) without services."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from gongjian.testing import World, build_world

#: Packages whose tests share one costly package-scoped fixture (the demo: minutes to load on
#: PostgreSQL): under xdist all their tests go to the same worker, which sets it up once.
SHARED_FIXTURE_PACKAGES = ("src/gongjian/demo/tests/",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests first (the order among the others kept): under xdist each worker takes the
    next test when it is nearly done, so the short tests at the end even out the workers' loads
    instead of one worker finishing a run of long tests while the other waits."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n``'s default sharing out (``--dist load``), except that the tests of each package of
    ``SHARED_FIXTURE_PACKAGES`` go to one worker together, as its first work. A test at a time
    otherwise: a worker gets the next when it has at most two left (xdist's ``loadscope``
    scheduling, with one test a scope). (xdist's own ``xdist_group`` mark does not group under
    pytest 9.2, whose node ids it can no longer suffix.) Any other ``--dist`` is left as asked."""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((p for p in SHARED_FIXTURE_PACKAGES if nodeid.startswith(p)), nodeid)

    return Scheduling(config, log)


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def on_postgres(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://… (./run tests does when it is up)")


@pytest.fixture(autouse=True, scope="session")
def _tasks_inline() -> None:
    """Tests run a task in their own process, inside their own transaction (``./run`` sends it to
    the worker instead); the tests of the worker start a real one (core/tests/test_worker.py)."""
    from gongjian.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _audit_checkpoints_apart(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each test's audit checkpoints in its own file, never in var/ (whose log is another one)."""
    settings.GONGJIAN_AUDIT_CHECKPOINTS = str(tmp_path / "audit-checkpoints.jsonl")


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: ids are reused once a test's transaction rolls back."""
    cache.clear()
