"""Notifications subscribed to the event catalogue: who hears, in which channel, when.

A service calls :func:`announce` right after its ``audit_record(...)`` with the event and the users
its app resolved for the event's audience (``<app>/audience.py``). Each recipient's preference for
that event (:class:`~gongjian.core.models.NotificationPreference`) decides:

- *immediately* (the default): in the bell at once, by e-mail after the commit, and by SMS for the
  events and reminders that are sent by text;
- *daily digest*: in the bell at once, by e-mail once a day in one capped message (:func:`digest_send`,
  run by ``gongjian daily``);
- *off*: nothing; refused for what the person must act on (``Event.act``).

Timed reminders that are not events (an activity tomorrow, in 30 minutes …) go through
:func:`remind` with a kind of :data:`REMINDERS`. Titles and bodies are written in the site's
language (Chinese by default) whoever acted, and pass through the ID/phone masking.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Max, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .audit import audit_record
from .events import Audience, Event
from .models import Notification, NotificationPreference, NotifyMode
from .services import notification_send
from .sms import sms_send

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from gongjian.accounts.actor import Actor

log = logging.getLogger(__name__)

Text = str | Promise | Callable[[], str]

#: Events that also go out by text message to those who chose "immediately" (urgent, or on the day).
SMS_EVENTS: frozenset[Event] = frozenset(
    {Event.ACTIVITY_CANCEL, Event.MEETING_CANCEL, Event.APPEAL_ASSIGN, Event.APPEAL_REASSIGN}
)

#: How many items one digest lists; the rest are "and N more" with a link to the bell.
DIGEST_CAP = 20
#: Recipients handled per round of a digest run (queries per round are constant).
DIGEST_CHUNK = 500


@dataclass(frozen=True)
class Reminder:
    """A timed message that is not an event: who, when, and whether it goes by text."""

    label: Promise
    who: Promise
    when: Promise
    sms: bool = False
    act: bool = False


REMINDERS: dict[str, Reminder] = {
    "service.reminder": Reminder(
        pgettext_lazy("reminder", "Activity tomorrow"),
        pgettext_lazy("reminder", "those signed up"),
        pgettext_lazy("reminder", "the day before"),
    ),
    "service.starting": Reminder(
        pgettext_lazy("reminder", "Activity in 30 minutes"),
        pgettext_lazy("reminder", "those signed up"),
        pgettext_lazy("reminder", "30 minutes before"),
        sms=True,
    ),
    "service.rate": Reminder(
        pgettext_lazy("reminder", "Rate the activity"),
        pgettext_lazy("reminder", "those who took part"),
        pgettext_lazy("reminder", "one hour after the end"),
    ),
    "cobuild.meeting.topics": Reminder(
        pgettext_lazy("reminder", "Topics are collected for a joint meeting"),
        pgettext_lazy("reminder", "the invited units"),
        pgettext_lazy("reminder", "when the collection opens"),
    ),
    "cobuild.meeting.agenda_due": Reminder(
        pgettext_lazy("reminder", "The agenda is due"),
        pgettext_lazy("reminder", "the convener"),
        pgettext_lazy("reminder", "the day before it is due"),
        act=True,
    ),
    "cobuild.meeting.tomorrow": Reminder(
        pgettext_lazy("reminder", "Joint meeting tomorrow"),
        pgettext_lazy("reminder", "the invited units and the convener"),
        pgettext_lazy("reminder", "the day before"),
    ),
    "cobuild.action.due": Reminder(
        pgettext_lazy("reminder", "Action item due in 3 days"),
        pgettext_lazy("reminder", "the unit or organisation given it"),
        pgettext_lazy("reminder", "3 days before it is due"),
        act=True,
    ),
    "cobuild.action.overdue": Reminder(
        pgettext_lazy("reminder", "Action item overdue"),
        pgettext_lazy("reminder", "the unit or organisation given it"),
        pgettext_lazy("reminder", "the day after it was due"),
        act=True,
    ),
    "project.milestone.due": Reminder(
        pgettext_lazy("reminder", "Project milestone due in 7 days"),
        pgettext_lazy("reminder", "both sides of the project"),
        pgettext_lazy("reminder", "7 days before it is due"),
        act=True,
    ),
    "project.milestone.overdue": Reminder(
        pgettext_lazy("reminder", "Project milestone overdue"),
        pgettext_lazy("reminder", "both sides of the project"),
        pgettext_lazy("reminder", "the day after it was due"),
        act=True,
    ),
    "core.job.finished": Reminder(
        pgettext_lazy("reminder", "Import or export finished"),
        pgettext_lazy("reminder", "the person who started it"),
        pgettext_lazy("reminder", "when it finishes"),
    ),
    "agreement.expiring": Reminder(
        pgettext_lazy("reminder", "Agreement about to expire"),
        pgettext_lazy("reminder", "both sides of the agreement"),
        pgettext_lazy("reminder", "30 days before its term ends"),
    ),
    "agreement.expired": Reminder(
        pgettext_lazy("reminder", "Agreement expired"),
        pgettext_lazy("reminder", "both sides of the agreement"),
        pgettext_lazy("reminder", "after its term ended"),
    ),
    "mobile.report_due": Reminder(
        pgettext_lazy("reminder", "Mobile member's yearly report-back due"),
        pgettext_lazy("reminder", "the organisation holding the membership"),
        pgettext_lazy("reminder", "when the year is up"),
        act=True,
    ),
    "mobile.transfer_prompt": Reminder(
        pgettext_lazy("reminder", "Member away more than six months"),
        pgettext_lazy("reminder", "the organisation holding the membership"),
        pgettext_lazy("reminder", "after six months away"),
        act=True,
    ),
    "transfer.expiring": Reminder(
        pgettext_lazy("reminder", "Transfer letter about to expire"),
        pgettext_lazy("reminder", "both organisations"),
        pgettext_lazy("reminder", "3 days before it expires"),
        act=True,
    ),
    "appeals.due": Reminder(
        pgettext_lazy("reminder", "Appeal near its time limit"),
        pgettext_lazy("reminder", "the assignee"),
        pgettext_lazy("reminder", "before the limit"),
        sms=True,
        act=True,
    ),
    "appeals.calendar_missing": Reminder(
        pgettext_lazy("reminder", "Next year's working-day calendar is missing"),
        pgettext_lazy("reminder", "the platform administrators"),
        pgettext_lazy("reminder", "weekly from 1 November until it is loaded"),
        act=True,
    ),
}


# --- topics and preferences --------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """What a person may choose a mode for: an event told to someone, or a reminder."""

    key: str
    label: Promise
    act: bool
    sms: bool


def topics() -> list[Topic]:
    found = [Topic(e.value, e.label, e.act, e in SMS_EVENTS) for e in Event if not e.audit_only]
    found += [Topic(kind, r.label, r.act, r.sms) for kind, r in REMINDERS.items()]
    return found


def modes_for(user_ids: Iterable[int], key: str) -> dict[int, str]:
    """Each user's chosen mode for ``key`` (one query; no row = immediately)."""
    rows = NotificationPreference.objects.filter(user_id__in=list(user_ids), topic=key)
    return dict(rows.values_list("user_id", "mode"))


