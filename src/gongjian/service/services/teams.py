"""Service teams, their members and standing duties, and volunteers (people without Party data
who serve)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, is_person
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.core.services import apply_changes
from gongjian.members.models import Member
from gongjian.orgs.models import Area, Dated, PartyOrg, ResidentUnit

from .. import audience, selectors
from ..models import (
    DutyKind,
    ServiceTeam,
    StandingDuty,
    TeamMembership,
    TeamPeriod,
    Volunteer,
)
from .permissions import _require_area, _require_team, volunteer_manage_allowed

# --- volunteers -----------------------------------------------------------------------------


def _volunteer_summary(v: Volunteer) -> dict[str, Any]:
    return {"name": v.name, "phone": v.phone_masked, "volunteer_no": v.volunteer_no, "area": v.area_id}


@transaction.atomic
def volunteer_create(
    *,
    actor: Actor,
    name: str,
    area: Area,
    phone: str = "",
    volunteer_no: str = "",
    skills: str = "",
    user: Any = None,
) -> Volunteer:
    """A volunteer who is not (or not as) a Party member: name, phone (sealed), volunteer number."""
    _require_area(actor, area)
    volunteer = Volunteer(
        name=name.strip(), area=area, volunteer_no=volunteer_no.strip(), skills=skills, user=user
    )
    volunteer.set_phone(phone)
    if not volunteer.name:
        raise ValidationError({"name": _("Enter the volunteer's name.")})
    if volunteer.volunteer_no and Volunteer.objects.filter(volunteer_no=volunteer.volunteer_no).exists():
        raise ValidationError({"volunteer_no": _("A volunteer with this number is already registered.")})
    if user is not None and Volunteer.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This account is already linked to another volunteer.")})
    volunteer.full_clean()
    volunteer.save()
    audit_record(
        actor=actor, action=Event.VOLUNTEER_CREATE, obj=volunteer, changes=_volunteer_summary(volunteer)
    )
    return volunteer


@transaction.atomic
def volunteer_update(
    *, actor: Actor, volunteer: Volunteer, phone: str | None = None, **changes: Any
) -> Volunteer:
    volunteer = Volunteer.objects.select_for_update().select_related("area").get(pk=volunteer.pk)
    if not volunteer_manage_allowed(actor=actor, volunteer=volunteer):
        raise PermissionDenied(_("You may not change %(name)s.") % {"name": volunteer.name})
    if "area" in changes:
        _require_area(actor, changes["area"])
    number = (changes.get("volunteer_no") or "").strip()
    if number and Volunteer.objects.filter(volunteer_no=number).exclude(pk=volunteer.pk).exists():
        raise ValidationError({"volunteer_no": _("A volunteer with this number is already registered.")})
    diff = apply_changes(volunteer, changes, allowed=("name", "volunteer_no", "skills", "area"))
    if phone is not None and phone.strip() != volunteer.phone_clear():
        before = volunteer.phone_masked
        volunteer.set_phone(phone)
        diff["phone"] = [before, volunteer.phone_masked]
    if not diff:
        return volunteer
    volunteer.save()
    audit_record(actor=actor, action=Event.VOLUNTEER_UPDATE, obj=volunteer, changes=diff)
    return volunteer


@transaction.atomic
def volunteer_reveal(*, actor: Actor, volunteer: Volunteer, reason: str) -> str:
    """The clear phone number, for an administrator over the volunteer (or the volunteer), with a
    stated reason; the read is written to the audit log."""
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why you need to see the full number.")})
    own = is_person(actor) and volunteer.user_id == actor.pk
    if not own and not volunteer_manage_allowed(actor=actor, volunteer=volunteer):
        raise PermissionDenied(_("You may not see this number."))
    audit_record(
        actor=actor, action=Event.PII_REVEAL, obj=volunteer, changes={"field": "phone"}, reason=reason.strip()
    )
    return volunteer.phone_clear()


# --- teams ----------------------------------------------------------------------------------


def _check_organiser(actor: Actor, area: Area, org: PartyOrg | None, unit: ResidentUnit | None) -> None:
    scope = scope_for(actor)
    if unit is not None and scope.covers_unit(unit.pk):
        pass
    else:
        _require_area(actor, area)
    if org is not None and not (scope.covers_path(org.area.path) or scope.covers_unit(org.unit_id)):
        raise ValidationError({"org": _("Choose a Party organisation you administer.")})


@transaction.atomic
def team_create(
    *,
    actor: Actor,
    name: str,
    area: Area,
    org: PartyOrg | None = None,
    unit: ResidentUnit | None = None,
    description: str = "",
    since: dt.date | None = None,
) -> ServiceTeam:
    """A new team, active from ``since`` (today by default)."""
    _check_organiser(actor, area, org, unit)
    team = ServiceTeam(name=name.strip(), area=area, org=org, unit=unit, description=description)
    if not team.name:
        raise ValidationError({"name": _("Enter the team's name.")})
    team.full_clean()
    team.save()
    period = TeamPeriod.objects.create(team=team, **Dated.start_of(since))
    since = period.since
    audit_record(
        actor=actor,
        action=Event.TEAM_CREATE,
        obj=team,
        changes={"name": team.name, "area": area.pk, "org": org, "unit": unit, "since": since},
    )
    return team


@transaction.atomic
def team_update(*, actor: Actor, team: ServiceTeam, **changes: Any) -> ServiceTeam:
    team = ServiceTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    _require_team(actor, team)
    if "area" in changes:
        _require_area(actor, changes["area"])
    diff = apply_changes(team, changes, allowed=("name", "description", "org", "unit", "area"))
    if diff:
        team.save()
        audit_record(actor=actor, action=Event.TEAM_UPDATE, obj=team, changes=diff)
    return team


@transaction.atomic
def team_status_set(
    *, actor: Actor, team: ServiceTeam, active: bool, on: dt.date | None = None, note: str = ""
) -> ServiceTeam:
    """Stand a team down (its open period ends on ``on``) or re-activate it (a new period)."""
    team = ServiceTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    _require_team(actor, team)
    on = on or timezone.localdate()
    if team.active == active:
        raise ValidationError(
            _("The team is already active.") if active else _("The team is already inactive.")
        )
    if active:
        last = team.periods.order_by("-since").first()
        if last is not None and last.until is not None and on < last.until:
            raise ValidationError({"on": _("This cannot start before the last period ended.")})
        TeamPeriod.objects.create(team=team, since=on, note=note)
    else:
        period = team.periods.filter(until__isnull=True).first()
        if period is None or on < period.since:
            raise ValidationError({"on": _("This cannot end on that date.")})
        period.until = on
        period.note = note or period.note
        period.save(update_fields=["until", "note"])
    team.active = active
    team.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action=Event.TEAM_STATUS,
        obj=team,
        changes={"active": [not active, active], "on": on},
        reason=note,
    )
    announce(
        Event.TEAM_STATUS,
        actor=actor,
        recipients=audience.team_people(team),
        title=lambda: f"{Event.TEAM_STATUS.label}：{team.name}",
        body=note,
        url=audience.team_url(team),
    )
    return team


@transaction.atomic
def team_member_add(
    *,
    actor: Actor,
    team: ServiceTeam,
    member: Member | None = None,
    volunteer: Volunteer | None = None,
    leader: bool = False,
    since: dt.date | None = None,
) -> TeamMembership:
    """Put a Party member (from the ledgers the actor sees) or a volunteer on a team; with
    ``leader`` they become its leader (the previous leader stays a member)."""
    team = ServiceTeam.objects.select_for_update().select_related("area").get(pk=team.pk)
    _require_team(actor, team)
    if (member is None) == (volunteer is None):
        raise ValidationError(_("Choose either a Party member or a volunteer."))
    if member is not None and not selectors.member_choices(actor=actor).filter(pk=member.pk).exists():
        raise ValidationError({"member": _("Choose a member of the ledgers you administer.")})
    if volunteer is not None and not selectors.volunteer_list(actor=actor).filter(pk=volunteer.pk).exists():
        raise ValidationError({"volunteer": _("Choose a volunteer you administer.")})
    open_rows = TeamMembership.objects.filter(team=team, until__isnull=True)
    if open_rows.filter(Q(member=member) if member else Q(volunteer=volunteer)).exists():
        raise ValidationError(_("This person is already on the team."))
    if leader:
        open_rows.filter(leader=True).update(leader=False)
    row = TeamMembership.objects.create(
        team=team, member=member, volunteer=volunteer, leader=leader, **Dated.start_of(since)
    )
    audit_record(
        actor=actor,
        action=Event.TEAM_MEMBER_ADD,
        obj=team,
        changes={"membership": row.pk, "member": member, "volunteer": volunteer, "leader": leader},
    )
    announce(
        Event.TEAM_MEMBER_ADD,
        actor=actor,
        recipients=audience.membership_people(row),
        title=lambda: f"{Event.TEAM_MEMBER_ADD.label}：{team.name}",
        url=audience.team_url(team),
    )
    return row


@transaction.atomic
def team_member_end(
    *, actor: Actor, membership: TeamMembership, until: dt.date | None = None
) -> TeamMembership:
    row = (
        TeamMembership.objects.select_for_update(of=("self",))
        .select_related("team__area")
        .get(pk=membership.pk)
    )
    _require_team(actor, row.team)
    until = until or timezone.localdate()
    if row.until is not None or until < row.since:
        raise ValidationError({"until": _("This cannot end on that date.")})
    row.until = until
    row.save(update_fields=["until"])
    audit_record(
        actor=actor,
        action=Event.TEAM_MEMBER_END,
        obj=row.team,
        changes={"membership": row.pk, "until": until},
    )
    announce(
        Event.TEAM_MEMBER_END,
        actor=actor,
        recipients=audience.membership_people(row),
        title=lambda: f"{Event.TEAM_MEMBER_END.label}：{row.team.name}",
        body=until.isoformat(),
        url=audience.team_url(row.team),
    )
    return row


def _weekdays(raw: str) -> str:
    digits = "".join(sorted(set(raw.replace(",", "").replace(" ", ""))))
    if any(c not in "1234567" for c in digits):
        raise ValidationError({"weekdays": _("Days are digits 1 (Monday) to 7 (Sunday).")})
    return digits


@transaction.atomic
def duty_add(
    *,
    actor: Actor,
    team: ServiceTeam,
    kind: str,
    weekdays: str = "",
    starts: dt.time | None = None,
    ends: dt.time | None = None,
    route: str = "",
    note: str = "",
    since: dt.date | None = None,
) -> StandingDuty:
    """A standing duty: a patrol rota (days, time, route) or door-to-door help."""
    _require_team(actor, team)
    if kind not in DutyKind.values:
        raise ValidationError({"kind": _("Choose a kind of duty.")})
    days = _weekdays(weekdays)
    if kind == DutyKind.PATROL and not (days and starts and ends and route.strip()):
        raise ValidationError(_("A patrol rota needs its days, its time and its route."))
    if starts and ends and ends <= starts:
        raise ValidationError({"ends": _("The end must come after the start.")})
    duty = StandingDuty.objects.create(
        team=team,
        kind=kind,
        weekdays=days,
        starts=starts,
        ends=ends,
        route=route.strip(),
        note=note,
        **Dated.start_of(since),
    )
    audit_record(
        actor=actor,
        action=Event.TEAM_DUTY_ADD,
        obj=team,
        changes={
            "duty": duty.pk,
            "kind": kind,
            "weekdays": days,
            "starts": starts.isoformat() if starts else None,
            "ends": ends.isoformat() if ends else None,
            "route": duty.route,
        },
    )
    announce(
        Event.TEAM_DUTY_ADD,
        actor=actor,
        recipients=audience.team_people(team),
        title=lambda: f"{Event.TEAM_DUTY_ADD.label}：{team.name}",
        body=" · ".join(part for part in (duty.get_kind_display(), days, duty.route) if part),
        url=audience.team_url(team),
    )
    return duty


@transaction.atomic
def duty_end(*, actor: Actor, duty: StandingDuty, until: dt.date | None = None) -> StandingDuty:
    duty = StandingDuty.objects.select_for_update(of=("self",)).select_related("team__area").get(pk=duty.pk)
    _require_team(actor, duty.team)
    until = until or timezone.localdate()
    if duty.until is not None or until < duty.since:
        raise ValidationError({"until": _("This cannot end on that date.")})
    duty.until = until
    duty.save(update_fields=["until"])
    audit_record(
        actor=actor, action=Event.TEAM_DUTY_END, obj=duty.team, changes={"duty": duty.pk, "until": until}
    )
    team = duty.team
    announce(
        Event.TEAM_DUTY_END,
        actor=actor,
        recipients=audience.team_people(team),
        title=lambda: f"{Event.TEAM_DUTY_END.label}：{team.name}",
        body=until.isoformat(),
        url=audience.team_url(team),
    )
    return duty
