"""Celery task of matching: a thin wrapper around the service that computes a session's proposal.

Without a broker (``CELERY_TASK_ALWAYS_EAGER``, the embedded default) ``.delay()`` runs in-process.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="matching.session_propose", acks_late=True)
def session_propose_task(job_id: int) -> str:
    """Compute the claiming session's proposal of job ``job_id``; progress and counts go on the job."""
    job = services.session_propose_run(job_id=job_id)
    return str(job.status)
