"""Issue 19: a bounded schemathesis run over the whole API, as a community administrator on records
in every app. It fails on any 5xx and on any response that breaks its own schema.

One test (not one per operation): the world is built once and every operation gets at most
``EXAMPLES`` generated requests (positive and negative), with Hypothesis' example database off so
that each run is the same size. On SQLite only: the PostgreSQL suite repeats the same code paths,
and the run's cost would double for little.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from gongjian.accounts.services import token_create
from gongjian.testing import World, build_every_app

#: Generated requests per operation (``GONGJIAN_FUZZ_EXAMPLES`` to run more by hand).
EXAMPLES = int(os.environ.get("GONGJIAN_FUZZ_EXAMPLES", "10"))
#: Operations that would spoil the run for the others, with the reason.
SKIPPED: dict[str, str] = {}

pytestmark = [pytest.mark.slow]


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Requests go through the real WSGI handler, in this thread; like Django's test client, keep
    the end of each request from closing the connection that holds the test's transaction."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the fuzz run is on SQLite only (see the docstring)"
)
def test_every_operation_answers_within_its_schema_and_never_5xx(
    world: World, in_test_transaction: None, settings: Any
) -> None:
    settings.GONGJIAN_LOOKUP_RATE = "10000/hour"
    build_every_app(world)
    token = token_create(
        actor=world.wjl_admin, name="fuzz", expires_on=dt.date.today() + dt.timedelta(days=2)
    )
    headers = {"Authorization": f"Token {token.key}", "Accept-Language": "zh-hans"}
    from gongjian.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures: list[str] = []
    started = time.monotonic()
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if label in SKIPPED:
            continue
        count += 1

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            failures.append(f"{label}: {str(exc)[:1500]}")
    elapsed = time.monotonic() - started
    assert count > 100, count
    assert not failures, f"{len(failures)} of {count} operations failed in {elapsed:.0f} s:\n" + "\n\n".join(
        failures
    )