def preferences_of(*, actor: Actor) -> dict[str, str]:
    """The actor's own choices, by topic (no row = immediately)."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please sign in."))
    return dict(NotificationPreference.objects.filter(user_id=actor.pk).values_list("topic", "mode"))


@transaction.atomic
def preferences_set(*, actor: Actor, modes: dict[str, str]) -> int:
    """Set the actor's own modes (``{topic: mode}``); return how many changed.

    "Off" for something the person must act on is refused (a field error, nothing changed)."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please sign in."))
    known = {t.key: t for t in topics()}
    errors: dict[str, str] = {}
    for key, mode in modes.items():
        topic = known.get(key)
        if topic is None or mode not in NotifyMode.values:
            errors[key] = _("Choose one of the offered options.")
        elif mode == NotifyMode.OFF and topic.act:
            errors[key] = _("You must act on this, so it cannot be turned off.")
    if errors:
        raise ValidationError(errors)
    before = preferences_of(actor=actor)
    changed: dict[str, list[str]] = {}
    for key, mode in modes.items():
        old = before.get(key, NotifyMode.NOW)
        if old == mode:
            continue
        NotificationPreference.objects.update_or_create(user_id=actor.pk, topic=key, defaults={"mode": mode})
        changed[key] = [old, mode]
    if changed:
        audit_record(
            actor=actor,
            action=Event.NOTIFICATION_PREFERENCES,
            object_type="core.notificationpreference",
            object_id=str(actor.pk),
            changes=changed,
        )
    return len(changed)


# --- sending --------------------------------------------------------------------------------


