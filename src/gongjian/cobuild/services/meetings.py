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

The services live by aggregate: ``meeting_rules`` (who may do what, shared helpers), this module
(the meeting itself: convening, invitations, holding, attendance, pledges, minutes, reminders),
``agenda`` (topics and the agenda), ``resolutions`` (resolutions and action items) and
``consultations``. Their public names are re-exported here (``__all__``), so
``meetings.agenda_item_add`` and the rest keep working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, signed_in
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.events import Event
from gongjian.core.notify import announce, remind
from gongjian.core.services import apply_changes
from gongjian.orgs.models import Alliance, AllianceMember, Area, Dated, PartyOrg, ResidentUnit

from ..models import (
    Agreement,
    Attendance,
    JointMeeting,
    MeetingLevel,
    MeetingStatus,
    MeetingUnit,
    Pledge,
    PledgeKind,
)
from ..selectors.meetings import sign_in_signature, sign_in_token_valid
from .agenda import (
    agenda_item_accept,
    agenda_item_add,
    agenda_item_decline,
    agenda_item_move,
    agenda_item_outcome,
    agenda_topic_propose,
    meeting_send_agenda,
)
from .consultations import (
    consultation_answer,
    consultation_attach,
    consultation_create,
    consultation_update,
)
from .meeting_rules import (
    _LONG_NUMBER,
    BEFORE_HELD,
    CONSULTATION_FIELDS,
    LEVEL_OF_AREA,
    MEETING_FIELDS,
    SIGN_IN_EARLY,
    _announce_meeting,
    _check_unit_of_meeting,
    _clean_text,
    _convener_staff,
    _invited_liaisons,
    _liaison_units,
    _liaisons_of,
    _lock,
    _meeting_url,
    _notify_topics_open,
    _require,
    _require_manage,
    _require_status,
    _status_message,
    _today,
    _unit_visible,
    _when,
    action_item_add_allowed,
    action_item_close_allowed,
    agenda_change_allowed,
    agenda_frozen,
    agenda_send_allowed,
    attendance_add_allowed,
    consultation_answer_allowed,
    consultation_create_allowed,
    consultation_manage_allowed,
    consultation_open,
    meeting_agreement_allowed,
    meeting_cancel_allowed,
    meeting_close_allowed,
    meeting_convene_allowed,
    meeting_hold_allowed,
    meeting_manage_allowed,
    meeting_permissions,
    meeting_record_allowed,
    meeting_sign_in_window,
    meeting_units_change_allowed,
    meeting_update_allowed,
    sign_in_open,
    topic_propose_allowed,
    topic_window_open,
)
from .resolutions import (
    action_item_add,
    action_item_close,
    resolution_record,
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
    recorded_after_the_fact: bool | None = None,
) -> JointMeeting:
    """Convene a joint meeting. ``area`` is the convening organisation's by default and ``level``
    follows it; an alliance's current member units are invited, with ``units`` besides; the
    previous meeting is the organisation's last one unless given. A start in the past is recorded
    as such, and refused when the person was asked and did not confirm it
    (``recorded_after_the_fact=False``)."""
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
    after_the_fact = starts_at < timezone.now()
    if after_the_fact and recorded_after_the_fact is False:
        raise ValidationError(
            {
                "recorded_after_the_fact": _(
                    "The start is in the past: confirm that you are recording a past meeting."
                )
            }
        )
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
        action=Event.MEETING_CONVENE,
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
            **({"recorded_after_the_fact": True} if after_the_fact else {}),
        },
    )
    _announce_meeting(Event.MEETING_CONVENE, actor, meeting, _invited_liaisons(meeting))
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
        audit_record(actor=actor, action=Event.MEETING_UPDATE, obj=meeting, changes=changed)
        _announce_meeting(Event.MEETING_UPDATE, actor, meeting, _invited_liaisons(meeting))
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
        action=Event.MEETING_UNIT_ADD,
        obj=meeting,
        changes={"unit": unit.pk, "representative": row.representative},
    )
    _announce_meeting(Event.MEETING_UNIT_ADD, actor, meeting, _liaisons_of([unit.pk]))
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
        action=Event.MEETING_UNIT_REMOVE,
        obj=meeting,
        changes={"unit": unit.pk, "representative": row.representative},
    )
    _announce_meeting(Event.MEETING_UNIT_REMOVE, actor, meeting, _liaisons_of([unit.pk]))
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
        action=Event.MEETING_HOLD,
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
        action=Event.MEETING_CANCEL,
        obj=meeting,
        changes={"status": [before, MeetingStatus.CANCELLED]},
        reason=reason,
    )
    announce(
        Event.MEETING_CANCEL,
        actor=actor,
        recipients=_invited_liaisons(meeting),
        title=_("Cancelled: %(title)s") % {"title": meeting.title},
        body=reason,
        url=_meeting_url(meeting),
        dedupe_key=f"cobuild.meeting.{meeting.pk}.cancelled",
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
        action=Event.MEETING_SIGN_IN,
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
        action=Event.MEETING_ATTENDANCE_ADD,
        obj=row,
        changes=snapshot(row, ("meeting", "person_name", "unit", "method")),
    )
    return row


