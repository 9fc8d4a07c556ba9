"""Every write of joint meetings, resolutions and action items, and consultations:
``noun_verb(*, actor, ...)``, one transaction, one audit entry each.

The cycle of a joint meeting (联席会议, domain guide §2): an administrator convenes it (status
``planned``); topic collection opens ``TOPIC_DAYS`` before, when invited units' liaisons and the
convener's staff propose topics and the convener accepts or declines them; the agenda goes to the
level above ``AGENDA_DAYS`` before (``agenda_sent``), with every open action item of the convening
organisation's earlier meetings on it, and is frozen from then on except by the convener with a
reason; on the day people sign in by QR code, the meeting is ``held``, decisions with action
items, pledges and minutes are recorded, and archiving the minutes closes it (``closed``).

Who may do what is answered by the ``*_allowed`` functions below, which pages and the API ask
before showing a button; the services ask the same functions before acting.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person, signed_in
from gongjian.accounts.models import ADMIN_LEVELS, Role, RoleKind, User
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.pii import mask_in_text
from gongjian.core.services import apply_changes, notification_send
from gongjian.orgs.models import Alliance, AllianceMember, Area, Dated, Level, PartyOrg, ResidentUnit

from ..models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaSource,
    AgendaStatus,
    Agreement,
    Answer,
    Attendance,
    Consultation,
    ConsultationAnswer,
    ConsultationKind,
    JointMeeting,
    MeetingLevel,
    MeetingStatus,
    MeetingUnit,
    Pledge,
    Resolution,
)
from ..selectors.meetings import open_actions_before, sign_in_signature, sign_in_token_valid

#: The meeting level that sits on each level of the map (a building holds no joint meeting).
LEVEL_OF_AREA: dict[int, str] = {
    Level.CITY: MeetingLevel.CITY,
    Level.DISTRICT: MeetingLevel.DISTRICT,
    Level.STREET: MeetingLevel.STREET,
    Level.COMMUNITY: MeetingLevel.COMMUNITY,
    Level.COMPOUND: MeetingLevel.COMPOUND,
}
#: The QR code lets people sign in from this long before the meeting starts to the end of its day.
SIGN_IN_EARLY = dt.timedelta(hours=2)
#: Meetings whose membership and agenda may still change.
BEFORE_HELD = (MeetingStatus.PLANNED, MeetingStatus.AGENDA_SENT)
MEETING_FIELDS = ("title", "convener", "venue", "starts_at", "ends_at", "previous")
CONSULTATION_FIELDS = ("question", "description", "opens_on", "closes_on", "asked")
#: A household is named by its door; seven digits in a row are an ID or phone number, not a door.
_LONG_NUMBER = re.compile(r"\d{7,}")


# --- who may do what ---------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def meeting_convene_allowed(*, actor: Actor) -> bool:
    """Administrators convene meetings (a unit liaison, a member or a resident does not)."""
    scope = scope_for(actor)
    return scope.everything or bool(scope.area_paths)


def meeting_manage_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    """The convener's staff: administrators whose subtree holds the meeting's area."""
    return scope_for(actor).covers_path(meeting.area.path)


def _liaison_units(actor: Actor, meeting: JointMeeting) -> list[int]:
    """The actor's units invited to the meeting, in a stable order."""
    units = scope_for(actor).unit_ids
    if not units:
        return []
    invited = MeetingUnit.objects.filter(meeting=meeting, unit_id__in=sorted(units))
    return sorted(invited.values_list("unit_id", flat=True))


def topic_window_open(*, meeting: JointMeeting, today: dt.date | None = None) -> bool:
    """Topics are collected from ``TOPIC_DAYS`` before the meeting until the agenda is sent."""
    return meeting.status == MeetingStatus.PLANNED and (today or _today()) >= meeting.topics_open_on


def topic_propose_allowed(*, actor: Actor, meeting: JointMeeting, today: dt.date | None = None) -> bool:
    if not topic_window_open(meeting=meeting, today=today):
        return False
    return meeting_manage_allowed(actor=actor, meeting=meeting) or bool(_liaison_units(actor, meeting))


def agenda_change_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    """The convener orders the agenda until the meeting is held (after sending, with a reason)."""
    return meeting.status in BEFORE_HELD and meeting_manage_allowed(actor=actor, meeting=meeting)


def agenda_frozen(*, meeting: JointMeeting) -> bool:
    """Whether a change to the agenda needs a reason: it has been sent to the level above."""
    return meeting.status != MeetingStatus.PLANNED


def meeting_units_change_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    return meeting.status in BEFORE_HELD and meeting_manage_allowed(actor=actor, meeting=meeting)


def meeting_update_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    return meeting.status in BEFORE_HELD and meeting_manage_allowed(actor=actor, meeting=meeting)


def agenda_send_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    return meeting.status == MeetingStatus.PLANNED and meeting_manage_allowed(actor=actor, meeting=meeting)


def meeting_hold_allowed(*, actor: Actor, meeting: JointMeeting, today: dt.date | None = None) -> bool:
    return (
        meeting.status == MeetingStatus.AGENDA_SENT
        and (today or _today()) >= meeting.day
        and meeting_manage_allowed(actor=actor, meeting=meeting)
    )


def meeting_cancel_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    return meeting.status in BEFORE_HELD and meeting_manage_allowed(actor=actor, meeting=meeting)


def meeting_record_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    """Pledges, decisions, action items, outcomes and minutes are recorded at a held meeting."""
    return meeting.status == MeetingStatus.HELD and meeting_manage_allowed(actor=actor, meeting=meeting)


def meeting_close_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    return meeting_record_allowed(actor=actor, meeting=meeting) and bool(meeting.minutes.strip())


def attendance_add_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    """Staff enter attendance by hand from the day the agenda is sent until the minutes are archived."""
    return meeting.status in (MeetingStatus.AGENDA_SENT, MeetingStatus.HELD) and meeting_manage_allowed(
        actor=actor, meeting=meeting
    )


def meeting_agreement_allowed(*, actor: Actor, meeting: JointMeeting) -> bool:
    return meeting.status in (MeetingStatus.HELD, MeetingStatus.CLOSED) and meeting_manage_allowed(
        actor=actor, meeting=meeting
    )


def meeting_sign_in_window(*, meeting: JointMeeting) -> tuple[dt.datetime, dt.datetime]:
    """From ``SIGN_IN_EARLY`` before the start to the end of the (last) meeting day, local time."""
    last_day = meeting.day
    if meeting.ends_at is not None:
        last_day = max(last_day, timezone.localtime(meeting.ends_at).date())
    closes = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    return meeting.starts_at - SIGN_IN_EARLY, closes


def sign_in_open(*, meeting: JointMeeting, now: dt.datetime | None = None) -> bool:
    opens, closes = meeting_sign_in_window(meeting=meeting)
    return (
        meeting.status
        in (
            MeetingStatus.PLANNED,
            MeetingStatus.AGENDA_SENT,
            MeetingStatus.HELD,
        )
        and opens <= (now or timezone.now()) < closes
    )


