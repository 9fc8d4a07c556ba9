"""Every write of appeals: ``appeal_verb(*, actor, ...)``, one transaction, one audit entry.

The order of an appeal's steps::

    registered → assigned → answered → solved | unsolvable → closed → called back
                 (reassigned with a reason while assigned or answered)
    closed → reopened (within GONGJIAN_APPEALS_REOPEN_DAYS, by the resident) → answered → …

Who may do what:

- register: administrators over the appeal's area (staff registering on a resident's behalf,
  from the hotline, a walk-in, a grid worker …), or a resident or member for their own community,
  online (the appeal is then theirs);
- assign, reassign, close: administrators over the appeal's area (community and street staff, and
  those above them), to a Party organisation sitting in their subtree;
- call back: administrators over the appeal's area who did not handle it (neither answered nor
  reported the outcome in this round, and not of the unit assigned): the call-back is independent;
- answer, report solved or unsolvable: the same administrators, and the liaison of the unit whose
  Party organisation the appeal is assigned to;
- rate: the resident who raised it online, once it is solved (or found unsolvable), once.

Each step takes an optional time ``at`` (default: now): never in the future, never before the
previous step of the appeal. Each step locks the appeal's row (``select_for_update``), so two
people cannot both close it: the second sees it closed and is refused. Bad input is a
``ValidationError`` in the user's language and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, is_person, signed_in
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.notify import announce, remind
from gongjian.orgs.models import Area, Dated, Level, PartyOrg

from . import audience, deadlines, selectors
from .models import (
    Appeal,
    AppealClosure,
    AppealEvent,
    AppealHandoff,
    AppealKind,
    AppealStatus,
    CallBackChannel,
    CallBackResult,
    Channel,
    EventKind,
    HandoffStatus,
    Outcome,
    Rating,
    WorkingDaySchedule,
)

#: A time a little ahead of the server's clock (a phone's clock) is still "now".
FUTURE_SLACK = dt.timedelta(minutes=5)
_PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{6,19}$")


# --- who may do what --------------------------------------------------------------------------


def appeal_register_allowed(*, actor: Actor) -> bool:
    """Staff with a place on the map, or a resident or member of a community."""
    scope = scope_for(actor)
    return scope.everything or bool(scope.area_paths) or bool(selectors.home_paths(actor))


def appeal_register_staff_allowed(*, actor: Actor) -> bool:
    """Staff with a place on the map (who register appeals on residents' behalf)."""
    scope = scope_for(actor)
    return scope.everything or bool(scope.area_paths)


def appeal_manage_allowed(*, actor: Actor, appeal: Appeal) -> bool:
    """Administrators over the appeal's area."""
    return scope_for(actor).covers_path(appeal.area.path)


def appeal_handle_allowed(*, actor: Actor, appeal: Appeal) -> bool:
    """Administrators over the appeal's area, and the liaison of the unit it is assigned to."""
    if appeal_manage_allowed(actor=actor, appeal=appeal):
        return True
    org = appeal.assigned_org
    return org is not None and _speaks_for(actor, org)


def appeal_actions(*, actor: Actor, appeal: Appeal) -> list[str]:
    """The steps the actor may take on the appeal now (the buttons and forms a page offers)."""
    manage = appeal_manage_allowed(actor=actor, appeal=appeal)
    handle = manage or appeal_handle_allowed(actor=actor, appeal=appeal)
    status = appeal.status
    out: list[str] = []
    if manage and status == AppealStatus.REGISTERED:
        out.append("assign")
    if manage and status in (AppealStatus.ASSIGNED, AppealStatus.ANSWERED) and not _handed_off(appeal):
        out.append("reassign")
    if handle and status == AppealStatus.ASSIGNED:
        out.append("answer")
    pending = selectors.appeal_pending_handoff(appeal=appeal)
    if handle and status == AppealStatus.ANSWERED and pending is None:
        out.append("solve")
    if handle and status in (AppealStatus.ASSIGNED, AppealStatus.ANSWERED) and pending is None:
        out.append("hand_off")
    if pending is not None and _speaks_for(actor, pending.to_org):
        out.extend(["accept_handoff", "return_handoff"])
    if manage and status in (AppealStatus.SOLVED, AppealStatus.UNSOLVABLE):
        out.append("close")
    if (
        manage
        and status == AppealStatus.CLOSED
        and appeal.callback_result in ("", CallBackResult.NOT_REACHED)
        and _independent(actor, appeal)
    ):
        out.append("call_back")
    if _can_rate(actor, appeal):
        out.append("rate")
    if _may_reopen(actor, appeal) and _reopen_open(appeal, timezone.now()):
        out.append("reopen")
    if handle:
        out.append("reveal")
    return out


def _handed_off(appeal: Appeal) -> bool:
    return selectors.appeal_pending_handoff(appeal=appeal) is not None


def _can_rate(actor: Actor, appeal: Appeal) -> bool:
    return (
        is_person(actor)
        and appeal.resident_id == actor.pk
        and appeal.channel == Channel.ONLINE
        and appeal.solved_at is not None
        and not appeal.resident_rating
    )


def _require_manage(actor: Actor, appeal: Appeal) -> None:
    if not appeal_manage_allowed(actor=actor, appeal=appeal):
        raise PermissionDenied(_("Only the staff of %(area)s may do this.") % {"area": appeal.area.name})


def _require_handle(actor: Actor, appeal: Appeal) -> None:
    if not appeal_handle_allowed(actor=actor, appeal=appeal):
        raise PermissionDenied(
            _("Only the staff of the area or the organisation it is assigned to may do this.")
        )


# --- helpers ----------------------------------------------------------------------------------


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _not_future(at: dt.datetime | None, field: str = "at") -> dt.datetime:
    now = timezone.now()
    when = _aware(at) if at is not None else now
    if when > now + FUTURE_SLACK:
        raise ValidationError({field: _("The time cannot be in the future.")}, code="future")
    return when


def _last_step(appeal: Appeal) -> dt.datetime:
    last: dt.datetime | None = AppealEvent.objects.filter(appeal=appeal).aggregate(last=Max("at"))["last"]
    return last or appeal.registered_at


def _when(appeal: Appeal, at: dt.datetime | None) -> dt.datetime:
    """The time of a new step: now by default; never in the future, never before the last step."""
    when = _not_future(at)
    last = _last_step(appeal)
    if when < last:
        raise ValidationError(
            {
                "at": _("Times cannot go backwards: the last step of this appeal was at %(last)s.")
                % {"last": _local(last)}
            },
            code="backwards",
        )
    return when


def _locked(appeal: Appeal) -> Appeal:
    """The appeal's row, locked until the transaction ends, as it is now."""
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("area", "assigned_org", "assigned_org__unit")
        .get(pk=appeal.pk)
    )


