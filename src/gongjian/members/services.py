"""Every write to the ledgers: ``noun_verb(*, actor, ...)``, one transaction, one audit entry each.

Who may write: an administrator whose subtree holds the member's organisation (or, for what
belongs to a community — reports, co-management, stations, plaques — the community). Clear ID
and phone numbers never reach the audit log: entries carry the masked forms.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person
from gongjian.accounts.scope import scope_for
from gongjian.accounts.selectors import nearest_administrators
from gongjian.core import throttle
from gongjian.core.audit import audit_record
from gongjian.core.auditread import audit_rows_csv, audit_rows_xlsx
from gongjian.core.events import Event
from gongjian.core.notify import announce, remind
from gongjian.core.pii import mask_name
from gongjian.core.services import apply_changes
from gongjian.orgs.models import Area, Dated, Level, PartyOrg, ResidentUnit
from gongjian.orgs.selectors import area_list, unit_list

from . import audience
from .models import (
    Category,
    CoManagement,
    ContactKind,
    Household,
    Member,
    MemberCategory,
    MemberReport,
    MemberStatus,
    MobileRecord,
    Neighbour,
    ReportContact,
    ReportStatus,
    Standing,
    Station,
    StationCheckIn,
    Transfer,
    TransferStatus,
    UnitReport,
    member_summary,
    parse_id_number,
)

MEMBER_FIELDS = (
    "name",
    "ethnicity",
    "education",
    "standing",
    "status",
    "residence",
    "work_unit",
    "work_unit_name",
    "volunteer_no",
)
REVEALABLE = ("id_number", "phone")


# --- permissions ----------------------------------------------------------------------------


def _require_area(actor: Actor, area: Area) -> None:
    if not scope_for(actor).covers_path(area.path):
        raise PermissionDenied(_("You may not change anything in %(area)s.") % {"area": area.name})


def _require_org(actor: Actor, org: PartyOrg) -> None:
    scope = scope_for(actor)
    if not (scope.covers_path(org.area.path) or scope.covers_unit(org.unit_id)):
        raise PermissionDenied(_("You may not change the members of %(org)s.") % {"org": org.name})


def member_change_allowed(*, actor: Actor, member: Member) -> bool:
    """Whether the actor may change a member: they administer the organisation holding it."""
    scope = scope_for(actor)
    return scope.covers_path(member.org.area.path) or scope.covers_unit(member.org.unit_id)


def member_reveal_allowed(*, actor: Actor, member: Member) -> bool:
    """Whether the actor may see the member's clear numbers (and so their birth year): the member
    themself, or someone who may change the member."""
    own = getattr(actor, "pk", None) is not None and member.user_id == actor.pk
    return own or member_change_allowed(actor=actor, member=member)


def _require_member(actor: Actor, member: Member) -> None:
    if not member_change_allowed(actor=actor, member=member):
        raise PermissionDenied(_("You may not change %(name)s.") % {"name": member.name})


def _community(area: Area) -> Area:
    if area.level != Level.COMMUNITY:
        raise ValidationError({"community": _("Choose a community or village.")})
    return area


def _community_of(area: Area | None) -> Area | None:
    """The community (or village) an area sits in, or None above that level."""
    if area is None or area.level < Level.COMMUNITY:
        return None
    if area.level == Level.COMMUNITY:
        return area
    return Area.objects.get_ancestors(area).filter(level=Level.COMMUNITY).first()


D = TypeVar("D", CoManagement, MobileRecord, Household)


def _end_dated(
    row: D,
    *,
    actor: Actor,
    until: dt.date,
    related: str,
    require: Callable[[D], None],
    action: Event,
    reason: str = "",
) -> D:
    """End a dated row on ``until`` (it stays in the history): lock it, let ``require`` check the
    actor's right, refuse a row already ended or a date before it began, save, audit ``action``.
    The caller's transaction holds it all."""
    row = type(row).objects.select_for_update(of=("self",)).select_related(related).get(pk=row.pk)
    require(row)
    if row.until is not None or until < row.since:
        raise ValidationError({"until": _("This cannot end on that date.")})
    row.until = until
    row.save(update_fields=["until"])
    audit_record(actor=actor, action=action, obj=row, changes={"until": [None, until]}, reason=reason)
    return row


# --- members --------------------------------------------------------------------------------


def _check_birth_and_sex(
    id_number: str, birth_date: dt.date | None, gender: str | None
) -> tuple[str, dt.date, str]:
    compact, birth, sex = parse_id_number(id_number)
    if birth_date is not None and birth_date != birth:
        raise ValidationError({"birth_date": _("The birth date does not match the ID number.")})
    if gender and gender != sex:
        raise ValidationError({"gender": _("The gender does not match the ID number.")})
    return compact, birth, sex


def default_ledger_area(member: Member, category: str) -> Area:
    """Where a ledger lists a member: in-service members where they live (their community), every
    other ledger at the organisation holding the membership."""
    if category == Category.IN_SERVICE:
        home = _community_of(member.residence)
        if home is None:
            raise ValidationError({"residence": _("An in-service member needs a residence in a community.")})
        return home
    return member.org.area


