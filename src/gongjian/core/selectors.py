"""Reads of kernel rows; each takes the actor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from .models import Job, Notification

if TYPE_CHECKING:
    from gongjian.accounts.actor import Actor


def job_list(*, actor: Actor) -> QuerySet[Job]:
    """The actor's own jobs."""
    if not actor.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(actor=actor)


def job_get(*, actor: Actor, pk: int) -> Job:
    job = job_list(actor=actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def notification_list(*, actor: Actor, unread: bool = False) -> QuerySet[Notification]:
    """The actor's own notifications, newest first (``unread``: only those not yet read)."""
    if not actor.is_authenticated:
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=actor)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def notification_get(*, actor: Actor, pk: int) -> Notification:
    note = notification_list(actor=actor).filter(pk=pk).first()
    if note is None:
        raise Http404
    return note


def notification_unread_count(*, actor: Actor) -> int:
    return notification_list(actor=actor, unread=True).count()
