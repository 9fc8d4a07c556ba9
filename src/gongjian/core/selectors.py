"""Reads of kernel rows; each takes the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from .models import Job


def job_list(*, actor: Any) -> QuerySet[Job]:
    """The actor's own jobs."""
    if not getattr(actor, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(actor=actor)


def job_get(*, actor: Any, pk: int) -> Job:
    job = job_list(actor=actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job
