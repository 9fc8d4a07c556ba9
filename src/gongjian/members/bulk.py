"""Bulk writes to the ledgers: the import, the demo and the synthetic city create (and the import
updates) members by the thousand through these services instead of one ``member_create`` each.

Rows are validated exactly as ``member_create`` validates them (ID checksum, birth date and sex
from the number, dates), sealed and indexed in memory, and written in batches; each batch writes
one audit entry that lists the members it created or changed (masked), so the log still says who
did what and when. The caller's transaction makes the whole all-or-nothing.

Why this is fast (a city ledger is 600,000 rows; see bench/README.md):

* :class:`Sealer` seals with one AES-GCM object, draws nonces 4,096 at a time and computes blind
  indexes from HMAC objects keyed once; the results are byte-for-byte what ``core.pii`` produces.
* :class:`IdChecker` checks an ID number with the checksum as one integer operation and caches
  the birth-date and birthplace checks (a few thousand distinct values in a city), with the same
  verdicts as ``parse_id_number``.
* Rows travel as :class:`NewMember` tuples, never as model instances, and are inserted with
  ``COPY`` on PostgreSQL and ``executemany`` on SQLite, with primary keys drawn in advance (the
  sequence on PostgreSQL; on SQLite the import's transaction holds the write lock), so the ledger
  entries can point at them without reading them back.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from types import SimpleNamespace
from typing import Any, NamedTuple

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import Scope, scope_for
from gongjian.core import pii
from gongjian.core.audit import audit_record
from gongjian.core.bulkwrite import copy_rows, quote
from gongjian.core.events import Event
from gongjian.core.text import initials, search_key
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit
from gongjian.stats import tally

from .models import (
    ID_PURPOSE,
    PHONE_PURPOSE,
    Category,
    CoManagement,
    Gender,
    Member,
    MemberCategory,
    MemberReport,
    MemberStatus,
    ReportStatus,
    Standing,
    parse_id_number,
)

Progress = Callable[[int], None]

_MALE, _FEMALE = str(Gender.MALE.value), str(Gender.FEMALE.value)

#: Rows per IN (...) look-up: under SQLite's historical limit of 999 parameters.
LOOKUP_CHUNK = 900


@dataclass
class MemberRow:
    """One member to create, with the ledgers and relations they start with."""

    name: str
    id_number: str
    org: PartyOrg
    joined_on: dt.date
    phone: str = ""
    ethnicity: str = "汉族"
    education: str = ""
    standing: str = Standing.FULL
    status: str = MemberStatus.NORMAL
    residence: Area | None = None
    work_unit: ResidentUnit | None = None
    work_unit_name: str = ""
    volunteer_no: str = ""
    #: (category, area where the ledger lists them, since)
    categories: list[tuple[str, Area, dt.date]] = field(default_factory=list)
    #: (community, unit, since) for 队伍共管
    co_managed: tuple[Area, ResidentUnit, dt.date] | None = None
    #: (community, since) for a confirmed 双报到 registration
    reported: tuple[Area, dt.date] | None = None


# --- sealing and checking, fast -------------------------------------------------------------


class Sealer:
    """Seals and indexes personal data for many rows: the same tokens as ``pii.seal`` and
    ``pii.blind_index`` (``pii.unseal`` opens them), without re-deriving keys per value."""

    _NONCES = 4096

    def __init__(self) -> None:
        self._aes = AESGCM(pii.derived_key("encrypt"))
        self._macs = {
            purpose: hmac.new(pii.derived_key(f"index:{purpose}"), digestmod=hashlib.sha256)
            for purpose in (ID_PURPOSE, PHONE_PURPOSE)
        }
        self._pool = b""
        self._next = 0

    def seal(self, value: str, purpose: str) -> str:
        if value == "":
            return ""
        if self._next >= len(self._pool):
            self._pool = os.urandom(12 * self._NONCES)
            self._next = 0
        nonce = self._pool[self._next : self._next + 12]
        self._next += 12
        sealed = self._aes.encrypt(nonce, value.encode("utf-8"), purpose.encode())
        return "v1:" + base64.b64encode(nonce + sealed).decode("ascii")

    def index(self, value: str, purpose: str) -> str:
        if value == "":
            return ""
        base = self._macs.get(purpose)
        if base is None:
            base = self._macs[purpose] = hmac.new(
                pii.derived_key(f"index:{purpose}"), digestmod=hashlib.sha256
            )
        mac = base.copy()
        mac.update(value.strip().upper().replace(" ", "").replace("-", "").encode())
        return mac.hexdigest()

    def id_index(self, compact: str) -> str:
        return self.index(compact, ID_PURPOSE)

    def phone(self, phone: str) -> tuple[str, str, str]:
        """(sealed, index, masked) of a phone number, as ``Member.set_phone`` stores them."""
        phone = phone.strip()
        return self.seal(phone, PHONE_PURPOSE), self.index(phone, PHONE_PURPOSE), pii.mask_phone(phone)

    def id_number(self, compact: str, index: str = "") -> tuple[str, str, str]:
        """(sealed, index, masked) of a valid, compact ID number (``index`` if already computed)."""
        return (
            self.seal(compact, ID_PURPOSE),
            index or self.index(compact, ID_PURPOSE),
            f"{compact[:6]}********{compact[-4:]}",
        )


class IdChecker:
    """``parse_id_number`` with caches: the same verdicts, a few microseconds a number.

    The checksum is ``(1 - 2 * int(first 17 digits, 13)) % 11`` (python-stdnum's formula); the
    birth date depends on eight digits and the birthplace on the region code and the birth year,
    each checked once by python-stdnum and then remembered. Anything not plain ASCII goes to
    ``parse_id_number`` itself."""

    def __init__(self) -> None:
        self._dates: dict[str, dt.date | None] = {}
        self._places: dict[tuple[str, int], bool] = {}

    @staticmethod
    def invalid() -> ValidationError:
        return ValidationError(
            _("The ID number is not valid (18 characters, with a matching check character)."),
            code="id_number",
        )

    def check(self, number: str) -> tuple[str, dt.date, str]:
        """(compact number, birth date, "M"/"F"), or ValidationError (the number never in it)."""
        if not number.isascii():
            return parse_id_number(number)
        compact = number.replace(" ", "").replace("-", "").upper()
        if len(compact) != 18 or not compact[:17].isdigit():
            raise self.invalid()
        check = (1 - 2 * int(compact[:17], 13)) % 11
        if compact[17] != ("X" if check == 10 else str(check)):
            raise self.invalid()
        digits = compact[6:14]
        birth = self._dates.get(digits, dt.date.min)
        if birth == dt.date.min:
            try:
                birth = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
            except ValueError:
                birth = None
            self._dates[digits] = birth
        if birth is None:
            raise self.invalid()
        place = (compact[:6], birth.year)
        known = self._places.get(place)
        if known is None:
            try:
                ric.get_birth_place(compact)
                known = True
            except StdnumError:
                known = False
            self._places[place] = known
        if not known:
            raise self.invalid()
        return compact, birth, _MALE if int(compact[16]) % 2 else _FEMALE


class NameKeys:
    """``search_key`` and ``initials`` of many names without a cache limit, built per character
    where that gives the same answer (no word of pypinyin's phrase dictionary inside the name)."""

    def __init__(self) -> None:
        from pypinyin.constants import PHRASES_DICT

        self._phrases = PHRASES_DICT
        self._names: dict[str, tuple[str, str]] = {}
        self._chars: dict[str, str] = {}

    def __call__(self, name: str) -> tuple[str, str]:
        found = self._names.get(name)
        if found is not None:
            return found
        key = search_key(name)
        phrases = self._phrases
        if any(key[i:j] in phrases for i in range(len(key)) for j in range(i + 2, len(key) + 1)):
            letters = initials(name)
        else:
            chars = self._chars
            parts = []
            for ch in key:
                got = chars.get(ch)
                if got is None:
                    got = chars[ch] = initials(ch)
                parts.append(got)
            letters = "".join(parts)
        found = (key[:120], letters[:120])
        if len(self._names) < 250_000:
            self._names[name] = found
        return found


# --- rows as they are written -----------------------------------------------------------------


class NewMember(NamedTuple):
    """A validated, sealed member ready to insert. Dates are ISO strings so a batch can be spilled
    to disk with ``marshal`` (``tuple(row)``) and read back with ``NewMember._make``."""

    name: str
    name_key: str
    initials: str
    gender: str
    ethnicity: str
    birth_date: str
    id_number_sealed: str
    id_number_index: str
    id_number_masked: str
    phone_sealed: str
    phone_index: str
    phone_masked: str
    education: str
    joined_on: str
    standing: str
    status: str
    org_id: int
    residence_id: int | None
    work_unit_id: int | None
    work_unit_name: str
    volunteer_no: str
    #: (category, area id, since) for each ledger entry to open
    categories: tuple[tuple[str, int, str], ...] = ()
    #: (community id, unit id, since) for 队伍共管
    co_managed: tuple[int, int, str] | None = None
    #: (community id, since) for a confirmed 双报到 registration
    reported: tuple[int, str] | None = None


#: The member columns a NewMember fills, in order (``id``, ``user``, timestamps come on top).
NEW_MEMBER_FIELDS: tuple[str, ...] = NewMember._fields[:21]


class MemberChange(NamedTuple):
    """Changes to one member, as the import found them. ``fields`` maps column names (``*_id`` for
    foreign keys, ISO strings for dates) to new values; ``audit`` maps field names to
    ``[old, new]`` as the log shows them (masked). Plain values only, so it can be marshalled."""

    pk: int
    org_id: int
    name: str
    id_number_masked: str
    fields: dict[str, Any]
    audit: dict[str, Any]
    #: (category, area id, since) for each ledger entry to open
    categories_add: tuple[tuple[str, int, str], ...] = ()
    #: ids of open ledger entries to end
    categories_end: tuple[int, ...] = ()


#: What an update may change; the organisation moves only by a transfer, the ID number never.
UPDATABLE = frozenset(
    {
        "name",
        "name_key",
        "initials",
        "ethnicity",
        "education",
        "joined_on",
        "standing",
        "status",
        "residence_id",
        "work_unit_id",
        "work_unit_name",
        "volunteer_no",
        "phone_sealed",
        "phone_index",
        "phone_masked",
    }
)


def new_member(
    row: MemberRow, *, sealer: Sealer, checker: IdChecker, names: NameKeys | None = None
) -> NewMember:
    """The NewMember for a row, validated like ``member_create`` (ValidationError otherwise)."""
    compact, birth, sex = checker.check(row.id_number)
    if row.joined_on < birth or row.joined_on > timezone.localdate():
        raise ValidationError({"joined_on": _("The date of joining is not possible.")})
    if row.standing not in Standing.values or row.status not in MemberStatus.values:
        raise ValidationError({"standing": _("Unknown standing or status.")})
    name = row.name.strip()
    if not name:
        raise ValidationError({"name": _("A name is required.")})
    for category, _area, _since in row.categories:
        if category not in Category.values:
            raise ValidationError({"category": _("Unknown ledger.")})
    key, letters = names(name) if names is not None else (search_key(name)[:120], initials(name)[:120])
    id_sealed, id_index, id_masked = sealer.id_number(compact)
    phone_sealed, phone_index, phone_masked = sealer.phone(row.phone or "")
    co = row.co_managed
    rep = row.reported
    return NewMember(
        name=name,
        name_key=key,
        initials=letters,
        gender=sex,
        ethnicity=row.ethnicity,
        birth_date=birth.isoformat(),
        id_number_sealed=id_sealed,
        id_number_index=id_index,
        id_number_masked=id_masked,
        phone_sealed=phone_sealed,
        phone_index=phone_index,
        phone_masked=phone_masked,
        education=row.education,
        joined_on=row.joined_on.isoformat(),
        standing=row.standing,
        status=row.status,
        org_id=row.org.pk,
        residence_id=row.residence.pk if row.residence is not None else None,
        work_unit_id=row.work_unit.pk if row.work_unit is not None else None,
        work_unit_name=row.work_unit_name,
        volunteer_no=row.volunteer_no,
        categories=tuple((c, a.pk, s.isoformat()) for c, a, s in row.categories),
        co_managed=(co[0].pk, co[1].pk, co[2].isoformat()) if co is not None else None,
        reported=(rep[0].pk, rep[1].isoformat()) if rep is not None else None,
    )


def build_member(row: MemberRow) -> Member:
    """The unsaved Member for a row, validated like ``member_create`` (ValidationError otherwise)."""
    values = new_member(row, sealer=Sealer(), checker=IdChecker())
    data = {name: getattr(values, name) for name in NEW_MEMBER_FIELDS}
    data["birth_date"] = dt.date.fromisoformat(values.birth_date)
    data["joined_on"] = row.joined_on
    return Member(**data)


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


# --- scope ----------------------------------------------------------------------------------


class _OrgScope:
    """Whether the actor may change the members of each organisation, looked up once per org."""

    def __init__(self, actor: Actor) -> None:
        self.scope: Scope = scope_for(actor)
        self._allowed: dict[int, tuple[bool, str]] = {}

    def require(self, org_ids: Iterable[int]) -> None:
        if self.scope.everything:
            return
        wanted = {pk for pk in org_ids if pk not in self._allowed}
        for chunk in _chunks(sorted(wanted)):
            for pk, name, path, unit_id in PartyOrg.objects.filter(pk__in=chunk).values_list(
                "pk", "name", "area__path", "unit_id"
            ):
                ok = self.scope.covers_path(path) or self.scope.covers_unit(unit_id)
                self._allowed[pk] = (ok, name)
        for pk in org_ids:
            ok, name = self._allowed.get(pk, (False, str(pk)))
            if not ok:
                raise PermissionDenied(_("You may not change the members of %(org)s.") % {"org": name})


def _chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- raw writes -----------------------------------------------------------------------------


def _now_value() -> Any:
    now = timezone.now()
    if connection.vendor == "postgresql":
        return now
    return connection.ops.adapt_datetimefield_value(now)


def _allocate_ids(table: str, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, inside the caller's transaction."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cur.fetchall()]
        cur.execute(f"SELECT MAX(id) FROM {quote(table)}")  # noqa: S608 - a model's table name
        top = cur.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            seq = cur.fetchone()
            top = max(top, seq[0] if seq else 0)
    return list(range(top + 1, top + 1 + count))


def members_insert(
    *,
    actor: Actor,
    members: Sequence[NewMember],
    action: Event = Event.MEMBER_BULK_CREATE,
    scope: _OrgScope | None = None,
    checked: bool = False,
) -> list[int]:
    """Insert one batch of validated members with their ledger entries, co-management and
    confirmed reports, and write one audit entry; returns the new primary keys in order.

    Run inside a transaction. Refuses (PermissionDenied) an organisation outside the actor's scope
    and (ValidationError) an ID number twice in the batch or already in the ledgers; ``checked``
    skips the look-up of the latter when the caller has just made it in the same transaction (the
    unique index still guards it)."""
    if not members:
        return []
    (scope or _OrgScope(actor)).require({m.org_id for m in members})
    indexes = [m.id_number_index for m in members]
    if len(set(indexes)) != len(indexes) or (
        not checked
        and any(Member.objects.filter(id_number_index__in=chunk).exists() for chunk in _chunks(indexes))
    ):
        raise ValidationError({"id_number": _("A member with this ID number is already in the ledgers.")})
    table = Member._meta.db_table
    pks = _allocate_ids(table, len(members))
    now = _now_value()
    width = len(NEW_MEMBER_FIELDS)
    rows = [(pk, *m[:width], None, now, now) for pk, m in zip(pks, members, strict=True)]
    copy_rows(table, ("id", *NEW_MEMBER_FIELDS, "user_id", "created_at", "updated_at"), rows)
    del rows
    categories = [
        (since, None, pk, category, area_id, "")
        for pk, m in zip(pks, members, strict=True)
        for category, area_id, since in m.categories
    ]
    if categories:
        copy_rows(
            MemberCategory._meta.db_table,
            ("since", "until", "member_id", "category", "area_id", "note"),
            categories,
        )
    co = [
        CoManagement(
            member_id=pk, community_id=m.co_managed[0], unit_id=m.co_managed[1], since=m.co_managed[2]
        )
        for pk, m in zip(pks, members, strict=True)
        if m.co_managed is not None
    ]
    CoManagement.objects.bulk_create(co)
    reports = [
        MemberReport(
            member_id=pk,
            community_id=m.reported[0],
            since=m.reported[1],
            status=ReportStatus.CONFIRMED,
            confirmed_on=m.reported[1],
        )
        for pk, m in zip(pks, members, strict=True)
        if m.reported is not None
    ]
    MemberReport.objects.bulk_create(reports)
    # written without signals: the kept figures of these members are refreshed here
    tally.touch_rows(MemberCategory, [SimpleNamespace(member_id=pk) for pk in pks])
    tally.touch_rows(CoManagement, co)
    tally.touch_rows(MemberReport, reports)
    audit_record(
        actor=actor,
        action=action,
        object_type="members.member",
        object_id=f"{pks[0]}..{pks[-1]}",
        object_label=_("%(count)d members") % {"count": len(members)},
        changes={
            # one "id masked-ID name" string a member: a quarter of the work of a list each
            "members": [f"{pk} {m.id_number_masked} {m.name}" for pk, m in zip(pks, members, strict=True)],
            "categories": len(categories),
            "co_managed": len(co),
            "reported": len(reports),
        },
    )
    return pks


@transaction.atomic
def members_bulk_create(
    *,
    actor: Actor,
    rows: Iterable[MemberRow],
    batch_size: int = 5000,
    progress: Progress | None = None,
    action: Event = Event.MEMBER_BULK_CREATE,
) -> int:
    """Create members with their ledger entries, co-management and confirmed reports, in batches.

    A row whose ID number is already in the ledgers (or twice in ``rows``) is an error: the whole
    call changes nothing. Returns how many members were created.
    """
    sealer, checker, names, scope = Sealer(), IdChecker(), NameKeys(), _OrgScope(actor)
    seen: set[str] = set()
    created = 0
    for batch in _batches(rows, batch_size):
        scope.require({row.org.pk for row in batch})
        members = [new_member(row, sealer=sealer, checker=checker, names=names) for row in batch]
        for m in members:
            if m.id_number_index in seen:
                raise ValidationError(
                    {"id_number": _("A member with this ID number is already in the ledgers.")}
                )
            seen.add(m.id_number_index)
        members_insert(actor=actor, members=members, action=action, scope=scope)
        created += len(members)
        if progress is not None:
            progress(created)
    return created


def members_bulk_update(
    *,
    actor: Actor,
    changes: Sequence[MemberChange],
    action: Event = Event.MEMBER_BULK_UPDATE,
    scope: _OrgScope | None = None,
    on: dt.date | None = None,
) -> int:
    """Apply one batch of changes (the import's re-import path) and write one audit entry listing
    each member with its changed fields (masked). Run inside a transaction.

    A member leaving normal status leaves every ledger, as with ``member_update``: open entries
    not already listed in ``categories_end`` are ended too. The organisation holding the membership
    and the ID number are not changed here. Returns how many members changed."""
    if not changes:
        return 0
    (scope or _OrgScope(actor)).require({c.org_id for c in changes})
    today = (on or timezone.localdate()).isoformat()
    now = _now_value()
    groups: dict[tuple[str, ...], list[list[Any]]] = {}
    for change in changes:
        bad = set(change.fields) - UPDATABLE
        if bad:
            raise ValidationError(
                _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(bad))}
            )
        if not change.fields:
            continue
        names = tuple(sorted(change.fields))
        groups.setdefault(names, []).append([*(change.fields[n] for n in names), now, change.pk])
    table = quote(Member._meta.db_table)
    with connection.cursor() as cur:
        for names, params in groups.items():
            sets = ", ".join(f"{quote(n)} = %s" for n in (*names, "updated_at"))
            cur.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)  # noqa: S608
    leaving = [c.pk for c in changes if c.fields.get("status", MemberStatus.NORMAL) != MemberStatus.NORMAL]
    ends = {pk for c in changes for pk in c.categories_end}
    for chunk in _chunks(leaving):
        ends.update(
            MemberCategory.objects.filter(member_id__in=chunk, until__isnull=True).values_list(
                "pk", flat=True
            )
        )
    for chunk in _chunks(sorted(ends)):
        MemberCategory.objects.filter(pk__in=chunk, until__isnull=True).update(until=today)
    adds = [
        (since, None, c.pk, category, area_id, "")
        for c in changes
        for category, area_id, since in c.categories_add
    ]
    if adds:
        copy_rows(
            MemberCategory._meta.db_table,
            ("since", "until", "member_id", "category", "area_id", "note"),
            adds,
        )
    if ends or adds:  # written without signals
        tally.touch_rows(MemberCategory, [SimpleNamespace(member_id=c.pk) for c in changes])
    audit_record(
        actor=actor,
        action=action,
        object_type="members.member",
        object_id=f"{changes[0].pk}..{changes[-1].pk}",
        object_label=_("%(count)d members") % {"count": len(changes)},
        changes={
            "members": [[c.pk, c.name, c.id_number_masked, c.audit] for c in changes],
            "categories_ended": len(ends),
            "categories_added": len(adds),
        },
    )
    return len(changes)
