"""Every write to the map: ``noun_verb(*, actor, ...)``, one transaction, one audit entry each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.accounts.selectors import nearest_administrators
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.core.phones import validate_phone
from gongjian.core.services import apply_changes
from gongjian.stats import tally

from .models import (
    Alliance,
    AllianceMember,
    Area,
    Dated,
    Level,
    PartyOrg,
    ResidentUnit,
)

AREA_FIELDS = ("name", "code", "kind_label", "old_compound", "since", "until")
UNIT_FIELDS = (
    "name",
    "credit_code",
    "kind",
    "rank",
    "area",
    "address",
    "lat",
    "lng",
    "contact_name",
    "incubator",
    "hosted_firms",
    "since",
    "until",
)
UNIT_LIAISON_FIELDS = ("address", "lat", "lng", "contact_name")
ORG_FIELDS = ("name", "code", "kind", "parent", "secretary", "since", "until")
ALLIANCE_FIELDS = ("name", "level", "description", "since", "until")


# --- permissions --------------------------------------------------------------------------


def _require_area(actor: Actor, area: Area) -> None:
    if not scope_for(actor).covers_path(area.path):
        raise PermissionDenied(_("You may not change anything in %(area)s.") % {"area": area.name})


def _require_unit(actor: Actor, unit: ResidentUnit, *, as_liaison_ok: bool = True) -> None:
    scope = scope_for(actor)
    if scope.covers_path(unit.area.path):
        return
    if as_liaison_ok and scope.covers_unit(unit.pk):
        return
    raise PermissionDenied(_("You may not change %(unit)s.") % {"unit": unit.name})


def _require_alliance(actor: Actor, alliance: Alliance) -> None:
    if not alliance_change_allowed(actor=actor, alliance=alliance):
        raise PermissionDenied(_("You may not change %(alliance)s.") % {"alliance": alliance.name})


def _require_org(actor: Actor, org: PartyOrg) -> None:
    scope = scope_for(actor)
    if scope.covers_path(org.area.path) or scope.covers_unit(org.unit_id):
        return
    raise PermissionDenied(_("You may not change %(org)s.") % {"org": org.name})


def alliance_change_allowed(*, actor: Actor, alliance: Alliance) -> bool:
    """Whether the actor may change an alliance and its memberships (its members' liaisons may not)."""
    return scope_for(actor).covers_path(alliance.area.path)


def _keep_fixed(obj: Any, changes: dict[str, Any], fields: tuple[str, ...], message: str) -> None:
    """Foreign keys that never change: the same value sent back is accepted, another is an error."""
    for name in fields:
        if name in changes:
            value = changes.pop(name)
            if (value.pk if value is not None else None) != getattr(obj, f"{name}_id"):
                raise ValidationError({name: message})


# --- areas --------------------------------------------------------------------------------


def _next_child_code(parent: Area, level: int) -> str:
    """Generated codes below the official ones: street = district + 3 digits, community = street +
    3 digits, compound and building = parent + '-' + 3 digits."""
    siblings = {c.code for c in Area.objects.get_children(parent)}
    sep = "" if level in (Level.STREET, Level.COMMUNITY) and parent.code.isdigit() else "-"
    n = len(siblings) + 1
    while True:
        code = f"{parent.code}{sep}{n:03d}"
        if code not in siblings and not Area.objects.filter(code=code).exists():
            return code
        n += 1


@transaction.atomic
def area_create(
    *,
    actor: Actor,
    parent: Area | None,
    name: str,
    level: int,
    code: str = "",
    kind_label: str = "",
    old_compound: bool = False,
    since: dt.date | None = None,
) -> Area:
    if (parent is None) != (level == Level.CITY):
        raise ValidationError({"level": _("A city is a root of the map, and only a city is.")})
    if parent is None:
        if not scope_for(actor).everything:
            raise PermissionDenied(_("Only a platform administrator may add a new city."))
    else:
        parent = Area.objects.select_for_update().get(pk=parent.pk)
        _require_area(actor, parent)
        if level <= parent.level:
            raise ValidationError(
                {"level": _("A child must sit at a lower level than %(parent)s.") % {"parent": parent.name}}
            )
    if not name or not name.strip():
        raise ValidationError({"name": _("A name is required.")})
    code = (code or "").strip() or (_next_child_code(parent, level) if parent else "")
    if not code:
        raise ValidationError({"code": _("A division code is required.")})
    if Area.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The code %(code)s is already used.") % {"code": code}})
    fields: dict[str, Any] = {
        "name": name.strip(),
        "code": code,
        "level": level,
        "kind_label": kind_label,
        "old_compound": old_compound,
    }
    fields.update(Dated.start_of(since))
    probe = Area(**fields)
    probe.fill_search_keys()
    probe.full_clean(exclude=["path", "depth", "numchild"])
    area = Area.objects.add_child(parent, fields) if parent else Area.objects.add_root(fields)
    audit_record(
        actor=actor, action=Event.AREA_CREATE, obj=area, changes=snapshot(area, ("name", "code", "level"))
    )
    return area


def _keep_start(row: Dated, changes: dict[str, Any]) -> None:
    """An edit never moves a recorded start: that would rewrite figures already reported. A start is
    changed only by :func:`start_correct` (更正历史), with a reason, audited. The same date again
    (a form sent back unchanged) is no change and is dropped."""
    if "since" not in changes:
        return
    since = changes["since"]
    if since is None or since == row.since:
        changes.pop("since")
        return
    raise ValidationError(
        {
            "since": _(
                "The start is not changed by an edit: correct the past (更正历史) with a reason instead."
            )
        }
    )


@transaction.atomic
def area_update(*, actor: Actor, area: Area, **changes: Any) -> Area:
    area = Area.objects.select_for_update().get(pk=area.pk)
    _require_area(actor, area)
    _keep_start(area, changes)
    if "code" in changes and Area.objects.filter(code=changes["code"]).exclude(pk=area.pk).exists():
        raise ValidationError({"code": _("The code %(code)s is already used.") % {"code": changes["code"]}})
    changed = apply_changes(area, changes, AREA_FIELDS)
    if changed:
        area.save()
        audit_record(actor=actor, action=Event.AREA_UPDATE, obj=area, changes=changed)
    return area


# --- resident units ------------------------------------------------------------------------


def _coord(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value)).quantize(Decimal("0.000001"))


