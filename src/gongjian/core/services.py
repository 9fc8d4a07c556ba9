"""Kernel services: validated field changes with an audit diff, and notifications."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record, diff, snapshot
from .events import Event
from .models import Notification
from .pii import mask_in_text

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser  # any user model: core sits under accounts

    from gongjian.accounts.actor import Actor


def apply_changes(
    obj: models.Model, changes: Mapping[str, Any], allowed: Iterable[str]
) -> dict[str, list[Any]]:
    """Set ``changes`` on ``obj`` (only ``allowed`` fields), validate the row, and return the diff.

    Unknown fields are an error, not silently dropped. The caller saves and audits.
    """
    allowed = set(allowed)
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)}
        )
    before = snapshot(obj, changes.keys())
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.full_clean()
    return diff(before, snapshot(obj, changes.keys()))


# --- notifications ----------------------------------------------------------------------------

logger = logging.getLogger(__name__)


def _clean_url(url: str) -> str:
    """Links in notifications stay inside the app: a path such as ``/members/12/``."""
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValidationError(_("A notification links only to a page of this site."), code="url")
    return url


def _send_notification_mails(notes: list[Notification]) -> None:
    """E-mail each notification to its recipient (one message each, no other address in it)."""
    if not notes:
        return
    site = str(getattr(settings, "GONGJIAN_SITE_URL", "")).rstrip("/")
    try:
        connection = get_connection(fail_silently=False)
        with connection:
            for note in notes:
                address = note.recipient.email
                if not address:
                    continue
                lines = [note.body] if note.body else []
                if note.url:
                    lines.append(f"{site}{note.url}")
                send_mail(
                    subject=note.title,
                    message="\n\n".join(lines) or note.title,
                    from_email=None,
                    recipient_list=[address],
                    connection=connection,
                )
    except Exception:  # the notifications are stored; a mail server down must not undo them
        logger.warning("notification e-mail failed for %d message(s)", len(notes), exc_info=True)


def notification_send(
    *,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    email: bool = True,
    actor: Actor | None = None,
    digest: bool = False,
    audit: bool = True,
) -> int:
    """Notify each of ``recipients`` (users) once; return how many notifications were created.

    With a ``dedupe_key``, a recipient who already has a notification with that key gets nothing
    new (so a daily reminder is sent once). Inactive users and duplicates in ``recipients`` are
    skipped. ``title`` and ``body`` pass through the ID/phone masking, ``url`` must be a path of
    this site. With ``email`` the recipients who have an e-mail address also get it by mail (sent
    after the transaction commits, through ``EMAIL_BACKEND``). ``actor`` is who sends (None: the
    system, e.g. a scheduled reminder); one audit entry records the send when something was created.
    With ``digest`` the notifications wait for the recipient's daily digest instead of an e-mail now.
    ``audit=False`` when the change that is told of has its own audit entry (``core.notify.announce``).
    """
    kind = kind.strip()
    if not kind or len(kind) > 50 or not all(c.isalnum() or c in "-_." for c in kind):
        raise ValidationError(_("A notification kind is a short slug."), code="kind")
    title = mask_in_text(title.strip())[:200]
    if not title:
        raise ValidationError(_("A notification needs a title."), code="title")
    body = mask_in_text(body.strip())
    url = _clean_url(url.strip())
    dedupe_key = dedupe_key.strip()[:200]
    users: dict[int, Any] = {}
    for user in recipients:
        if user is not None and user.pk is not None and user.is_active:
            users.setdefault(user.pk, user)
    if not users:
        return 0
    with transaction.atomic():
        if dedupe_key:
            already = set(
                Notification.objects.filter(recipient_id__in=users, dedupe_key=dedupe_key).values_list(
                    "recipient_id", flat=True
                )
            )
            for pk in already:
                users.pop(pk)
        created: list[Notification] = []
        for user in users.values():
            note = Notification(
                recipient=user,
                kind=kind,
                title=title,
                body=body,
                url=url,
                dedupe_key=dedupe_key,
                digest=digest,
            )
            try:
                # A savepoint each: a concurrent send of the same key loses quietly, not the batch.
                with transaction.atomic():
                    note.save()
            except IntegrityError:
                if not dedupe_key:
                    raise
                continue
            created.append(note)
        if not created:
            return 0
        if audit:
            audit_record(
                actor=actor,
                action=Event.NOTIFICATION_SEND,
                object_type="core.notification",
                object_id=str(created[0].pk),
                object_label=kind,
                changes={
                    "kind": kind,
                    "recipients": [n.recipient_id for n in created],
                    "dedupe_key": dedupe_key,
                    "url": url,
                },
            )
        if email and not digest:
            transaction.on_commit(lambda: _send_notification_mails(created))
    return len(created)


def _own_notification(*, actor: Actor, notification: Notification) -> None:
    if not actor.is_authenticated or notification.recipient_id != actor.pk:
        raise PermissionDenied(_("This notification is not yours."))


@transaction.atomic
def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (reading it twice changes nothing)."""
    _own_notification(actor=actor, notification=notification)
    if notification.read_at is not None:
        return notification
    notification.read_at = timezone.now()
    notification.save(update_fields=["read_at"])
    audit_record(
        actor=actor, action=Event.NOTIFICATION_READ, obj=notification, changes={"read": [False, True]}
    )
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: Actor) -> int:
    """Mark all the actor's unread notifications read; return how many changed."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please sign in."))
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    ids = list(unread.values_list("pk", flat=True))
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())
    audit_record(
        actor=actor,
        action=Event.NOTIFICATION_READ_ALL,
        object_type="core.notification",
        object_label=str(len(ids)),
        changes={"notifications": ids},
    )
    return len(ids)
