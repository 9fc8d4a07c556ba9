"""The audit log: append one entry per write, and verify the chain.

``audit_record`` is called by every service inside its transaction, with the change's name from the
event catalogue (``core.events.Event``; the entry stores its value). Entries are chained with an
HMAC keyed from the personal-data key, so an entry edited or deleted in the database (even with
its hash recomputed by someone without the key) breaks verification.

The tail is protected twice. The one-row head carries an HMAC of its sequence number and hash, so
it cannot be set back to an earlier entry (after deleting the newest ones) without the key; and
signed checkpoints (sequence number + hash) are appended hourly and by ``gongjian daily`` to a file
outside the database (``GONGJIAN_AUDIT_CHECKPOINTS``, by default ``var/audit-checkpoints.jsonl``),
so that even someone holding the key cannot cut the log below the last checkpoint unseen.
``audit_verify`` checks the chain against both and names the first missing or altered entry.
Entries are never deleted by the application.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .events import Event, event_of
from .models import AuditEntry, AuditHead
from .pii import derived_key

if TYPE_CHECKING:
    from gongjian.accounts.actor import Actor


GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj`` (foreign keys as ids), for a before/after diff."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _plain(getattr(obj, attname))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


#: The map's node model, named by label (core imports no domain app).
AREA_LABEL = "orgs.area"


def area_path_of(obj: models.Model | None, depth: int = 3) -> str:
    """Where on the map ``obj`` sits: its own path for an area, else the path of the area it points
    at (a field named ``area`` first), else of what it belongs to (an organisation's, a unit's, a
    member's organisation's area …), up to ``depth`` steps; "" when it has no place (users, tokens).
    Duck-typed on the model's foreign keys, so it serves the migration's historical models too."""
    if obj is None:
        return ""
    meta = obj._meta
    if meta.label_lower == AREA_LABEL:
        return str(getattr(obj, "path", "") or "")
    user_label = str(settings.AUTH_USER_MODEL).lower()
    keys: list[tuple[str, Any]] = []
    for f in meta.concrete_fields:
        related: Any = f.related_model
        if f.many_to_one and related is not None and related._meta.label_lower != user_label:
            keys.append((related._meta.label_lower, f))
    keys.sort(key=lambda pair: (pair[0] != AREA_LABEL, pair[1].name != "area"))
    for label, field in keys:
        if getattr(obj, field.attname) is None:
            continue
        if label == AREA_LABEL:
            return str(getattr(obj, field.name).path)
        if depth > 1:
            found = area_path_of(getattr(obj, field.name), depth - 1)
            if found:
                return found
    return ""


def audit_places_fill() -> int:
    """Give entries written before entries knew their place (``area_path`` empty) the place of their
    object, where it still exists; returns how many were filled. Idempotent (``gongjian audit
    places``). The place is outside the digest, so the chain is untouched."""
    from django.apps import apps

    filled = 0
    todo = AuditEntry.objects.filter(area_path="").exclude(object_type="").exclude(object_id="")
    for object_type in todo.values_list("object_type", flat=True).distinct().order_by():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            continue
        ids = set(todo.filter(object_type=object_type).values_list("object_id", flat=True))
        for obj in model._default_manager.filter(pk__in=[i for i in ids if i.isdigit()]):
            path = area_path_of(obj)
            if path:
                filled += todo.filter(object_type=object_type, object_id=str(obj.pk)).update(area_path=path)
    return filled


def _digest(entry: AuditEntry) -> str:
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "changes": entry.changes,
        "reason": entry.reason,
        "prev": entry.prev_hash,
    }
    data = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(derived_key("audit"), data, hashlib.sha256).hexdigest()


def _head_mac(seq: int, hash_: str) -> str:
    return hmac.new(derived_key("audit-head"), f"{seq}:{hash_}".encode(), hashlib.sha256).hexdigest()


def _checkpoint_mac(seq: int, hash_: str, at: str) -> str:
    data = f"{seq}:{hash_}:{at}".encode()
    return hmac.new(derived_key("audit-checkpoint"), data, hashlib.sha256).hexdigest()


def checkpoint_path() -> Path:
    default = Path(settings.VAR_DIR) / "audit-checkpoints.jsonl"
    return Path(getattr(settings, "GONGJIAN_AUDIT_CHECKPOINTS", "") or default)


def audit_checkpoint(*, today: dt.date | None = None) -> int:
    """Append the head (sequence number, hash, time, HMAC) to the checkpoint file; returns the
    sequence number written. Hourly (Celery beat) and in ``gongjian daily``; the file is only ever
    appended to."""
    head = AuditHead.objects.filter(id=1).first()
    seq, hash_ = (head.seq, head.hash) if head else (0, GENESIS)
    at = timezone.now().isoformat()
    line = json.dumps({"seq": seq, "hash": hash_, "at": at, "mac": _checkpoint_mac(seq, hash_, at)})
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    return seq


def audit_checkpoints_restart() -> Path | None:
    """A new log starts (the demo's reset empties the database): the old checkpoints are moved
    aside, never deleted, and the new log is checked from its own first checkpoint on."""
    path = checkpoint_path()
    if not path.exists():
        return None
    aside = path.with_name(f"{path.name}.{timezone.now():%Y%m%dT%H%M%S}")
    path.rename(aside)
    return aside


def _last_checkpoint() -> tuple[dict[str, Any] | None, str]:
    """The last checkpoint line, or (None, problem) when a line is not signed under the key."""
    path = checkpoint_path()
    if not path.exists():
        return None, ""
    last: dict[str, Any] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            point = json.loads(raw)
            good = hmac.compare_digest(
                _checkpoint_mac(point["seq"], point["hash"], point["at"]), point["mac"]
            )
        except (ValueError, KeyError, TypeError):
            good = False
        if not good:
            return None, f"checkpoint line {number} of {path} is not signed under this key"
        last = point
    return last, ""


def audit_record(
    *,
    actor: Actor | None,
    action: Event,
    obj: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    area_path: str = "",
) -> AuditEntry:
    """Append one entry for ``action``. Must run inside the caller's transaction (services open one).

    ``area_path`` says where the change happened when ``obj`` does not (see :func:`area_path_of`).

    ``action`` is an ``Event``; its value (the action string) is what the entry stores and hashes. An
    entry read back holds that string: ``core.events.event_of(entry.action)`` gives the event."""
    event = event_of(action)
    if event is None:
        raise ValueError(f"{action!r} is not in the event catalogue (core.events.Event)")
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
            object_label = object_label or str(obj)[:255]
        user = actor if actor is not None and actor.is_authenticated else None
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=user,
            actor_label=(user.get_username() if user else str(actor or "system"))[:150],
            action=event.value,
            object_type=object_type,
            object_id=object_id,
            object_label=object_label,
            changes=_plain(dict(changes or {})),
            reason=reason,
            prev_hash=head.hash,
            area_path=(area_path or area_path_of(obj))[:255],
        )
        # Round-trip through JSON so the digest sees what the database will give back.
        entry.changes = json.loads(json.dumps(entry.changes, ensure_ascii=False))
        entry.hash = _digest(entry)
        entry.save()
        head.seq = entry.seq
        head.hash = entry.hash
        head.mac = _head_mac(head.seq, head.hash)
        head.save(update_fields=["seq", "hash", "mac"])
        return entry


WRONG_KEY = "wrong key: this log was not written under this GONGJIAN_PII_KEY (restored with another key?)"


def _head_signed() -> bool:
    head = AuditHead.objects.filter(id=1).first()
    return head is not None and hmac.compare_digest(head.mac, _head_mac(head.seq, head.hash))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    problem: str = ""
    seq: int | None = None


def audit_verify() -> Verdict:
    """Walk the chain: sequence numbers without gaps, each hash valid and linked, head matching."""
    point, problem = _last_checkpoint()
    if problem:
        return Verdict(False, 0, problem, None)
    point_seq = int(point["seq"]) if point else 0
    prev = GENESIS
    expected = 1
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if point and entry.seq == point_seq and entry.hash != point["hash"]:
            return Verdict(False, count, f"entry differs from the checkpoint of {point['at']}", entry.seq)
        if entry.seq != expected:
            return Verdict(False, count, f"entry {expected} is missing", expected)
        if entry.prev_hash != prev:
            return Verdict(False, count, "link to the previous entry is broken", entry.seq)
        if not hmac.compare_digest(_digest(entry), entry.hash):
            if not _head_signed():
                # neither the entry nor the head checks out: the key is not this log's
                return Verdict(False, count, WRONG_KEY, entry.seq)
            return Verdict(False, count, "entry was altered", entry.seq)
        prev = entry.hash
        expected += 1
        count += 1
    if count < point_seq:
        return Verdict(
            False,
            count,
            f"entries {count + 1} to {point_seq} are missing: the checkpoint of {point['at'] if point else ''} "
            f"saw the log reach {point_seq}",
            count + 1,
        )
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head is not None and head_seq and not hmac.compare_digest(head.mac, _head_mac(head_seq, head_hash)):
        return Verdict(
            False, count, "the head is not signed under this key (set back, forged, or a wrong key)", head_seq
        )
    if head_seq != count or head_hash != prev:
        return Verdict(
            False, count, f"the log ends at {count} but {head_seq} entries were written", count + 1
        )
    return Verdict(True, count)