def _check_phone(phone: str) -> None:
    try:
        validate_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"contact_phone": exc.messages}) from None


@transaction.atomic
def unit_create(
    *,
    actor: Actor,
    name: str,
    credit_code: str,
    kind: str,
    area: Area,
    rank: str = "none",
    address: str = "",
    lat: Any = None,
    lng: Any = None,
    contact_name: str = "",
    contact_phone: str = "",
    incubator: bool = False,
    hosted_firms: int = 0,
    since: dt.date | None = None,
) -> ResidentUnit:
    _require_area(actor, area)
    unit = ResidentUnit(
        name=name,
        credit_code=(credit_code or "").strip().upper(),
        kind=kind,
        rank=rank,
        area=area,
        address=address,
        lat=_coord(lat),
        lng=_coord(lng),
        contact_name=contact_name,
        incubator=incubator,
        hosted_firms=hosted_firms,
    )
    unit.set_start(since)
    _check_phone(contact_phone)
    unit.set_contact_phone(contact_phone)
    unit.fill_search_keys()
    unit.full_clean()
    unit.save()
    audit_record(
        actor=actor,
        action=Event.UNIT_CREATE,
        obj=unit,
        changes={
            **snapshot(unit, ("name", "credit_code", "kind", "area")),
            "contact_phone": unit.contact_phone_masked,
        },
    )
    return unit


@transaction.atomic
def unit_update(
    *, actor: Actor, unit: ResidentUnit, contact_phone: str | None = None, **changes: Any
) -> ResidentUnit:
    unit = ResidentUnit.objects.select_for_update().select_related("area").get(pk=unit.pk)
    _require_unit(actor, unit)
    scope = scope_for(actor)
    liaison_only = not scope.covers_path(unit.area.path)
    allowed = UNIT_LIAISON_FIELDS if liaison_only else UNIT_FIELDS
    _keep_start(unit, changes)
    if "credit_code" in changes:
        changes["credit_code"] = (changes["credit_code"] or "").strip().upper()
    for key in ("lat", "lng"):
        if key in changes:
            changes[key] = _coord(changes[key])
    new_area = changes.get("area")
    if new_area is not None and new_area.pk != unit.area_id:
        _require_area(actor, new_area)
    changed = apply_changes(unit, changes, allowed)
    if contact_phone is not None:
        _check_phone(contact_phone)
        old_masked = unit.contact_phone_masked
        unit.set_contact_phone(contact_phone)
        if unit.contact_phone_masked != old_masked or contact_phone:
            changed["contact_phone"] = [old_masked, unit.contact_phone_masked]
    if changed:
        unit.save()
        if "area" in changed:
            PartyOrg.objects.filter(unit=unit).update(area=unit.area)
            tally.touch_rows(PartyOrg, PartyOrg.objects.filter(unit=unit))  # an update sends no signals
        audit_record(actor=actor, action=Event.UNIT_UPDATE, obj=unit, changes=changed)
    return unit


