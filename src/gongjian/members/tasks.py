"""Celery tasks of the ledgers: thin wrappers around services.

A worker runs them (``./run`` starts one); each job task beats its heartbeat (``job_alive``).
"""

from __future__ import annotations

from celery import shared_task

from gongjian.core.jobs import job_alive

from . import importexport


@shared_task(name="members.import_ledger", acks_late=True)
def import_ledger_task(job_id: int) -> str:
    """Run the ledger import of job ``job_id``; progress, result and error workbook go on the job."""
    with job_alive(job_id) as alive:
        if alive is None:
            return "skipped"
        job = importexport.ledger_import_run(job_id=job_id)
    return str(job.status)


@shared_task(name="members.export_ledger", acks_late=True)
def export_ledger_task(job_id: int) -> str:
    """Run the ledger export of job ``job_id``; progress and the workbook go on the job."""
    with job_alive(job_id) as alive:
        if alive is None:
            return "skipped"
        job = importexport.ledger_export_run(job_id=job_id)
    return str(job.status)


@shared_task(name="members.reminders")
def reminders_task() -> dict[str, int]:
    """The daily reminders (``services.reminders_send``); run by Celery beat (CELERY_BEAT_SCHEDULE)."""
    from . import services

    return services.reminders_send()
