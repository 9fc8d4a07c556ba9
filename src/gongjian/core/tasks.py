"""Celery tasks of the kernel: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from .jobs import audit_verify_run
from .models import Job


@shared_task(name="gongjian.core.audit_verify")
def audit_verify_task(job_id: int) -> None:
    audit_verify_run(job=Job.objects.get(pk=job_id))