def _event(
    appeal: Appeal,
    kind: str,
    at: dt.datetime,
    actor: Actor | None,
    note: str = "",
    org: PartyOrg | None = None,
) -> AppealEvent:
    return AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        at=at,
        actor=signed_in(actor),
        org=org,
        note=note,
    )


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="state")


def _refuse_while_handed_off(appeal: Appeal) -> None:
    if AppealHandoff.objects.filter(appeal=appeal, status=HandoffStatus.PENDING).exists():
        raise _refuse(
            _(
                "A hand-off of this appeal is waiting for acceptance: wait for the answer of the receiving side."
            )
        )


def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if not phone:
        raise ValidationError({"phone": _("Enter the resident's phone number, for the call-back.")})
    if not _PHONE_RE.match(phone):
        raise ValidationError({"phone": _("Enter a phone number of digits (a mobile or a landline number).")})
    return phone


def _next_number(registered_at: dt.datetime) -> str:
    """SQ + year and month of the registration (local) + a serial of that month: SQ2018090001."""
    prefix = f"SQ{timezone.localtime(registered_at):%Y%m}"
    last = (
        Appeal.objects.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:04d}"


def _notify_resident(appeal: Appeal, actor: Actor, event: Event, title: str) -> None:
    announce(
        event,
        actor=actor,
        recipients=audience.resident_people(appeal),
        title=title,
        url=reverse("appeals:detail", args=[appeal.pk]),
    )


def _announce_to(
    appeal: Appeal, actor: Actor | None, event: Event, people: list[Any], body: str = ""
) -> None:
    """ "<event>: <number> <title>" to ``people``, linking to the appeal."""
    number, title = appeal.number, appeal.title
    announce(
        event,
        actor=actor,
        recipients=people,
        title=lambda: f"{event.label}：{number}",
        body=body or title,
        url=reverse("appeals:detail", args=[appeal.pk]),
    )


# --- register ---------------------------------------------------------------------------------


@transaction.atomic
def appeal_register(
    *,
    actor: Actor,
    area: Area,
    kind: str,
    title: str,
    description: str = "",
    channel: str = "",
    resident_name: str = "",
    phone: str = "",
    registered_at: dt.datetime | None = None,
) -> Appeal:
    """Register an appeal: by staff over ``area`` on a resident's behalf (any channel; the time it
    came in may be given), or by a resident or member online for their own community (the appeal
    is theirs; registered now). The due time comes from ``deadlines``; whether days are working
    days from the setting ``GONGJIAN_APPEALS_WORKING_DAYS``, copied onto the appeal."""
    scope = scope_for(actor)
    staff = scope.covers_path(area.path)
    online = not staff and any(area.path.startswith(h) for h in selectors.home_paths(actor))
    if not (staff or online):
        raise PermissionDenied(_("You may not register an appeal about %(area)s.") % {"area": area.name})
    errors: dict[str, str] = {}
    if area.level < Level.COMMUNITY:
        errors["area"] = _("An appeal concerns a community, a compound or a building: choose one.")
    elif not Area.objects.filter(Dated.on(timezone.localdate()), pk=area.pk).exists():
        errors["area"] = _("%(area)s is no longer on the map.") % {"area": area.name}
    if kind not in AppealKind.values:
        errors["kind"] = _("Choose the kind of appeal.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Say in a few words what the appeal is about.")
    if online:
        channel = Channel.ONLINE
        resident_name = (resident_name or "").strip() or str(actor)
        registered_at = None
    elif channel not in Channel.values:
        errors["channel"] = _("Choose how the appeal came in.")
    resident_name = (resident_name or "").strip()
    if not resident_name:
        errors["resident_name"] = _("Enter the resident's name.")
    if errors:
        raise ValidationError(errors)
    phone = _clean_phone(phone)
    when = _not_future(registered_at, "registered_at")
    working_days = bool(getattr(settings, "GONGJIAN_APPEALS_WORKING_DAYS", False))
    due = deadlines.due_at(
        timezone.localtime(when),
        kind,
        working_days=working_days,
        schedules=selectors.working_day_schedules() if working_days else None,
    )
    appeal = Appeal(
        area=area,
        channel=channel,
        kind=kind,
        title=title[:200],
        description=(description or "").strip(),
        resident=signed_in(actor) if online else None,
        resident_name=resident_name[:60],
        registered_at=when,
        registered_by=signed_in(actor),
        working_days=working_days,
        due_at=due,
    )
    appeal.set_phone(phone)
    for _attempt in range(5):
        appeal.number = _next_number(when)
        try:
            with transaction.atomic():
                appeal.save()
            break
        except IntegrityError:
            if not Appeal.objects.filter(number=appeal.number).exists():
                raise
            appeal.pk = None
    else:
        raise ValidationError(_("Too many appeals are being registered at once; please try again."))
    _event(appeal, EventKind.REGISTERED, when, actor)
    audit_record(
        actor=actor,
        action=Event.APPEAL_REGISTER,
        obj=appeal,
        changes={
            "number": appeal.number,
            "area": area.pk,
            "channel": channel,
            "kind": kind,
            "title": appeal.title,
            "resident_name": appeal.resident_name,
            "phone": appeal.phone_masked,
            "registered_at": when,
            "due_at": due,
            "working_days": working_days,
            "online": online,
        },
    )
    _announce_to(appeal, actor, Event.APPEAL_REGISTER, audience.area_people(appeal))
    return appeal


