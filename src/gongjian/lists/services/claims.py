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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person, signed_in
from gongjian.accounts.models import RoleKind
from gongjian.accounts.scope import scope_for
from gongjian.cobuild.models import JointMeeting
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.services import apply_changes
from gongjian.members.models import Member
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit
from gongjian.stats import tally

from ..models import (
    DEMAND_CLAIMABLE,
    Category,
    Claim,
    ClaimStatus,
    Demand,
    DemandKind,
    DemandSource,
    DemandStatus,
    Resource,
    ResourceKind,
    ResourceStatus,
    Urgency,
)
from ..selectors.claims import (
    MEETING_RECORDS,
    actor_communities,
    actor_member,
    community_of,
    resource_serves,
    unit_reaches,
)
from .projects import project_open_from_claim

#: Fields of a demand that may change while it waits for review.
DEMAND_FIELDS = (
    "name",
    "category",
    "description",
    "quantity",
    "measure",
    "place",
    "deadline",
    "urgency",
    "requester_first_name",
)
#: Fields a demand's audit entries show (never the sealed requester).
DEMAND_AUDITED = (
    "name",
    "kind",
    "category",
    "quantity",
    "measure",
    "area",
    "owner_org",
    "raised_by_unit",
    "place",
    "deadline",
    "urgency",
    "source",
    "meeting",
)
RESOURCE_AUDITED = (
    "name",
    "kind",
    "category",
    "capacity",
    "measure",
    "area",
    "provider_unit",
    "provider_org",
    "provider_member",
    "available_from",
    "available_until",
    "radius_km",
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
    if not actor.is_authenticated:
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
    if claim.status != ClaimStatus.PENDING or not actor.is_authenticated:
        return False
    scope = scope_for(actor)
    if claim.claimed_by_id == actor.pk or scope.everything:
        return True
    if claim.claimant_unit_id is not None:
        return scope.covers_unit(claim.claimant_unit_id)
    if claim.claimant_org is not None:
        return scope.covers_path(claim.claimant_org.area.path)
    return claim.claimant_member is not None and claim.claimant_member.user_id == actor.pk


# --- demands -----------------------------------------------------------------------------------


def _requester(name: str, contact: str, first_name: str, texts: Iterable[str]) -> str:
    """Check a micro-wish's requester: a first name to publish, a full name kept sealed, and that
    the full name does not show in the public text."""
    name, contact, first_name = name.strip(), contact.strip(), first_name.strip()
    if not first_name:
        raise ValidationError({"requester_first_name": _("Give the first name the wish is published with.")})
    if not name:
        raise ValidationError(
            {"requester_name": _("Give the requester's full name (it is kept confidential).")}
        )
    if len(first_name) > 20:
        raise ValidationError({"requester_first_name": _("Keep the first name under 20 characters.")})
    if name != first_name and any(name in t for t in texts if t):
        raise ValidationError(
            {"name": _("Do not write the requester's full name in the public text of the wish.")}
        )
    return f"{name} {contact}".strip()


def demand_raise(
    *,
    actor: Actor,
    name: str,
    category: str,
    kind: str = DemandKind.GENERAL,
    owner_org: PartyOrg | None = None,
    area: Area | None = None,
    raised_by_unit: ResidentUnit | None = None,
    description: str = "",
    quantity: int = 1,
    measure: str = "",
    place: str = "",
    deadline: dt.date | None = None,
    urgency: str = Urgency.NORMAL,
    source: str = "",
    requester_first_name: str = "",
    requester_name: str = "",
    requester_contact: str = "",
    meeting: JointMeeting | None = None,
) -> Demand:
    """Raise a demand (status raised, waiting for the list owner's review).

    With ``raised_by_unit`` a liaison raises for their unit on the list of the community it sits in;
    with ``owner_org`` an administrator raises on that organisation's list; with neither, a resident
    raises for their own community.
    """
    scope = scope_for(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Say what is needed.")})
    _choice(category, Category, "category")
    _choice(kind, DemandKind, "kind")
    _choice(urgency, Urgency, "urgency")
    quantity = _quantity(quantity)
    if deadline is not None and deadline < _today():
        raise ValidationError({"deadline": _("The deadline has passed.")})
    if raised_by_unit is not None:
        _require(
            scope.everything or scope.covers_unit(raised_by_unit.pk),
            _("You may not raise demands for %(unit)s.") % {"unit": raised_by_unit.name},
        )
        community = community_of(raised_by_unit.area)
        owner_org = _territorial_org_of(community)
        if community is None or owner_org is None:
            raise ValidationError(
                {"raised_by_unit": _("The community this unit sits in keeps no demand list yet.")}
            )
        if area is None or not area.path.startswith(community.path):
            area = raised_by_unit.area if raised_by_unit.area.path.startswith(community.path) else community
        source = source or DemandSource.UNIT_REPORT
    elif owner_org is not None:
        _require(
            _list_admin(actor, owner_org),
            _("You may not raise demands on the list of %(org)s.") % {"org": owner_org.name},
        )
        area = area or owner_org.area
        if not area.path.startswith(owner_org.area.path) or not scope.covers_path(area.path):
            raise ValidationError({"area": _("Choose an area of the organisation's list.")})
        default = DemandSource.STREET if owner_org.area.level <= Level.STREET else DemandSource.COMMUNITY
        source = source or default
    else:
        homes = actor_communities(actor, RoleKind.RESIDENT)
        _require(bool(homes), _("You may not raise demands."))
        community = homes[0]
        owner_org = _territorial_org_of(community)
        if owner_org is None:
            raise ValidationError({"area": _("Your community keeps no demand list yet.")})
        area = community
        source = DemandSource.RESIDENT
    _choice(source, DemandSource, "source")
    if meeting is not None:
        _require(_meeting_staff(actor, meeting), _("You may not record anything at this meeting."))
    demand = Demand(
        name=name,
        kind=kind,
        category=category,
        description=(description or "").strip(),
        quantity=quantity,
        measure=(measure or "").strip(),
        area=area,
        owner_org=owner_org,
        raised_by_unit=raised_by_unit,
        place=(place or "").strip(),
        deadline=deadline,
        urgency=urgency,
        source=source,
        status=DemandStatus.RAISED,
        raised_by=signed_in(actor),
        meeting=meeting,
        raised_at=timezone.now(),
    )
    if kind == DemandKind.MICRO_WISH:
        sealed = _requester(
            requester_name, requester_contact, requester_first_name, [name, demand.description, demand.place]
        )
        demand.requester_first_name = requester_first_name.strip()
        demand.set_requester(sealed)
    elif requester_name or requester_contact:
        raise ValidationError({"requester_name": _("Only a micro-wish has a requester.")})
    demand.full_clean()
    with transaction.atomic():
        demand.save()
        audit_record(
            actor=actor,
            action="demand.raise",
            obj=demand,
            changes={**_audit_fields(demand, DEMAND_AUDITED), "status": demand.status},
        )
    return demand


def demand_update(*, actor: Actor, demand: Demand, **changes: Any) -> Demand:
    """Change a demand while it waits for review (the owner's administrators or who raised it)."""
    with transaction.atomic():
        demand = _lock_demand(demand)
        _require(
            _list_admin(actor, demand.owner_org) or _is_raiser(actor, demand),
            _("You may not change this demand."),
        )
        if demand.status != DemandStatus.RAISED:
            raise _status_error(demand)
        if "quantity" in changes:
            changes["quantity"] = _quantity(changes["quantity"])
        if changes.get("deadline") is not None and changes["deadline"] < _today():
            raise ValidationError({"deadline": _("The deadline has passed.")})
        if demand.kind != DemandKind.MICRO_WISH and changes.get("requester_first_name"):
            raise ValidationError({"requester_first_name": _("Only a micro-wish has a requester.")})
        diff = apply_changes(demand, changes, DEMAND_FIELDS)
        if diff:
            demand.save()
            audit_record(actor=actor, action="demand.update", obj=demand, changes=diff)
    return demand


def demand_review(*, actor: Actor, demand: Demand) -> Demand:
    """The list owner's administrators have reviewed it and find it fit (it still waits to be
    published)."""
    with transaction.atomic():
        demand = _lock_demand(demand)
        _require(_list_admin(actor, demand.owner_org), _("Only the list's administrators review it."))
        if demand.status != DemandStatus.RAISED:
            raise _status_error(demand)
        demand.reviewed_by = person(actor)
        demand.reviewed_at = timezone.now()
        demand.save(update_fields=["reviewed_by", "reviewed_at"])
        audit_record(actor=actor, action="demand.review", obj=demand, changes={"reviewed": True})
    return demand


def demand_publish(*, actor: Actor, demand: Demand) -> Demand:
    """Publish a raised demand on the list (reviewing it if that was not done)."""
    with transaction.atomic():
        demand = _lock_demand(demand)
        _require(_list_admin(actor, demand.owner_org), _("Only the list's administrators publish it."))
        if demand.status != DemandStatus.RAISED:
            raise _status_error(demand)
        if demand.deadline is not None and demand.deadline < _today():
            raise ValidationError({"deadline": _("The deadline has passed: change it before publishing.")})
        now = timezone.now()
        if demand.reviewed_at is None:
            demand.reviewed_by, demand.reviewed_at = person(actor), now
        demand.status = DemandStatus.PUBLISHED
        demand.published_at = now
        demand.save(update_fields=["status", "published_at", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action="demand.publish",
            obj=demand,
            changes={"status": [DemandStatus.RAISED, DemandStatus.PUBLISHED]},
        )
    return demand


def demand_reject(*, actor: Actor, demand: Demand, reason: str) -> Demand:
    """Reject a raised demand, with the reason the one who raised it reads."""
    reason = _reason(reason)
    with transaction.atomic():
        demand = _lock_demand(demand)
        _require(_list_admin(actor, demand.owner_org), _("Only the list's administrators reject it."))
        if demand.status != DemandStatus.RAISED:
            raise _status_error(demand)
        demand.status = DemandStatus.REJECTED
        demand.reject_reason = reason
        demand.reviewed_by, demand.reviewed_at = person(actor), timezone.now()
        demand.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action="demand.reject",
            obj=demand,
            changes={"status": [DemandStatus.RAISED, DemandStatus.REJECTED]},
            reason=reason,
        )
    return demand


def demand_withdraw(*, actor: Actor, demand: Demand, reason: str) -> Demand:
    """Withdraw a demand nobody's claim was accepted on; claims still waiting are declined."""
    reason = _reason(reason)
    with transaction.atomic():
        demand = _lock_demand(demand)
        _require(
            _list_admin(actor, demand.owner_org) or _is_raiser(actor, demand),
            _("You may not withdraw this demand."),
        )
        if not demand_withdraw_allowed(actor=actor, demand=demand):
            raise _status_error(demand)
        before = demand.status
        now = timezone.now()
        pending = Claim.objects.select_for_update().filter(demand=demand, status=ClaimStatus.PENDING)
        declined = _decline_pending(pending, actor, _("The demand was withdrawn."), now)
        demand.status = DemandStatus.WITHDRAWN
        demand.reject_reason = reason
        demand.closed_at = now
        demand.save(update_fields=["status", "reject_reason", "closed_at"])
        audit_record(
            actor=actor,
            action="demand.withdraw",
            obj=demand,
            changes={"status": [before, DemandStatus.WITHDRAWN], "declined_claims": declined},
            reason=reason,
        )
    return demand


def demands_expire(*, today: dt.date | None = None) -> int:
    """Demands past their deadline that nothing was accepted on (raised or published) expire;
    claims still waiting on them are declined. Idempotent: a second run on the day finds none."""
    today = today or _today()
    with transaction.atomic():
        rows = list(
            Demand.objects.select_for_update()
            .filter(
                status__in=[DemandStatus.RAISED, DemandStatus.PUBLISHED],
                claimed=0,
                deadline__lt=today,
            )
            .order_by("pk")
        )
        if not rows:
            return 0
        now = timezone.now()
        ids = [d.pk for d in rows]
        pending = Claim.objects.select_for_update().filter(demand_id__in=ids, status=ClaimStatus.PENDING)
        declined = _decline_pending(pending, None, _("The demand expired."), now)
        Demand.objects.filter(pk__in=ids).update(status=DemandStatus.EXPIRED, closed_at=now)
        tally.touch_rows(Demand, rows)  # an update sends no signals
        audit_record(
            actor=None,
            action="demand.expire",
            object_type="lists.demand",
            object_id=str(ids[0]),
            object_label=f"{len(ids)}",
            changes={"demands": ids, "declined_claims": declined, "today": today},
        )
    return len(rows)


# --- resources ---------------------------------------------------------------------------------


def resource_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    category: str,
    capacity: int = 1,
    measure: str = "",
    description: str = "",
    area: Area | None = None,
    provider_unit: ResidentUnit | None = None,
    provider_org: PartyOrg | None = None,
    as_member: bool = False,
    available_from: dt.date | None = None,
    available_until: dt.date | None = None,
    radius_km: Decimal | None = None,
    service_areas: Iterable[Area] = (),
) -> Resource:
    """Offer a resource (a draft, until the provider publishes it): for a unit (its liaison), for
    a territorial organisation (its administrators) or, ``as_member``, the actor's member record."""
    scope = scope_for(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Say what is offered.")})
    _choice(kind, ResourceKind, "kind")
    _choice(category, Category, "category")
    capacity = _quantity(capacity, "capacity")
    if sum([provider_unit is not None, provider_org is not None, as_member]) != 1:
        raise ValidationError(
            {"provider_unit": _("Choose who offers it: one unit, organisation or yourself.")}
        )
    member: Member | None = None
    if provider_unit is not None:
        _require(
            scope.everything or scope.covers_unit(provider_unit.pk),
            _("You may not offer resources for %(unit)s.") % {"unit": provider_unit.name},
        )
        area = area if area is not None and scope.covers_path(area.path) else provider_unit.area
    elif provider_org is not None:
        _require(
            _list_admin(actor, provider_org),
            _("You may not offer resources for %(org)s.") % {"org": provider_org.name},
        )
        area = area or provider_org.area
        if not scope.covers_path(area.path):
            raise ValidationError({"area": _("Choose an area you administer.")})
    else:
        member = actor_member(actor)
        _require(member is not None, _("Your account is not linked to a member record."))
        assert member is not None
        area = member.residence or member.org.area
    if available_from and available_until and available_until < available_from:
        raise ValidationError({"available_until": _("The end of the availability comes before its start.")})
    if available_until is not None and available_until < _today():
        raise ValidationError({"available_until": _("The availability has already ended.")})
    if radius_km is not None and radius_km <= 0:
        raise ValidationError({"radius_km": _("Give a radius above zero, or none.")})
    served = list(service_areas)
    resource = Resource(
        name=name,
        kind=kind,
        category=category,
        description=(description or "").strip(),
        capacity=capacity,
        measure=(measure or "").strip(),
        area=area,
        provider_unit=provider_unit,
        provider_org=provider_org,
        provider_member=member,
        available_from=available_from,
        available_until=available_until,
        radius_km=radius_km,
        status=ResourceStatus.DRAFT,
        created_by=signed_in(actor),
        created_at=timezone.now(),
    )
    resource.full_clean()
    with transaction.atomic():
        resource.save()
        resource.service_areas.set(served)
        audit_record(
            actor=actor,
            action="resource.create",
            obj=resource,
            changes={**_audit_fields(resource, RESOURCE_AUDITED), "service_areas": [a.pk for a in served]},
        )
    return resource


def resource_publish(*, actor: Actor, resource: Resource) -> Resource:
    with transaction.atomic():
        resource = _lock_resource(resource)
        _require(
            resource_provider_allowed(actor=actor, resource=resource), _("Only the provider publishes it.")
        )
        if resource.status != ResourceStatus.DRAFT:
            raise _status_error(resource)
        if resource.available_until is not None and resource.available_until < _today():
            raise ValidationError({"available_until": _("The availability has already ended.")})
        resource.status = ResourceStatus.PUBLISHED
        resource.published_at = timezone.now()
        resource.save(update_fields=["status", "published_at"])
        audit_record(
            actor=actor,
            action="resource.publish",
            obj=resource,
            changes={"status": [ResourceStatus.DRAFT, ResourceStatus.PUBLISHED]},
        )
    return resource


def resource_withdraw(*, actor: Actor, resource: Resource, reason: str) -> Resource:
    """The provider withdraws it; claims still waiting are declined (accepted ones stand)."""
    reason = _reason(reason)
    with transaction.atomic():
        resource = _lock_resource(resource)
        _require(
            resource_provider_allowed(actor=actor, resource=resource), _("Only the provider withdraws it.")
        )
        if not resource_withdraw_allowed(actor=actor, resource=resource):
            raise _status_error(resource)
        before = resource.status
        pending = Claim.objects.select_for_update().filter(resource=resource, status=ClaimStatus.PENDING)
        declined = _decline_pending(pending, actor, _("The resource was withdrawn."), timezone.now())
        resource.status = ResourceStatus.WITHDRAWN
        resource.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="resource.withdraw",
            obj=resource,
            changes={"status": [before, ResourceStatus.WITHDRAWN], "declined_claims": declined},
            reason=reason,
        )
    return resource


def resources_expire(*, today: dt.date | None = None) -> int:
    """Resources past ``available_until`` (draft or published) expire; waiting claims are
    declined. Idempotent."""
    today = today or _today()
    with transaction.atomic():
        rows = list(
            Resource.objects.select_for_update()
            .filter(status__in=[ResourceStatus.DRAFT, ResourceStatus.PUBLISHED], available_until__lt=today)
            .order_by("pk")
        )
        if not rows:
            return 0
        ids = [r.pk for r in rows]
        pending = Claim.objects.select_for_update().filter(resource_id__in=ids, status=ClaimStatus.PENDING)
        declined = _decline_pending(pending, None, _("The resource expired."), timezone.now())
        Resource.objects.filter(pk__in=ids).update(status=ResourceStatus.EXPIRED)
        tally.touch_rows(Resource, rows)  # an update sends no signals
        audit_record(
            actor=None,
            action="resource.expire",
            object_type="lists.resource",
            object_id=str(ids[0]),
            object_label=f"{len(ids)}",
            changes={"resources": ids, "declined_claims": declined, "today": today},
        )
    return len(rows)


# --- claims ------------------------------------------------------------------------------------


def _check_quantity(quantity: int, remaining: int) -> None:
    if quantity > remaining:
        raise ValidationError(
            {
                "quantity": _("Only %(remaining)d remain to be claimed; this claim asks for %(quantity)d.")
                % {"remaining": remaining, "quantity": quantity}
            }
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
            action="claim.create",
            obj=claim,
            changes={
                "demand": demand.pk,
                "unit": claim.claimant_unit_id,
                "member": claim.claimant_member_id,
                "quantity": quantity,
                "meeting": claim.meeting_id,
            },
        )
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
            action="claim.create",
            obj=claim,
            changes={
                "resource": resource.pk,
                "org": org.pk,
                "quantity": quantity,
                "meeting": claim.meeting_id,
            },
        )
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
            action="claim.accept",
            obj=claim,
            changes={
                "status": [ClaimStatus.PENDING, ClaimStatus.ACCEPTED],
                "quantity": claim.quantity,
                "claimed": target.claimed,
                "target_status": [before, after],
            },
        )
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
            action="claim.decline",
            obj=claim,
            changes={"status": [ClaimStatus.PENDING, ClaimStatus.DECLINED]},
            reason=reason,
        )
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
            action="claim.withdraw",
            obj=claim,
            changes={"status": [ClaimStatus.PENDING, ClaimStatus.WITHDRAWN]},
            reason=reason,
        )
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
            action="demand.assign",
            obj=claim,
            changes={
                "demand": demand.pk,
                "unit": unit.pk,
                "meeting": meeting.pk,
                "quantity": amount,
                "target_status": [before, after],
            },
        )
        project_open_from_claim(actor=actor, claim=claim)
    return claim