@transaction.atomic
def member_create(
    *,
    actor: Actor,
    name: str,
    id_number: str,
    org: PartyOrg,
    joined_on: dt.date,
    phone: str = "",
    gender: str | None = None,
    birth_date: dt.date | None = None,
    ethnicity: str = "汉族",
    education: str = "",
    standing: str = Standing.FULL,
    residence: Area | None = None,
    work_unit: ResidentUnit | None = None,
    work_unit_name: str = "",
    volunteer_no: str = "",
    categories: list[str] | tuple[str, ...] = (),
    since: dt.date | None = None,
) -> Member:
    """A new member, with the ledgers they start in. The same ID number twice is refused."""
    _require_org(actor, org)
    if residence is not None:
        _require_area_visible(actor, residence)
    if work_unit is not None:
        _require_unit_visible(actor, work_unit)
    compact, birth, sex = _check_birth_and_sex(id_number, birth_date, gender)
    member = Member(
        name=name,
        gender=sex,
        birth_date=birth,
        ethnicity=ethnicity,
        education=education,
        joined_on=joined_on,
        standing=standing,
        org=org,
        residence=residence,
        work_unit=work_unit,
        work_unit_name=work_unit_name,
        volunteer_no=volunteer_no,
    )
    member.set_id_number(compact)
    member.set_phone(phone)
    if Member.objects.filter(id_number_index=member.id_number_index).exists():
        raise ValidationError({"id_number": _("A member with this ID number is already in the ledgers.")})
    if joined_on > timezone.localdate() or joined_on < birth:
        raise ValidationError({"joined_on": _("The date of joining is not possible.")})
    member.fill_search_keys()
    member.full_clean(exclude=["id_number_index"])
    member.save()
    audit_record(actor=actor, action=Event.MEMBER_CREATE, obj=member, changes=member_summary(member))
    for category in categories:
        category_add(actor=actor, member=member, category=category, since=since or joined_on)
    return member


def _require_unit_visible(actor: Actor, unit: ResidentUnit) -> None:
    if not unit_list(actor=actor, current=False).filter(pk=unit.pk).exists():
        raise PermissionDenied(_("You may not link to %(unit)s.") % {"unit": unit.name})


def _require_member_visible(actor: Actor, member: Member) -> None:
    from .selectors import member_list

    if not member_list(actor=actor).filter(pk=member.pk).exists():
        raise PermissionDenied(_("You may not change %(name)s.") % {"name": member.name})


def _require_area_visible(actor: Actor, area: Area) -> None:
    """A residence must be on the actor's map; a unit liaison's staff may live anywhere."""
    scope = scope_for(actor)
    if scope.everything or scope.unit_ids or area_list(actor=actor).filter(pk=area.pk).exists():
        return
    raise PermissionDenied(_("You may not place anyone in %(area)s.") % {"area": area.name})


@transaction.atomic
def member_update(*, actor: Actor, member: Member, phone: str | None = None, **changes: Any) -> Member:
    """Change a member's data. The organisation holding the membership moves only by a transfer."""
    member = Member.objects.select_for_update(of=("self",)).select_related("org__area").get(pk=member.pk)
    _require_member(actor, member)
    if "org" in changes:
        raise ValidationError({"org": _("A membership moves to another organisation only by a transfer.")})
    if changes.get("residence") is not None:
        _require_area_visible(actor, changes["residence"])
    if changes.get("work_unit") is not None:
        _require_unit_visible(actor, changes["work_unit"])
    changed = apply_changes(member, changes, MEMBER_FIELDS)
    if phone is not None:
        old = member.phone_masked
        member.set_phone(phone)
        changed["phone"] = [old, member.phone_masked]
    if changed:
        member.save()
        audit_record(actor=actor, action=Event.MEMBER_UPDATE, obj=member, changes=changed)
        if "status" in changed and member.status != MemberStatus.NORMAL:
            today = timezone.localdate()
            for entry in MemberCategory.objects.filter(member=member, until__isnull=True):
                category_end(actor=actor, entry=entry, until=max(today, entry.since))
    return member


@transaction.atomic
def member_reveal(*, actor: Actor, member: Member, field: str, reason: str) -> str:
    """The clear ID or phone number, for someone who may change the member (or the member
    themself), with a stated reason; the read is written to the audit log."""
    if field not in REVEALABLE:
        raise ValidationError({"field": _("Only the ID number or the phone number can be shown.")})
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why you need to see the full number.")})
    if not member_reveal_allowed(actor=actor, member=member):
        _require_member(actor, member)
    audit_record(
        actor=actor, action=Event.PII_REVEAL, obj=member, changes={"field": field}, reason=reason.strip()
    )
    return member.id_number_clear() if field == "id_number" else member.phone_clear()


def _lookup_rate(name: str, default: str) -> throttle.Rate:
    return throttle.Rate.parse(str(getattr(settings, name, default)))


def _administrators_above(actor: Actor) -> list[Any]:
    """Who hears of an actor's burst of missed look-ups: the administrators of the level above each
    of the actor's areas (of a liaison's unit's area), else the platform's administrators."""
    from gongjian.accounts.selectors import role_list

    step: int = Area.steplen
    people: dict[int, Any] = {}
    for role in role_list(actor=actor):
        if role.area is not None and len(role.area.path) > step:
            above = nearest_administrators(area_path=role.area.path[:-step])
        elif role.unit is not None:
            above = nearest_administrators(area_path=role.unit.area.path)
        else:
            above = []
        people.update((u.pk, u) for u in above if u.pk != actor.pk)
    if not people:
        from django.contrib.auth import get_user_model

        people = {u.pk: u for u in get_user_model().objects.filter(is_superuser=True, is_active=True)}
    return sorted(people.values(), key=lambda u: u.pk)


