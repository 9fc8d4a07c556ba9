"""Celery tasks of the kernel: thin wrappers around services."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from .jobs import audit_verify_run, job_alive, job_files_expire, jobs_mark_dead


@shared_task(name="gongjian.core.audit_verify")
def audit_verify_task(job_id: int) -> None:
    with job_alive(job_id) as job:
        if job is not None:
            audit_verify_run(job=job)


@shared_task(name="gongjian.core.jobs_mark_dead")
def jobs_mark_dead_task() -> int:
    """Mark failed the running jobs whose worker died (every minute, CELERY_BEAT_SCHEDULE)."""
    return jobs_mark_dead()


@worker_ready.connect
def _worker_ready(**_kwargs: Any) -> None:
    """A worker that starts first fails the jobs a dead worker left running."""
    jobs_mark_dead()


@shared_task(name="gongjian.core.job_files_expire")
def job_files_expire_task() -> int:
    """Delete unmasked export files past their time (daily, CELERY_BEAT_SCHEDULE)."""
    return job_files_expire()


@shared_task(name="gongjian.core.audit_checkpoint")
def audit_checkpoint_task() -> int:
    """Append a signed checkpoint of the audit log's head outside the database (hourly)."""
    from .audit import audit_checkpoint

    return audit_checkpoint()


@shared_task(name="gongjian.core.daily")
def daily_task() -> dict[str, int]:
    """Every app's daily work (``gongjian.core.daily``); run by Celery beat."""
    from .daily import run_daily

    return {o.name: o.count for o in run_daily()}


@shared_task(name="gongjian.core.remind")
def remind_task() -> dict[str, int]:
    """The reminders on the clock (``gongjian remind``); run by Celery beat every few minutes."""
    from .daily import run_remind

    return {o.name: o.count for o in run_remind()}