def meeting_permissions(*, actor: Actor, meeting: JointMeeting) -> dict[str, bool]:
    """Every ``*_allowed`` answer for one meeting, for a page to show only the buttons that work."""
    return {
        "manage": meeting_manage_allowed(actor=actor, meeting=meeting),
        "update": meeting_update_allowed(actor=actor, meeting=meeting),
        "units": meeting_units_change_allowed(actor=actor, meeting=meeting),
        "propose": topic_propose_allowed(actor=actor, meeting=meeting),
        "agenda": agenda_change_allowed(actor=actor, meeting=meeting),
        "agenda_frozen": agenda_frozen(meeting=meeting),
        "send_agenda": agenda_send_allowed(actor=actor, meeting=meeting),
        "hold": meeting_hold_allowed(actor=actor, meeting=meeting),
        "cancel": meeting_cancel_allowed(actor=actor, meeting=meeting),
        "attendance": attendance_add_allowed(actor=actor, meeting=meeting),
        "record": meeting_record_allowed(actor=actor, meeting=meeting),
        "close": meeting_close_allowed(actor=actor, meeting=meeting),
        "agreements": meeting_agreement_allowed(actor=actor, meeting=meeting),
        "sign_in_code": meeting_manage_allowed(actor=actor, meeting=meeting)
        and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.AGENDA_SENT, MeetingStatus.HELD),
    }


def action_item_close_allowed(*, actor: Actor, item: ActionItem) -> bool:
    """An open item is closed by the convener's staff, or by the liaison of the unit that owns it
    (or owns its organisation)."""
    return item.status == ActionStatus.OPEN and _action_owner_or_staff(actor, item)


def _action_owner_or_staff(actor: Actor, item: ActionItem) -> bool:
    scope = scope_for(actor)
    if scope.covers_path(item.meeting.area.path):
        return True
    owner_org_unit = item.owner_org.unit_id if item.owner_org_id and item.owner_org else None
    return scope.covers_unit(item.owner_unit_id) or scope.covers_unit(owner_org_unit)


def action_item_add_allowed(*, actor: Actor, resolution: Resolution) -> bool:
    return meeting_record_allowed(actor=actor, meeting=resolution.meeting)


def consultation_create_allowed(*, actor: Actor) -> bool:
    return meeting_convene_allowed(actor=actor)


def consultation_manage_allowed(*, actor: Actor, consultation: Consultation) -> bool:
    """Administrators whose subtree holds the consultation's area record answers and attach it."""
    return scope_for(actor).covers_path(consultation.area.path)


def _resident_areas(actor: Actor) -> list[Area]:
    if not actor.is_authenticated:
        return []
    roles = Role.objects.filter(user_id=actor.pk, active=True, kind=RoleKind.RESIDENT).select_related("area")
    return [r.area for r in roles if r.area is not None]


def consultation_open(*, consultation: Consultation, today: dt.date | None = None) -> bool:
    return consultation.opens_on <= (today or _today()) <= consultation.closes_on


def _own_label(actor: Actor) -> str:
    """The respondent label of a resident answering themself: one answer per user, no personal data."""
    return f"user:{actor.pk}"


def consultation_answer_allowed(
    *, actor: Actor, consultation: Consultation, today: dt.date | None = None
) -> bool:
    """Staff record answers while it is open; a resident of the area answers once, themself."""
    if not consultation_open(consultation=consultation, today=today):
        return False
    if consultation_manage_allowed(actor=actor, consultation=consultation):
        return True
    return _resident_of(actor, consultation) and not (
        ConsultationAnswer.objects.filter(consultation=consultation, respondent=_own_label(actor)).exists()
    )


def _resident_of(actor: Actor, consultation: Consultation) -> bool:
    return any(a.path.startswith(consultation.area.path) for a in _resident_areas(actor))


# --- helpers ---------------------------------------------------------------------------------


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_manage(actor: Actor, meeting: JointMeeting) -> None:
    _require(
        meeting_manage_allowed(actor=actor, meeting=meeting),
        _("You may not change the meeting %(title)s.") % {"title": meeting.title},
    )


def _lock(meeting: JointMeeting) -> JointMeeting:
    return JointMeeting.objects.select_for_update().select_related("area", "convener_org").get(pk=meeting.pk)


def _require_status(meeting: JointMeeting, allowed: Iterable[str], message: str) -> None:
    if meeting.status not in set(allowed):
        raise ValidationError(message)


def _status_message(meeting: JointMeeting) -> str:
    return _("The meeting is %(status)s: this cannot be done now.") % {"status": meeting.get_status_display()}