def member_lookup(*, actor: Actor, id_number: str, reason: str = "") -> Member | None:
    """The member with this ID number, if the actor may see them. A look-up that finds someone is a
    reveal (the caller learns that this clear number is this member's): it writes ``pii.lookup``.
    Look-ups are limited per person (``GONGJIAN_LOOKUP_RATE``, 20 an hour by default); a burst of
    misses (``GONGJIAN_LOOKUP_MISS_ALERT`` in an hour, 5 by default) is written to the audit log and
    told to the administrators above, once per hour."""
    from . import selectors

    key = f"member-lookup:{getattr(actor, 'pk', None)}"
    throttle.check(
        key,
        _lookup_rate("GONGJIAN_LOOKUP_RATE", "20/hour"),
        _("Too many look-ups by ID number; try again later."),
    )
    member = selectors.member_find_by_id_number(actor=actor, id_number=id_number)
    if member is not None:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=Event.PII_LOOKUP,
                obj=member,
                changes={"field": "id_number", "found": True},
                reason=(reason or "").strip()[:500],
            )
        return member
    alert = _lookup_rate("GONGJIAN_LOOKUP_MISS_ALERT", "5/hour")
    misses = throttle.count_hit(f"{key}:miss", alert)
    if misses == alert.count:
        with transaction.atomic():
            entry = audit_record(
                actor=actor,
                action=Event.PII_LOOKUP_MISSES,
                obj=person(actor),
                changes={"misses": misses, "seconds": alert.seconds},
                reason=(reason or "").strip()[:500],
            )
            announce(
                Event.PII_LOOKUP_MISSES,
                actor=actor,
                recipients=_administrators_above(actor),
                body=_(
                    "%(user)s looked up %(count)s ID numbers that matched no one within %(minutes)s minutes."
                )
                % {"user": entry.actor_label, "count": misses, "minutes": alert.seconds // 60},
            )
    return None


@transaction.atomic
def member_link_user(*, actor: Actor, member: Member, user: Any) -> Member:
    """Link a member to the account they sign in with (so they see their own record and check
    themself in at stations); ``user=None`` removes the link."""
    member = Member.objects.select_for_update(of=("self",)).select_related("org__area").get(pk=member.pk)
    _require_member(actor, member)
    if user is not None:
        if not user.is_active:
            raise ValidationError({"user": _("This account is switched off.")})
        if Member.objects.filter(user=user).exclude(pk=member.pk).exists():
            raise ValidationError({"user": _("This account is already linked to another member.")})
    previous = member.user_id
    if previous == (user.pk if user is not None else None):
        return member
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    changes = {"user": user.pk if user is not None else None, "previous": previous}
    audit_record(actor=actor, action=Event.MEMBER_LINK_USER, obj=member, changes=changes)
    if user is not None:
        _announce_member(Event.MEMBER_LINK_USER, actor, member, [user], member.org.name)
    return member


def _announce_member(
    event: Event, actor: Actor | None, member: Member, people: list[Any], body: str = ""
) -> int:
    """Tell ``people`` of a change of a member's record: "<event>: <name masked>"."""
    masked = mask_name(member.name)
    return announce(
        event,
        actor=actor,
        recipients=people,
        title=lambda: f"{event.label}：{masked}",
        body=body,
        url=reverse("members:member_detail", args=[member.pk]),
    )


# --- categories -----------------------------------------------------------------------------


@transaction.atomic
def category_add(
    *,
    actor: Actor,
    member: Member,
    category: str,
    area: Area | None = None,
    since: dt.date | None = None,
    note: str = "",
) -> MemberCategory:
    """Put a member in a ledger (or set a flag) from ``since``; one open entry per category."""
    if category not in Category.values:
        raise ValidationError({"category": _("Unknown ledger.")})
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("org__area", "residence")
        .get(pk=member.pk)
    )
    _require_member(actor, member)
    if area is not None and area.pk != default_ledger_area(member, category).pk:
        _require_area(actor, area)
    if MemberCategory.objects.filter(member=member, category=category, until__isnull=True).exists():
        raise ValidationError({"category": _("%(name)s is already in this ledger.") % {"name": member.name}})
    entry = MemberCategory(
        member=member,
        category=category,
        area=area or default_ledger_area(member, category),
        **Dated.start_of(since),
        note=note,
    )
    entry.full_clean()
    entry.save()
    audit_record(
        actor=actor,
        action=Event.MEMBER_CATEGORY_ADD,
        obj=entry,
        changes={"member": member.pk, "category": category, "area": entry.area_id, "since": entry.since},
    )
    body = f"{entry.get_category_display()} · {entry.since.isoformat()}"
    _announce_member(Event.MEMBER_CATEGORY_ADD, actor, member, audience.member_people(member), body)
    return entry


@transaction.atomic
def category_end(*, actor: Actor, entry: MemberCategory, until: dt.date) -> MemberCategory:
    entry = (
        MemberCategory.objects.select_for_update(of=("self",))
        .select_related("member__org__area")
        .get(pk=entry.pk)
    )
    _require_member(actor, entry.member)
    if entry.until is not None:
        raise ValidationError({"until": _("This entry has already ended.")})
    if until < entry.since:
        raise ValidationError({"until": _("An entry cannot end before it began.")})
    entry.until = until
    entry.save(update_fields=["until"])
    audit_record(actor=actor, action=Event.MEMBER_CATEGORY_END, obj=entry, changes={"until": [None, until]})
    member, body = entry.member, f"{entry.get_category_display()} · {until.isoformat()}"
    _announce_member(Event.MEMBER_CATEGORY_END, actor, member, audience.member_people(member), body)
    return entry


