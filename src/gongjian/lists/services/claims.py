"""Every write to demands, resources and claims: ``noun_verb(*, actor, ...)``, one transaction, one
audit entry each.

Who may do what:

- **raise a demand**: an administrator on a territorial organisation's list in their subtree; a unit
  liaison for their unit, on the list of the community the unit sits in; a resident for their own
  community. A micro-wish seals its requester (name, contact) with ``Demand.set_requester``: the
  sealed text never reaches a page, the API, a log or the audit log.
- **review, publish, reject**: the list owner's administrators (whose subtree holds the owner
  organisation's area). **Withdraw**: they, or who raised it, before anything was accepted.
- **offer a resource**: a unit liaison for their unit, an administrator for a territorial
  organisation (a street's or community's department), a member for themself; the provider
  publishes and withdraws it.
- **claim**: a unit (its liaison, or the staff of a joint meeting recording it there) claims a
  published demand within the unit's reach; a member claims a micro-wish of their community; a
  community (an administrator, for a territorial organisation) claims a published resource that
  serves its area. The owner (the demand's list owner, the resource's provider) accepts or declines
  with a reason; the claimant withdraws while it waits.
- **never over-claimed**: acceptance locks the demand or resource row (``select_for_update``),
  refuses a quantity beyond what is left, and adds it in the same transaction; the database's
  check constraint is the last line. An accepted claim opens its project.
- **assign (交办)**: the staff of a held joint meeting assign an unclaimed published demand in the
  meeting's area to a unit: an accepted claim marked ``assigned``.

The services live by aggregate: ``list_rules`` (who may do what, shared helpers), ``demands``,
``resources`` and this module (claims from both sides, their decisions, 交办). Their public names
are re-exported here (``__all__``), so ``claims.demand_raise`` and the rest keep working.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person
from gongjian.accounts.models import RoleKind
from gongjian.accounts.scope import scope_for
from gongjian.cobuild.models import JointMeeting
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.members.models import Member
from gongjian.orgs.models import PartyOrg, ResidentUnit

from .. import audience
from ..models import (
    DEMAND_CLAIMABLE,
    Claim,
    ClaimStatus,
    Demand,
    DemandKind,
    DemandStatus,
    Resource,
    ResourceStatus,
)
from ..selectors.claims import (
    actor_communities,
    actor_member,
    resource_serves,
    unit_reaches,
)
from .demands import (
    DEMAND_AUDITED,
    DEMAND_FIELDS,
    demand_publish,
    demand_raise,
    demand_reject,
    demand_review,
    demand_update,
    demand_withdraw,
    demands_expire,
)
from .list_rules import (
    REASON_MAX,
    _list_admin,
    _lock_demand,
    _lock_resource,
    _meeting_staff,
    _quantity,
    _reason,
    _require,
    _status_error,
    claim_accept_allowed,
    claim_decline_allowed,
    claim_owner_allowed,
    claim_withdraw_allowed,
    demand_assign_allowed,
    demand_claim_allowed,
    demand_claim_as_member_allowed,
    demand_claim_units,
    demand_raise_allowed,
    demand_record_allowed,
    demand_review_allowed,
    demand_update_allowed,
    demand_withdraw_allowed,
    resource_claim_allowed,
    resource_claim_orgs,
    resource_create_allowed,
    resource_provider_allowed,
    resource_publish_allowed,
    resource_withdraw_allowed,
)
from .projects import project_open_from_claim
from .resources import (
    RESOURCE_AUDITED,
    resource_create,
    resource_publish,
    resource_withdraw,
    resources_expire,
)

# --- claims ------------------------------------------------------------------------------------


def _check_quantity(quantity: int, remaining: int) -> None:
    if quantity > remaining:
        raise ValidationError(
            {
                "quantity": _("Only %(remaining)d remain to be claimed; this claim asks for %(quantity)d.")
                % {"remaining": remaining, "quantity": quantity}
            }
        )


def _announce_claim(event: Event, actor: Actor, claim: Claim, people: list[Any], reason: str = "") -> None:
    """Tell the other side of a claim: "<label>: <demand or resource> · <claimant> · <quantity>"."""
    subject, side, quantity = audience.claim_subject(claim), audience.claimant_name(claim), claim.quantity
    announce(
        event,
        actor=actor,
        recipients=people,
        title=lambda: f"{event.label}：{subject}",
        body=lambda: "\n".join(
            part
            for part in (_("%(side)s, quantity %(quantity)d") % {"side": side, "quantity": quantity}, reason)
            if part
        ),
        url=audience.claim_url(claim),
    )


def demand_claim(
    *,
    actor: Actor,
    demand: Demand,
    quantity: int = 1,
    note: str = "",
    unit: ResidentUnit | None = None,
    as_member: bool = False,
    meeting: JointMeeting | None = None,
) -> Claim:
    """Claim a published demand: for ``unit`` (the actor's unit, or at ``meeting`` any unit within
    reach, recorded by the meeting's staff) or ``as_member`` (a micro-wish). The owner decides."""
    quantity = _quantity(quantity)
    note = (note or "").strip()[:300]
    with transaction.atomic():
        demand = _lock_demand(demand)
        member: Member | None = None
        if as_member:
            member = actor_member(actor)
            homes = actor_communities(actor, RoleKind.MEMBER)
            _require(
                member is not None
                and demand.kind == DemandKind.MICRO_WISH
                and any(demand.area.path.startswith(c.path) for c in homes),
                _("You may claim only micro-wishes of your own community."),
            )
        else:
            if unit is None:
                units = sorted(scope_for(actor).unit_ids)
                if len(units) != 1:
                    raise ValidationError({"unit": _("Choose the unit that claims it.")})
                unit = ResidentUnit.objects.get(pk=units[0])
            if meeting is not None:
                _require(_meeting_staff(actor, meeting), _("You may not record claims at this meeting."))
                if not demand.area.path.startswith(meeting.area.path):
                    raise ValidationError({"meeting": _("The demand is not in the meeting's area.")})
            else:
                _require(
                    scope_for(actor).everything or scope_for(actor).covers_unit(unit.pk),
                    _("You may not claim for %(unit)s.") % {"unit": unit.name},
                )
            if not unit_reaches(unit, demand.area):
                raise ValidationError(
                    {"unit": _("This demand is outside the reach of %(unit)s.") % {"unit": unit.name}}
                )
        if demand.status not in DEMAND_CLAIMABLE:
            raise _status_error(demand)
        _check_quantity(quantity, demand.remaining)
        waiting = Claim.objects.filter(demand=demand, status=ClaimStatus.PENDING)
        if unit is not None and waiting.filter(claimant_unit=unit).exists():
            raise ValidationError(
                _("%(unit)s already has a claim waiting on this demand.") % {"unit": unit.name}
            )
        if member is not None and waiting.filter(claimant_member=member).exists():
            raise ValidationError(_("You already have a claim waiting on this demand."))
        claim = Claim.objects.create(
            demand=demand,
            claimant_unit=None if as_member else unit,
            claimant_member=member,
            quantity=quantity,
            note=note,
            meeting=meeting,
            claimed_by=person(actor),
            claimed_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=Event.CLAIM_CREATE,
            obj=claim,
            changes={
                "demand": demand.pk,
                "unit": claim.claimant_unit_id,
                "member": claim.claimant_member_id,
                "quantity": quantity,
                "meeting": claim.meeting_id,
            },
        )
        _announce_claim(Event.CLAIM_CREATE, actor, claim, audience.owner_people(demand))
    return claim


def resource_claim(
    *,
    actor: Actor,
    resource: Resource,
    org: PartyOrg,
    quantity: int = 1,
    note: str = "",
    meeting: JointMeeting | None = None,
) -> Claim:
    """A community (a territorial organisation the actor administers) claims a published resource
    serving its area; at ``meeting`` it is recorded against the meeting."""
    quantity = _quantity(quantity)
    note = (note or "").strip()[:300]
    with transaction.atomic():
        resource = _lock_resource(resource)
        _require(
            _list_admin(actor, org),
            _("You may not claim for %(org)s.") % {"org": org.name},
        )
        if meeting is not None:
            _require(_meeting_staff(actor, meeting), _("You may not record claims at this meeting."))
        if resource.status == ResourceStatus.USED_UP:
            _check_quantity(quantity, resource.remaining)
        if resource.status != ResourceStatus.PUBLISHED:
            raise _status_error(resource)
        if not resource_serves(resource, org.area):
            raise ValidationError(
                {"org": _("This resource does not serve %(area)s.") % {"area": org.area.name}}
            )
        _check_quantity(quantity, resource.remaining)
        if Claim.objects.filter(resource=resource, claimant_org=org, status=ClaimStatus.PENDING).exists():
            raise ValidationError(
                _("%(org)s already has a claim waiting on this resource.") % {"org": org.name}
            )
        claim = Claim.objects.create(
            resource=resource,
            claimant_org=org,
            quantity=quantity,
            note=note,
            meeting=meeting,
            claimed_by=person(actor),
            claimed_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=Event.CLAIM_CREATE,
            obj=claim,
            changes={
                "resource": resource.pk,
                "org": org.pk,
                "quantity": quantity,
                "meeting": claim.meeting_id,
            },
        )
        _announce_claim(Event.CLAIM_CREATE, actor, claim, audience.owner_people(resource))
    return claim


def _take(claim: Claim, actor: Actor, now: dt.datetime) -> tuple[str, str]:
    """Add an accepted claim's quantity to its locked demand or resource (the caller locked it and
    holds the transaction); return the status before and after."""
    target: Demand | Resource
    if claim.demand is not None:
        demand = claim.demand
        _check_quantity(claim.quantity, demand.remaining)
        if demand.status not in DEMAND_CLAIMABLE:
            raise _status_error(demand)
        before = demand.status
        demand.claimed += claim.quantity
        if demand.status == DemandStatus.PUBLISHED:
            demand.status = DemandStatus.CLAIMED
        if demand.first_claimed_at is None:
            demand.first_claimed_at = now
        demand.save(update_fields=["claimed", "status", "first_claimed_at"])
        target = demand
    else:
        resource = claim.resource
        assert resource is not None
        _check_quantity(claim.quantity, resource.remaining)
        if resource.status != ResourceStatus.PUBLISHED:
            raise _status_error(resource)
        before = resource.status
        resource.claimed += claim.quantity
        if resource.claimed == resource.capacity:
            resource.status = ResourceStatus.USED_UP
        resource.save(update_fields=["claimed", "status"])
        target = resource
    return before, target.status


def claim_accept(*, actor: Actor, claim: Claim) -> Claim:
    """The owner accepts: the quantity is added under a row lock on the demand or resource (never
    beyond what is left) and the project is opened, all in one transaction."""
    with transaction.atomic():
        # Lock the claimed row first, then the claim: every acceptance takes them in this order.
        if claim.demand_id is not None:
            target: Demand | Resource = _lock_demand(Demand(pk=claim.demand_id))
        else:
            target = _lock_resource(Resource(pk=claim.resource_id))
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("claimant_org__area")
            .get(pk=claim.pk)
        )
        if isinstance(target, Demand):
            claim.demand = target
        else:
            claim.resource = target
        _require(claim_owner_allowed(actor=actor, claim=claim), _("Only the owner accepts a claim."))
        if claim.status != ClaimStatus.PENDING:
            raise _status_error(claim)
        now = timezone.now()
        before, after = _take(claim, actor, now)
        claim.status = ClaimStatus.ACCEPTED
        claim.decided_by = person(actor)
        claim.decided_at = now
        claim.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=Event.CLAIM_ACCEPT,
            obj=claim,
            changes={
                "status": [ClaimStatus.PENDING, ClaimStatus.ACCEPTED],
                "quantity": claim.quantity,
                "claimed": target.claimed,
                "target_status": [before, after],
            },
        )
        _announce_claim(Event.CLAIM_ACCEPT, actor, claim, audience.claimant_people(claim))
        project_open_from_claim(actor=actor, claim=claim)
    return claim


