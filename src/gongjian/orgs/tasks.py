"""Celery tasks of the map: thin wrappers around services.

Without a broker (``CELERY_TASK_ALWAYS_EAGER``, the embedded default) ``.delay()`` runs in-process.
"""

from __future__ import annotations

from celery import shared_task

from . import importexport


@shared_task(name="orgs.import_map", acks_late=True)
def import_map_task(job_id: int) -> str:
    """Run the map import of job ``job_id``; progress, result and error workbook go on the job."""
    job = importexport.map_import_run(job_id=job_id)
    return str(job.status)