# --- co-management --------------------------------------------------------------------------


@transaction.atomic
def co_management_add(
    *,
    actor: Actor,
    member: Member,
    community: Area,
    unit: ResidentUnit | None = None,
    since: dt.date | None = None,
) -> CoManagement:
    """A resident unit's member joins the community's co-management (队伍共管). Without ``unit``,
    the member's work unit, else the unit whose Party organisation holds the membership."""
    _community(community)
    _require_area(actor, community)
    _require_member_visible(actor, member)
    if unit is None:
        unit = member.work_unit or member.org.unit
        if unit is None:
            raise ValidationError(
                {"member": _("%(name)s is not a member of a resident unit.") % {"name": member.name}}
            )
    if unit.pk not in (member.org.unit_id, member.work_unit_id):
        raise ValidationError(
            {"unit": _("%(name)s is not a member of %(unit)s.") % {"name": member.name, "unit": unit.name}}
        )
    if CoManagement.objects.filter(member=member, community=community, until__isnull=True).exists():
        raise ValidationError({"member": _("%(name)s already takes part here.") % {"name": member.name}})
    row = CoManagement(member=member, community=community, unit=unit, **Dated.start_of(since))
    row.full_clean()
    row.save()
    audit_record(
        actor=actor,
        action=Event.MEMBER_CO_MANAGEMENT_ADD,
        obj=row,
        changes={"member": member.pk, "community": community.pk, "unit": unit.pk},
    )
    _announce_member(Event.MEMBER_CO_MANAGEMENT_ADD, actor, member, _unit_people(unit), community.name)
    return row


def _unit_people(unit: ResidentUnit) -> list[Any]:
    """A resident unit's liaisons (else the administrators nearest where it sits)."""
    return nearest_administrators(area_path=unit.area.path, unit_id=unit.pk)


@transaction.atomic
def co_management_end(*, actor: Actor, row: CoManagement, until: dt.date) -> CoManagement:
    """The member leaves the community's co-management on ``until`` (decided by the community)."""
    row = _end_dated(
        row,
        actor=actor,
        until=until,
        related="community",
        require=lambda r: _require_area(actor, r.community),
        action=Event.MEMBER_CO_MANAGEMENT_END,
    )
    body = f"{row.community.name} · {until.isoformat()}"
    _announce_member(Event.MEMBER_CO_MANAGEMENT_END, actor, row.member, _unit_people(row.unit), body)
    return row


# --- dual reporting (双报到) ------------------------------------------------------------------


@transaction.atomic
def unit_report_create(*, actor: Actor, org: PartyOrg, community: Area, note: str = "") -> UnitReport:
    """A unit's Party organisation registers with the community it sits in."""
    _community(community)
    scope = scope_for(actor)
    if not (scope.covers_unit(org.unit_id) or scope.covers_path(community.path)):
        raise PermissionDenied(_("You may not register %(org)s.") % {"org": org.name})
    if org.unit_id is None:
        raise ValidationError({"org": _("Only a resident unit's organisation registers with a community.")})
    if _community_of(org.area) != community:
        raise ValidationError({"community": _("A unit registers with the community it sits in.")})
    if UnitReport.objects.filter(org=org, community=community, until__isnull=True).exists():
        raise ValidationError({"org": _("%(org)s has already registered here.") % {"org": org.name}})
    report = UnitReport(org=org, community=community, note=note, since=timezone.localdate())
    report.save()
    audit_record(
        actor=actor,
        action=Event.REPORT_UNIT_CREATE,
        obj=report,
        changes={"org": org.pk, "community": community.pk},
    )
    name = org.name
    announce(
        Event.REPORT_UNIT_CREATE,
        actor=actor,
        recipients=audience.community_people(community),
        title=lambda: f"{Event.REPORT_UNIT_CREATE.label}：{name}",
        url=audience.reports_url(community),
    )
    return report


@transaction.atomic
def member_report_create(
    *,
    actor: Actor,
    member: Member,
    community: Area | None = None,
    skills: str = "",
    preferences: str = "",
    since: dt.date | None = None,
) -> MemberReport:
    """An in-service member registers with the community where they live (by themself or by an
    administrator); the community confirms."""
    own = getattr(actor, "pk", None) is not None and member.user_id == actor.pk
    if not own:
        scope = scope_for(actor)
        if not (
            member_change_allowed(actor=actor, member=member)
            or (community and scope.covers_path(community.path))
        ):
            raise PermissionDenied(_("You may not register %(name)s.") % {"name": member.name})
    home = _community_of(member.residence)
    if home is None:
        raise ValidationError({"residence": _("Record where %(name)s lives first.") % {"name": member.name}})
    if community is not None and community.pk != home.pk:
        raise ValidationError({"community": _("A member registers with the community where they live.")})
    community = home
    if not MemberCategory.objects.filter(
        member=member, category=Category.IN_SERVICE, until__isnull=True
    ).exists():
        raise ValidationError(
            {"member": _("Only in-service members register with the community where they live.")}
        )
    if MemberReport.objects.filter(member=member, until__isnull=True).exists():
        raise ValidationError(
            {"member": _("%(name)s has already registered with a community.") % {"name": member.name}}
        )
    report = MemberReport(
        member=member,
        community=community,
        skills=skills,
        preferences=preferences,
        since=since or timezone.localdate(),
    )
    report.full_clean()
    report.save()
    audit_record(
        actor=actor,
        action=Event.REPORT_MEMBER_CREATE,
        obj=report,
        changes={"member": member.pk, "community": community.pk},
    )
    masked = mask_name(member.name)
    announce(
        Event.REPORT_MEMBER_CREATE,
        actor=actor,
        recipients=audience.community_people(community),
        title=lambda: f"{Event.REPORT_MEMBER_CREATE.label}：{masked}",
        url=audience.reports_url(community),
    )
    return report