def claim_decline(*, actor: Actor, claim: Claim, reason: str) -> Claim:
    reason = _reason(reason)
    with transaction.atomic():
        claim = Claim.objects.select_for_update(of=("self",)).get(pk=claim.pk)
        _require(claim_owner_allowed(actor=actor, claim=claim), _("Only the owner declines a claim."))
        if claim.status != ClaimStatus.PENDING:
            raise _status_error(claim)
        claim.status = ClaimStatus.DECLINED
        claim.decline_reason = reason
        claim.decided_by = person(actor)
        claim.decided_at = timezone.now()
        claim.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=Event.CLAIM_DECLINE,
            obj=claim,
            changes={"status": [ClaimStatus.PENDING, ClaimStatus.DECLINED]},
            reason=reason,
        )
        _announce_claim(Event.CLAIM_DECLINE, actor, claim, audience.claimant_people(claim), reason)
    return claim


def claim_withdraw(*, actor: Actor, claim: Claim, reason: str = "") -> Claim:
    reason = _reason(reason, required=False)
    with transaction.atomic():
        claim = (
            Claim.objects.select_for_update(of=("self",))
            .select_related("claimant_org__area")
            .get(pk=claim.pk)
        )
        if claim.status != ClaimStatus.PENDING:
            raise _status_error(claim)
        _require(claim_withdraw_allowed(actor=actor, claim=claim), _("Only the claimant withdraws a claim."))
        claim.status = ClaimStatus.WITHDRAWN
        claim.decided_at = timezone.now()
        claim.save(update_fields=["status", "decided_at"])
        audit_record(
            actor=actor,
            action=Event.CLAIM_WITHDRAW,
            obj=claim,
            changes={"status": [ClaimStatus.PENDING, ClaimStatus.WITHDRAWN]},
            reason=reason,
        )
        target = claim.demand if claim.demand is not None else claim.resource
        assert target is not None
        _announce_claim(Event.CLAIM_WITHDRAW, actor, claim, audience.owner_people(target), reason)
    return claim