# --- assign -----------------------------------------------------------------------------------


def _check_org(actor: Actor, org: PartyOrg, when: dt.datetime) -> None:
    """The organisation sits in the actor's subtree and is in force on the day of the step."""
    if not selectors.org_choices(actor=actor, on=timezone.localdate(when)).filter(pk=org.pk).exists():
        raise ValidationError({"org": _("Choose an organisation in force in the area you administer.")})


@transaction.atomic
def appeal_assign(
    *, actor: Actor, appeal: Appeal, org: PartyOrg, note: str = "", at: dt.datetime | None = None
) -> Appeal:
    """Assign a registered appeal to a Party organisation (派单)."""
    appeal = _locked(appeal)
    _require_manage(actor, appeal)
    if appeal.status != AppealStatus.REGISTERED:
        raise _refuse(
            _(
                "Only an appeal registered and not yet assigned can be assigned; to change the organisation, "
                "reassign it with a reason."
            )
        )
    when = _when(appeal, at)
    _check_org(actor, org, when)
    appeal.assigned_org = org
    appeal.assigned_at = when
    appeal.status = AppealStatus.ASSIGNED
    appeal.save(update_fields=["assigned_org", "assigned_at", "status"])
    _event(appeal, EventKind.ASSIGNED, when, actor, note=(note or "").strip(), org=org)
    audit_record(
        actor=actor,
        action=Event.APPEAL_ASSIGN,
        obj=appeal,
        changes={"status": [AppealStatus.REGISTERED, AppealStatus.ASSIGNED], "org": org.pk, "at": when},
    )
    announce(
        Event.APPEAL_ASSIGN,
        actor=actor,
        recipients=audience.org_people(org),
        title=lambda: _("Appeal %(number)s assigned to %(org)s") % {"number": appeal.number, "org": org.name},
        body=appeal.title,
        url=reverse("appeals:detail", args=[appeal.pk]),
    )
    return appeal


