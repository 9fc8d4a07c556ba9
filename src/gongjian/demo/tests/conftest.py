"""The demo, loaded once for the demo's test modules (``test_demo``, ``test_article_figures``)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from gongjian.demo.scenario import clear_all, load_demo


def _status() -> str:
    out = StringIO()
    call_command("demo", "--status", stdout=out)
    return out.getvalue().strip()


@pytest.fixture(scope="package")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo, loaded once into the test database (committed) for this package's tests, and
    removed after the last of them: package scope, not session, so the tests of the other apps
    never run on top of it (with xdist, each worker that runs a test of here loads it once)."""
    # the accounts are hashed as the tests will check them (conftest's fast hasher is per test)
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        status_before = _status()
        result = load_demo()
        result["status_before"] = status_before
        result["status_after"] = _status()
    try:
        yield result
    finally:
        with django_db_blocker.unblock():
            clear_all()