def _text(value: Text | None) -> str:
    """A title or body in the site's language (Chinese by default), whoever acted."""
    if value is None:
        return ""
    with translation.override(settings.LANGUAGE_CODE):
        return str(value() if callable(value) else value)


def _deliver(
    *,
    key: str,
    kind: str,
    act: bool,
    sms: bool,
    recipients: Iterable[AbstractBaseUser],
    title: str,
    body: str,
    url: str,
    dedupe_key: str,
    actor: Actor | None,
    audit: bool,
) -> int:
    users: dict[int, Any] = {}
    for user in recipients:
        if user is not None and user.pk is not None and user.is_active:
            users.setdefault(user.pk, user)
    if not users:
        return 0
    modes = modes_for(users, key)
    # "Off" for what one must act on cannot be chosen; a stale row still counts as "immediately".
    now = [
        u
        for pk, u in users.items()
        if modes.get(pk, NotifyMode.NOW) == NotifyMode.NOW or (act and modes[pk] == NotifyMode.OFF)
    ]
    later = [u for pk, u in users.items() if modes.get(pk) == NotifyMode.DIGEST]
    common: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "body": body,
        "url": url,
        "dedupe_key": dedupe_key,
        "actor": actor,
        "audit": audit,
    }
    sent = notification_send(recipients=now, **common) if now else 0
    sent += notification_send(recipients=later, digest=True, **common) if later else 0
    if sms and now:
        ids = [u.pk for u in now]
        text = f"{title} {body}".strip()[:140]
        transaction.on_commit(lambda: sms_send(user_ids=ids, text=text))
    return sent


def announce(
    event: Event,
    *,
    actor: Actor | None,
    recipients: Iterable[AbstractBaseUser],
    title: Text | None = None,
    body: Text | None = None,
    url: str = "",
    dedupe_key: str = "",
) -> int:
    """Tell ``recipients`` of ``event`` in the channels of their preference; return how many
    notifications were created. The acting person is not told of their own act unless the event's
    audience is the actor (a confirmation). The title defaults to the event's label."""
    if event.audit_only:
        raise ValueError(f"{event} is audit only: {event.why}")
    skip = None if Audience.ACTOR in event.audience or actor is None else actor.pk
    people = [u for u in recipients if u is not None and (skip is None or u.pk != skip)]
    return _deliver(
        key=event.value,
        kind=event.notice_kind or event.value,
        act=event.act,
        sms=event in SMS_EVENTS,
        recipients=people,
        title=_text(title if title is not None else event.label),
        body=_text(body),
        url=url,
        dedupe_key=dedupe_key,
        actor=actor,
        audit=False,  # the event's own audit entry records the change told of
    )


def remind(
    kind: str,
    *,
    recipients: Iterable[AbstractBaseUser],
    title: Text,
    body: Text | None = None,
    url: str = "",
    dedupe_key: str,
    audit: bool = True,
) -> int:
    """A timed reminder of :data:`REMINDERS` (sent once per ``dedupe_key`` and recipient); one audit
    entry records the send unless ``audit=False`` (the thing told of is its own record: a job)."""
    reminder = REMINDERS[kind]
    return _deliver(
        key=kind,
        kind=kind,
        act=reminder.act,
        sms=reminder.sms,
        recipients=recipients,
        title=_text(title),
        body=_text(body),
        url=url,
        dedupe_key=dedupe_key,
        actor=None,
        audit=audit,
    )


# --- the daily digest ---------------------------------------------------------------------------


def _due() -> Any:
    return Notification.objects.filter(digest=True, digested_at__isnull=True)


def _rounds(upto: int) -> Iterator[list[int]]:
    """Recipients with something due, DIGEST_CHUNK at a time, by keyset (never all at once)."""
    last = 0
    while True:
        ids = list(
            _due()
            .filter(pk__lte=upto, recipient_id__gt=last)
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:DIGEST_CHUNK]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def _digest_message(address: str, items: list[tuple[str, str]], more: int) -> EmailMessage:
    site = str(getattr(settings, "GONGJIAN_SITE_URL", "")).rstrip("/")
    total = len(items) + more
    lines = [f"· {title}" + (f"\n  {site}{url}" if url else "") for title, url in items]
    if more:
        lines.append(_("… and %(count)d more:") % {"count": more} + f" {site}/notifications/?unread=1")
    subject = _("Your daily digest: %(count)d notifications") % {"count": total}
    return EmailMessage(subject=subject, body="\n".join(lines), to=[address])