@transaction.atomic
def member_report_decide(
    *, actor: Actor, report: MemberReport, confirm: bool, on: dt.date | None = None
) -> MemberReport:
    """The community confirms (or declines) a member's registration."""
    report = (
        MemberReport.objects.select_for_update(of=("self",)).select_related("community").get(pk=report.pk)
    )
    _require_area(actor, report.community)
    if report.status != ReportStatus.PENDING:
        raise ValidationError({"status": _("This registration has already been decided.")})
    report.status = ReportStatus.CONFIRMED if confirm else ReportStatus.DECLINED
    report.confirmed_on = on or timezone.localdate()
    if not confirm:
        report.until = report.confirmed_on
    report.save()
    audit_record(
        actor=actor, action=Event.REPORT_MEMBER_DECIDE, obj=report, changes={"status": report.status}
    )
    place = report.community.name
    announce(
        Event.REPORT_MEMBER_DECIDE,
        actor=actor,
        recipients=audience.member_people(report.member),
        title=lambda: f"{Event.REPORT_MEMBER_DECIDE.label}：{place}",
        body=str(report.get_status_display()),
    )
    return report


@transaction.atomic
def report_contact_add(
    *, actor: Actor, report: MemberReport, on: dt.date, kind: str, description: str
) -> ReportContact:
    """Record a contact or an activity of a reported member (fed back to the employer)."""
    report = MemberReport.objects.select_related("community").get(pk=report.pk)
    _require_area(actor, report.community)
    if report.status != ReportStatus.CONFIRMED:
        raise ValidationError({"report": _("Only a confirmed registration records service.")})
    if kind not in ContactKind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    contact = ReportContact(report=report, on=on, kind=kind, description=description)
    contact.full_clean()
    contact.save()
    audit_record(
        actor=actor,
        action=Event.REPORT_CONTACT_ADD,
        obj=contact,
        changes={"report": report.pk, "kind": kind, "on": on},
    )
    return contact


# --- mobile members and stations ------------------------------------------------------------


@transaction.atomic
def mobile_record_create(
    *,
    actor: Actor,
    member: Member,
    destination: str,
    since: dt.date,
    reason: str = "",
    card_no: str = "",
    contact: str = "",
    destination_area: Area | None = None,
) -> MobileRecord:
    """A member goes away: a mobile record, and the member enters the mobile ledger."""
    member = Member.objects.select_for_update(of=("self",)).select_related("org__area").get(pk=member.pk)
    _require_member(actor, member)
    if MobileRecord.objects.filter(member=member, until__isnull=True).exists():
        raise ValidationError({"member": _("%(name)s is already away.") % {"name": member.name}})
    record = MobileRecord(
        member=member,
        destination=destination,
        since=since,
        reason=reason,
        card_no=card_no,
        destination_area=destination_area,
    )
    record.set_contact(contact)
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=Event.MOBILE_CREATE,
        obj=record,
        changes={"member": member.pk, "destination": destination, "contact": record.contact_masked},
    )
    body = f"{destination} · {since.isoformat()}"
    _announce_member(Event.MOBILE_CREATE, actor, member, audience.member_people(member), body)
    if not MemberCategory.objects.filter(
        member=member, category=Category.MOBILE, until__isnull=True
    ).exists():
        category_add(actor=actor, member=member, category=Category.MOBILE, since=since)
    return record


@transaction.atomic
def mobile_report_back(*, actor: Actor, record: MobileRecord, on: dt.date) -> MobileRecord:
    record = (
        MobileRecord.objects.select_for_update(of=("self",))
        .select_related("member__org__area")
        .get(pk=record.pk)
    )
    _require_member(actor, record.member)
    record.last_report_back = on
    record.save(update_fields=["last_report_back"])
    audit_record(actor=actor, action=Event.MOBILE_REPORT_BACK, obj=record, changes={"on": on})
    member = record.member
    _announce_member(Event.MOBILE_REPORT_BACK, actor, member, audience.org_people(member.org), on.isoformat())
    return record


@transaction.atomic
def mobile_record_end(*, actor: Actor, record: MobileRecord, until: dt.date) -> MobileRecord:
    """The member is back: the record and the mobile ledger entry end."""
    record = _end_dated(
        record,
        actor=actor,
        until=until,
        related="member__org__area",
        require=lambda r: _require_member(actor, r.member),
        action=Event.MOBILE_END,
    )
    member = record.member
    _announce_member(Event.MOBILE_END, actor, member, audience.member_people(member), until.isoformat())
    for entry in MemberCategory.objects.filter(
        member=record.member, category=Category.MOBILE, until__isnull=True
    ):
        category_end(actor=actor, entry=entry, until=max(until, entry.since))
    return record


