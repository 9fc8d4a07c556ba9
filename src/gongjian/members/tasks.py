"""Celery tasks of the ledgers: thin wrappers around services.

Without a broker (``CELERY_TASK_ALWAYS_EAGER``, the embedded default) ``.delay()`` runs in-process.
"""

from __future__ import annotations

from celery import shared_task

from . import importexport


@shared_task(name="members.import_ledger", acks_late=True)
def import_ledger_task(job_id: int) -> str:
    """Run the ledger import of job ``job_id``; progress, result and error workbook go on the job."""
    job = importexport.ledger_import_run(job_id=job_id)
    return str(job.status)


@shared_task(name="members.export_ledger", acks_late=True)
def export_ledger_task(job_id: int) -> str:
    """Run the ledger export of job ``job_id``; progress and the workbook go on the job."""
    job = importexport.ledger_export_run(job_id=job_id)
    return str(job.status)


@shared_task(name="members.reminders")
def reminders_task() -> dict[str, int]:
    """The daily reminders (``services.reminders_send``); run by Celery beat (CELERY_BEAT_SCHEDULE)."""
    from . import services

    return services.reminders_send()