def _clean_text(value: str | None, field: str, message: str, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if max_length is not None and len(text) > max_length:
        raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": max_length}})
    return text


def _reason_if_frozen(meeting: JointMeeting, reason: str) -> str:
    """After the agenda is sent, a change needs the convener's reason (kept in the audit log)."""
    reason = (reason or "").strip()
    if agenda_frozen(meeting=meeting) and not reason:
        raise ValidationError(
            {"reason": _("The agenda has been sent to the level above: say why it changes.")}
        )
    return reason


def _meeting_url(meeting: JointMeeting) -> str:
    return reverse("cobuild:meeting_detail", args=[meeting.pk])


def _users(q: Q) -> QuerySet[User]:
    return User.objects.filter(q, is_active=True).distinct().order_by("pk")


def _liaisons_of(unit_ids: Iterable[int]) -> QuerySet[User]:
    return _users(
        Q(roles__kind=RoleKind.UNIT_LIAISON, roles__active=True, roles__unit_id__in=sorted(set(unit_ids)))
    )


def _invited_liaisons(meeting: JointMeeting) -> QuerySet[User]:
    return _liaisons_of(MeetingUnit.objects.filter(meeting=meeting).values_list("unit_id", flat=True))


def _admins_on(area: Area | None) -> QuerySet[User]:
    if area is None:
        return User.objects.none()
    return _users(Q(roles__kind__in=list(ADMIN_LEVELS), roles__active=True, roles__area=area))


def _convener_staff(meeting: JointMeeting) -> list[User]:
    """Who convenes: the administrators holding a role on the meeting's area, and who created it."""
    staff = list(_admins_on(meeting.area))
    if meeting.created_by_id and meeting.created_by is not None and meeting.created_by not in staff:
        staff.append(meeting.created_by)
    return staff


def _level_above(meeting: JointMeeting) -> Area | None:
    return Area.objects.get_parent(meeting.area)


def _when(meeting: JointMeeting) -> str:
    return timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")


def _notify_topics_open(meeting: JointMeeting, actor: Actor | None = None) -> int:
    """Invited units' liaisons hear that topics are being collected (once each), while the
    meeting is still ahead."""
    if not topic_window_open(meeting=meeting) or _today() > meeting.day:
        return 0
    return notification_send(
        recipients=_invited_liaisons(meeting),
        kind="cobuild.meeting.topics",
        title=_("Propose topics for %(title)s") % {"title": meeting.title},
        body=_(
            "The joint meeting is on %(when)s at %(venue)s. Topics are collected until the agenda is "
            "sent to the level above on %(due)s."
        )
        % {"when": _when(meeting), "venue": meeting.venue or "–", "due": meeting.agenda_due_on.isoformat()},
        url=_meeting_url(meeting),
        dedupe_key=f"cobuild.meeting.{meeting.pk}.topics",
        actor=actor,
    )


# --- meetings --------------------------------------------------------------------------------


def _default_previous(
    org: PartyOrg, starts_at: dt.datetime, exclude: int | None = None
) -> JointMeeting | None:
    rows = JointMeeting.objects.filter(convener_org=org, starts_at__lt=starts_at).exclude(
        status=MeetingStatus.CANCELLED
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("-starts_at", "-pk").first()


def _check_previous(meeting: JointMeeting, previous: JointMeeting | None) -> None:
    if previous is None:
        return
    if previous.pk == meeting.pk:
        raise ValidationError({"previous": _("A meeting cannot follow itself.")})
    if previous.convener_org_id != meeting.convener_org_id:
        raise ValidationError(
            {"previous": _("The previous meeting must be convened by the same organisation.")}
        )
    if previous.starts_at >= meeting.starts_at:
        raise ValidationError({"previous": _("The previous meeting must take place before this one.")})


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime | None) -> None:
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": _("Give the time with its time zone.")})
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The meeting must end after it starts.")})


def _unit_visible(actor: Actor, unit: ResidentUnit) -> bool:
    from gongjian.orgs.selectors import unit_list

    return unit_list(actor=actor).filter(pk=unit.pk).exists()


def _current_members(alliance: Alliance, on: dt.date) -> QuerySet[AllianceMember]:
    return AllianceMember.objects.filter(Dated.on(on), alliance=alliance).select_related("unit")


@transaction.atomic
def meeting_convene(
    *,
    actor: Actor,
    title: str,
    convener_org: PartyOrg,
    starts_at: dt.datetime,
    area: Area | None = None,
    level: str = "",
    convener: str = "",
    alliance: Alliance | None = None,
    ends_at: dt.datetime | None = None,
    venue: str = "",
    previous: JointMeeting | None = None,
    units: Sequence[ResidentUnit] = (),
) -> JointMeeting:
    """Convene a joint meeting. ``area`` is the convening organisation's by default and ``level``
    follows it; an alliance's current member units are invited, with ``units`` besides; the
    previous meeting is the organisation's last one unless given."""
    _require(meeting_convene_allowed(actor=actor), _("Only an administrator convenes a joint meeting."))
    title = _clean_text(title, "title", _("Give the meeting a title."), 200)
    if not convener_org.is_territorial:
        raise ValidationError(
            {"convener_org": _("A joint meeting is convened by a territorial Party organisation.")}
        )
    scope = scope_for(actor)
    if not scope.covers_path(convener_org.area.path):
        raise PermissionDenied(_("You may not convene for %(org)s.") % {"org": convener_org.name})
    area = area or convener_org.area
    if not scope.covers_path(area.path):
        raise PermissionDenied(_("You may not convene a meeting in %(area)s.") % {"area": area.name})
    if not area.path.startswith(convener_org.area.path):
        raise ValidationError(
            {"area": _("%(org)s convenes meetings in its own area only.") % {"org": convener_org.name}}
        )
    expected = LEVEL_OF_AREA.get(area.level)
    if expected is None:
        raise ValidationError(
            {"area": _("A joint meeting is held at a city, district, street, community or compound.")}
        )
    if level and level != expected:
        raise ValidationError(
            {
                "level": _("%(area)s is a %(level)s: the meeting is at that level.")
                % {"area": area.name, "level": MeetingLevel(expected).label}
            }
        )
    _check_times(starts_at, ends_at)
    if alliance is not None and not scope.covers_path(alliance.area.path):
        raise PermissionDenied(_("You may not invite the alliance %(name)s.") % {"name": alliance.name})
    meeting = JointMeeting(
        title=title,
        level=expected,
        area=area,
        convener_org=convener_org,
        convener=(convener or "").strip(),
        alliance=alliance,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=(venue or "").strip(),
        created_by=signed_in(actor),
    )
    if previous is None:
        previous = _default_previous(convener_org, starts_at)
    else:
        _check_previous(meeting, previous)
    meeting.previous = previous
    meeting.full_clean()
    meeting.save()
    invited: dict[int, str] = {}
    if alliance is not None:
        for member in _current_members(alliance, meeting.day):
            invited.setdefault(member.unit_id, member.representative)
    for unit in units:
        if unit.pk not in invited:
            if not _unit_visible(actor, unit):
                raise PermissionDenied(_("You may not invite %(unit)s.") % {"unit": unit.name})
            invited[unit.pk] = ""
    MeetingUnit.objects.bulk_create(
        [MeetingUnit(meeting=meeting, unit_id=pk, representative=rep) for pk, rep in invited.items()]
    )
    audit_record(
        actor=actor,
        action="meeting.convene",
        obj=meeting,
        changes={
            **snapshot(
                meeting,
                (
                    "title",
                    "level",
                    "area",
                    "convener_org",
                    "convener",
                    "alliance",
                    "starts_at",
                    "venue",
                    "previous",
                ),
            ),
            "units": sorted(invited),
        },
    )
    _notify_topics_open(meeting, actor)
    return meeting


@transaction.atomic
def meeting_update(*, actor: Actor, meeting: JointMeeting, **changes: Any) -> JointMeeting:
    """Change the title, convener, venue, time or previous meeting before the meeting is held."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, BEFORE_HELD, _status_message(meeting))
    if "title" in changes:
        changes["title"] = _clean_text(changes["title"], "title", _("Give the meeting a title."), 200)
    starts_at = changes.get("starts_at", meeting.starts_at)
    ends_at = changes.get("ends_at", meeting.ends_at)
    _check_times(starts_at, ends_at)
    changed = apply_changes(meeting, changes, MEETING_FIELDS)
    _check_previous(meeting, meeting.previous)
    if changed:
        meeting.save()
        audit_record(actor=actor, action="meeting.update", obj=meeting, changes=changed)
    return meeting


@transaction.atomic
def meeting_unit_add(
    *, actor: Actor, meeting: JointMeeting, unit: ResidentUnit, representative: str = ""
) -> MeetingUnit:
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, BEFORE_HELD, _("Member units change only before the meeting is held."))
    if not _unit_visible(actor, unit):
        raise PermissionDenied(_("You may not invite %(unit)s.") % {"unit": unit.name})
    if MeetingUnit.objects.filter(meeting=meeting, unit=unit).exists():
        raise ValidationError({"unit": _("%(unit)s is already invited.") % {"unit": unit.name}})
    row = MeetingUnit.objects.create(
        meeting=meeting, unit=unit, representative=(representative or "").strip()
    )
    audit_record(
        actor=actor,
        action="meeting.unit_add",
        obj=meeting,
        changes={"unit": unit.pk, "representative": row.representative},
    )
    _notify_topics_open(meeting, actor)
    return row


@transaction.atomic
def meeting_unit_remove(*, actor: Actor, meeting: JointMeeting, unit: ResidentUnit) -> JointMeeting:
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, BEFORE_HELD, _("Member units change only before the meeting is held."))
    row = MeetingUnit.objects.filter(meeting=meeting, unit=unit).first()
    if row is None:
        raise ValidationError({"unit": _("%(unit)s is not invited.") % {"unit": unit.name}})
    row.delete()
    audit_record(
        actor=actor,
        action="meeting.unit_remove",
        obj=meeting,
        changes={"unit": unit.pk, "representative": row.representative},
    )
    return meeting


# --- topics and agenda -------------------------------------------------------------------------


def _next_position(meeting: JointMeeting) -> int:
    top = AgendaItem.objects.filter(meeting=meeting).aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


@transaction.atomic
def agenda_topic_propose(
    *,
    actor: Actor,
    meeting: JointMeeting,
    title: str,
    description: str = "",
    unit: ResidentUnit | None = None,
) -> AgendaItem:
    """A topic for the agenda (议题征集), from an invited unit's liaison or the convener's staff
    (on behalf of an invited unit, or of the convener), while topics are being collected."""
    meeting = _lock(meeting)
    manager = meeting_manage_allowed(actor=actor, meeting=meeting)
    mine = _liaison_units(actor, meeting)
    _require(manager or bool(mine), _("Only invited units and the convener propose topics."))
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("The agenda has been sent: topics are no longer collected."))
    if _today() < meeting.topics_open_on:
        raise ValidationError(
            _("Topics are collected from %(date)s.") % {"date": meeting.topics_open_on.isoformat()}
        )
    title = _clean_text(title, "title", _("Say what the topic is."), 200)
    if unit is not None:
        invited = MeetingUnit.objects.filter(meeting=meeting, unit=unit).exists()
        if not invited:
            raise ValidationError(
                {"unit": _("%(unit)s is not invited to this meeting.") % {"unit": unit.name}}
            )
        if not manager and unit.pk not in mine:
            raise PermissionDenied(_("You propose topics for your own unit only."))
        unit_id: int | None = unit.pk
    else:
        unit_id = None if manager else mine[0]
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=_next_position(meeting),
        title=title,
        description=(description or "").strip(),
        source=AgendaSource.TOPIC,
        status=AgendaStatus.PROPOSED,
        proposed_by_unit_id=unit_id,
        proposed_by=person(actor),
    )
    audit_record(
        actor=actor,
        action="agenda.propose",
        obj=item,
        changes=snapshot(item, ("meeting", "title", "proposed_by_unit")),
    )
    return item


@transaction.atomic
def agenda_item_add(
    *, actor: Actor, meeting: JointMeeting, title: str, description: str = "", reason: str = ""
) -> AgendaItem:
    """An item the convener puts on the agenda directly (after sending, with a reason)."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, BEFORE_HELD, _status_message(meeting))
    reason = _reason_if_frozen(meeting, reason)
    title = _clean_text(title, "title", _("Say what the item is."), 200)
    item = AgendaItem.objects.create(
        meeting=meeting,
        position=_next_position(meeting),
        title=title,
        description=(description or "").strip(),
        source=AgendaSource.CONVENER,
        status=AgendaStatus.ACCEPTED,
        proposed_by=person(actor),
    )
    audit_record(
        actor=actor,
        action="agenda.add",
        obj=item,
        changes=snapshot(item, ("meeting", "title", "source", "status")),
        reason=reason,
    )
    return item


def _lock_item(item: AgendaItem) -> tuple[AgendaItem, JointMeeting]:
    meeting = _lock(item.meeting)
    return AgendaItem.objects.select_for_update().get(pk=item.pk), meeting


def _agenda_decide(actor: Actor, item: AgendaItem, status: str, reason: str) -> AgendaItem:
    item, meeting = _lock_item(item)
    _require_manage(actor, meeting)
    _require_status(meeting, BEFORE_HELD, _("The agenda changes only before the meeting is held."))
    reason = _reason_if_frozen(meeting, reason)
    if item.status == status:
        return item
    before = item.status
    item.status = status
    if status == AgendaStatus.ACCEPTED:
        item.position = _next_position(meeting)
    item.save(update_fields=["status", "position"])
    audit_record(
        actor=actor,
        action="agenda.accept" if status == AgendaStatus.ACCEPTED else "agenda.decline",
        obj=item,
        changes={"status": [before, status], "meeting": meeting.pk},
        reason=reason,
    )
    return item


@transaction.atomic
def agenda_item_accept(*, actor: Actor, item: AgendaItem, reason: str = "") -> AgendaItem:
    """Put a proposed (or declined) topic on the agenda, at its end."""
    return _agenda_decide(actor, item, AgendaStatus.ACCEPTED, reason)


@transaction.atomic
def agenda_item_decline(*, actor: Actor, item: AgendaItem, reason: str = "") -> AgendaItem:
    """Leave a topic off the agenda (it stays listed as not taken)."""
    return _agenda_decide(actor, item, AgendaStatus.DECLINED, reason)


@transaction.atomic
def agenda_item_move(*, actor: Actor, item: AgendaItem, position: int, reason: str = "") -> AgendaItem:
    """Move an item of the agenda to ``position`` (1 = first); the others follow in their order."""
    item, meeting = _lock_item(item)
    _require_manage(actor, meeting)
    _require_status(meeting, BEFORE_HELD, _("The agenda changes only before the meeting is held."))
    reason = _reason_if_frozen(meeting, reason)
    if item.status != AgendaStatus.ACCEPTED:
        raise ValidationError({"position": _("Only items on the agenda have a place in it.")})
    agenda = list(
        AgendaItem.objects.filter(meeting=meeting, status=AgendaStatus.ACCEPTED).order_by("position", "pk")
    )
    if not 1 <= position <= len(agenda):
        raise ValidationError({"position": _("Choose a place from 1 to %(n)d.") % {"n": len(agenda)}})
    old = [a.pk for a in agenda].index(item.pk) + 1
    if old == position:
        return item
    order = [a for a in agenda if a.pk != item.pk]
    order.insert(position - 1, item)
    for n, row in enumerate(order, start=1):
        if row.position != n:
            row.position = n
            row.save(update_fields=["position"])
    item.position = position
    audit_record(
        actor=actor,
        action="agenda.move",
        obj=item,
        changes={"position": [old, position], "meeting": meeting.pk},
        reason=reason,
    )
    return item


@transaction.atomic
def agenda_item_outcome(*, actor: Actor, item: AgendaItem, outcome: str) -> AgendaItem:
    """What was said and concluded on an item, at the held meeting."""
    item, meeting = _lock_item(item)
    _require_manage(actor, meeting)
    _require_status(meeting, (MeetingStatus.HELD,), _("Outcomes are recorded at the held meeting."))
    outcome = _clean_text(outcome, "outcome", _("Write what was concluded."))
    before = item.outcome
    item.outcome = outcome
    item.save(update_fields=["outcome"])
    audit_record(actor=actor, action="agenda.outcome", obj=item, changes={"outcome": [before, outcome]})
    return item


@transaction.atomic
def meeting_send_agenda(*, actor: Actor, meeting: JointMeeting) -> JointMeeting:
    """Send the agenda to the level above (and the invited units): follow-ups of open action items
    first, then the accepted topics in their order. Refused while a proposed topic is undecided or
    when nothing would be on it; from now on the agenda changes only with a reason."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("The agenda of this meeting has already been sent."))
    undecided = AgendaItem.objects.filter(meeting=meeting, status=AgendaStatus.PROPOSED).count()
    if undecided:
        raise ValidationError(_("Accept or decline the %(n)d proposed topic(s) first.") % {"n": undecided})
    on_agenda = set(
        AgendaItem.objects.filter(meeting=meeting, action_item__isnull=False).values_list(
            "action_item_id", flat=True
        )
    )
    follow_ups = [a for a in open_actions_before(meeting) if a.pk not in on_agenda]
    accepted = list(
        AgendaItem.objects.filter(meeting=meeting, status=AgendaStatus.ACCEPTED).order_by("position", "pk")
    )
    if not follow_ups and not accepted:
        raise ValidationError(_("Nothing is on the agenda yet: accept a topic or add an item first."))
    today = _today()
    position = 0
    for action in follow_ups:
        position += 1
        overdue = action.due_on < today
        AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=_("Progress: %(title)s") % {"title": action.title},
            description=(_("Due %(due)s, overdue.") if overdue else _("Due %(due)s."))
            % {"due": action.due_on.isoformat()},
            source=AgendaSource.FOLLOW_UP,
            status=AgendaStatus.ACCEPTED,
            proposed_by_unit=action.owner_unit,
            action_item=action,
        )
    for row in accepted:
        position += 1
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    meeting.status = MeetingStatus.AGENDA_SENT
    meeting.agenda_sent_at = timezone.now()
    meeting.save(update_fields=["status", "agenda_sent_at"])
    above = _level_above(meeting)
    audit_record(
        actor=actor,
        action="meeting.send_agenda",
        obj=meeting,
        changes={
            "status": [MeetingStatus.PLANNED, MeetingStatus.AGENDA_SENT],
            "items": position,
            "follow_ups": [a.pk for a in follow_ups],
            "to": above.pk if above else None,
            "late": today > meeting.agenda_due_on,
        },
    )
    body = _("%(org)s, %(when)s at %(venue)s: %(n)d item(s) on the agenda.") % {
        "org": meeting.convener_org.name,
        "when": _when(meeting),
        "venue": meeting.venue or "–",
        "n": position,
    }
    title = _("Agenda of the joint meeting %(title)s") % {"title": meeting.title}
    recipients = [*_admins_on(above), *_invited_liaisons(meeting)]
    notification_send(
        recipients=recipients,
        kind="cobuild.meeting.agenda",
        title=title,
        body=body,
        url=_meeting_url(meeting),
        dedupe_key=f"cobuild.meeting.{meeting.pk}.agenda",
        actor=actor,
    )
    return meeting


@transaction.atomic
def meeting_hold(*, actor: Actor, meeting: JointMeeting) -> JointMeeting:
    """The meeting takes place (from its day, once its agenda has been sent)."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    if meeting.status != MeetingStatus.AGENDA_SENT:
        raise ValidationError(_("Send the agenda to the level above before the meeting is held."))
    if _today() < meeting.day:
        raise ValidationError(_("The meeting is on %(day)s.") % {"day": meeting.day.isoformat()})
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="meeting.hold",
        obj=meeting,
        changes={"status": [MeetingStatus.AGENDA_SENT, MeetingStatus.HELD]},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: Actor, meeting: JointMeeting, reason: str) -> JointMeeting:
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, BEFORE_HELD, _status_message(meeting))
    reason = _clean_text(reason, "reason", _("Say why the meeting is cancelled."), 500)
    before = meeting.status
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="meeting.cancel",
        obj=meeting,
        changes={"status": [before, MeetingStatus.CANCELLED]},
        reason=reason,
    )
    notification_send(
        recipients=_invited_liaisons(meeting),
        kind="cobuild.meeting.cancelled",
        title=_("Cancelled: %(title)s") % {"title": meeting.title},
        body=reason,
        url=_meeting_url(meeting),
        dedupe_key=f"cobuild.meeting.{meeting.pk}.cancelled",
        actor=actor,
    )
    return meeting


