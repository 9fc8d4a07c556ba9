"""Resources (资源清单): offered, published, withdrawn, expired."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, signed_in
from gongjian.accounts.scope import scope_for
from gongjian.accounts.selectors import nearest_administrators
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.members.models import Member
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit
from gongjian.stats import tally

from .. import audience
from ..models import (
    Category,
    Claim,
    ClaimStatus,
    Resource,
    ResourceKind,
    ResourceStatus,
)
from ..selectors.claims import (
    actor_member,
)
from .list_rules import (
    _audit_fields,
    _choice,
    _decline_pending,
    _list_admin,
    _lock_resource,
    _quantity,
    _reason,
    _require,
    _status_error,
    _today,
    resource_provider_allowed,
    resource_withdraw_allowed,
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
            action=Event.RESOURCE_CREATE,
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
            action=Event.RESOURCE_PUBLISH,
            obj=resource,
            changes={"status": [ResourceStatus.DRAFT, ResourceStatus.PUBLISHED]},
        )
        name = resource.name
        announce(
            Event.RESOURCE_PUBLISH,
            actor=actor,
            recipients=nearest_administrators(area_path=resource.area.path),
            title=lambda: f"{Event.RESOURCE_PUBLISH.label}：{name}",
            url=reverse("lists:resource_detail", args=[resource.pk]),
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
        pending = list(
            Claim.objects.select_for_update(of=("self",))
            .filter(resource=resource, status=ClaimStatus.PENDING)
            .select_related("claimant_member__user", "claimant_org__area", "claimant_unit__area")
        )
        declined = _decline_pending(pending, actor, _("The resource was withdrawn."), timezone.now())
        resource.status = ResourceStatus.WITHDRAWN
        resource.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=Event.RESOURCE_WITHDRAW,
            obj=resource,
            changes={"status": [before, ResourceStatus.WITHDRAWN], "declined_claims": declined},
            reason=reason,
        )
        _announce_resource(
            Event.RESOURCE_WITHDRAW,
            actor,
            resource,
            [p for claim in pending for p in audience.claimant_people(claim)],
            reason,
        )
    return resource


def _announce_resource(
    event: Event, actor: Actor | None, resource: Resource, people: list[Any], reason: str = ""
) -> None:
    name = resource.name
    announce(
        event,
        actor=actor,
        recipients=people,
        title=lambda: f"{event.label}：{name}",
        body=reason,
        url=reverse("lists:resource_detail", args=[resource.pk]),
    )


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
            action=Event.RESOURCE_EXPIRE,
            object_type="lists.resource",
            object_id=str(ids[0]),
            object_label=f"{len(ids)}",
            changes={"resources": ids, "declined_claims": declined, "today": today},
        )
        for resource in Resource.objects.filter(pk__in=ids).select_related(
            "area", "provider_member__user", "provider_org__area"
        ):
            until = resource.available_until.isoformat() if resource.available_until else ""
            _announce_resource(Event.RESOURCE_EXPIRE, None, resource, audience.owner_people(resource), until)
    return len(rows)
