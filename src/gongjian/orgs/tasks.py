"""Celery tasks of the map: thin wrappers around services.

A worker runs them (``./run`` starts one); each job task beats its heartbeat (``job_alive``).
"""

from __future__ import annotations

from celery import shared_task

from gongjian.core.jobs import job_alive

from . import importexport


@shared_task(name="orgs.import_map", acks_late=True)
def import_map_task(job_id: int) -> str:
    """Run the map import of job ``job_id``; progress, result and error workbook go on the job."""
    with job_alive(job_id) as alive:
        if alive is None:
            return "skipped"
        job = importexport.map_import_run(job_id=job_id)
    return str(job.status)