# --- attendance ------------------------------------------------------------------------------


def meeting_sign_in_token(*, actor: Actor, meeting: JointMeeting) -> str:
    """The code behind the meeting's QR code, for its convener's staff to show. It is a signature
    over the meeting's secret, so it cannot be made for another meeting; it works only inside
    the sign-in window (``meeting_sign_in_window``)."""
    _require_manage(actor, meeting)
    return sign_in_signature(meeting)


def _person_name(user: Any) -> str:
    return (getattr(user, "display_name", "") or user.get_username())[:60]


@transaction.atomic
def attendance_sign_in(*, actor: Actor, meeting: JointMeeting, token: str) -> Attendance:
    """A signed-in user scanned the meeting's QR code: recorded once (a second scan returns the
    first record), with their unit when they are the liaison of an invited unit (or of one unit)."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please sign in first."))
    meeting = _lock(meeting)
    if not sign_in_token_valid(meeting=meeting, token=token):
        raise PermissionDenied(_("This sign-in code is not the code of this meeting."))
    if meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.CLOSED):
        raise ValidationError(_status_message(meeting))
    if not sign_in_open(meeting=meeting):
        opens, closes = meeting_sign_in_window(meeting=meeting)
        raise ValidationError(
            _("Signing in is open from %(opens)s to %(closes)s.")
            % {
                "opens": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
                "closes": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M"),
            }
        )
    existing = Attendance.objects.filter(meeting=meeting, user=actor).first()
    if existing is not None:
        return existing
    units = _liaison_units(actor, meeting) or sorted(scope_for(actor).unit_ids)
    row = Attendance(
        meeting=meeting,
        user=actor,
        person_name=_person_name(actor),
        unit_id=units[0] if units else None,
        method=Attendance.Method.QR,
        at=timezone.now(),
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same person scanned twice at once: the first one counts
        found = Attendance.objects.filter(meeting=meeting, user=actor).first()
        if found is None:
            raise
        return found
    audit_record(
        actor=actor,
        action="meeting.sign_in",
        obj=row,
        changes=snapshot(row, ("meeting", "user", "person_name", "unit", "method")),
    )
    return row


@transaction.atomic
def attendance_add(
    *, actor: Actor, meeting: JointMeeting, person_name: str, unit: ResidentUnit | None = None
) -> Attendance:
    """Staff enter someone who attended (name, and their unit when they came for one)."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(
        meeting,
        (MeetingStatus.AGENDA_SENT, MeetingStatus.HELD),
        _("Attendance is entered once the agenda is sent and until the minutes are archived."),
    )
    name = _clean_text(person_name, "person_name", _("Give the name of who attended."), 60)
    if _LONG_NUMBER.search(name):
        raise ValidationError({"person_name": _("Enter a name, not a number.")})
    if unit is not None and not (
        MeetingUnit.objects.filter(meeting=meeting, unit=unit).exists() or _unit_visible(actor, unit)
    ):
        raise PermissionDenied(_("You may not name %(unit)s.") % {"unit": unit.name})
    row = Attendance.objects.create(
        meeting=meeting, person_name=name, unit=unit, method=Attendance.Method.STAFF, at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="meeting.attendance_add",
        obj=row,
        changes=snapshot(row, ("meeting", "person_name", "unit", "method")),
    )
    return row


