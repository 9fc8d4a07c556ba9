"""Every write to expanded committees and their part-time seats: ``noun_verb(*, actor, ...)``,
one transaction, one audit entry each.

Who may do what:

- **Committees**: an administrator whose subtree holds the street or community creates one.
- **Seats**: the committee's side (an administrator whose subtree holds the committee's area)
  recommends, screens, appoints and ends; **only an administrator of a level above** the
  committee's area approves (a community administrator never approves their own community's seats,
  a street administrator never their street's); the unit's liaison or the committee's side records
  the public notice in the unit.

Each ``*_allowed`` function answers for a page or an API client whether a button applies; the
services check the same rules again before writing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, signed_in
from gongjian.accounts.scope import scope_for
from gongjian.accounts.selectors import nearest_administrators
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.orgs.models import Level, PartyOrg, ResidentUnit

from .. import audience
from ..models import (
    Committee,
    CommitteeKind,
    PartTimeSeat,
    SeatStep,
)
from ..selectors.agreements import (
    seat_member_choices,
)
from ._shared import _above, _covers, _require, _text

# --- expanded committees --------------------------------------------------------------------------

#: The kind of committee each level of territorial organisation forms.
KIND_OF_LEVEL = {Level.STREET: CommitteeKind.STREET, Level.COMMUNITY: CommitteeKind.COMMUNITY}


def committee_create_allowed(*, actor: Actor) -> bool:
    scope = scope_for(actor)
    return bool(scope.everything or scope.area_paths)


@transaction.atomic
def committee_create(
    *,
    actor: Actor,
    org: PartyOrg,
    established_on: dt.date,
    name: str = "",
    kind: str = "",
) -> Committee:
    """The expanded committee of a street's (大工委) or a community's (大党委) organisation; its kind
    follows the level of the organisation's area."""
    org = PartyOrg.objects.select_for_update().select_related("area").get(pk=org.pk)
    if org.unit_id is not None or org.area.level not in KIND_OF_LEVEL:
        raise ValidationError(
            {
                "org": _(
                    "An expanded committee is formed by the Party organisation of a street or a community."
                )
            }
        )
    _require(
        _covers(actor, org.area), _("You may not change anything in %(area)s.") % {"area": org.area.name}
    )
    expected = KIND_OF_LEVEL[Level(org.area.level)]
    if kind and kind != expected:
        raise ValidationError(
            {
                "kind": _("%(org)s sits on a %(level)s: its committee is a %(kind)s.")
                % {
                    "org": org.name,
                    "level": Level(org.area.level).label,
                    "kind": CommitteeKind(expected).label,
                }
            }
        )
    if Committee.objects.filter(org=org).exists():
        raise ValidationError({"org": _("%(org)s already has an expanded committee.") % {"org": org.name}})
    if established_on > timezone.localdate():
        raise ValidationError({"established_on": _("A committee is recorded once it is established.")})
    label = "大工委" if expected == CommitteeKind.STREET else "大党委"
    committee = Committee(
        org=org,
        area=org.area,
        kind=expected,
        name=_text(name) or f"{org.area.name}“{label}”",
        established_on=established_on,
    )
    committee.full_clean()
    committee.save()
    audit_record(
        actor=actor,
        action=Event.COMMITTEE_CREATE,
        obj=committee,
        changes=snapshot(committee, ("org", "area", "kind", "name", "established_on")),
    )
    name = committee.name
    announce(
        Event.COMMITTEE_CREATE,
        actor=actor,
        recipients=nearest_administrators(area_path=committee.area.path),
        title=lambda: f"{Event.COMMITTEE_CREATE.label}：{name}",
        body=established_on.isoformat(),
        url=reverse("cobuild:committee_detail", args=[committee.pk]),
    )
    return committee


# --- part-time seats ------------------------------------------------------------------------------

#: What each step of a seat needs, and who may take it.
SEAT_ACTIONS = ("screen", "approve", "reject", "appoint", "announce", "end")


def seat_recommend_allowed(*, actor: Actor, committee: Committee) -> bool:
    return _covers(actor, committee.area)


