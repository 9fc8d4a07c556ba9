"""A task through a real broker and a real worker (Redis in CI). Skipped, saying so, without one."""

from __future__ import annotations

import os
import time

import pytest

from gongjian.core.jobs import job_create
from gongjian.core.models import Job

BROKER = os.environ.get("GONGJIAN_TEST_BROKER_URL", "")


@pytest.fixture
def real_worker():
    if not BROKER:
        pytest.skip("no broker: set GONGJIAN_TEST_BROKER_URL=redis://… (./run tests does when Redis is up)")
    from celery.contrib.testing.worker import start_worker

    from gongjian.celery import app

    def fresh_connections() -> None:
        # Earlier tests may have built pools for the in-process default; drop them so both the
        # producer and the worker talk to the real broker.
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    # Queues of this test process's own on the broker (a key prefix): with xdist two tests may run
    # their workers at the same time, and another run of the suite may share the Redis database;
    # a worker must not take a task that another process sent (its job is in another database).
    options = dict(app.conf.broker_transport_options or {})
    prefix = f"gongjian-test-{os.getpid()}:"
    if BROKER.startswith(("redis://", "rediss://")):
        options["global_keyprefix"] = prefix
    keys = ("broker_url", "task_always_eager", "result_backend", "broker_transport_options")
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(
        broker_url=BROKER, task_always_eager=False, result_backend=None, broker_transport_options=options
    )
    fresh_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(saved)
        fresh_connections()
        if "global_keyprefix" in options:
            import redis

            server = redis.Redis.from_url(BROKER)
            leftover = list(server.scan_iter(match=f"{prefix}*"))
            if leftover:
                server.delete(*leftover)


def _wait(job: Job, seconds: float = 30) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} did not finish through the broker in {seconds} s")


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_audit_verify_task_runs_through_the_broker(real_worker, world):
    from celery.result import EagerResult

    from gongjian.core.tasks import audit_verify_task

    job = job_create(actor=world.city_admin, kind="audit_verify")
    result = audit_verify_task.delay(job.pk)
    assert not isinstance(result, EagerResult)  # sent to the broker, not run inline
    job = _wait(job)
    assert job.status == Job.Status.DONE
    assert job.result["ok"] is True and job.result["entries"] > 10


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_map_import_runs_through_the_broker_with_progress(real_worker, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongjian.orgs import importexport
    from gongjian.orgs.models import Area

    data = importexport.export_subtree(actor=world.wjl_admin, area=world.wjl)
    upload = SimpleUploadedFile("map.xlsx", data, content_type="application/octet-stream")
    job = importexport.map_import_start(actor=world.wjl_admin, upload=upload)
    job = _wait(job)
    assert job.status == Job.Status.DONE, job.message
    assert job.result["ok"] and job.result["created"] == 0 and job.result["unchanged"] > 0
    assert job.done == job.total > 0
    assert Area.objects.filter(path__startswith=world.wjl.path).count() == 3