# --- pledges, minutes, closing --------------------------------------------------------------


def _check_unit_of_meeting(
    actor: Actor, meeting: JointMeeting, unit: ResidentUnit | None, field: str
) -> None:
    if unit is None:
        return
    if MeetingUnit.objects.filter(meeting=meeting, unit=unit).exists():
        return
    if unit.area.path.startswith(meeting.area.path) and _unit_visible(actor, unit):
        return
    raise ValidationError(
        {
            field: _("%(unit)s is neither invited nor sitting in %(area)s.")
            % {"unit": unit.name, "area": meeting.area.name}
        }
    )


@transaction.atomic
def pledge_add(
    *,
    actor: Actor,
    meeting: JointMeeting,
    text: str,
    unit: ResidentUnit | None = None,
    quantity: int | None = None,
    measure: str = "",
    at_least: bool = False,
) -> Pledge:
    """A commitment made at the meeting (承诺), e.g. "100+ professors will lecture": quantity 100,
    measure 人, at least."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, (MeetingStatus.HELD,), _("Pledges are recorded at the held meeting."))
    text = _clean_text(text, "text", _("Write what is pledged."), 200)
    measure = (measure or "").strip()
    if quantity is not None and quantity < 0:
        raise ValidationError({"quantity": _("A quantity cannot be negative.")})
    if quantity is None and (measure or at_least):
        raise ValidationError({"quantity": _("Give the quantity the measure or “at least” refers to.")})
    _check_unit_of_meeting(actor, meeting, unit, "unit")
    pledge = Pledge(
        meeting=meeting, unit=unit, text=text, quantity=quantity, measure=measure, at_least=bool(at_least)
    )
    pledge.full_clean()
    pledge.save()
    audit_record(
        actor=actor,
        action="meeting.pledge",
        obj=pledge,
        changes=snapshot(pledge, ("meeting", "unit", "text", "quantity", "measure", "at_least")),
    )
    return pledge


@transaction.atomic
def meeting_minutes_record(*, actor: Actor, meeting: JointMeeting, minutes: str) -> JointMeeting:
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(
        meeting, (MeetingStatus.HELD,), _("Minutes are recorded for a held meeting until archived.")
    )
    minutes = _clean_text(minutes, "minutes", _("Write the minutes."))
    before = meeting.minutes
    if before == minutes:
        return meeting
    meeting.minutes = minutes
    meeting.save(update_fields=["minutes"])
    audit_record(actor=actor, action="meeting.minutes", obj=meeting, changes={"minutes": [before, minutes]})
    return meeting


@transaction.atomic
def meeting_close(*, actor: Actor, meeting: JointMeeting) -> JointMeeting:
    """Archive the minutes: the meeting is closed and its record no longer changes (its action
    items are still closed one by one as they are done)."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, (MeetingStatus.HELD,), _("Only a held meeting's minutes are archived."))
    if not meeting.minutes.strip():
        raise ValidationError({"minutes": _("Record the minutes before archiving them.")})
    meeting.status = MeetingStatus.CLOSED
    meeting.minutes_at = timezone.now()
    meeting.save(update_fields=["status", "minutes_at"])
    audit_record(
        actor=actor,
        action="meeting.close",
        obj=meeting,
        changes={"status": [MeetingStatus.HELD, MeetingStatus.CLOSED], "minutes_at": meeting.minutes_at},
    )
    return meeting