def digest_send(*, today: object = None) -> int:
    """E-mail each person who chose "daily digest" one message of at most DIGEST_CAP items (newest
    first, "and N more" with a link to the bell); return how many messages were sent.

    Works in rounds of DIGEST_CHUNK recipients with a constant number of queries each, so time grows
    with the people and memory stays flat. Notifications made during the run wait for the next."""
    upto = _due().aggregate(top=Max("pk"))["top"]
    if upto is None:
        return 0
    user_model: Any = Notification._meta.get_field("recipient").related_model
    sent = 0
    stamp = timezone.now()
    with translation.override(settings.LANGUAGE_CODE), get_connection(fail_silently=True) as connection:
        for ids in _rounds(upto):
            due = _due().filter(pk__lte=upto, recipient_id__in=ids)
            counts = dict(due.values("recipient_id").annotate(n=Count("pk")).values_list("recipient_id", "n"))
            ranked = due.annotate(
                rank=Window(RowNumber(), partition_by=[F("recipient_id")], order_by=[F("pk").desc()])
            ).filter(rank__lte=DIGEST_CAP)
            items: dict[int, list[tuple[str, str]]] = {}
            for recipient_id, title, url in ranked.order_by("recipient_id", "-pk").values_list(
                "recipient_id", "title", "url"
            ):
                items.setdefault(recipient_id, []).append((title, url))
            addresses = dict(
                user_model.objects.filter(pk__in=ids, is_active=True)
                .exclude(email="")
                .values_list("pk", "email")
            )
            messages = [
                _digest_message(addresses[pk], rows, counts[pk] - len(rows))
                for pk, rows in items.items()
                if pk in addresses
            ]
            if messages:
                sent += connection.send_messages(messages) or 0
            due.update(digested_at=stamp)
    return sent


# --- the table of the README --------------------------------------------------------------------

_WHO: dict[Audience, Promise] = {
    Audience.ACTOR: pgettext_lazy("audience", "the person who acted"),
    Audience.OWN_ORG: pgettext_lazy("audience", "the owning organisation"),
    Audience.OTHER_SIDE: pgettext_lazy("audience", "the other side"),
    Audience.LEVEL_ABOVE: pgettext_lazy("audience", "the level above"),
    Audience.NEXT_STEP: pgettext_lazy("audience", "whoever takes the next step"),
    Audience.PERSON: pgettext_lazy("audience", "the person concerned"),
    Audience.RESIDENT: pgettext_lazy("audience", "the resident"),
    Audience.ASSIGNEE: pgettext_lazy("audience", "the assignee"),
    Audience.PARTICIPANTS: pgettext_lazy("audience", "the participants"),
    Audience.AREA_ADMINS: pgettext_lazy("audience", "the area's administrators"),
}


def table_rows() -> list[tuple[str, str, str, str, str]]:
    """(event, label, who, channels, when) for every event told to someone and every reminder."""
    rows = []
    for event in sorted(Event, key=lambda e: e.value):
        if event.audit_only:
            continue
        who = ", ".join(sorted(str(_WHO[a]) for a in event.audience))
        channels = "in-app, e-mail" + (", SMS" if event in SMS_EVENTS else "")
        when = (
            "at once or in the daily digest (must act: never off)"
            if event.act
            else "at once, daily digest or off"
        )
        rows.append((f"`{event.value}`", str(event.label), who, channels, when))
    for kind, reminder in REMINDERS.items():
        channels = "in-app, e-mail" + (", SMS" if reminder.sms else "")
        rows.append(
            (f"`{kind}` (reminder)", str(reminder.label), str(reminder.who), channels, str(reminder.when))
        )
    return rows


def markdown_table() -> str:
    """The README's table, in English (the README's language)."""
    with translation.override("en"):
        lines = ["| event | what | who | channel | when |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(row) + " |" for row in table_rows()]
    return "\n".join(lines) + "\n"


def audit_only_rows() -> list[tuple[str, str]]:
    return [(e.value, e.why) for e in sorted(Event, key=lambda e: e.value) if e.audit_only]


__all__ = [
    "DIGEST_CAP",
    "REMINDERS",
    "SMS_EVENTS",
    "announce",
    "digest_send",
    "markdown_table",
    "preferences_of",
    "preferences_set",
    "remind",
    "topics",
]