def demand_assign(
    *,
    actor: Actor,
    demand: Demand,
    unit: ResidentUnit,
    meeting: JointMeeting,
    quantity: int | None = None,
) -> Claim:
    """A joint meeting assigns (交办) an unclaimed published demand to a unit: an accepted claim
    marked ``assigned`` and recorded against the meeting, and its project opened."""
    with transaction.atomic():
        demand = _lock_demand(demand)
        _require(_meeting_staff(actor, meeting), _("Only the meeting's staff assign demands at it."))
        if not demand.area.path.startswith(meeting.area.path):
            raise ValidationError({"meeting": _("The demand is not in the meeting's area.")})
        if demand.status != DemandStatus.PUBLISHED or demand.claimed != 0:
            raise ValidationError(_("Only a published demand nobody has claimed yet can be assigned."))
        if not unit_reaches(unit, demand.area):
            raise ValidationError(
                {"unit": _("This demand is outside the reach of %(unit)s.") % {"unit": unit.name}}
            )
        amount = demand.remaining if quantity is None else _quantity(quantity)
        now = timezone.now()
        claim = Claim.objects.create(
            demand=demand,
            claimant_unit=unit,
            quantity=amount,
            status=ClaimStatus.PENDING,
            assigned=True,
            meeting=meeting,
            claimed_by=person(actor),
            claimed_at=now,
        )
        before, after = _take(claim, actor, now)
        claim.status = ClaimStatus.ACCEPTED
        claim.decided_by = person(actor)
        claim.decided_at = now
        claim.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=Event.DEMAND_ASSIGN,
            obj=claim,
            changes={
                "demand": demand.pk,
                "unit": unit.pk,
                "meeting": meeting.pk,
                "quantity": amount,
                "target_status": [before, after],
            },
        )
        _announce_claim(Event.DEMAND_ASSIGN, actor, claim, audience.claimant_people(claim))
        project_open_from_claim(actor=actor, claim=claim)
    return claim


#: This module's services and, re-exported, those of the other list modules.
__all__ = [
    "DEMAND_AUDITED",
    "DEMAND_FIELDS",
    "REASON_MAX",
    "RESOURCE_AUDITED",
    "claim_accept",
    "claim_accept_allowed",
    "claim_decline",
    "claim_decline_allowed",
    "claim_owner_allowed",
    "claim_withdraw",
    "claim_withdraw_allowed",
    "demand_assign",
    "demand_assign_allowed",
    "demand_claim",
    "demand_claim_allowed",
    "demand_claim_as_member_allowed",
    "demand_claim_units",
    "demand_publish",
    "demand_raise",
    "demand_raise_allowed",
    "demand_record_allowed",
    "demand_reject",
    "demand_review",
    "demand_review_allowed",
    "demand_update",
    "demand_update_allowed",
    "demand_withdraw",
    "demand_withdraw_allowed",
    "demands_expire",
    "resource_claim",
    "resource_claim_allowed",
    "resource_claim_orgs",
    "resource_create",
    "resource_create_allowed",
    "resource_provider_allowed",
    "resource_publish",
    "resource_publish_allowed",
    "resource_withdraw",
    "resource_withdraw_allowed",
    "resources_expire",
]