def seat_actions_allowed(*, actor: Actor, seat: PartTimeSeat) -> set[str]:
    """The steps the actor may take on ``seat`` now (names from ``SEAT_ACTIONS``)."""
    area = seat.committee.area
    side = _covers(actor, area)
    above = _above(actor, area)
    step = seat.step
    allowed: set[str] = set()
    if step == SeatStep.RECOMMENDED and side:
        allowed |= {"screen", "reject"}
    if step == SeatStep.SCREENED and above:
        allowed |= {"approve", "reject"}
    if step == SeatStep.APPROVED and side:
        allowed.add("appoint")
    if step == SeatStep.APPOINTED and (side or scope_for(actor).covers_unit(seat.unit_id)):
        allowed.add("announce")
    if step in (SeatStep.APPOINTED, SeatStep.ANNOUNCED) and side:
        allowed.add("end")
    return allowed


def _locked_seat(seat: PartTimeSeat) -> PartTimeSeat:
    return (
        PartTimeSeat.objects.select_for_update(of=("self",))
        .select_related("committee", "committee__area", "unit")
        .get(pk=seat.pk)
    )


def _step_is(seat: PartTimeSeat, *steps: str) -> None:
    if seat.step not in steps:
        wanted = ", ".join(str(SeatStep(s).label) for s in steps)
        raise ValidationError(
            {
                "step": _("This seat is at the step “%(step)s”; this needs “%(wanted)s”.")
                % {"step": seat.get_step_display(), "wanted": wanted}
            }
        )