@transaction.atomic
def meeting_record_agreement(*, actor: Actor, meeting: JointMeeting, agreement: Agreement) -> Agreement:
    """Record that a pairing agreement was signed at the meeting (sets ``agreement.meeting``)."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(
        meeting,
        (MeetingStatus.HELD, MeetingStatus.CLOSED),
        _("Agreements are recorded against a meeting that has been held."),
    )
    agreement = Agreement.objects.select_for_update().select_related("area").get(pk=agreement.pk)
    if not scope_for(actor).covers_path(agreement.area.path):
        raise PermissionDenied(
            _("You may not change the agreement %(number)s.") % {"number": agreement.number}
        )
    if not agreement.area.path.startswith(meeting.area.path):
        raise ValidationError(
            {"agreement": _("The agreement is not made in %(area)s.") % {"area": meeting.area.name}}
        )
    if agreement.meeting_id == meeting.pk:
        return agreement
    if agreement.meeting_id is not None:
        raise ValidationError({"agreement": _("The agreement is already recorded against another meeting.")})
    agreement.meeting = meeting
    agreement.save(update_fields=["meeting"])
    audit_record(
        actor=actor, action="meeting.agreement", obj=agreement, changes={"meeting": [None, meeting.pk]}
    )
    return agreement


# --- resolutions and action items -------------------------------------------------------------


def _check_action(
    actor: Actor,
    meeting: JointMeeting,
    *,
    title: str,
    due_on: dt.date | None,
    owner_unit: ResidentUnit | None,
    owner_org: PartyOrg | None,
) -> str:
    title = _clean_text(title, "title", _("Say what is to be done."), 200)
    if owner_unit is None and owner_org is None:
        raise ValidationError({"owner_unit": _("Name the unit or organisation that owns the action.")})
    if due_on is None:
        raise ValidationError({"due_on": _("Give a due date.")})
    if due_on < meeting.day:
        raise ValidationError({"due_on": _("An action cannot be due before the meeting.")})
    _check_unit_of_meeting(actor, meeting, owner_unit, "owner_unit")
    if owner_org is not None:
        invited_org = (
            owner_org.unit_id is not None
            and MeetingUnit.objects.filter(meeting=meeting, unit_id=owner_org.unit_id).exists()
        )
        in_area = owner_org.area.path.startswith(meeting.area.path) and scope_for(actor).covers_path(
            owner_org.area.path
        )
        if not (invited_org or in_area):
            raise ValidationError(
                {
                    "owner_org": _("%(org)s neither belongs to an invited unit nor sits in %(area)s.")
                    % {"org": owner_org.name, "area": meeting.area.name}
                }
            )
    return title


def _create_action(
    meeting: JointMeeting, resolution: Resolution, title: str, values: Mapping[str, Any]
) -> ActionItem:
    item = ActionItem(
        resolution=resolution,
        meeting=meeting,
        title=title,
        owner_unit=values.get("owner_unit"),
        owner_org=values.get("owner_org"),
        due_on=values["due_on"],
    )
    item.full_clean()
    item.save()
    return item


def _action_summary(item: ActionItem) -> dict[str, Any]:
    return snapshot(item, ("title", "owner_unit", "owner_org", "due_on"))


@transaction.atomic
def resolution_record(
    *,
    actor: Actor,
    meeting: JointMeeting,
    text: str,
    agenda_item: AgendaItem | None = None,
    actions: Sequence[Mapping[str, Any]] = (),
) -> Resolution:
    """A decision of the held meeting (optionally on one of its agenda items), with its action
    items: each ``{"title", "due_on", "owner_unit" and/or "owner_org"}``. All or nothing."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, (MeetingStatus.HELD,), _("Decisions are recorded at the held meeting."))
    text = _clean_text(text, "text", _("Write the decision."))
    if agenda_item is not None and (
        agenda_item.meeting_id != meeting.pk or agenda_item.status != AgendaStatus.ACCEPTED
    ):
        raise ValidationError({"agenda_item": _("Choose an item of this meeting's agenda.")})
    titles = [
        _check_action(
            actor,
            meeting,
            title=a.get("title", ""),
            due_on=a.get("due_on"),
            owner_unit=a.get("owner_unit"),
            owner_org=a.get("owner_org"),
        )
        for a in actions
    ]
    top = Resolution.objects.filter(meeting=meeting).aggregate(top=Max("position"))["top"] or 0
    resolution = Resolution.objects.create(
        meeting=meeting, agenda_item=agenda_item, position=top + 1, text=text
    )
    items = [_create_action(meeting, resolution, t, a) for t, a in zip(titles, actions, strict=True)]
    audit_record(
        actor=actor,
        action="resolution.record",
        obj=resolution,
        changes={
            "meeting": meeting.pk,
            "agenda_item": agenda_item.pk if agenda_item else None,
            "text": text,
            "actions": [{"id": i.pk, **_action_summary(i)} for i in items],
        },
    )
    return resolution


