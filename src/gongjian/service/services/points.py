"""Points: rules with caps, points given for verified hours, members' claims and their approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Abs
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person, signed_in
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.core.services import apply_changes
from gongjian.members.models import Member
from gongjian.orgs.models import Area

from .. import audience, selectors
from ..models import (
    ApproverRole,
    EntryStatus,
    PointsEntry,
    PointsRule,
    RuleBasis,
    ServiceHours,
)
from .permissions import _require_area, points_decide_allowed, points_rule_manage_allowed

# --- points ---------------------------------------------------------------------------------


@transaction.atomic
def points_rule_create(
    *,
    actor: Actor,
    name: str,
    area: Area,
    basis: str,
    points: Decimal,
    deduction: bool = False,
    description: str = "",
    cap: Decimal | None = None,
    cap_period: str = "year",
    evidence_required: bool = False,
    approver_role: str = ApproverRole.COMMUNITY_ADMIN,
) -> PointsRule:
    """A rule at ``area`` (applies to its subtree). Automatic rules (per hour) earn, never deduct."""
    _require_area(actor, area)
    if basis == RuleBasis.PER_HOUR and deduction:
        raise ValidationError({"deduction": _("Verified hours earn points; they cannot cost any.")})
    if cap is not None and cap <= 0:
        raise ValidationError({"cap": _("A cap is above 0 (leave it empty for none).")})
    rule = PointsRule(
        name=name.strip(),
        area=area,
        basis=basis,
        points=points,
        deduction=deduction,
        description=description,
        cap=cap,
        cap_period=cap_period,
        evidence_required=evidence_required,
        approver_role=approver_role,
    )
    rule.full_clean()
    rule.save()
    audit_record(
        actor=actor,
        action=Event.POINTS_RULE_CREATE,
        obj=rule,
        changes={
            "name": rule.name,
            "area": area.pk,
            "basis": basis,
            "points": points,
            "deduction": deduction,
            "cap": cap,
            "cap_period": cap_period,
            "evidence_required": evidence_required,
            "approver_role": approver_role,
        },
    )
    return rule


@transaction.atomic
def points_rule_update(*, actor: Actor, rule: PointsRule, **changes: Any) -> PointsRule:
    rule = PointsRule.objects.select_for_update(of=("self",)).select_related("area").get(pk=rule.pk)
    if not points_rule_manage_allowed(actor=actor, rule=rule):
        raise PermissionDenied(_("You may not change this rule."))
    diff = apply_changes(
        rule,
        changes,
        allowed=(
            "name",
            "description",
            "points",
            "cap",
            "cap_period",
            "evidence_required",
            "approver_role",
            "active",
        ),
    )
    if diff:
        rule.save()
        audit_record(actor=actor, action=Event.POINTS_RULE_UPDATE, obj=rule, changes=diff)
    return rule


def _apply_cap(entry: PointsEntry, *, exclude_self: bool = False) -> None:
    """Set ``requested`` from the units and ``points`` to what the cap leaves of it (signed).
    The member's row is locked by the caller's transaction, so two approvals cannot both fit."""
    rule = entry.rule
    requested = (Decimal(entry.units) * rule.points).quantize(Decimal("0.01"))
    allowed = requested
    if rule.cap is not None:
        start, end = rule.period_bounds(entry.on)
        others = PointsEntry.objects.filter(
            member_id=entry.member_id, rule=rule, status=EntryStatus.APPROVED, on__gte=start, on__lt=end
        )
        if exclude_self and entry.pk:
            others = others.exclude(pk=entry.pk)
        used = others.aggregate(s=Sum(Abs("points")))["s"] or Decimal(0)
        allowed = max(Decimal(0), min(requested, rule.cap - used))
    sign = -1 if rule.deduction else 1
    entry.requested = sign * requested
    entry.points = sign * allowed


def _lock_member(member_id: int) -> None:
    Member.objects.select_for_update().filter(pk=member_id).first()


def _auto_points(record: ServiceHours, actor: Actor) -> Decimal:
    """Approved entries under every active per-hour rule applying to the record's area (members
    only: volunteers earn hours, not Party points). Returns the points given."""
    if record.member_id is None:
        return Decimal(0)
    _lock_member(record.member_id)
    total = Decimal(0)
    rules = [
        r
        for r in PointsRule.objects.filter(active=True, basis=RuleBasis.PER_HOUR).select_related("area")
        if record.area.path.startswith(r.area.path)
    ]
    for rule in rules:
        entry = PointsEntry(
            member_id=record.member_id,
            rule=rule,
            area=record.area,
            on=record.on,
            units=record.hours,
            hours_record=record,
            status=EntryStatus.APPROVED,
            submitted_by=signed_in(actor),
            decided_by=signed_in(actor),
            decided_at=timezone.now(),
        )
        _apply_cap(entry)
        entry.save()
        total += entry.points
    return total


def _auto_points_bulk(records: list[ServiceHours], actor: Actor) -> None:
    """``_auto_points`` for many records of one activity at once (one day, one area, each member
    once): the members' rows locked in one query, each rule's cap use read in one grouped query,
    the entries written in one insert. The same points as one record at a time."""
    records = [r for r in records if r.member_id is not None]
    if not records:
        return
    area_path = records[0].area.path
    day = records[0].on
    assert all(r.on == day and r.area_id == records[0].area_id for r in records)
    rules = [
        r
        for r in PointsRule.objects.filter(active=True, basis=RuleBasis.PER_HOUR).select_related("area")
        if area_path.startswith(r.area.path)
    ]
    if not rules:
        return
    member_ids = sorted({r.member_id for r in records if r.member_id is not None})
    list(Member.objects.select_for_update().filter(pk__in=member_ids).values_list("pk", flat=True))
    who = signed_in(actor)
    now = timezone.now()
    entries: list[PointsEntry] = []
    for rule in rules:
        used: dict[int, Decimal] = {}
        if rule.cap is not None:
            start, end = rule.period_bounds(day)
            used = {
                row["member_id"]: row["s"] or Decimal(0)
                for row in PointsEntry.objects.filter(
                    member_id__in=member_ids,
                    rule=rule,
                    status=EntryStatus.APPROVED,
                    on__gte=start,
                    on__lt=end,
                )
                .values("member_id")
                .annotate(s=Sum(Abs("points")))
            }
        for record in records:
            assert record.member_id is not None
            requested = (Decimal(record.hours) * rule.points).quantize(Decimal("0.01"))
            allowed = requested
            if rule.cap is not None:
                allowed = max(Decimal(0), min(requested, rule.cap - used.get(record.member_id, Decimal(0))))
            entries.append(
                PointsEntry(
                    member_id=record.member_id,
                    rule=rule,
                    area=record.area,
                    on=record.on,
                    units=record.hours,
                    requested=requested,
                    points=allowed,
                    hours_record=record,
                    status=EntryStatus.APPROVED,
                    submitted_by=who,
                    decided_by=who,
                    decided_at=now,
                )
            )
    PointsEntry.objects.bulk_create(entries, batch_size=1000)


@transaction.atomic
def points_claim(
    *,
    actor: Actor,
    rule: PointsRule,
    on: dt.date,
    units: Decimal = Decimal(1),
    evidence: str = "",
    note: str = "",
    member: Member | None = None,
) -> PointsEntry:
    """A member claims points under a rule (``member`` None: the actor's own member), or an
    administrator enters them for a member they see (e.g. a deduction); pending until the rule's
    approver decides. Evidence is required where the rule says so."""
    rule = selectors.points_rule_get(actor=actor, pk=rule.pk)
    if not rule.active or rule.basis != RuleBasis.PER_CLAIM:
        raise ValidationError({"rule": _("Points under this rule cannot be claimed.")})
    if member is None:
        member = selectors.actor_member(actor)
        if member is None:
            raise ValidationError(_("Your account is not linked to a Party member."))
        homes = selectors.actor_homes(actor)
        area_path = next((h for h in homes if h.startswith(rule.area.path)), "")
    else:
        if not selectors.member_choices(actor=actor).filter(pk=member.pk).exists():
            raise ValidationError({"member": _("Choose a member of the ledgers you administer.")})
        home = member.residence or member.org.area
        area_path = selectors.community_path(home.path)
        if not scope_for(actor).covers_path(area_path):
            raise ValidationError({"member": _("Choose a member who lives in your area.")})
    if not area_path or not area_path.startswith(rule.area.path):
        raise ValidationError({"rule": _("This rule does not apply where the member serves.")})
    if rule.evidence_required and not evidence.strip():
        raise ValidationError({"evidence": _("This rule needs evidence (what shows it was done).")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if Decimal(units) <= 0 or Decimal(units) > 1000:
        raise ValidationError({"units": _("Enter a number of units above 0.")})
    entry = PointsEntry(
        member=member,
        rule=rule,
        area=Area.objects.get(path=area_path),
        on=on,
        units=Decimal(units),
        evidence=evidence.strip()[:500],
        note=note.strip()[:300],
        status=EntryStatus.PENDING,
        submitted_by=person(actor),
    )
    _apply_cap(entry)
    entry.save()
    audit_record(
        actor=actor,
        action=Event.POINTS_CLAIM,
        obj=entry,
        changes={"member": member.pk, "rule": rule.pk, "units": entry.units, "requested": entry.requested},
    )
    requested = entry.requested
    announce(
        Event.POINTS_CLAIM,
        actor=actor,
        recipients=audience.area_people(entry.area),
        title=lambda: f"{Event.POINTS_CLAIM.label}：{requested}",
        body=rule.name,
    )
    return entry


@transaction.atomic
def points_entry_decide(*, actor: Actor, entry: PointsEntry, approve: bool, reason: str = "") -> PointsEntry:
    """Approve (the cap then applies to what is left in the period) or reject a claimed entry."""
    entry = (
        PointsEntry.objects.select_for_update(of=("self",)).select_related("rule", "area").get(pk=entry.pk)
    )
    if not points_decide_allowed(actor=actor, entry=entry):
        if entry.status != EntryStatus.PENDING:
            raise ValidationError(_("This entry was already decided."))
        raise PermissionDenied(_("Only the rule's approver may decide this entry."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the entry is rejected.")})
    _lock_member(entry.member_id)
    if approve:
        _apply_cap(entry, exclude_self=True)
    entry.status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
    entry.decided_by = person(actor)
    entry.decided_at = timezone.now()
    entry.reason = reason.strip()[:300]
    entry.save()
    audit_record(
        actor=actor,
        action=Event.POINTS_APPROVE if approve else Event.POINTS_REJECT,
        obj=entry,
        changes={"status": ["pending", entry.status], "points": entry.points, "requested": entry.requested},
        reason=entry.reason,
    )
    event, points = (Event.POINTS_APPROVE if approve else Event.POINTS_REJECT), entry.points
    announce(
        event,
        actor=actor,
        recipients=audience.points_people(entry),
        title=lambda: f"{event.label}：{points}",
        body=entry.reason,
        url=audience.my_service_url(),
    )
    return entry