@transaction.atomic
def station_create(
    *, actor: Actor, name: str, area: Area, org: PartyOrg | None = None, address: str = ""
) -> Station:
    _require_area(actor, area)
    station = Station(name=name, area=area, org=org, address=address)
    station.fill_search_keys()
    station.full_clean()
    station.save()
    audit_record(
        actor=actor, action=Event.STATION_CREATE, obj=station, changes={"name": name, "area": area.pk}
    )
    return station


@transaction.atomic
def station_check_in(
    *, actor: Actor, station: Station, member: Member, at: dt.datetime | None = None, purpose: str = ""
) -> StationCheckIn:
    """A mobile member signs in at a station (recorded by the station's staff or by the member)."""
    own = getattr(actor, "pk", None) is not None and member.user_id == actor.pk
    if not own:
        _require_area(actor, station.area)
    if not MobileRecord.objects.filter(member=member, until__isnull=True).exists():
        raise ValidationError({"member": _("Only a member away from home (mobile) checks in at a station.")})
    check_in = StationCheckIn(station=station, member=member, at=at or timezone.now(), purpose=purpose)
    check_in.full_clean()
    check_in.save()
    audit_record(
        actor=actor,
        action=Event.STATION_CHECK_IN,
        obj=check_in,
        changes={"station": station.pk, "member": member.pk},
    )
    return check_in


# --- transfers ------------------------------------------------------------------------------


@transaction.atomic
def transfer_issue(
    *,
    actor: Actor,
    member: Member,
    to_org: PartyOrg,
    letter_no: str,
    valid_days: int = 30,
    issued_on: dt.date | None = None,
    reason: str = "",
) -> Transfer:
    """The organisation holding the membership issues a letter; one open transfer per member."""
    member = Member.objects.select_for_update(of=("self",)).select_related("org__area").get(pk=member.pk)
    _require_member(actor, member)
    if to_org.pk == member.org_id:
        raise ValidationError({"to_org": _("The membership is already there.")})
    if member.status != MemberStatus.NORMAL:
        raise ValidationError({"member": _("Only a member in normal standing can be transferred.")})
    if not 1 <= valid_days <= 90:
        raise ValidationError({"valid_days": _("A letter is valid for 1 to 90 days.")})
    if Transfer.objects.filter(member=member, status=TransferStatus.ISSUED).exists():
        raise ValidationError(
            {"member": _("A transfer of %(name)s is already under way.") % {"name": member.name}}
        )
    if Transfer.objects.filter(letter_no=letter_no).exists():
        raise ValidationError({"letter_no": _("This letter number is already used.")})
    transfer = Transfer(
        member=member,
        from_org=member.org,
        to_org=to_org,
        letter_no=letter_no,
        valid_days=valid_days,
        issued_on=issued_on or timezone.localdate(),
        reason=reason,
    )
    transfer.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"member": _("A transfer of %(name)s is already under way.") % {"name": member.name}}
        ) from exc
    audit_record(
        actor=actor,
        action=Event.TRANSFER_ISSUE,
        obj=transfer,
        changes={"member": member.pk, "from": member.org_id, "to": to_org.pk, "letter_no": letter_no},
    )
    _announce_transfer(Event.TRANSFER_ISSUE, actor, transfer, audience.org_people(to_org))
    return transfer


def _announce_transfer(
    event: Event, actor: Actor, transfer: Transfer, side: list[Any], reason: str = ""
) -> None:
    """The other organisation and the member hear of a transfer: "<event>: <name masked> → <org>"."""
    masked, to_org = mask_name(transfer.member.name), transfer.to_org.name
    announce(
        event,
        actor=actor,
        recipients=[*side, *audience.member_people(transfer.member)],
        title=lambda: f"{event.label}：{masked} → {to_org}",
        body=reason,
        url=audience.transfers_url(),
    )


def _require_receiver(actor: Actor, transfer: Transfer) -> None:
    scope = scope_for(actor)
    if not (scope.covers_path(transfer.to_org.area.path) or scope.covers_unit(transfer.to_org.unit_id)):
        raise PermissionDenied(_("Only the receiving organisation decides on this transfer."))


@transaction.atomic
def transfer_receive(*, actor: Actor, transfer: Transfer, on: dt.date | None = None) -> Transfer:
    """The receiving organisation accepts: the membership moves, exactly once.

    The transfer row and the member row are locked in that order; a second, concurrent receive
    waits, then finds the transfer no longer issued and is refused.
    """
    transfer = (
        Transfer.objects.select_for_update(of=("self",)).select_related("to_org__area").get(pk=transfer.pk)
    )
    _require_receiver(actor, transfer)
    today = on or timezone.localdate()
    if transfer.status != TransferStatus.ISSUED:
        raise ValidationError({"status": _("This transfer is no longer open.")})
    if transfer.expires_on < today:
        raise ValidationError({"status": _("The letter has expired.")})
    member = Member.objects.select_for_update(of=("self",)).get(pk=transfer.member_id)
    if member.org_id != transfer.from_org_id:
        raise ValidationError({"member": _("The membership is no longer held by the issuing organisation.")})
    old_org = member.org_id
    member.org = transfer.to_org
    member.save(update_fields=["org", "updated_at"])
    transfer.status = TransferStatus.RECEIVED
    transfer.closed_on = today
    transfer.save(update_fields=["status", "closed_on"])
    for entry in MemberCategory.objects.filter(member=member, until__isnull=True).exclude(
        category=Category.IN_SERVICE
    ):
        if entry.area_id != transfer.to_org.area_id and entry.category in (Category.DIRECT, Category.RETIRED):
            entry.until = max(today, entry.since)
            entry.save(update_fields=["until"])
            MemberCategory.objects.create(
                member=member, category=entry.category, area=transfer.to_org.area, since=today
            )
    audit_record(
        actor=actor, action=Event.TRANSFER_RECEIVE, obj=transfer, changes={"org": [old_org, member.org_id]}
    )
    _announce_transfer(Event.TRANSFER_RECEIVE, actor, transfer, audience.org_people(transfer.from_org))
    return transfer


