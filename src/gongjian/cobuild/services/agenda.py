"""Topics and the agenda of a joint meeting: units propose topics, the convener accepts, declines
and orders them, and the agenda goes to the level above."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.orgs.models import ResidentUnit

from ..models import (
    AgendaItem,
    AgendaSource,
    AgendaStatus,
    JointMeeting,
    MeetingStatus,
    MeetingUnit,
)
from ..selectors.meetings import open_actions_before
from .meeting_rules import (
    BEFORE_HELD,
    _admins_on,
    _announce_meeting,
    _clean_text,
    _convener_staff,
    _invited_liaisons,
    _level_above,
    _liaison_units,
    _liaisons_of,
    _lock,
    _meeting_url,
    _reason_if_frozen,
    _require,
    _require_manage,
    _require_status,
    _status_message,
    _today,
    _when,
    meeting_manage_allowed,
)

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
        action=Event.AGENDA_PROPOSE,
        obj=item,
        changes=snapshot(item, ("meeting", "title", "proposed_by_unit")),
    )
    announce(
        Event.AGENDA_PROPOSE,
        actor=actor,
        recipients=_convener_staff(meeting),
        title=lambda: f"{Event.AGENDA_PROPOSE.label}：{item.title}",
        body=meeting.title,
        url=_meeting_url(meeting),
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
        action=Event.AGENDA_ADD,
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
        action=Event.AGENDA_ACCEPT if status == AgendaStatus.ACCEPTED else Event.AGENDA_DECLINE,
        obj=item,
        changes={"status": [before, status], "meeting": meeting.pk},
        reason=reason,
    )
    event = Event.AGENDA_ACCEPT if status == AgendaStatus.ACCEPTED else Event.AGENDA_DECLINE
    proposers = list(_liaisons_of([item.proposed_by_unit_id])) if item.proposed_by_unit_id else []
    announce(
        event,
        actor=actor,
        recipients=[*proposers, *([item.proposed_by] if item.proposed_by is not None else [])],
        title=lambda: f"{event.label}：{item.title}",
        body=reason or meeting.title,
        url=_meeting_url(meeting),
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
        action=Event.AGENDA_MOVE,
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
    audit_record(actor=actor, action=Event.AGENDA_OUTCOME, obj=item, changes={"outcome": [before, outcome]})
    _announce_meeting(
        Event.AGENDA_OUTCOME, actor, meeting, _invited_liaisons(meeting), f"{item.title}\n{outcome}"
    )
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
        action=Event.MEETING_SEND_AGENDA,
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
    announce(
        Event.MEETING_SEND_AGENDA,
        actor=actor,
        recipients=recipients,
        title=title,
        body=body,
        url=_meeting_url(meeting),
        dedupe_key=f"cobuild.meeting.{meeting.pk}.agenda",
    )
    return meeting
