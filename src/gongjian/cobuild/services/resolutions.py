"""Resolutions of a joint meeting and their action items, open until closed with a report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.events import Event
from gongjian.core.notify import announce, remind
from gongjian.core.pii import mask_in_text
from gongjian.orgs.models import PartyOrg, ResidentUnit

from .. import audience
from ..models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaStatus,
    JointMeeting,
    MeetingStatus,
    MeetingUnit,
    Resolution,
)
from .meeting_rules import (
    _action_owner_or_staff,
    _announce_meeting,
    _check_unit_of_meeting,
    _clean_text,
    _convener_staff,
    _invited_liaisons,
    _lock,
    _require_manage,
    _require_status,
    _today,
)

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
        action=Event.RESOLUTION_RECORD,
        obj=resolution,
        changes={
            "meeting": meeting.pk,
            "agenda_item": agenda_item.pk if agenda_item else None,
            "text": text,
            "actions": [{"id": i.pk, **_action_summary(i)} for i in items],
        },
    )
    _announce_meeting(Event.RESOLUTION_RECORD, actor, meeting, _invited_liaisons(meeting), text)
    for item in items:
        _announce_action(actor, item)
    return resolution


def _announce_action(actor: Actor, item: ActionItem) -> None:
    """The unit or organisation given an action item hears of it (with its due date)."""
    due = item.due_on.isoformat() if item.due_on else ""
    announce(
        Event.ACTION_ADD,
        actor=actor,
        recipients=audience.action_owner_people(item),
        title=lambda: f"{Event.ACTION_ADD.label}：{item.title}",
        body=due,
        url=audience.action_url(item),
    )


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
        action=Event.ACTION_ADD,
        obj=item,
        changes={"resolution": resolution.pk, **_action_summary(item)},
    )
    _announce_action(actor, item)
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
        action=Event.ACTION_CLOSE,
        obj=item,
        changes={
            "status": [ActionStatus.OPEN, ActionStatus.CLOSED],
            "closed_on": closed_on,
            "report": item.report,
        },
    )
    announce(
        Event.ACTION_CLOSE,
        actor=actor,
        recipients=_convener_staff(item.meeting),
        title=lambda: f"{Event.ACTION_CLOSE.label}：{item.title}",
        body=item.report,
        url=audience.action_url(item),
    )
    return item


#: Action items are reminded this many days before they are due, and once when overdue.
ACTION_DUE_SOON = dt.timedelta(days=3)


def action_items_remind(*, today: dt.date) -> int:
    """Daily (``gongjian daily``): the unit or organisation given an open action item hears three
    days before it is due and once when it is overdue. Returns how many were sent."""
    sent = 0
    items = (
        ActionItem.objects.filter(
            status=ActionStatus.OPEN, due_on__isnull=False, due_on__lte=today + ACTION_DUE_SOON
        )
        .select_related("owner_unit__area", "owner_org__area")
        .order_by("due_on", "pk")
    )
    for item in items:
        assert item.due_on is not None
        overdue = item.due_on < today
        kind = "cobuild.action.overdue" if overdue else "cobuild.action.due"
        title, due = item.title, item.due_on.isoformat()
        sent += remind(
            kind,
            recipients=audience.action_owner_people(item),
            title=(
                (lambda: _("Overdue since %(due)s: %(title)s") % {"due": due, "title": title})  # noqa: B023
                if overdue
                else (lambda: _("Due on %(due)s: %(title)s") % {"due": due, "title": title})  # noqa: B023
            ),
            url=audience.action_url(item),
            dedupe_key=f"{kind}.{item.pk}",
        )
    return sent