@transaction.atomic
def transfer_reject(*, actor: Actor, transfer: Transfer, reason: str) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update(of=("self",)).select_related("to_org__area").get(pk=transfer.pk)
    )
    _require_receiver(actor, transfer)
    if transfer.status != TransferStatus.ISSUED:
        raise ValidationError({"status": _("This transfer is no longer open.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the transfer is rejected.")})
    transfer.status = TransferStatus.REJECTED
    transfer.closed_on = timezone.localdate()
    transfer.reason = reason.strip()
    transfer.save(update_fields=["status", "closed_on", "reason"])
    audit_record(
        actor=actor, action=Event.TRANSFER_REJECT, obj=transfer, changes={"status": "rejected"}, reason=reason
    )
    _announce_transfer(Event.TRANSFER_REJECT, actor, transfer, audience.org_people(transfer.from_org), reason)
    return transfer


@transaction.atomic
def transfers_expire(*, actor: Actor | None, on: dt.date | None = None) -> list[Transfer]:
    """Mark every issued letter past its validity as expired (the daily reminders run this);
    return those expired now. The letters are found in SQL and locked; one audit entry each."""
    from .selectors import expired_before

    today = on or timezone.localdate()
    issued = Transfer.objects.select_for_update(of=("self",)).filter(status=TransferStatus.ISSUED)
    expired = []
    for transfer in expired_before(issued, today).order_by("pk"):
        transfer.status = TransferStatus.EXPIRED
        transfer.closed_on = today
        transfer.save(update_fields=["status", "closed_on"])
        audit_record(actor=actor, action=Event.TRANSFER_EXPIRE, obj=transfer, changes={"status": "expired"})
        expired.append(transfer)
    return expired


# --- household plaques ----------------------------------------------------------------------


@transaction.atomic
def household_award(
    *,
    actor: Actor,
    area: Area,
    address: str,
    members: list[Member],
    neighbours: list[str],
    awarded_by: PartyOrg,
    plaque_no: str = "",
    since: dt.date | None = None,
) -> Household:
    """The street awards a "Party-member household" plaque: at least one full member lives there,
    and the household looks after 1 to 9 neighbouring households."""
    if area.level < Level.COMMUNITY:
        raise ValidationError({"area": _("A household sits in a community, compound or building.")})
    _require_area(actor, area)
    if awarded_by.area.level != Level.STREET or not scope_for(actor).covers_path(awarded_by.area.path):
        raise PermissionDenied(_("Plaques are awarded by the street's Party organisation."))
    community = _community_of(area)
    for m in members:
        _require_member_visible(actor, m)
        if _community_of(m.residence) != community:
            raise ValidationError(
                {"members": _("%(name)s does not live in this community.") % {"name": m.name}}
            )
    if not any(m.standing == Standing.FULL and m.status == MemberStatus.NORMAL for m in members):
        raise ValidationError({"members": _("A plaqued household has at least one full member.")})
    doors = sorted({n.strip() for n in neighbours if n.strip()})
    if not 1 <= len(doors) <= 9:
        raise ValidationError({"neighbours": _("Link the household to 1 to 9 neighbouring households.")})
    household = Household(
        area=area,
        address=address,
        awarded_by=awarded_by,
        plaque_no=plaque_no,
        **Dated.start_of(since),
    )
    household.full_clean()
    household.save()
    household.members.set(members)
    Neighbour.objects.bulk_create([Neighbour(household=household, address=d) for d in doors])
    audit_record(
        actor=actor,
        action=Event.HOUSEHOLD_AWARD,
        obj=household,
        changes={
            "area": area.pk,
            "address": address,
            "members": [m.pk for m in members],
            "neighbours": doors,
        },
    )
    _announce_household(Event.HOUSEHOLD_AWARD, actor, household, household.since.isoformat())
    return household


def _announce_household(event: Event, actor: Actor, household: Household, body: str) -> int:
    """The members of a plaqued household hear of its plaque: "<event>: <address>"."""
    people = [m.user for m in household.members.select_related("user") if m.user is not None]
    address = household.address
    return announce(
        event, actor=actor, recipients=people, title=lambda: f"{event.label}：{address}", body=body
    )


@transaction.atomic
def household_withdraw(*, actor: Actor, household: Household, until: dt.date, reason: str) -> Household:
    household = _end_dated(
        household,
        actor=actor,
        until=until,
        related="area",
        require=lambda r: _require_area(actor, r.area),
        action=Event.HOUSEHOLD_WITHDRAW,
        reason=reason,
    )
    _announce_household(Event.HOUSEHOLD_WITHDRAW, actor, household, f"{until.isoformat()}\n{reason}".strip())
    return household


# --- reminders (a daily run: ``gongjian reminders`` and the Celery beat schedule) ------------

#: A letter this many days (or fewer) from its expiry is announced to both sides.
TRANSFER_EXPIRY_WARNING_DAYS = 3


