"""Demands (需求清单, micro-wishes among them): raised, updated, reviewed, published, rejected,
withdrawn, expired."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person, signed_in
from gongjian.accounts.models import RoleKind
from gongjian.accounts.scope import scope_for
from gongjian.cobuild.models import JointMeeting
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.core.services import apply_changes
from gongjian.orgs.models import Area, Level, PartyOrg, ResidentUnit
from gongjian.stats import tally

from .. import audience
from ..models import (
    Category,
    Claim,
    ClaimStatus,
    Demand,
    DemandKind,
    DemandSource,
    DemandStatus,
    Urgency,
)
from ..selectors.claims import (
    actor_communities,
    community_of,
)
from .list_rules import (
    _audit_fields,
    _choice,
    _decline_pending,
    _is_raiser,
    _list_admin,
    _lock_demand,
    _meeting_staff,
    _quantity,
    _reason,
    _require,
    _status_error,
    _territorial_org_of,
    _today,
    demand_withdraw_allowed,
)

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
            action=Event.DEMAND_RAISE,
            obj=demand,
            changes={**_audit_fields(demand, DEMAND_AUDITED), "status": demand.status},
        )
        _announce_demand(Event.DEMAND_RAISE, actor, demand, audience.owner_people(demand))
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
            audit_record(actor=actor, action=Event.DEMAND_UPDATE, obj=demand, changes=diff)
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
        audit_record(actor=actor, action=Event.DEMAND_REVIEW, obj=demand, changes={"reviewed": True})
    return demand


def _announce_demand(
    event: Event, actor: Actor | None, demand: Demand, people: list[Any], reason: str = ""
) -> None:
    name = demand.name
    announce(
        event,
        actor=actor,
        recipients=people,
        title=lambda: f"{event.label}：{name}",
        body=reason,
        url=audience.demand_url(demand),
    )


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
            action=Event.DEMAND_PUBLISH,
            obj=demand,
            changes={"status": [DemandStatus.RAISED, DemandStatus.PUBLISHED]},
        )
        _announce_demand(Event.DEMAND_PUBLISH, actor, demand, audience.raiser_people(demand))
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
            action=Event.DEMAND_REJECT,
            obj=demand,
            changes={"status": [DemandStatus.RAISED, DemandStatus.REJECTED]},
            reason=reason,
        )
        _announce_demand(Event.DEMAND_REJECT, actor, demand, audience.raiser_people(demand), reason)
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
        pending = list(
            Claim.objects.select_for_update(of=("self",))
            .filter(demand=demand, status=ClaimStatus.PENDING)
            .select_related("claimant_member__user", "claimant_org__area", "claimant_unit__area")
        )
        declined = _decline_pending(pending, actor, _("The demand was withdrawn."), now)
        demand.status = DemandStatus.WITHDRAWN
        demand.reject_reason = reason
        demand.closed_at = now
        demand.save(update_fields=["status", "reject_reason", "closed_at"])
        audit_record(
            actor=actor,
            action=Event.DEMAND_WITHDRAW,
            obj=demand,
            changes={"status": [before, DemandStatus.WITHDRAWN], "declined_claims": declined},
            reason=reason,
        )
        # The other side: the claimants whose claims were declined, and the list's keepers or the
        # raiser (whoever did not withdraw it; the actor is left out).
        people = [p for claim in pending for p in audience.claimant_people(claim)]
        people += audience.owner_people(demand) + audience.raiser_people(demand)
        _announce_demand(Event.DEMAND_WITHDRAW, actor, demand, people, reason)
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
            action=Event.DEMAND_EXPIRE,
            object_type="lists.demand",
            object_id=str(ids[0]),
            object_label=f"{len(ids)}",
            changes={"demands": ids, "declined_claims": declined, "today": today},
        )
        for demand in Demand.objects.filter(pk__in=ids).select_related(
            "owner_org__area", "raised_by_unit__area"
        ):
            people = audience.owner_people(demand) + audience.raiser_people(demand)
            deadline = demand.deadline.isoformat() if demand.deadline else ""
            _announce_demand(Event.DEMAND_EXPIRE, None, demand, people, deadline)
    return len(rows)