@transaction.atomic
def appeal_reassign(
    *, actor: Actor, appeal: Appeal, org: PartyOrg, reason: str, at: dt.datetime | None = None
) -> Appeal:
    """Assign an appeal being handled to another organisation, with a reason (改派). The first
    answer, if given, stays: the resident was answered."""
    appeal = _locked(appeal)
    _require_manage(actor, appeal)
    if appeal.status not in (AppealStatus.ASSIGNED, AppealStatus.ANSWERED):
        raise _refuse(_("Only an appeal assigned and not yet solved can be reassigned."))
    _refuse_while_handed_off(appeal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the appeal goes to another organisation.")})
    if org.pk == appeal.assigned_org_id:
        raise ValidationError({"org": _("The appeal is already assigned to this organisation.")})
    when = _when(appeal, at)
    _check_org(actor, org, when)
    before = appeal.assigned_org_id
    appeal.assigned_org = org
    appeal.assigned_at = when
    appeal.save(update_fields=["assigned_org", "assigned_at"])
    _event(appeal, EventKind.REASSIGNED, when, actor, note=reason, org=org)
    audit_record(
        actor=actor,
        action=Event.APPEAL_REASSIGN,
        obj=appeal,
        changes={"org": [before, org.pk], "at": when},
        reason=reason,
    )
    announce(
        Event.APPEAL_REASSIGN,
        actor=actor,
        recipients=audience.org_people(org),
        title=lambda: _("Appeal %(number)s assigned to %(org)s") % {"number": appeal.number, "org": org.name},
        body=appeal.title,
        url=reverse("appeals:detail", args=[appeal.pk]),
    )
    return appeal


# --- hand-offs (转办) --------------------------------------------------------------------------


def handoff_hours() -> int:
    """Hours the receiving organisation has to accept a hand-off (``GONGJIAN_APPEALS_HANDOFF_HOURS``)."""
    return int(settings.GONGJIAN_APPEALS_HANDOFF_HOURS)


def _pending_handoff(appeal: Appeal) -> AppealHandoff | None:
    return (
        AppealHandoff.objects.select_for_update(of=("self",))
        .select_related("from_org__area", "to_org__area")
        .filter(appeal=appeal, status=HandoffStatus.PENDING)
        .first()
    )


def _speaks_for(actor: Actor, org: PartyOrg) -> bool:
    """The actor answers for ``org``: the liaison of its unit, or an administrator over its area."""
    scope = scope_for(actor)
    return scope.covers_unit(org.unit_id) or scope.covers_path(org.area.path)


def appeal_handoff_decide_allowed(*, actor: Actor, appeal: Appeal) -> bool:
    """Whoever answers for the organisation a pending hand-off of the appeal goes to."""
    pending = selectors.appeal_pending_handoff(appeal=appeal)
    return pending is not None and _speaks_for(actor, pending.to_org)


@transaction.atomic
def appeal_hand_off(
    *, actor: Actor, appeal: Appeal, org: PartyOrg, reason: str, at: dt.datetime | None = None
) -> AppealHandoff:
    """Hand an appeal being handled to another organisation (转办), with a reason: the receiving
    side accepts it or returns it within ``GONGJIAN_APPEALS_HANDOFF_HOURS``; until then the
    organisation handling it still owns it (首接负责), and the appeal's due time does not move. The
    staff of the area or the liaison of the unit handling it hand off, to a Party organisation in
    force in the appeal's city; the receiving side is told (it must act)."""
    appeal = _locked(appeal)
    _require_handle(actor, appeal)
    if appeal.status not in (AppealStatus.ASSIGNED, AppealStatus.ANSWERED) or appeal.assigned_org is None:
        raise _refuse(_("Only an appeal assigned and not yet solved can be handed off."))
    if _pending_handoff(appeal) is not None:
        raise _refuse(_("A hand-off of this appeal is already waiting for acceptance."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the appeal is handed off.")})
    if org.pk == appeal.assigned_org_id:
        raise ValidationError({"org": _("The appeal is already assigned to this organisation.")})
    when = _when(appeal, at)
    if (
        not selectors.handoff_org_choices(appeal=appeal, on=timezone.localdate(when))
        .filter(pk=org.pk)
        .exists()
    ):
        raise ValidationError({"org": _("Choose an organisation in force in the appeal's city.")})
    handoff = AppealHandoff.objects.create(
        appeal=appeal,
        from_org=appeal.assigned_org,
        to_org=org,
        reason=reason,
        asked_at=when,
        asked_by=signed_in(actor),
        answer_by=when + dt.timedelta(hours=handoff_hours()),
    )
    _event(appeal, EventKind.HANDED_OFF, when, actor, note=reason, org=org)
    audit_record(
        actor=actor,
        action=Event.APPEAL_HAND_OFF,
        obj=appeal,
        changes={"from_org": appeal.assigned_org_id, "to_org": org.pk, "answer_by": handoff.answer_by},
        reason=reason,
    )
    number, limit = appeal.number, _local(handoff.answer_by)
    announce(
        Event.APPEAL_HAND_OFF,
        actor=actor,
        recipients=audience.org_people(org),
        title=lambda: (
            _("Appeal %(number)s handed to %(org)s: accept or return it by %(limit)s")
            % {"number": number, "org": org.name, "limit": limit}
        ),
        body=reason,
        url=reverse("appeals:detail", args=[appeal.pk]),
    )
    return handoff


def _decide(actor: Actor, appeal: Appeal) -> tuple[Appeal, AppealHandoff]:
    appeal = _locked(appeal)
    handoff = _pending_handoff(appeal)
    if handoff is None:
        raise _refuse(_("No hand-off of this appeal is waiting for acceptance."))
    if not _speaks_for(actor, handoff.to_org):
        raise PermissionDenied(_("Only the organisation the appeal is handed to may accept or return it."))
    return appeal, handoff


@transaction.atomic
def appeal_accept_handoff(
    *, actor: Actor, appeal: Appeal, note: str = "", at: dt.datetime | None = None
) -> Appeal:
    """The receiving organisation accepts the hand-off: the appeal is now assigned to it (the time
    limit unchanged, the first answer standing); the organisation that handed it off is told."""
    appeal, handoff = _decide(actor, appeal)
    when = _when(appeal, at)
    before = appeal.assigned_org_id
    handoff.status = HandoffStatus.ACCEPTED
    handoff.decided_at = when
    handoff.decided_by = signed_in(actor)
    handoff.save(update_fields=["status", "decided_at", "decided_by"])
    appeal.assigned_org = handoff.to_org
    appeal.assigned_at = when
    appeal.save(update_fields=["assigned_org", "assigned_at"])
    _event(appeal, EventKind.ACCEPTED, when, actor, note=(note or "").strip(), org=handoff.to_org)
    audit_record(
        actor=actor,
        action=Event.APPEAL_ACCEPT_HANDOFF,
        obj=appeal,
        changes={"org": [before, handoff.to_org_id], "at": when},
    )
    _announce_to(
        appeal, actor, Event.APPEAL_ACCEPT_HANDOFF, audience.org_people(handoff.from_org), handoff.to_org.name
    )
    return appeal


@transaction.atomic
def appeal_return_handoff(
    *, actor: Actor, appeal: Appeal, reason: str, at: dt.datetime | None = None
) -> Appeal:
    """The receiving organisation returns the hand-off with a reason: the appeal stays with the
    organisation handling it, which is told why."""
    appeal, handoff = _decide(actor, appeal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the appeal is returned.")})
    when = _when(appeal, at)
    handoff.status = HandoffStatus.RETURNED
    handoff.decided_at = when
    handoff.decided_by = signed_in(actor)
    handoff.return_reason = reason
    handoff.save(update_fields=["status", "decided_at", "decided_by", "return_reason"])
    _event(appeal, EventKind.RETURNED, when, actor, note=reason, org=handoff.from_org)
    audit_record(
        actor=actor,
        action=Event.APPEAL_RETURN_HANDOFF,
        obj=appeal,
        changes={"to_org": handoff.to_org_id, "at": when},
        reason=reason,
    )
    _announce_to(appeal, actor, Event.APPEAL_RETURN_HANDOFF, audience.org_people(handoff.from_org), reason)
    return appeal


def appeal_handoffs_expire(*, now: dt.datetime | None = None) -> int:
    """Hand-offs not accepted nor returned by their limit go back to the organisation that handed
    them off (``gongjian remind``), which is told; returns how many."""
    now = now or timezone.now()
    done = 0
    due = AppealHandoff.objects.filter(status=HandoffStatus.PENDING, answer_by__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            handoff = (
                AppealHandoff.objects.select_for_update()
                .select_related("appeal", "from_org__area", "to_org")
                .get(pk=pk)
            )
            if handoff.status != HandoffStatus.PENDING:
                continue
            appeal = handoff.appeal
            when = max(handoff.answer_by, _last_step(appeal))
            handoff.status = HandoffStatus.EXPIRED
            handoff.decided_at = when
            handoff.save(update_fields=["status", "decided_at"])
            note = _("%(org)s did not accept the hand-off in time.") % {"org": handoff.to_org.name}
            _event(appeal, EventKind.RETURNED, when, None, note=note, org=handoff.from_org)
            audit_record(
                actor=None,
                action=Event.APPEAL_EXPIRE_HANDOFF,
                obj=appeal,
                changes={"to_org": handoff.to_org_id, "answer_by": handoff.answer_by},
            )
            _announce_to(
                appeal, None, Event.APPEAL_EXPIRE_HANDOFF, audience.org_people(handoff.from_org), note
            )
            done += 1
    return done


# --- answer, solve, close ---------------------------------------------------------------------


@transaction.atomic
def appeal_answer(*, actor: Actor, appeal: Appeal, answer: str, at: dt.datetime | None = None) -> Appeal:
    """The first response to the resident (响应): what was said, and when. Answered by the due time
    counts in ``appeals.response_rate``."""
    appeal = _locked(appeal)
    _require_handle(actor, appeal)
    if appeal.status != AppealStatus.ASSIGNED:
        raise _refuse(_("Only an assigned appeal that has not been answered yet can be answered."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write what the resident was told.")})
    when = _when(appeal, at)
    appeal.answered_at = when
    appeal.status = AppealStatus.ANSWERED
    appeal.save(update_fields=["answered_at", "status"])
    _event(appeal, EventKind.ANSWERED, when, actor, note=answer)
    audit_record(
        actor=actor,
        action=Event.APPEAL_ANSWER,
        obj=appeal,
        changes={
            "status": [AppealStatus.ASSIGNED, AppealStatus.ANSWERED],
            "at": when,
            "in_time": when <= appeal.due_at,
        },
    )
    _notify_resident(
        appeal,
        actor,
        Event.APPEAL_ANSWER,
        _("Your appeal %(number)s was answered") % {"number": appeal.number},
    )
    return appeal


@transaction.atomic
def appeal_solve(
    *, actor: Actor, appeal: Appeal, solved: bool = True, note: str = "", at: dt.datetime | None = None
) -> Appeal:
    """Report the outcome of an answered appeal: solved, or cannot be solved (with the reason)."""
    appeal = _locked(appeal)
    _require_handle(actor, appeal)
    if appeal.status != AppealStatus.ANSWERED:
        raise _refuse(_("Only an answered appeal can be reported solved or unsolvable."))
    _refuse_while_handed_off(appeal)
    note = (note or "").strip()
    if not solved and not note:
        raise ValidationError({"note": _("Say why the appeal cannot be solved.")})
    when = _when(appeal, at)
    outcome = Outcome.SOLVED if solved else Outcome.UNSOLVABLE
    appeal.solved_at = when
    appeal.outcome = outcome
    appeal.outcome_note = note
    appeal.status = AppealStatus(outcome)
    appeal.save(update_fields=["solved_at", "outcome", "outcome_note", "status"])
    _event(appeal, EventKind.SOLVED if solved else EventKind.UNSOLVABLE, when, actor, note=note)
    audit_record(
        actor=actor,
        action=Event.APPEAL_SOLVE,
        obj=appeal,
        changes={"status": [AppealStatus.ANSWERED, appeal.status], "at": when},
        reason=note,
    )
    _notify_resident(
        appeal,
        actor,
        Event.APPEAL_SOLVE,
        _("Your appeal %(number)s was solved") % {"number": appeal.number}
        if solved
        else _("Your appeal %(number)s cannot be solved") % {"number": appeal.number},
    )
    return appeal


@transaction.atomic
def appeal_close(*, actor: Actor, appeal: Appeal, note: str = "", at: dt.datetime | None = None) -> Appeal:
    """Close an appeal whose outcome was reported (办结). Two staff closing it at once: the second
    waits for the first's lock, then finds it closed and is refused."""
    appeal = _locked(appeal)
    _require_manage(actor, appeal)
    if appeal.status not in (AppealStatus.SOLVED, AppealStatus.UNSOLVABLE):
        raise _refuse(_("Only an appeal reported solved or unsolvable can be closed."))
    when = _when(appeal, at)
    before = appeal.status
    appeal.closed_at = when
    appeal.status = AppealStatus.CLOSED
    appeal.save(update_fields=["closed_at", "status"])
    AppealClosure.objects.create(
        appeal=appeal,
        area_id=appeal.area_id,
        org_id=appeal.assigned_org_id,
        closed_at=when,
        closed_by=signed_in(actor),
        due_at=appeal.due_at,
        outcome=appeal.outcome,
    )
    _event(appeal, EventKind.CLOSED, when, actor, note=(note or "").strip())
    audit_record(
        actor=actor,
        action=Event.APPEAL_CLOSE,
        obj=appeal,
        changes={"status": [before, AppealStatus.CLOSED], "at": when},
    )
    _notify_resident(
        appeal, actor, Event.APPEAL_CLOSE, _("Your appeal %(number)s is closed") % {"number": appeal.number}
    )
    number = appeal.number
    announce(
        Event.APPEAL_CLOSE,
        actor=actor,
        recipients=audience.callback_people(appeal, appeal_handlers(appeal)),
        title=lambda: _("Appeal %(number)s is closed: call the resident back") % {"number": number},
        body=appeal.title,
        url=reverse("appeals:detail", args=[appeal.pk]),
    )
    return appeal


# --- satisfaction -----------------------------------------------------------------------------


HANDLING_STEPS = (EventKind.ANSWERED, EventKind.SOLVED, EventKind.UNSOLVABLE)


def appeal_handlers(appeal: Appeal) -> set[int]:
    """The people who handled the appeal in its current round (since it was last reopened): who
    answered the resident and who reported the outcome."""
    events = AppealEvent.objects.filter(appeal=appeal)
    reopened = events.filter(kind=EventKind.REOPENED).aggregate(last=Max("at"))["last"]
    if reopened is not None:
        events = events.filter(at__gte=reopened)
    return set(events.filter(kind__in=HANDLING_STEPS, actor__isnull=False).values_list("actor_id", flat=True))


def _independent(actor: Actor, appeal: Appeal) -> bool:
    """The call-back is independent of the handling (回访独立): the caller neither answered nor
    reported the outcome of this round, nor speaks for the unit the appeal is assigned to."""
    if getattr(actor, "pk", None) in appeal_handlers(appeal):
        return False
    org = appeal.assigned_org
    return not (org is not None and scope_for(actor).covers_unit(org.unit_id))


def appeal_call_back_allowed(*, actor: Actor, appeal: Appeal) -> bool:
    """Administrators over the appeal's area who did not handle it."""
    return appeal_manage_allowed(actor=actor, appeal=appeal) and _independent(actor, appeal)


@transaction.atomic
def appeal_call_back(
    *,
    actor: Actor,
    appeal: Appeal,
    result: str,
    channel: str,
    solved: bool | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Appeal:
    """Record the call-back to the resident (回访) of a closed appeal: how the resident was reached
    (``channel``), the result (satisfied, basically satisfied, dissatisfied, or not reached: then it
    may be called back again) and whether the resident says the problem was solved (``solved``;
    None: not asked). The caller must be independent of the handling: staff over the area who
    neither answered nor reported the outcome, and not of the unit assigned. The result counts in
    ``appeals.satisfaction_rate``; a resident who says it was not solved takes the closure out of
    ``appeals.resolution_rate``. The handling unit is told of the result."""
    appeal = _locked(appeal)
    _require_manage(actor, appeal)
    if not _independent(actor, appeal):
        raise PermissionDenied(
            _(
                "The call-back is made by someone who did not handle the appeal: ask another member of "
                "staff of %(area)s or the level above."
            )
            % {"area": appeal.area.name}
        )
    if appeal.status != AppealStatus.CLOSED:
        raise _refuse(_("Only a closed appeal can be called back."))
    if appeal.callback_result and appeal.callback_result != CallBackResult.NOT_REACHED:
        raise _refuse(_("The resident has already been called back."))
    errors: dict[str, str] = {}
    if result not in CallBackResult.values:
        errors["result"] = _("Choose the result of the call-back.")
    if channel not in CallBackChannel.values:
        errors["channel"] = _("Choose how the resident was called back.")
    if result == CallBackResult.NOT_REACHED and solved is not None:
        errors["solved"] = _("The resident was not reached: leave whether it was solved empty.")
    if errors:
        raise ValidationError(errors)
    when = _when(appeal, at)
    before = appeal.callback_result
    by = signed_in(actor)
    values = {
        "callback_result": result,
        "called_back_at": when,
        "called_back_by": by,
        "callback_channel": channel,
        "callback_solved": solved,
    }
    for name, value in values.items():
        setattr(appeal, name, value)
    appeal.save(update_fields=list(values))
    closure = _current_closure(appeal)
    for name, value in values.items():
        setattr(closure, name, value)
    closure.save(update_fields=list(values))
    label = str(CallBackResult(result).label)
    said = ""
    if solved is not None:
        said = "，" + (_("says it was solved") if solved else _("says it was not solved"))
    how = str(CallBackChannel(channel).label)
    _event(
        appeal,
        EventKind.CALLED_BACK,
        when,
        actor,
        note=f"{label}{said}（{how}）{'：' + note.strip() if note.strip() else ''}",
    )
    audit_record(
        actor=actor,
        action=Event.APPEAL_CALL_BACK,
        obj=appeal,
        changes={"callback_result": [before, result], "channel": channel, "solved": solved, "at": when},
        reason=(note or "").strip(),
    )
    if result != CallBackResult.NOT_REACHED:
        _announce_to(
            appeal, actor, Event.APPEAL_CALL_BACK, audience.org_people(appeal.assigned_org), f"{label}{said}"
        )
    return appeal


def _current_closure(appeal: Appeal) -> AppealClosure:
    """The closure a closed appeal stands on (its latest, not reopened)."""
    closure = appeal.closures.filter(reopened_at__isnull=True).order_by("-closed_at", "-pk").first()
    if closure is None:  # a closed appeal always has one (the migration gave the old ones theirs)
        raise _refuse(_("This appeal has no record of its closure."))
    return closure


def reopen_days() -> int:
    """Days after closure the resident may reopen an appeal (``GONGJIAN_APPEALS_REOPEN_DAYS``)."""
    return int(settings.GONGJIAN_APPEALS_REOPEN_DAYS)


def _may_reopen(actor: Actor, appeal: Appeal) -> bool:
    """The resident who raised it online, or the staff of its area on the resident's behalf (the
    resident phoned or came in)."""
    own = is_person(actor) and appeal.resident_id is not None and appeal.resident_id == actor.pk
    return own or appeal_manage_allowed(actor=actor, appeal=appeal)


def _reopen_open(appeal: Appeal, now: dt.datetime) -> bool:
    return (
        appeal.status == AppealStatus.CLOSED
        and appeal.closed_at is not None
        and now <= appeal.closed_at + dt.timedelta(days=reopen_days())
    )


@transaction.atomic
def appeal_reopen(*, actor: Actor, appeal: Appeal, reason: str, at: dt.datetime | None = None) -> Appeal:
    """Reopen a closed appeal within ``GONGJIAN_APPEALS_REOPEN_DAYS`` of its closure (the resident
    is not satisfied that it was solved). The closure is kept and marked reopened: it counts as not
    solved against the unit that closed it. The appeal goes back to its handler as answered (the
    first answer stands), its outcome, closure, call-back and rating cleared for the next round;
    the resident and the handling unit are told."""
    appeal = _locked(appeal)
    if not _may_reopen(actor, appeal):
        raise PermissionDenied(
            _("Only the resident who raised the appeal, or the staff of its area, may reopen it.")
        )
    if appeal.status != AppealStatus.CLOSED:
        raise _refuse(_("Only a closed appeal can be reopened."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the appeal is reopened.")})
    when = _when(appeal, at)
    if not _reopen_open(appeal, when):
        raise _refuse(
            _("An appeal can be reopened within %(days)s days of its closure; register a new one instead.")
            % {"days": reopen_days()}
        )
    closure = _current_closure(appeal)
    closure.reopened_at = when
    closure.reopen_reason = reason
    closure.save(update_fields=["reopened_at", "reopen_reason"])
    appeal.status = AppealStatus.ANSWERED if appeal.answered_at else AppealStatus.ASSIGNED
    for name in ("solved_at", "closed_at", "called_back_at", "called_back_by", "callback_solved"):
        setattr(appeal, name, None)
    appeal.resident_rated_at = None
    for name in ("outcome", "outcome_note", "callback_result", "callback_channel", "resident_rating"):
        setattr(appeal, name, "")
    appeal.save(
        update_fields=[
            "status",
            "solved_at",
            "closed_at",
            "called_back_at",
            "called_back_by",
            "callback_solved",
            "resident_rated_at",
            "outcome",
            "outcome_note",
            "callback_result",
            "callback_channel",
            "resident_rating",
        ]
    )
    on_behalf = "" if appeal.resident_id == getattr(actor, "pk", None) else _("(on the resident's behalf) ")
    _event(appeal, EventKind.REOPENED, when, actor, note=f"{on_behalf}{reason}", org=appeal.assigned_org)
    audit_record(
        actor=actor,
        action=Event.APPEAL_REOPEN,
        obj=appeal,
        changes={"status": [AppealStatus.CLOSED, appeal.status], "at": when},
        reason=reason,
    )
    people = [*audience.resident_people(appeal), *audience.org_people(appeal.assigned_org)]
    _announce_to(appeal, actor, Event.APPEAL_REOPEN, people, reason)
    return appeal


@transaction.atomic
def appeal_rate(*, actor: Actor, appeal: Appeal, rating: str, comment: str = "") -> Appeal:
    """The resident's own rating of an appeal they raised online, once its outcome is reported
    (once). It is shown with the appeal; ``appeals.satisfaction_rate`` counts the call-backs."""
    appeal = _locked(appeal)
    if not (is_person(actor) and appeal.resident_id == actor.pk and appeal.channel == Channel.ONLINE):
        raise PermissionDenied(_("Only the resident who raised the appeal online may rate it."))
    if appeal.resident_rating:
        raise _refuse(_("You have already rated this appeal."))
    if appeal.solved_at is None:
        raise _refuse(_("You can rate the appeal once its outcome is reported."))
    if rating not in Rating.values:
        raise ValidationError({"rating": _("Choose how satisfied you are.")})
    when = _when(appeal, None)
    appeal.resident_rating = rating
    appeal.resident_rated_at = when
    appeal.save(update_fields=["resident_rating", "resident_rated_at"])
    label = str(Rating(rating).label)
    comment = (comment or "").strip()
    _event(appeal, EventKind.RATED, when, actor, note=f"{label}{'：' + comment if comment else ''}")
    audit_record(actor=actor, action=Event.APPEAL_RATE, obj=appeal, changes={"resident_rating": ["", rating]})
    _announce_to(appeal, actor, Event.APPEAL_RATE, audience.org_people(appeal.assigned_org), label)
    return appeal


# --- personal data ----------------------------------------------------------------------------


@transaction.atomic
def appeal_reveal_phone(*, actor: Actor, appeal: Appeal, reason: str) -> str:
    """The resident's clear phone number, for those who handle the appeal (to answer or call
    back), with a stated reason; the read is written to the audit log."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you need to see the full number.")})
    _require_handle(actor, appeal)
    audit_record(actor=actor, action=Event.PII_REVEAL, obj=appeal, changes={"field": "phone"}, reason=reason)
    return appeal.phone_clear()


# --- before the limit -------------------------------------------------------------------------

#: The organisation handling an appeal is reminded this long before its limit (once).
DUE_SOON = dt.timedelta(hours=24)


def appeals_remind_due(*, now: dt.datetime | None = None) -> int:
    """Remind the organisation given an appeal not yet answered that its limit is near (within
    ``DUE_SOON``), by SMS too; once per appeal (``gongjian remind``). Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    due = (
        Appeal.objects.filter(
            status=AppealStatus.ASSIGNED, answered_at__isnull=True, due_at__gt=now, due_at__lte=now + DUE_SOON
        )
        .select_related("assigned_org__area")
        .order_by("due_at")
    )
    for appeal in due:
        number, limit = appeal.number, _local(appeal.due_at)
        sent += remind(
            "appeals.due",
            recipients=audience.org_people(appeal.assigned_org),
            title=lambda: _("Appeal %(number)s is due by %(limit)s") % {"number": number, "limit": limit},  # noqa: B023 (evaluated at once)
            body=appeal.title,
            url=reverse("appeals:detail", args=[appeal.pk]),
            dedupe_key=f"appeals.due.{appeal.pk}",
        )
    return sent


# --- the working-day calendar beyond the package's years --------------------------------------


def _dates(values: Any, field: str) -> frozenset[dt.date]:
    out: set[dt.date] = set()
    for value in values or []:
        if isinstance(value, dt.date):
            out.add(value)
            continue
        try:
            out.add(dt.date.fromisoformat(str(value).strip()))
        except ValueError as exc:
            raise ValidationError(
                {field: _("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}}
            ) from exc
    return frozenset(out)


@transaction.atomic
def working_day_schedule_load(
    *, actor: Actor, year: int, holidays: Any, workdays: Any, source: str
) -> WorkingDaySchedule:
    """Load (or replace) the State Council's schedule of ``year``: its public holidays and its
    swapped working days, with where they come from (the notice). Platform administrators only.
    Appeals registered afterwards count that year's working days from it; those registered before
    keep their due time."""
    if not (is_person(actor) and getattr(actor, "is_superuser", False)):
        raise PermissionDenied(_("Only platform administrators load the working-day calendar."))
    source = (source or "").strip()
    if not source:
        raise ValidationError(
            {"source": _("Say where the schedule comes from (the State Council's notice).")}
        )
    if not 2000 <= int(year) <= 2100:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    off, on = _dates(holidays, "holidays"), _dates(workdays, "workdays")
    if not off:
        raise ValidationError({"holidays": _("List the year's public holidays.")})
    try:
        schedule = deadlines.Schedule(int(year), off, on)
    except ValueError as exc:
        raise ValidationError(_("The schedule is not consistent: %(reason)s") % {"reason": exc}) from exc
    row, created = WorkingDaySchedule.objects.update_or_create(
        year=schedule.year,
        defaults={
            "holidays": sorted(d.isoformat() for d in schedule.holidays),
            "workdays": sorted(d.isoformat() for d in schedule.workdays),
            "source": source,
            "loaded_by": signed_in(actor),
        },
    )
    audit_record(
        actor=actor,
        action=Event.CALENDAR_LOAD,
        obj=row,
        changes={"year": schedule.year, "holidays": len(off), "workdays": len(on), "created": created},
        reason=source,
    )
    return row


#: From this day of the year on, platform administrators are warned when next year is not known.
CALENDAR_WARN_FROM = (11, 1)


def working_day_calendar_warn(*, today: dt.date) -> int:
    """From 1 November, warn every platform administrator (once a week) while next year's official
    schedule is neither in the calendar package nor loaded (``gongjian daily``)."""
    if (today.month, today.day) < CALENDAR_WARN_FROM:
        return 0
    year = today.year + 1
    if deadlines.year_known(year, selectors.working_day_schedules()):
        return 0
    from django.contrib.auth import get_user_model

    admins = get_user_model().objects.filter(is_superuser=True, is_active=True).order_by("pk")
    week = today.isocalendar()
    return remind(
        "appeals.calendar_missing",
        recipients=admins,
        title=lambda: _("The working-day calendar of %(year)s is missing") % {"year": year},
        body=lambda: (
            _(
                "Load the State Council's schedule of %(year)s (holidays and swapped working days): from "
                "1 January, limits in working days would count Monday to Friday."
            )
            % {"year": year}
        ),
        dedupe_key=f"appeals.calendar_missing.{year}.{week.year}-{week.week}",
    )