def reminders_send(*, actor: Actor | None = None, on: dt.date | None = None) -> dict[str, int]:
    """Send the ledgers' reminders as notifications; return how many were created of each kind.

    - ``mobile.report_due``: a mobile member's yearly report-back is due;
    - ``mobile.transfer_prompt``: a member away longer than six months should transfer;
    - ``transfer.expired``: open letters past their validity are marked expired
      (``transfers_expire``) and the issuing side is told, to issue a new one;
    - ``transfer.expiring``: a letter expires within ``TRANSFER_EXPIRY_WARNING_DAYS``; both sides
      are told.

    Recipients: ``accounts.selectors.nearest_administrators`` of the organisation holding the
    membership (or issuing / receiving the letter): the unit's liaisons for a unit's organisation,
    else the administrators of the nearest node at or above it. Every notification carries a dedupe
    key naming the record (and, for report-backs, the date the year counts from), so running this
    again, the same day or every day, sends each reminder once; reporting back starts a new year.
    Titles carry the member's name masked (王**) and no number; the link opens the record. A batch
    run: each record is sent in its own transaction (``actor`` None: the system)."""
    from django.conf import settings
    from django.utils import translation

    from . import selectors

    today = on or timezone.localdate()
    counts = {
        "mobile.report_due": 0,
        "mobile.transfer_prompt": 0,
        "transfer.expired": 0,
        "transfer.expiring": 0,
    }
    recipients: dict[int, list[Any]] = {}

    def admins_of(org: PartyOrg) -> list[Any]:
        if org.pk not in recipients:
            recipients[org.pk] = nearest_administrators(area_path=org.area.path, unit_id=org.unit_id)
        return recipients[org.pk]

    def send(kind: str, to: list[Any], title: str, body: str, url: str, key: str) -> None:
        counts[kind] += remind(kind, recipients=to, title=title, body=body, url=url, dedupe_key=key)

    with translation.override(settings.LANGUAGE_CODE):
        current = MobileRecord.objects.filter(until__isnull=True).select_related("member__org__area")
        for record in (
            selectors.report_back_due(current, today).order_by("since", "pk").iterator(chunk_size=500)
        ):
            member = record.member
            last = record.last_report_back or record.since
            send(
                "mobile.report_due",
                admins_of(member.org),
                _("Yearly report-back due: %(name)s") % {"name": mask_name(member.name)},
                _(
                    "Away since %(since)s; the year counts from %(last)s. Record the report-back on the member's page."
                )
                % {"since": record.since.isoformat(), "last": last.isoformat()},
                reverse("members:member_detail", args=[member.pk]),
                f"mobile.report_due:{record.pk}:{last.isoformat()}",
            )
        for record in (
            selectors.transfer_prompted(current, today).order_by("since", "pk").iterator(chunk_size=500)
        ):
            member = record.member
            send(
                "mobile.transfer_prompt",
                admins_of(member.org),
                _("Away more than six months: %(name)s should transfer the membership")
                % {"name": mask_name(member.name)},
                _("Away since %(since)s. A stay longer than six months moves the membership by a transfer.")
                % {"since": record.since.isoformat()},
                reverse("members:member_detail", args=[member.pk]),
                f"mobile.transfer_prompt:{record.pk}",
            )
        for transfer in transfers_expire(actor=actor, on=today):
            # An event of the catalogue (the letter's status changed): the issuing side and the member.
            counts["transfer.expired"] += announce(
                Event.TRANSFER_EXPIRE,
                actor=actor,
                recipients=[*admins_of(transfer.from_org), *audience.member_people(transfer.member)],
                title=_("Transfer letter %(letter)s expired") % {"letter": transfer.letter_no},
                body=_(
                    "It was not received within %(days)d days. Issue a new letter if the move still stands."
                )
                % {"days": transfer.valid_days},
                url=reverse("members:transfer_detail", args=[transfer.pk]),
                dedupe_key=f"transfer.expired:{transfer.pk}",
            )
        horizon = today + dt.timedelta(days=TRANSFER_EXPIRY_WARNING_DAYS + 1)
        issued = Transfer.objects.filter(status=TransferStatus.ISSUED).select_related(
            "from_org__area", "to_org__area"
        )
        expiring = selectors.expired_before(issued, horizon).exclude(
            pk__in=selectors.expired_before(issued, today)
        )
        for transfer in expiring.order_by("issued_on", "pk").iterator(chunk_size=500):
            to = [*admins_of(transfer.from_org), *admins_of(transfer.to_org)]
            send(
                "transfer.expiring",
                to,
                _("Transfer letter %(letter)s expires on %(date)s")
                % {"letter": transfer.letter_no, "date": transfer.expires_on.isoformat()},
                _("The receiving organisation accepts or rejects it on the letter's page."),
                reverse("members:transfer_detail", args=[transfer.pk]),
                f"transfer.expiring:{transfer.pk}",
            )
    return counts


def member_seen_by_export(*, actor: Actor, member: Member, fmt: str = "xlsx") -> bytes:
    """The "who saw" list of a member as a workbook or CSV file; the export is itself recorded
    (``audit.export``) before the file is handed over."""
    from .selectors import member_seen_by

    if fmt not in ("xlsx", "csv"):
        raise ValidationError({"format": _("Choose xlsx or csv.")})
    entries = member_seen_by(actor=actor, member=member)
    rows = list(entries)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Event.AUDIT_EXPORT,
            obj=member,
            changes={"entries": len(rows), "format": fmt, "report": "seen_by"},
        )
    return audit_rows_xlsx(rows) if fmt == "xlsx" else audit_rows_csv(rows)
