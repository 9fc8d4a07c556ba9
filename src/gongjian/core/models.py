"""Kernel tables: the append-only audit log and background jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AppendOnlyError(RuntimeError):
    pass


class AuditEntry(models.Model):
    """One write (or one read of unmasked personal data), chained to the previous entry by an HMAC."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    #: Where on the map the change happened (the path of the object's area; "" for an object with no
    #: place, seen by the platform's administrators only). An index for scoping who may read the
    #: entry, outside the chained digest: rewriting it can hide an entry from an area's
    #: administrators but never from the platform's, and never breaks or forges the chain.
    area_path = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["area_path", "seq"], name="core_audit_area_seq"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries are never deleted")


class AuditHead(models.Model):
    """Single row: the last sequence number and hash; locked while an entry is appended."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # HMAC of (seq, hash) under the key: the head cannot be set back to an earlier entry unseen.
    mac = models.CharField(max_length=64, default="", blank=True)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class Job(models.Model):
    """A long piece of work (import, export) run as a task, with progress a user can watch."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("status", "Queued")
        RUNNING = "running", pgettext_lazy("status", "Running")
        DONE = "done", pgettext_lazy("status", "Done")
        FAILED = "failed", pgettext_lazy("status", "Failed")

    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    input_file = models.CharField(max_length=255, blank=True)
    result_file = models.CharField(max_length=255, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: The worker's last sign of life while it runs the job (``jobs.job_alive``); a running job
    #: whose heartbeat is older than ``GONGJIAN_JOB_STALE_SECONDS`` is marked failed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: Which worker runs it: host name and process id.
    worker = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="core_job_status_beat")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def waiting_long(self) -> bool:
        """Queued for over two minutes: no worker seems to be taking tasks."""
        return self.status == self.Status.QUEUED and timezone.now() - self.created_at > dt.timedelta(
            minutes=2
        )

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def result_available(self) -> bool:
        """A result file is there and (for a sealed one) has not reached its expiry time."""
        if not self.result_file:
            return False
        expires = (self.params or {}).get("expires")
        return not expires or dt.datetime.fromisoformat(expires) > timezone.now()


class Notification(models.Model):
    """A message to one user inside the app (and by e-mail when they have an address).

    ``dedupe_key`` names what the message is about (e.g. ``mobile.report_due:12:2026``): a second
    send with the same key to the same recipient creates nothing, so reminders can run every day.
    Titles and bodies never carry ID or phone numbers; the ``url`` opens the record in the app.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.SlugField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Chosen "daily digest": shown in the bell at once, e-mailed in the next digest (then dated).
    digest = models.BooleanField(default=False)
    digested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(
                fields=["recipient", "id"],
                condition=models.Q(digest=True, digested_at__isnull=True),
                name="notification_digest_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_dedupe_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}: {self.title}"

    @property
    def unread(self) -> bool:
        return self.read_at is None


class NotifyMode(models.TextChoices):
    """How a person hears of one kind of event."""

    NOW = "now", pgettext_lazy("notify mode", "Immediately")
    DIGEST = "digest", pgettext_lazy("notify mode", "Daily digest")
    OFF = "off", pgettext_lazy("notify mode", "Off")


class NotificationPreference(models.Model):
    """One person's choice for one topic (an event's value or a reminder's kind); none = at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    topic = models.CharField(max_length=80)
    mode = models.CharField(max_length=10, choices=NotifyMode.choices, default=NotifyMode.NOW)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "topic"], name="notification_preference_once")]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id} {self.topic}: {self.mode}"
