"""Bulk writes to the ledgers: the import, the demo and the synthetic city create members by the
thousand through this service instead of one ``member_create`` each.

Rows are validated exactly as ``member_create`` validates them (ID checksum, birth date and sex
from the number, dates), sealed and indexed in memory, and inserted with ``bulk_create`` in
batches; each batch writes one audit entry that lists the members it created (masked), so the
log still says who created what and when. The caller's transaction makes the whole all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.scope import scope_for
from gongjian.core import pii
from gongjian.core.audit import audit_record
from gongjian.core.text import initials, search_key
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit

from .models import (
    ID_PURPOSE,
    PHONE_PURPOSE,
    Category,
    CoManagement,
    Member,
    MemberCategory,
    MemberReport,
    MemberStatus,
    ReportStatus,
    Standing,
    parse_id_number,
)

Progress = Callable[[int], None]


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


def build_member(row: MemberRow) -> Member:
    """The unsaved Member for a row, validated like ``member_create`` (ValidationError otherwise)."""
    compact, birth, sex = parse_id_number(row.id_number)
    if row.joined_on < birth or row.joined_on > timezone.localdate():
        raise ValidationError({"joined_on": _("The date of joining is not possible.")})
    if row.standing not in Standing.values or row.status not in MemberStatus.values:
        raise ValidationError({"standing": _("Unknown standing or status.")})
    name = row.name.strip()
    if not name:
        raise ValidationError({"name": _("A name is required.")})
    phone = (row.phone or "").strip()
    return Member(
        name=name,
        name_key=search_key(name)[:120],
        initials=initials(name)[:120],
        gender=sex,
        birth_date=birth,
        ethnicity=row.ethnicity,
        education=row.education,
        joined_on=row.joined_on,
        standing=row.standing,
        status=row.status,
        org=row.org,
        residence=row.residence,
        work_unit=row.work_unit,
        work_unit_name=row.work_unit_name,
        volunteer_no=row.volunteer_no,
        id_number_sealed=pii.seal(compact, purpose=ID_PURPOSE),
        id_number_index=pii.blind_index(compact, purpose=ID_PURPOSE),
        id_number_masked=pii.mask_id_number(compact),
        phone_sealed=pii.seal(phone, purpose=PHONE_PURPOSE),
        phone_index=pii.blind_index(phone, purpose=PHONE_PURPOSE),
        phone_masked=pii.mask_phone(phone),
    )


def _batches(rows: Iterable[MemberRow], size: int) -> Iterator[list[MemberRow]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _require_scope(actor: Any, rows: list[MemberRow]) -> None:
    scope = scope_for(actor)
    if scope.everything:
        return
    for row in rows:
        if not (scope.covers_path(row.org.area.path) or scope.covers_unit(row.org.unit_id)):
            raise PermissionDenied(_("You may not change the members of %(org)s.") % {"org": row.org.name})


@transaction.atomic
def members_bulk_create(
    *,
    actor: Any,
    rows: Iterable[MemberRow],
    batch_size: int = 2000,
    progress: Progress | None = None,
    action: str = "member.bulk_create",
) -> int:
    """Create members with their ledger entries, co-management and confirmed reports, in batches.

    A row whose ID number is already in the ledgers (or twice in ``rows``) is an error: the whole
    call changes nothing. Returns how many members were created.
    """
    created = 0
    for batch in _batches(rows, batch_size):
        _require_scope(actor, batch)
        members = [build_member(row) for row in batch]
        indexes = [m.id_number_index for m in members]
        if len(set(indexes)) != len(indexes) or Member.objects.filter(id_number_index__in=indexes).exists():
            raise ValidationError({"id_number": _("A member with this ID number is already in the ledgers.")})
        Member.objects.bulk_create(members, batch_size=batch_size)
        if members[0].pk is None:  # backends without RETURNING: read the keys back
            by_index = dict(
                Member.objects.filter(id_number_index__in=indexes).values_list("id_number_index", "pk")
            )
            for m in members:
                m.pk = by_index[m.id_number_index]
        categories: list[MemberCategory] = []
        co: list[CoManagement] = []
        reports: list[MemberReport] = []
        for member, row in zip(members, batch, strict=True):
            for category, area, since in row.categories:
                if category not in Category.values:
                    raise ValidationError({"category": _("Unknown ledger.")})
                categories.append(MemberCategory(member=member, category=category, area=area, since=since))
            if row.co_managed is not None:
                community, unit, since = row.co_managed
                co.append(CoManagement(member=member, community=community, unit=unit, since=since))
            if row.reported is not None:
                community, since = row.reported
                reports.append(
                    MemberReport(
                        member=member,
                        community=community,
                        since=since,
                        status=ReportStatus.CONFIRMED,
                        confirmed_on=since,
                    )
                )
        MemberCategory.objects.bulk_create(categories, batch_size=batch_size)
        CoManagement.objects.bulk_create(co, batch_size=batch_size)
        MemberReport.objects.bulk_create(reports, batch_size=batch_size)
        audit_record(
            actor=actor,
            action=action,
            object_type="members.member",
            object_id=f"{members[0].pk}..{members[-1].pk}",
            object_label=_("%(count)d members") % {"count": len(members)},
            changes={
                "members": [[m.pk, m.name, m.id_number_masked] for m in members],
                "categories": len(categories),
                "co_managed": len(co),
                "reported": len(reports),
            },
        )
        created += len(members)
        if progress is not None:
            progress(created)
    return created