@transaction.atomic
def action_item_add(
    *,
    actor: Actor,
    resolution: Resolution,
    title: str,
    due_on: dt.date | None,
    owner_unit: ResidentUnit | None = None,
    owner_org: PartyOrg | None = None,
) -> ActionItem:
    meeting = _lock(resolution.meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, (MeetingStatus.HELD,), _("Action items are recorded at the held meeting."))
    title = _check_action(
        actor, meeting, title=title, due_on=due_on, owner_unit=owner_unit, owner_org=owner_org
    )
    item = _create_action(
        meeting, resolution, title, {"owner_unit": owner_unit, "owner_org": owner_org, "due_on": due_on}
    )
    audit_record(
        actor=actor,
        action="action.add",
        obj=item,
        changes={"resolution": resolution.pk, **_action_summary(item)},
    )
    return item


@transaction.atomic
def action_item_close(
    *, actor: Actor, item: ActionItem, report: str, closed_on: dt.date | None = None
) -> ActionItem:
    """Close an action item with a short report of what was done (refused without one)."""
    item = (
        ActionItem.objects.select_for_update(of=("self",))
        .select_related("meeting__area", "owner_org")
        .get(pk=item.pk)
    )
    if not _action_owner_or_staff(actor, item):
        raise PermissionDenied(_("You may not close %(title)s.") % {"title": item.title})
    if item.status != ActionStatus.OPEN:
        raise ValidationError(_("This action item is already closed."))
    report = _clean_text(report, "report", _("Write a short report of what was done."), 2000)
    closed_on = closed_on or _today()
    if closed_on > _today():
        raise ValidationError({"closed_on": _("An action cannot be closed in the future.")})
    if closed_on < item.meeting.day:
        raise ValidationError({"closed_on": _("An action cannot be closed before its meeting.")})
    item.status = ActionStatus.CLOSED
    item.closed_on = closed_on
    item.report = mask_in_text(report)
    item.closed_by = person(actor)
    item.full_clean()
    item.save(update_fields=["status", "closed_on", "report", "closed_by"])
    audit_record(
        actor=actor,
        action="action.close",
        obj=item,
        changes={
            "status": [ActionStatus.OPEN, ActionStatus.CLOSED],
            "closed_on": closed_on,
            "report": item.report,
        },
    )
    return item


# --- reminders ---------------------------------------------------------------------------------


def meetings_remind(*, today: dt.date) -> int:
    """The daily reminders (run by Celery beat); return how many notifications were created.

    - topic collection is open: invited units' liaisons (from ``topics_open_on`` until the agenda
      is sent; once each);
    - the agenda is due tomorrow (or today, or late) and not sent: the convener's staff;
    - the meeting is tomorrow: invited units' liaisons and the convener's staff.

    Each notification has a dedupe key, so running twice a day (or catching up) sends nothing new.
    """
    sent = 0
    horizon = today + dt.timedelta(days=JointMeeting.TOPIC_DAYS + 1)
    upcoming = JointMeeting.objects.filter(
        status__in=BEFORE_HELD,
        starts_at__gte=timezone.make_aware(dt.datetime.combine(today, dt.time.min)),
        starts_at__lt=timezone.make_aware(dt.datetime.combine(horizon, dt.time.min)),
    ).select_related("area", "convener_org", "created_by")
    for meeting in upcoming:
        with transaction.atomic():
            if meeting.status == MeetingStatus.PLANNED and today >= meeting.topics_open_on:
                sent += notification_send(
                    recipients=_invited_liaisons(meeting),
                    kind="cobuild.meeting.topics",
                    title=_("Propose topics for %(title)s") % {"title": meeting.title},
                    body=_("Topics are collected until the agenda is sent on %(due)s.")
                    % {"due": meeting.agenda_due_on.isoformat()},
                    url=_meeting_url(meeting),
                    dedupe_key=f"cobuild.meeting.{meeting.pk}.topics",
                )
            if meeting.status == MeetingStatus.PLANNED and today >= meeting.agenda_due_on - dt.timedelta(
                days=1
            ):
                sent += notification_send(
                    recipients=_convener_staff(meeting),
                    kind="cobuild.meeting.agenda_due",
                    title=_("Send the agenda of %(title)s") % {"title": meeting.title},
                    body=_("The agenda goes to the level above by %(due)s.")
                    % {"due": meeting.agenda_due_on.isoformat()},
                    url=_meeting_url(meeting),
                    dedupe_key=f"cobuild.meeting.{meeting.pk}.agenda_due",
                )
            if meeting.day == today + dt.timedelta(days=1):
                sent += notification_send(
                    recipients=[*_invited_liaisons(meeting), *_convener_staff(meeting)],
                    kind="cobuild.meeting.tomorrow",
                    title=_("Tomorrow: %(title)s") % {"title": meeting.title},
                    body=_("%(when)s at %(venue)s.")
                    % {"when": _when(meeting), "venue": meeting.venue or "–"},
                    url=_meeting_url(meeting),
                    dedupe_key=f"cobuild.meeting.{meeting.pk}.tomorrow",
                )
    return sent


# --- consultations -----------------------------------------------------------------------------


def _check_consultation_dates(opens_on: dt.date, closes_on: dt.date) -> None:
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("A consultation cannot close before it opens.")})


def _check_resolution(actor: Actor, resolution: Resolution | None, area: Area) -> None:
    if resolution is None:
        return
    meeting = resolution.meeting
    if not meeting_manage_allowed(actor=actor, meeting=meeting):
        raise PermissionDenied(_("You may not link to this decision."))
    if not (area.path.startswith(meeting.area.path) or meeting.area.path.startswith(area.path)):
        raise ValidationError(
            {"resolution": _("The decision was taken for another area than %(area)s.") % {"area": area.name}}
        )


