"""Services for background jobs: create one, move it along, finish it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .audit import audit_verify
from .models import Job


@transaction.atomic
def job_create(*, actor: Any, kind: str, params: dict[str, Any] | None = None, input_file: str = "") -> Job:
    return Job.objects.create(kind=kind, actor=actor, params=params or {}, input_file=input_file)


def job_progress(*, job: Job, done: int, total: int | None = None) -> None:
    """Record progress; a separate small write so watchers see it while the work runs."""
    job.done = done
    fields = ["done", "status"]
    if total is not None:
        job.total = total
        fields.append("total")
    job.status = Job.Status.RUNNING
    job.save(update_fields=fields)


def job_finish(
    *, job: Job, ok: bool, message: str = "", result: dict[str, Any] | None = None, result_file: str = ""
) -> None:
    job.status = Job.Status.DONE if ok else Job.Status.FAILED
    job.message = message
    job.result = result or {}
    job.result_file = result_file
    job.finished_at = timezone.now()
    if ok:
        job.done = job.total
    job.save()


def audit_verify_run(*, job: Job) -> None:
    """Verify the audit chain and record the verdict on the job (a nightly task, or on demand)."""
    job_progress(job=job, done=0, total=1)
    verdict = audit_verify()
    job_finish(
        job=job,
        ok=verdict.ok,
        message=verdict.problem,
        result={"ok": verdict.ok, "entries": verdict.entries, "seq": verdict.seq},
    )
