"""Reading the audit log: filters over entries, and the entries as rows for a workbook or a CSV file.

Who may read which entries is decided above (``accounts.selectors.audit_entry_list`` scopes by the
place each entry records; ``members.selectors.member_seen_by`` lists the reads of one person's data);
this module only narrows and writes what it is given. Nothing here changes an entry.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .events import Event, event_of
from .excel import BookWriter, neutralise
from .models import AuditEntry

#: The actions that read personal data (the "PII only" filter and the "who saw" report).
PII_ACTIONS: tuple[str, ...] = tuple(e.value for e in Event if e.value.startswith("pii."))
#: The reads of one person's data (each entry names the person as its object).
PERSON_READS: tuple[str, ...] = (Event.PII_REVEAL.value, Event.PII_LOOKUP.value)
#: The most entries one export writes; a wider choice is refused with a request to narrow it.
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditFilters:
    """What a reader narrows the log to; every field optional."""

    who: str = ""  # the actor's user name (exact) or a part of it
    event: str = ""  # an event's value (the entry's action), or a noun ("pii" for every pii.* action)
    object_type: str = ""  # app_label.model
    object_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    pii_only: bool = False


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_filter(entries: QuerySet[AuditEntry], filters: AuditFilters) -> QuerySet[AuditEntry]:
    """``entries`` narrowed to ``filters`` (dates are whole local days, ``until`` included)."""
    if filters.who:
        entries = entries.filter(actor_label__icontains=filters.who.strip())
    if filters.event:
        action = filters.event.strip()
        entries = entries.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type.strip().lower())
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id.strip())
    if filters.since is not None:
        entries = entries.filter(at__gte=_day_start(filters.since))
    if filters.until is not None:
        entries = entries.filter(at__lt=_day_start(filters.until + dt.timedelta(days=1)))
    if filters.pii_only:
        entries = entries.filter(action__in=PII_ACTIONS)
    return entries


def action_label(action: str) -> str:
    """The event's label in the reader's language (the stored string when it is not in the catalogue)."""
    event = event_of(action)
    return str(event.label) if event is not None else action


def action_choices() -> list[tuple[str, str]]:
    """Every event of the catalogue, for a filter's list: (value, label), by label."""
    return sorted(((e.value, str(e.label)) for e in Event), key=lambda pair: pair[1])


def _headers() -> list[str]:
    return [
        pgettext("field", "No."),
        pgettext("field", "Time"),
        pgettext("field", "Who"),
        pgettext("field", "Action"),
        pgettext("field", "Object"),
        pgettext("field", "Object type"),
        pgettext("field", "Object id"),
        pgettext("field", "Changes"),
        pgettext("field", "Reason"),
    ]


def _row(entry: AuditEntry) -> list[Any]:
    import json

    return [
        entry.seq,
        timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
        entry.actor_label,
        action_label(entry.action),
        entry.object_label,
        entry.object_type,
        entry.object_id,
        json.dumps(entry.changes, ensure_ascii=False, sort_keys=True) if entry.changes else "",
        entry.reason,
    ]


def audit_rows_xlsx(entries: Iterable[AuditEntry]) -> bytes:
    """The entries as one worksheet (text guarded against formulas by ``BookWriter``)."""
    book = BookWriter()
    sheet = book.sheet(_("Audit log"))
    sheet.header(_headers(), widths=[8, 20, 16, 22, 28, 18, 10, 40, 30])
    for entry in entries:
        sheet.append(_row(entry))
    return book.close()


def audit_rows_csv(entries: Iterable[AuditEntry]) -> bytes:
    """The entries as UTF-8 CSV with a byte-order mark (Excel opens it as Unicode), text guarded
    against formulas as in the workbook."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers())
    for entry in entries:
        writer.writerow([neutralise(v) if isinstance(v, str) else v for v in _row(entry)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
