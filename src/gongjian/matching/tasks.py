"""Celery task of matching: a thin wrapper around the service that computes a session's proposal.

A worker runs it (``./run`` starts one); the job beats its heartbeat (``job_alive``).
"""

from __future__ import annotations

from celery import shared_task

from gongjian.core.jobs import job_alive

from . import services


@shared_task(name="matching.session_propose", acks_late=True)
def session_propose_task(job_id: int) -> str:
    """Compute the claiming session's proposal of job ``job_id``; progress and counts go on the job."""
    with job_alive(job_id) as alive:
        if alive is None:
            return "skipped"
        job = services.session_propose_run(job_id=job_id)
    return str(job.status)
