"""Who may do what with demands, resources and claims (the ``*_allowed`` functions that pages and
the API ask before showing a button), and the helpers their services share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, signed_in
from gongjian.accounts.models import RoleKind
from gongjian.accounts.scope import scope_for
from gongjian.cobuild.models import JointMeeting
from gongjian.core.audit import snapshot
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit

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
    MEETING_RECORDS,
    actor_communities,
    actor_member,
    resource_serves,
    unit_reaches,
)

REASON_MAX = 300


# --- helpers -----------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _reason(reason: str | None, *, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise ValidationError({"reason": _("Give a reason.")})
    if len(text) > REASON_MAX:
        raise ValidationError({"reason": _("Keep the reason under 300 characters.")})
    return text


def _quantity(value: Any, field: str = "quantity") -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ValidationError({field: _("Enter a whole number of at least 1.")})
    return number


def _choice(value: str, choices: type[Any], field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the offered values.")})
    return value


def _audit_fields(obj: Demand | Resource, fields: Iterable[str]) -> dict[str, Any]:
    return snapshot(obj, fields)


def _territorial_org_of(area: Area | None) -> PartyOrg | None:
    """The current territorial Party organisation sitting on ``area`` (a community's 党委)."""
    if area is None:
        return None
    return (
        PartyOrg.objects.filter(area=area, unit__isnull=True, until__isnull=True)
        .exclude(kind="group")
        .order_by("pk")
        .first()
    )


def _list_admin(actor: Actor, org: PartyOrg) -> bool:
    """Administrators of a territorial organisation's list: their subtree holds its area."""
    return org.unit_id is None and scope_for(actor).covers_path(org.area.path)


def _is_raiser(actor: Actor, demand: Demand) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    if demand.raised_by_id == actor.pk:
        return True
    return scope_for(actor).covers_unit(demand.raised_by_unit_id)


def _lock_demand(demand: Demand) -> Demand:
    return (
        Demand.objects.select_for_update(of=("self",))
        .select_related("area", "owner_org__area")
        .get(pk=demand.pk)
    )


def _lock_resource(resource: Resource) -> Resource:
    return (
        Resource.objects.select_for_update(of=("self",))
        .select_related("area", "provider_org__area")
        .get(pk=resource.pk)
    )


def _status_error(obj: Demand | Resource | Claim) -> ValidationError:
    return ValidationError(
        _("This cannot be done while the status is “%(status)s”.") % {"status": obj.get_status_display()}
    )


def _decline_pending(
    claims: Iterable[Claim], actor: Actor | None, reason: str, now: dt.datetime
) -> list[int]:
    """Decline the claims still waiting (the caller holds the transaction and writes the audit)."""
    ids: list[int] = []
    for claim in claims:
        claim.status = ClaimStatus.DECLINED
        claim.decline_reason = reason[:REASON_MAX]
        claim.decided_by = signed_in(actor)
        claim.decided_at = now
        claim.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
        ids.append(claim.pk)
    return ids


def _meeting_staff(actor: Actor, meeting: JointMeeting) -> bool:
    """The convener's staff record claims made at a held meeting (or after, from its minutes)."""
    return meeting.status in MEETING_RECORDS and scope_for(actor).covers_path(meeting.area.path)


# --- who may do what (pages and the API show buttons from these) -------------------------------


def demand_raise_allowed(*, actor: Actor) -> bool:
    """Administrators, unit liaisons and residents raise demands."""
    scope = scope_for(actor)
    return (
        scope.everything
        or bool(scope.area_paths)
        or bool(scope.unit_ids)
        or bool(actor_communities(actor, RoleKind.RESIDENT))
    )


def demand_update_allowed(*, actor: Actor, demand: Demand) -> bool:
    return demand.status == DemandStatus.RAISED and (
        _list_admin(actor, demand.owner_org) or _is_raiser(actor, demand)
    )


def demand_review_allowed(*, actor: Actor, demand: Demand) -> bool:
    """The list owner's administrators review a raised demand (publish or reject it)."""
    return demand.status == DemandStatus.RAISED and _list_admin(actor, demand.owner_org)


def demand_withdraw_allowed(*, actor: Actor, demand: Demand) -> bool:
    """Before anything was accepted, by the list owner's administrators or who raised it."""
    return (
        demand.status in (DemandStatus.RAISED, DemandStatus.REJECTED, DemandStatus.PUBLISHED)
        and demand.claimed == 0
        and (_list_admin(actor, demand.owner_org) or _is_raiser(actor, demand))
    )


def _claimable(demand: Demand) -> bool:
    return demand.status in DEMAND_CLAIMABLE and demand.claimed < demand.quantity


def demand_claim_units(*, actor: Actor, demand: Demand) -> list[ResidentUnit]:
    """The actor's own units that may claim the demand online (within their reach)."""
    if not _claimable(demand):
        return []
    units = ResidentUnit.objects.filter(pk__in=sorted(scope_for(actor).unit_ids)).select_related("area")
    return [u for u in units if unit_reaches(u, demand.area)]


def demand_claim_as_member_allowed(*, actor: Actor, demand: Demand) -> bool:
    """A member linked to the account claims a micro-wish of their community."""
    if not (_claimable(demand) and demand.kind == DemandKind.MICRO_WISH):
        return False
    if actor_member(actor) is None:
        return False
    return any(demand.area.path.startswith(c.path) for c in actor_communities(actor, RoleKind.MEMBER))


def demand_record_allowed(*, actor: Actor, demand: Demand) -> bool:
    """Meeting staff record a unit's claim made at a held meeting covering the demand's area."""
    from ..selectors.claims import meeting_choices

    if not _claimable(demand):
        return False
    return any(demand.area.path.startswith(m.area.path) for m in meeting_choices(actor=actor))


def demand_claim_allowed(*, actor: Actor, demand: Demand) -> bool:
    return (
        bool(demand_claim_units(actor=actor, demand=demand))
        or demand_claim_as_member_allowed(actor=actor, demand=demand)
        or demand_record_allowed(actor=actor, demand=demand)
    )


def demand_assign_allowed(*, actor: Actor, demand: Demand) -> bool:
    """An unclaimed published demand, by the staff of a held meeting covering its area."""
    return (
        demand.status == DemandStatus.PUBLISHED
        and demand.claimed == 0
        and demand_record_allowed(actor=actor, demand=demand)
    )


def resource_create_allowed(*, actor: Actor) -> bool:
    scope = scope_for(actor)
    return (
        scope.everything or bool(scope.area_paths) or bool(scope.unit_ids) or actor_member(actor) is not None
    )


def resource_provider_allowed(*, actor: Actor, resource: Resource) -> bool:
    """The provider: the unit's liaison, the organisation's administrators, the member themself."""
    scope = scope_for(actor)
    if resource.provider_unit_id is not None:
        return scope.everything or scope.covers_unit(resource.provider_unit_id)
    if resource.provider_org is not None:
        return scope.covers_path(resource.provider_org.area.path)
    member = resource.provider_member
    return scope.everything or (
        member is not None and member.user_id is not None and member.user_id == getattr(actor, "pk", None)
    )


def resource_publish_allowed(*, actor: Actor, resource: Resource) -> bool:
    return resource.status == ResourceStatus.DRAFT and resource_provider_allowed(
        actor=actor, resource=resource
    )


def resource_withdraw_allowed(*, actor: Actor, resource: Resource) -> bool:
    return resource.status in (
        ResourceStatus.DRAFT,
        ResourceStatus.PUBLISHED,
        ResourceStatus.USED_UP,
    ) and resource_provider_allowed(actor=actor, resource=resource)


def resource_claim_orgs(*, actor: Actor, resource: Resource) -> list[PartyOrg]:
    """Territorial organisations the actor administers whose area the published resource serves."""
    from ..selectors.claims import owner_org_choices

    if resource.status != ResourceStatus.PUBLISHED or resource.claimed >= resource.capacity:
        return []
    return [o for o in owner_org_choices(actor=actor) if resource_serves(resource, o.area)]


def resource_claim_allowed(*, actor: Actor, resource: Resource) -> bool:
    return bool(resource_claim_orgs(actor=actor, resource=resource))


def claim_owner_allowed(*, actor: Actor, claim: Claim) -> bool:
    """Only the owner decides: the demand's list owner, the resource's provider."""
    if claim.demand is not None:
        return _list_admin(actor, claim.demand.owner_org)
    assert claim.resource is not None
    return resource_provider_allowed(actor=actor, resource=claim.resource)


def claim_accept_allowed(*, actor: Actor, claim: Claim) -> bool:
    return claim.status == ClaimStatus.PENDING and claim_owner_allowed(actor=actor, claim=claim)


def claim_decline_allowed(*, actor: Actor, claim: Claim) -> bool:
    return claim.status == ClaimStatus.PENDING and claim_owner_allowed(actor=actor, claim=claim)


def claim_withdraw_allowed(*, actor: Actor, claim: Claim) -> bool:
    """The claimant's side (or who recorded the claim) withdraws it while it waits."""
    if claim.status != ClaimStatus.PENDING or not getattr(actor, "is_authenticated", False):
        return False
    scope = scope_for(actor)
    if claim.claimed_by_id == actor.pk or scope.everything:
        return True
    if claim.claimant_unit_id is not None:
        return scope.covers_unit(claim.claimant_unit_id)
    if claim.claimant_org is not None:
        return scope.covers_path(claim.claimant_org.area.path)
    return claim.claimant_member is not None and claim.claimant_member.user_id == actor.pk