@transaction.atomic
def unit_contact_phone_reveal(*, actor: Actor, unit: ResidentUnit, reason: str) -> str:
    """The clear contact phone of a unit, for someone allowed; the read is audited with its reason."""
    _require_unit(actor, unit)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why you need to see the full number.")})
    audit_record(
        actor=actor, action=Event.PII_REVEAL, obj=unit, changes={"field": "contact_phone"}, reason=reason
    )
    return unit.contact_phone_clear()


# --- Party organisations -------------------------------------------------------------------


@transaction.atomic
def party_org_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    code: str,
    area: Area | None = None,
    unit: ResidentUnit | None = None,
    parent: PartyOrg | None = None,
    secretary: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> PartyOrg:
    if unit is not None:
        _require_unit(actor, unit)
        if area is not None and area.pk != unit.area_id:
            raise ValidationError({"area": _("A unit's organisation sits where its unit sits.")})
        area = unit.area
    if area is None:
        raise ValidationError({"area": _("Say where the organisation sits: an area or a resident unit.")})
    if unit is None:
        _require_area(actor, area)
    if parent is not None:
        _require_org_visible(actor, parent)
    code = (code or "").strip()
    if PartyOrg.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The code %(code)s is already used.") % {"code": code}})
    org = PartyOrg(name=name, kind=kind, code=code, area=area, unit=unit, parent=parent, secretary=secretary)
    org.set_start(since)
    if until is not None:
        if until <= org.since:
            raise ValidationError({"until": _("An organisation cannot end before it began.")})
        org.until = until
    org.fill_search_keys()
    org.full_clean()
    org.save()
    audit_record(
        actor=actor,
        action=Event.PARTY_ORG_CREATE,
        obj=org,
        changes=snapshot(org, ("name", "kind", "code", "area", "unit", "until")),
    )
    return org


def _require_org_visible(actor: Actor, org: PartyOrg) -> None:
    from .selectors import party_org_list

    if not party_org_list(actor=actor).filter(pk=org.pk).exists() and not scope_for(actor).everything:
        raise PermissionDenied(_("You may not link to %(org)s.") % {"org": org.name})


@transaction.atomic
def party_org_update(*, actor: Actor, org: PartyOrg, **changes: Any) -> PartyOrg:
    org = PartyOrg.objects.select_for_update().select_related("area").get(pk=org.pk)
    _require_org(actor, org)
    _keep_start(org, changes)
    _keep_fixed(
        org, changes, ("area", "unit"), _("An organisation stays where it sits; create a new one instead.")
    )
    if "code" in changes and PartyOrg.objects.filter(code=changes["code"]).exclude(pk=org.pk).exists():
        raise ValidationError({"code": _("The code %(code)s is already used.") % {"code": changes["code"]}})
    parent = changes.get("parent")
    if parent is not None:
        if parent.pk == org.pk:
            raise ValidationError({"parent": _("An organisation cannot be its own higher organisation.")})
        _require_org_visible(actor, parent)
    changed = apply_changes(org, changes, ORG_FIELDS)
    if changed:
        org.save()
        audit_record(actor=actor, action=Event.PARTY_ORG_UPDATE, obj=org, changes=changed)
    return org


# --- alliances -----------------------------------------------------------------------------


@transaction.atomic
def alliance_create(
    *,
    actor: Actor,
    name: str,
    level: str,
    convener: PartyOrg,
    description: str = "",
    since: dt.date | None = None,
) -> Alliance:
    if not convener.is_territorial:
        raise ValidationError({"convener": _("An alliance is convened by a territorial Party organisation.")})
    _require_area(actor, convener.area)
    alliance = Alliance(
        name=name, level=level, convener=convener, area=convener.area, description=description
    )
    alliance.set_start(since)
    alliance.fill_search_keys()
    alliance.full_clean()
    alliance.save()
    audit_record(
        actor=actor,
        action=Event.ALLIANCE_CREATE,
        obj=alliance,
        changes=snapshot(alliance, ("name", "level", "convener")),
    )
    name = alliance.name
    announce(
        Event.ALLIANCE_CREATE,
        actor=actor,
        recipients=nearest_administrators(area_path=alliance.area.path),
        title=lambda: f"{Event.ALLIANCE_CREATE.label}：{name}",
        body=str(alliance.convener or ""),
    )
    return alliance


@transaction.atomic
def alliance_update(*, actor: Actor, alliance: Alliance, **changes: Any) -> Alliance:
    alliance = Alliance.objects.select_for_update().select_related("area").get(pk=alliance.pk)
    _require_alliance(actor, alliance)
    _keep_start(alliance, changes)
    _keep_fixed(
        alliance, changes, ("convener",), _("An alliance keeps its convener; create a new one instead.")
    )
    changed = apply_changes(alliance, changes, ALLIANCE_FIELDS)
    if changed:
        alliance.save()
        audit_record(actor=actor, action=Event.ALLIANCE_UPDATE, obj=alliance, changes=changed)
    return alliance