# --- pledges, minutes, closing --------------------------------------------------------------


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
    kind: str = "",
) -> Pledge:
    """A commitment made at the meeting (承诺), e.g. "100+ professors will lecture": quantity 100,
    measure 人, at least, of the kind "lecturers" (counted in ``pledges.lecturers``)."""
    meeting = _lock(meeting)
    _require_manage(actor, meeting)
    _require_status(meeting, (MeetingStatus.HELD,), _("Pledges are recorded at the held meeting."))
    text = _clean_text(text, "text", _("Write what is pledged."), 200)
    measure = (measure or "").strip()
    if quantity is not None and quantity < 0:
        raise ValidationError({"quantity": _("A quantity cannot be negative.")})
    if quantity is None and (measure or at_least):
        raise ValidationError({"quantity": _("Give the quantity the measure or “at least” refers to.")})
    kind = kind or ""
    if kind and kind not in PledgeKind.values:
        raise ValidationError({"kind": _("Choose a kind of pledge from the list.")})
    if kind and quantity is None:
        raise ValidationError(
            {"quantity": _("Give the quantity pledged: it counts in the figures of its kind.")}
        )
    _check_unit_of_meeting(actor, meeting, unit, "unit")
    pledge = Pledge(
        meeting=meeting,
        unit=unit,
        text=text,
        quantity=quantity,
        measure=measure,
        at_least=bool(at_least),
        kind=kind,
    )
    pledge.full_clean()
    pledge.save()
    audit_record(
        actor=actor,
        action=Event.MEETING_PLEDGE,
        obj=pledge,
        changes=snapshot(pledge, ("meeting", "unit", "text", "quantity", "measure", "at_least", "kind")),
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
    audit_record(
        actor=actor, action=Event.MEETING_MINUTES, obj=meeting, changes={"minutes": [before, minutes]}
    )
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
        action=Event.MEETING_CLOSE,
        obj=meeting,
        changes={"status": [MeetingStatus.HELD, MeetingStatus.CLOSED], "minutes_at": meeting.minutes_at},
    )
    _announce_meeting(Event.MEETING_CLOSE, actor, meeting, _invited_liaisons(meeting))
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
        actor=actor, action=Event.MEETING_AGREEMENT, obj=agreement, changes={"meeting": [None, meeting.pk]}
    )
    return agreement


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
                sent += remind(
                    "cobuild.meeting.topics",
                    recipients=_invited_liaisons(meeting),
                    title=_("Propose topics for %(title)s") % {"title": meeting.title},
                    body=_("Topics are collected until the agenda is sent on %(due)s.")
                    % {"due": meeting.agenda_due_on.isoformat()},
                    url=_meeting_url(meeting),
                    dedupe_key=f"cobuild.meeting.{meeting.pk}.topics",
                )
            if meeting.status == MeetingStatus.PLANNED and today >= meeting.agenda_due_on - dt.timedelta(
                days=1
            ):
                sent += remind(
                    "cobuild.meeting.agenda_due",
                    recipients=_convener_staff(meeting),
                    title=_("Send the agenda of %(title)s") % {"title": meeting.title},
                    body=_("The agenda goes to the level above by %(due)s.")
                    % {"due": meeting.agenda_due_on.isoformat()},
                    url=_meeting_url(meeting),
                    dedupe_key=f"cobuild.meeting.{meeting.pk}.agenda_due",
                )
            if meeting.day == today + dt.timedelta(days=1):
                sent += remind(
                    "cobuild.meeting.tomorrow",
                    recipients=[*_invited_liaisons(meeting), *_convener_staff(meeting)],
                    title=_("Tomorrow: %(title)s") % {"title": meeting.title},
                    body=_("%(when)s at %(venue)s.")
                    % {"when": _when(meeting), "venue": meeting.venue or "–"},
                    url=_meeting_url(meeting),
                    dedupe_key=f"cobuild.meeting.{meeting.pk}.tomorrow",
                )
    return sent


#: This module's services and, re-exported, those of the other meeting modules.
__all__ = [
    "BEFORE_HELD",
    "CONSULTATION_FIELDS",
    "LEVEL_OF_AREA",
    "MEETING_FIELDS",
    "SIGN_IN_EARLY",
    "action_item_add",
    "action_item_add_allowed",
    "action_item_close",
    "action_item_close_allowed",
    "agenda_change_allowed",
    "agenda_frozen",
    "agenda_item_accept",
    "agenda_item_add",
    "agenda_item_decline",
    "agenda_item_move",
    "agenda_item_outcome",
    "agenda_send_allowed",
    "agenda_topic_propose",
    "attendance_add",
    "attendance_add_allowed",
    "attendance_sign_in",
    "consultation_answer",
    "consultation_answer_allowed",
    "consultation_attach",
    "consultation_create",
    "consultation_create_allowed",
    "consultation_manage_allowed",
    "consultation_open",
    "consultation_update",
    "meeting_agreement_allowed",
    "meeting_cancel",
    "meeting_cancel_allowed",
    "meeting_close",
    "meeting_close_allowed",
    "meeting_convene",
    "meeting_convene_allowed",
    "meeting_hold",
    "meeting_hold_allowed",
    "meeting_manage_allowed",
    "meeting_minutes_record",
    "meeting_permissions",
    "meeting_record_agreement",
    "meeting_record_allowed",
    "meeting_send_agenda",
    "meeting_sign_in_token",
    "meeting_sign_in_window",
    "meeting_unit_add",
    "meeting_unit_remove",
    "meeting_units_change_allowed",
    "meeting_update",
    "meeting_update_allowed",
    "meetings_remind",
    "pledge_add",
    "resolution_record",
    "sign_in_open",
    "topic_propose_allowed",
    "topic_window_open",
]