@transaction.atomic
def consultation_create(
    *,
    actor: Actor,
    area: Area,
    org: PartyOrg,
    question: str,
    opens_on: dt.date,
    closes_on: dt.date,
    kind: str = ConsultationKind.POLL,
    description: str = "",
    asked: int = 0,
    resolution: Resolution | None = None,
) -> Consultation:
    """Put a question to the households (poll, 征求意见) or residents (deliberation, 民主议事) of
    an area; ``asked`` is how many were asked (for the turnout)."""
    scope = scope_for(actor)
    _require(consultation_create_allowed(actor=actor), _("Only an administrator opens a consultation."))
    if not scope.covers_path(area.path):
        raise PermissionDenied(_("You may not consult %(area)s.") % {"area": area.name})
    if not org.is_territorial:
        raise ValidationError({"org": _("A consultation is opened by a territorial Party organisation.")})
    if not scope.covers_path(org.area.path):
        raise PermissionDenied(_("You may not ask on behalf of %(org)s.") % {"org": org.name})
    if not (area.path.startswith(org.area.path) or org.area.path.startswith(area.path)):
        raise ValidationError(
            {"org": _("%(org)s does not sit in %(area)s.") % {"org": org.name, "area": area.name}}
        )
    if kind not in ConsultationKind.values:
        raise ValidationError({"kind": _("Choose a poll or a deliberation.")})
    question = _clean_text(question, "question", _("Write the question."), 300)
    _check_consultation_dates(opens_on, closes_on)
    if asked is None or asked < 0:
        raise ValidationError({"asked": _("Give how many households or residents are asked.")})
    _check_resolution(actor, resolution, area)
    consultation = Consultation(
        area=area,
        org=org,
        kind=kind,
        question=question,
        description=(description or "").strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        asked=asked,
        resolution=resolution,
        created_by=person(actor),
    )
    consultation.full_clean()
    consultation.save()
    audit_record(
        actor=actor,
        action="consultation.create",
        obj=consultation,
        changes=snapshot(consultation, ("area", "org", "kind", "question", "opens_on", "closes_on", "asked")),
    )
    return consultation


@transaction.atomic
def consultation_update(*, actor: Actor, consultation: Consultation, **changes: Any) -> Consultation:
    consultation = Consultation.objects.select_for_update().select_related("area").get(pk=consultation.pk)
    _require(
        consultation_manage_allowed(actor=actor, consultation=consultation),
        _("You may not change this consultation."),
    )
    if "question" in changes:
        changes["question"] = _clean_text(changes["question"], "question", _("Write the question."), 300)
    opens_on = changes.get("opens_on", consultation.opens_on)
    closes_on = changes.get("closes_on", consultation.closes_on)
    _check_consultation_dates(opens_on, closes_on)
    first = consultation.answers.order_by("at").first()
    if first is not None and timezone.localtime(first.at).date() < opens_on:
        raise ValidationError({"opens_on": _("Answers were recorded before that date.")})
    if changes.get("asked", 0) is None or changes.get("asked", 0) < 0:
        raise ValidationError({"asked": _("Give how many households or residents are asked.")})
    changed = apply_changes(consultation, changes, CONSULTATION_FIELDS)
    if changed:
        consultation.save()
        audit_record(actor=actor, action="consultation.update", obj=consultation, changes=changed)
    return consultation


def _check_respondent(label: str) -> str:
    label = _clean_text(label, "respondent", _("Name the household by its door, e.g. 3栋2单元401."), 120)
    if _LONG_NUMBER.search(label) or label.startswith("user:"):
        raise ValidationError(
            {
                "respondent": _(
                    "Name the household by its door (e.g. 3栋2单元401), never by an ID or phone number."
                )
            }
        )
    return label


@transaction.atomic
def consultation_answer(
    *,
    actor: Actor,
    consultation: Consultation,
    answer: str,
    respondent: str = "",
    comment: str = "",
    answered_on: dt.date | None = None,
) -> ConsultationAnswer:
    """Record one answer. Staff of the area record a household's answer by its door label (on the
    day it was given, inside the consultation's dates); a resident of the area answers once,
    themself, while it is open."""
    consultation = Consultation.objects.select_for_update().select_related("area").get(pk=consultation.pk)
    staff = consultation_manage_allowed(actor=actor, consultation=consultation)
    if not staff and not _resident_of(actor, consultation):
        raise PermissionDenied(_("This consultation is not put to you."))
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Answer in favour, against or no opinion.")})
    today = _today()
    on = (answered_on or today) if staff else today
    if on > today:
        raise ValidationError({"answered_on": _("An answer cannot be given in the future.")})
    if not consultation_open(consultation=consultation, today=on):
        raise ValidationError(
            {
                "answered_on": _("The consultation takes answers from %(opens)s to %(closes)s.")
                % {"opens": consultation.opens_on.isoformat(), "closes": consultation.closes_on.isoformat()}
            }
        )
    label = _check_respondent(respondent) if staff else _own_label(actor)
    if ConsultationAnswer.objects.filter(consultation=consultation, respondent=label).exists():
        message = (
            _("%(who)s has already answered.") % {"who": label} if staff else _("You have already answered.")
        )
        raise ValidationError({"respondent": message})
    at = timezone.now() if on == today else timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    row = ConsultationAnswer(
        consultation=consultation,
        respondent=label,
        user=None if staff else person(actor),
        answer=answer,
        comment=mask_in_text((comment or "").strip())[:300],
        at=at,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise ValidationError({"respondent": _("This household has already answered.")}) from exc
    audit_record(
        actor=actor,
        action="consultation.answer",
        obj=row,
        changes={
            "consultation": consultation.pk,
            "respondent": label,
            "answer": answer,
            "by": "staff" if staff else "self",
        },
    )
    return row


@transaction.atomic
def consultation_attach(
    *,
    actor: Actor,
    consultation: Consultation,
    resolution: Resolution | None = None,
    decision: str = "",
) -> Consultation:
    """Attach the consultation to the decision it informed: a meeting's resolution, and/or the
    decision in words (湘峰村: street lights, 99% in favour)."""
    consultation = Consultation.objects.select_for_update().select_related("area").get(pk=consultation.pk)
    _require(
        consultation_manage_allowed(actor=actor, consultation=consultation),
        _("You may not change this consultation."),
    )
    decision = (decision or "").strip()
    if resolution is None and not decision:
        raise ValidationError({"decision": _("Choose the decision or describe it.")})
    _check_resolution(actor, resolution, consultation.area)
    changes: dict[str, Any] = {}
    if resolution is not None:
        changes["resolution"] = resolution
    if decision:
        changes["decision"] = decision
    changed = apply_changes(consultation, changes, ("resolution", "decision"))
    if changed:
        consultation.save()
        audit_record(actor=actor, action="consultation.attach", obj=consultation, changes=changed)
    return consultation