def _not_future(value: dt.date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


def _not_before(value: dt.date, earlier: dt.date | None, field: str) -> None:
    if earlier is not None and value < earlier:
        raise ValidationError(
            {field: _("This date is before the previous step (%(date)s).") % {"date": earlier.isoformat()}}
        )


def _seat_audit(
    actor: Actor, action: Event, seat: PartTimeSeat, changes: dict[str, Any], reason: str = ""
) -> None:
    audit_record(actor=actor, action=action, obj=seat, changes=changes, reason=reason)
    step, unit, committee = seat.get_step_display(), seat.unit.name, seat.committee.name
    announce(
        action,
        actor=actor,
        recipients=audience.seat_people(action, seat),
        title=lambda: f"{action.label}：{unit}",
        body="\n".join(part for part in (f"{committee} · {step}", reason) if part),
        url=audience.seat_url(seat),
    )


@transaction.atomic
def seat_recommend(
    *,
    actor: Actor,
    committee: Committee,
    person_name: str,
    unit: ResidentUnit,
    unit_title: str = "",
    member: Any = None,
    duty: str = "",
    recommended_on: dt.date | None = None,
    recommended_by: str = "",
) -> PartTimeSeat:
    """Recommend a leader of a unit sitting in the committee's area as a part-time member."""
    committee = Committee.objects.select_related("area").get(pk=committee.pk)
    _require(
        seat_recommend_allowed(actor=actor, committee=committee),
        _("You may not recommend members of %(committee)s.") % {"committee": committee.name},
    )
    name = _text(person_name)
    if not name:
        raise ValidationError({"person_name": _("Whom do you recommend?")})
    unit = ResidentUnit.objects.select_related("area").get(pk=unit.pk)
    if not unit.area.path.startswith(committee.area.path):
        raise ValidationError(
            {
                "unit": _("%(unit)s does not sit in %(area)s.")
                % {"unit": unit.name, "area": committee.area.name}
            }
        )
    if member is not None and not seat_member_choices(actor=actor).filter(pk=member.pk).exists():
        raise PermissionDenied(_("You may not link to %(name)s.") % {"name": member.name})
    on = recommended_on or timezone.localdate()
    _not_future(on, "recommended_on")
    open_steps = [s for s in SeatStep.values if s not in (SeatStep.REJECTED, SeatStep.ENDED)]
    if PartTimeSeat.objects.filter(
        committee=committee, unit=unit, person_name=name, step__in=open_steps
    ).exists():
        raise ValidationError(
            {
                "person_name": _("%(name)s of %(unit)s already has a seat or a recommendation here.")
                % {"name": name, "unit": unit.name}
            }
        )
    seat = PartTimeSeat(
        committee=committee,
        person_name=name,
        unit=unit,
        unit_title=_text(unit_title),
        member=member,
        duty=_text(duty),
        step=SeatStep.RECOMMENDED,
        recommended_on=on,
        recommended_by=_text(recommended_by),
        since=on,
    )
    seat.full_clean()
    seat.save()
    _seat_audit(
        actor,
        Event.SEAT_RECOMMEND,
        seat,
        snapshot(
            seat, ("committee", "person_name", "unit", "unit_title", "member", "duty", "recommended_on")
        ),
    )
    return seat


@transaction.atomic
def seat_screen(*, actor: Actor, seat: PartTimeSeat, screened_on: dt.date | None = None) -> PartTimeSeat:
    """The committee's side has screened (考察) the recommended person: the seat goes up for approval."""
    seat = _locked_seat(seat)
    _step_is(seat, SeatStep.RECOMMENDED)
    _require(
        _covers(actor, seat.committee.area),
        _("You may not screen the seats of %(c)s.") % {"c": seat.committee.name},
    )
    on = screened_on or timezone.localdate()
    _not_future(on, "screened_on")
    _not_before(on, seat.recommended_on, "screened_on")
    seat.step, seat.screened_on = SeatStep.SCREENED, on
    seat.save(update_fields=["step", "screened_on"])
    _seat_audit(
        actor, Event.SEAT_SCREEN, seat, {"step": [SeatStep.RECOMMENDED, SeatStep.SCREENED], "screened_on": on}
    )
    return seat


@transaction.atomic
def seat_approve(*, actor: Actor, seat: PartTimeSeat, approved_on: dt.date | None = None) -> PartTimeSeat:
    """Approval by the level above the committee's area: never by the committee's own level."""
    seat = _locked_seat(seat)
    _step_is(seat, SeatStep.SCREENED)
    _require(
        _above(actor, seat.committee.area),
        _("Only an administrator of a level above %(area)s approves its part-time members.")
        % {"area": seat.committee.area.name},
    )
    on = approved_on or timezone.localdate()
    _not_future(on, "approved_on")
    _not_before(on, seat.screened_on, "approved_on")
    seat.step, seat.approved_on = SeatStep.APPROVED, on
    seat.approved_by = signed_in(actor)
    seat.save(update_fields=["step", "approved_on", "approved_by"])
    _seat_audit(
        actor, Event.SEAT_APPROVE, seat, {"step": [SeatStep.SCREENED, SeatStep.APPROVED], "approved_on": on}
    )
    return seat


@transaction.atomic
def seat_reject(*, actor: Actor, seat: PartTimeSeat, reason: str, on: dt.date | None = None) -> PartTimeSeat:
    """Not taken: at screening (by the committee's side) or at approval (by the level above)."""
    seat = _locked_seat(seat)
    _step_is(seat, SeatStep.RECOMMENDED, SeatStep.SCREENED)
    area = seat.committee.area
    if seat.step == SeatStep.RECOMMENDED:
        _require(
            _covers(actor, area), _("You may not screen the seats of %(c)s.") % {"c": seat.committee.name}
        )
    else:
        _require(
            _above(actor, area),
            _("Only an administrator of a level above %(area)s approves its part-time members.")
            % {"area": area.name},
        )
    if not _text(reason):
        raise ValidationError({"reason": _("Say why the recommendation is not taken.")})
    day = on or timezone.localdate()
    _not_future(day, "on")
    _not_before(day, seat.screened_on or seat.recommended_on, "on")
    old = seat.step
    seat.step, seat.note, seat.until = SeatStep.REJECTED, _text(reason)[:200], max(day, seat.since)
    seat.save(update_fields=["step", "note", "until"])
    _seat_audit(
        actor, Event.SEAT_REJECT, seat, {"step": [old, SeatStep.REJECTED], "on": day}, reason=seat.note
    )
    return seat


def _next_certificate(committee: Committee, year: int) -> str:
    prefix = f"{year}-{committee.area.code}-"
    taken = PartTimeSeat.objects.filter(certificate_no__startswith=prefix).values_list(
        "certificate_no", flat=True
    )
    serials = [int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()]
    return f"{prefix}{max(serials, default=0) + 1:03d}"


@transaction.atomic
def seat_appoint(
    *,
    actor: Actor,
    seat: PartTimeSeat,
    since: dt.date,
    until: dt.date,
    appointed_on: dt.date | None = None,
) -> PartTimeSeat:
    """The committee appoints the approved person for a term (``since`` to ``until``, exclusive)
    and issues the certificate, numbered ``<year>-<area code>-<serial>``."""
    seat = _locked_seat(seat)
    _step_is(seat, SeatStep.APPROVED)
    _require(
        _covers(actor, seat.committee.area),
        _("You may not appoint members of %(c)s.") % {"c": seat.committee.name},
    )
    on = appointed_on or timezone.localdate()
    _not_future(on, "appointed_on")
    _not_before(on, seat.approved_on, "appointed_on")
    if until <= since:
        raise ValidationError({"until": _("The term must end after it starts.")})
    if since < on - dt.timedelta(days=366):
        raise ValidationError({"since": _("The term starts around the appointment, not long before it.")})
    seat.step, seat.appointed_on, seat.since, seat.until = SeatStep.APPOINTED, on, since, until
    seat.certificate_no = _next_certificate(seat.committee, since.year)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                seat.save(update_fields=["step", "appointed_on", "since", "until", "certificate_no"])
            break
        except IntegrityError:  # another appointment took the number at the same moment
            seat.certificate_no = _next_certificate(seat.committee, since.year)
    else:  # pragma: no cover - five collisions in a row
        raise ValidationError({"step": _("No certificate number is free; try again.")})
    _seat_audit(
        actor,
        Event.SEAT_APPOINT,
        seat,
        {
            "step": [SeatStep.APPROVED, SeatStep.APPOINTED],
            "since": since,
            "until": until,
            "certificate_no": seat.certificate_no,
        },
    )
    return seat


@transaction.atomic
def seat_announce(*, actor: Actor, seat: PartTimeSeat, announced_on: dt.date | None = None) -> PartTimeSeat:
    """The appointment was publicly announced in the member's own unit (recorded by the unit's
    liaison or the committee's side)."""
    seat = _locked_seat(seat)
    _step_is(seat, SeatStep.APPOINTED)
    _require(
        "announce" in seat_actions_allowed(actor=actor, seat=seat),
        _("You may not record notices for %(c)s.") % {"c": seat.committee.name},
    )
    on = announced_on or timezone.localdate()
    _not_future(on, "announced_on")
    _not_before(on, seat.appointed_on, "announced_on")
    seat.step, seat.announced_on = SeatStep.ANNOUNCED, on
    seat.save(update_fields=["step", "announced_on"])
    _seat_audit(
        actor,
        Event.SEAT_ANNOUNCE,
        seat,
        {"step": [SeatStep.APPOINTED, SeatStep.ANNOUNCED], "announced_on": on},
    )
    return seat


@transaction.atomic
def seat_end(*, actor: Actor, seat: PartTimeSeat, until: dt.date, reason: str = "") -> PartTimeSeat:
    """The seat ends on ``until`` (the last day is the day before), at the latest when its term does."""
    seat = _locked_seat(seat)
    _step_is(seat, SeatStep.APPOINTED, SeatStep.ANNOUNCED)
    _require(
        _covers(actor, seat.committee.area), _("You may not end seats of %(c)s.") % {"c": seat.committee.name}
    )
    if until < seat.since:
        raise ValidationError({"until": _("A seat cannot end before its term starts.")})
    if seat.until is not None and until > seat.until:
        raise ValidationError(
            {"until": _("The term already ends on %(date)s.") % {"date": seat.until.isoformat()}}
        )
    old_step, old_until = seat.step, seat.until
    seat.step, seat.until = SeatStep.ENDED, until
    if _text(reason):
        seat.note = _text(reason)[:200]
    seat.save(update_fields=["step", "until", "note"])
    _seat_audit(
        actor,
        Event.SEAT_END,
        seat,
        {"step": [old_step, SeatStep.ENDED], "until": [old_until, until]},
        reason=_text(reason),
    )
    return seat
