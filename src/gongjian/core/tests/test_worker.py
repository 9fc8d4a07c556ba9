"""Long work outside the request: a job started from a page waits for the worker (the default
filesystem broker that ``./run`` uses), runs there, and a job whose worker died is marked failed."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gongjian.core.jobs import job_alive, job_create, jobs_mark_dead
from gongjian.core.models import Job, Notification


def _dead_pid() -> int:
    """The process id of a process that has ended (and was reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _running(world: Any, *, beat_ago: dt.timedelta, worker: str = "") -> Job:
    job = job_create(actor=world.wjl_admin, kind="orgs.map_import")
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now() - beat_ago, worker=worker
    )
    job.refresh_from_db()
    return job


def test_a_running_job_without_heartbeat_for_minutes_is_marked_failed_and_its_owner_told(world, settings):
    settings.GONGJIAN_JOB_STALE_SECONDS = 300
    stale = _running(world, beat_ago=dt.timedelta(minutes=6), worker="elsewhere:1")
    fresh = _running(world, beat_ago=dt.timedelta(seconds=30), worker="elsewhere:2")

    assert jobs_mark_dead() == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Job.Status.FAILED and stale.finished_at is not None
    assert stale.result["worker_lost"] is True
    assert fresh.status == Job.Status.RUNNING
    assert Notification.objects.filter(recipient=world.wjl_admin, dedupe_key=f"core.job.{stale.pk}").exists()
    assert jobs_mark_dead() == 0  # marked once


def test_a_job_whose_worker_process_on_this_host_is_gone_fails_at_once(world):
    import socket

    job = _running(world, beat_ago=dt.timedelta(seconds=5), worker=f"{socket.gethostname()}:{_dead_pid()}")
    assert jobs_mark_dead() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_the_job_page_of_a_dead_job_says_the_worker_stopped_and_stops_polling(world, client):
    client.force_login(world.wjl_admin)
    job = _running(world, beat_ago=dt.timedelta(hours=1), worker="elsewhere:1")
    page = client.get(reverse("core:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert b"data-worker-lost" in page.content
    assert b"hx-get" not in page.content  # finished: no more polling
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_a_job_queued_for_minutes_says_no_worker_takes_it(world, client):
    client.force_login(world.wjl_admin)
    job = job_create(actor=world.wjl_admin, kind="orgs.map_import")
    page = client.get(reverse("core:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert b"data-waiting-long" not in page.content
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(minutes=3))
    page = client.get(reverse("core:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert b"data-waiting-long" in page.content
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED  # waiting is not failing: the worker may be busy


def test_an_exception_escaping_a_task_fails_its_job_and_a_finished_job_does_not_run_again(world):
    job = job_create(actor=world.wjl_admin, kind="orgs.map_import")
    with pytest.raises(RuntimeError), job_alive(job.pk) as alive:
        assert alive is not None
        job.refresh_from_db()
        assert job.status == Job.Status.RUNNING and job.worker and job.heartbeat_at
        raise RuntimeError("boom")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result["crashed"] is True
    assert job.worker  # which worker ran it stays on the job


def test_the_worker_is_kept_on_a_job_that_finishes(world):
    from gongjian.core.tasks import audit_verify_task

    job = job_create(actor=world.city_admin, kind="audit_verify")
    audit_verify_task.delay(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.worker and job.heartbeat_at
    with job_alive(job.pk) as again:
        assert again is None


# --- a real worker on the default (filesystem) broker ------------------------------------------


@pytest.fixture
def filesystem_broker(tmp_path: Path) -> Iterator[Any]:
    """The Celery app sending to a filesystem broker of this test's own (as ``./run`` does under
    var/broker/), not running tasks inline."""
    from gongjian.celery import app

    folders = {k: tmp_path / k for k in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "polling_interval": 0.1,
    }
    keys = ("broker_url", "task_always_eager", "result_backend", "broker_transport_options")
    saved = {k: app.conf[k] for k in keys}
    app.conf.update(
        broker_url="filesystem://",
        task_always_eager=False,
        result_backend=None,
        broker_transport_options=options,
    )
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]
    try:
        yield app
    finally:
        app.conf.update(saved)
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]


def _wait(job: Job, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} did not finish in the worker in {seconds} s")


@pytest.mark.django_db(transaction=True)
def test_an_import_started_from_the_page_waits_for_the_worker_and_runs_there(
    world, client, filesystem_broker
):
    from celery.contrib.testing.worker import start_worker

    from gongjian.orgs import importexport
    from gongjian.orgs.models import Area

    client.force_login(world.wjl_admin)
    data = importexport.export_subtree(actor=world.wjl_admin, area=world.wjl)
    upload = SimpleUploadedFile("map.xlsx", data, content_type="application/octet-stream")
    resp = client.post(reverse("orgs:import"), {"file": upload})
    assert resp.status_code == 302
    job = Job.objects.get(pk=int(resp["Location"].rstrip("/").split("/")[-1]))
    # The request only queued it: nothing ran inside the request.
    assert job.status == Job.Status.QUEUED and job.done == 0 and not job.worker
    page = client.get(resp["Location"])
    assert b'hx-trigger="every 1s"' in page.content

    with start_worker(filesystem_broker, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        job = _wait(job)
    assert job.status == Job.Status.DONE, job.message
    assert job.worker and job.heartbeat_at is not None
    assert job.result["ok"] and job.result["unchanged"] > 0 and job.done == job.total > 0
    assert Area.objects.filter(path__startswith=world.wjl.path).count() == 3
