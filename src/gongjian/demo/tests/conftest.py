"""The demo, loaded once for the demo's test modules (``test_demo``, ``test_article_figures``).

It is loaded the way ``gongjian demo --reset`` is used: over a database that already holds data,
the tests' own named world with one of nearly everything the platform keeps, under the demo's
own names and codes (长沙市 430100, 王家垅社区, the ``member`` and ``resident`` accounts …). So the
one load of the demo (several minutes on PostgreSQL) both provides the demo every test reads and
proves the reset: whatever was there before is gone, and every figure the tests check is counted
over the demo alone (``test_load_refuses_on_data_and_reset_reloads_without_duplicates``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.test import Client, override_settings

from gongjian.accounts.services import token_create
from gongjian.demo.scenario import _domain_models, clear_all
from gongjian.testing import build_every_app, build_world

#: What ``gongjian demo`` reports it loaded, in its last lines.
LOADED = re.compile(
    r"Demo loaded in [\d.]+ s: (?P<areas>[\d,]+) areas, (?P<orgs>[\d,]+) Party organisations, "
    r"(?P<units>[\d,]+) resident units, (?P<alliances>[\d,]+) alliances with (?P<alliance_members>[\d,]+) "
    r"member units, (?P<people>[\d,]+) Party members, (?P<households>[\d,]+) plaqued households, "
    r"(?P<users>[\d,]+) accounts\."
)


def _status() -> str:
    out = StringIO()
    call_command("demo", "--status", stdout=out)
    return out.getvalue().strip()


def _build_data_to_reset() -> None:
    """The tests' named world with its ledgers, service, co-building, lists and appeals (as the scope
    walk has it), an API token and a signed-in session: rows in nearly every table."""
    world = build_world()
    build_every_app(world)
    token_create(actor=world.city_admin, name="reset", expires_on=dt.date.today() + dt.timedelta(days=2))
    Client().force_login(world.wjl_admin)


def _rows() -> dict[str, tuple[int, Any]]:
    """Per table of the platform: how many rows, and the highest id (ids only grow: PostgreSQL's
    sequences and SQLite's AUTOINCREMENT never hand one out twice), or the keys where the key is
    not a generated id."""
    rows: dict[str, tuple[int, Any]] = {}
    for model in _domain_models():
        if model._meta.proxy:
            continue
        manager = model._base_manager
        if isinstance(model._meta.pk, models.AutoField):
            top = manager.aggregate(top=models.Max("pk"))["top"]
            rows[model._meta.label] = (manager.count(), top)
        else:
            keys = set(manager.values_list("pk", flat=True))
            rows[model._meta.label] = (len(keys), keys)
    return rows


@pytest.fixture(scope="package")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo, loaded once into the test database (committed) for this package's tests, and
    removed after the last of them: package scope, not session, so the tests of the other apps
    never run on top of it (with xdist, this package's tests all go to one worker, which loads it
    once: see ``pytest_xdist_make_scheduler`` in the root conftest)."""
    # the accounts are hashed as the tests will check them (conftest's fast hasher is per test)
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    result: dict[str, Any] = {}
    with django_db_blocker.unblock(), fast:
        try:
            result["status_before"] = _status()
            _build_data_to_reset()
            result["status_with_data"] = _status()
            result["rows_before"] = _rows()
            try:
                call_command("demo", stdout=StringIO())
            except CommandError as exc:
                result["refused"] = str(exc)
            out = StringIO()
            call_command("demo", "--reset", stdout=out)
        except BaseException:
            clear_all()  # committed rows would otherwise stay under the tests that run next
            raise
        result["output"] = out.getvalue()
        found = LOADED.search(result["output"])
        result["loaded"] = {k: int(v.replace(",", "")) for k, v in found.groupdict().items()} if found else {}
        result["status_after"] = _status()
    try:
        yield result
    finally:
        with django_db_blocker.unblock():
            clear_all()