@transaction.atomic
def alliance_member_add(
    *,
    actor: Actor,
    alliance: Alliance,
    unit: ResidentUnit,
    representative: str = "",
    representative_title: str = "",
    since: dt.date | None = None,
) -> AllianceMember:
    alliance = Alliance.objects.select_for_update().select_related("area").get(pk=alliance.pk)
    _require_alliance(actor, alliance)
    from .selectors import unit_list

    if not unit_list(actor=actor).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("You may not add %(unit)s.") % {"unit": unit.name})
    if AllianceMember.objects.filter(alliance=alliance, unit=unit, until__isnull=True).exists():
        raise ValidationError({"unit": _("%(unit)s is already a member unit.") % {"unit": unit.name}})
    member = AllianceMember(
        alliance=alliance, unit=unit, representative=representative, representative_title=representative_title
    )
    member.set_start(since)
    member.full_clean()
    member.save()
    audit_record(
        actor=actor,
        action=Event.ALLIANCE_MEMBER_ADD,
        obj=member,
        changes=snapshot(member, ("alliance", "unit", "representative", "since")),
    )
    _announce_alliance_member(Event.ALLIANCE_MEMBER_ADD, actor, member, member.since.isoformat())
    return member


def _announce_alliance_member(event: Event, actor: Actor, member: AllianceMember, body: str) -> int:
    """The unit that joined or left an alliance hears of it (its liaisons, else the nearest
    administrators where it sits): "<event>: <alliance>"."""
    unit, name = member.unit, member.alliance.name
    return announce(
        event,
        actor=actor,
        recipients=nearest_administrators(area_path=unit.area.path, unit_id=unit.pk),
        title=lambda: f"{event.label}：{name}",
        body=f"{unit.name} · {body}",
    )


@transaction.atomic
def alliance_member_end(*, actor: Actor, member: AllianceMember, until: dt.date) -> AllianceMember:
    member = AllianceMember.objects.select_for_update().select_related("alliance__area").get(pk=member.pk)
    _require_alliance(actor, member.alliance)
    if member.until is not None:
        raise ValidationError({"until": _("This membership has already ended.")})
    if until < member.since:
        raise ValidationError({"until": _("A membership cannot end before it began.")})
    member.until = until
    member.save(update_fields=["until"])
    audit_record(actor=actor, action=Event.ALLIANCE_MEMBER_END, obj=member, changes={"until": [None, until]})
    _announce_alliance_member(Event.ALLIANCE_MEMBER_END, actor, member, until.isoformat())
    return member


# --- correcting the past ----------------------------------------------------------------------


def _area_of(row: Dated) -> Area:
    if isinstance(row, Area):
        return row
    if isinstance(row, AllianceMember):
        return row.alliance.area
    area = getattr(row, "area", None) or getattr(row, "community", None)
    if not isinstance(area, Area):
        raise ValidationError(_("This record cannot be corrected here."))
    return area


@transaction.atomic
def start_correct(*, actor: Actor, row: Dated, since: dt.date, reason: str) -> Dated:
    """Correct the past: give a dated row (a unit, an organisation, an alliance, a ledger entry …)
    the start it really had. The only way to move a start that changes figures already reported;
    it needs a reason, is audited (``history.correct``, with the node's path and the first day whose
    figures change) and is named on the report pages of every node above it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the past is corrected.")})
    if since > timezone.localdate():
        raise ValidationError({"since": _("A start cannot lie in the future.")})
    row = type(row)._default_manager.select_for_update().get(pk=row.pk)
    area = _area_of(row)
    _require_area(actor, area)
    if row.until is not None and since >= row.until:
        raise ValidationError(
            {"since": _("The start must come before the end (%(until)s).") % {"until": row.until}}
        )
    if since == row.since and row.since_known:
        return row
    before, known_before = row.since, row.since_known
    row.since, row.since_known = since, True
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action=Event.HISTORY_CORRECT,
        obj=row,
        changes={
            "since": [before.isoformat(), since.isoformat()],
            "since_known": [known_before, True],
            "path": area.path,
            "from": min(before, since).isoformat(),
        },
        reason=reason,
    )
    # The area's administrators and the level above hear of it: their reported figures changed.
    above = area.path[: -area.steplen] or area.path
    recipients = {*nearest_administrators(area_path=area.path), *nearest_administrators(area_path=above)}
    announce(
        Event.HISTORY_CORRECT,
        actor=actor,
        recipients=recipients,
        title=lambda: f"{Event.HISTORY_CORRECT.label}：{area.name}",
        body=f"{row} · {before.isoformat()} → {since.isoformat()} · {reason}",
    )
    return row
