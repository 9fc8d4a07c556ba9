"""Service hours: attendance verified by the organiser, hours logged outside activities, their
decisions and corrections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person, signed_in
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.members.models import Member
from gongjian.orgs.models import Area, Level
from gongjian.stats import tally

from .. import audience, selectors
from ..models import (
    Activity,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    HoursSource,
    HoursStatus,
    Method,
    PointsEntry,
    ServiceHours,
    Volunteer,
)
from .activities import MAX_HOURS_A_DAY, QUARTER, _lock_activity, compute_hours, scan_window
from .permissions import _require_activity, _require_person, hours_correct_allowed
from .points import _apply_cap, _auto_points, _auto_points_bulk


@transaction.atomic
def attendance_verify(
    *, actor: Actor, attendance: Attendance, hours: Decimal | None = None, reason: str = ""
) -> ServiceHours:
    """The organiser verifies the computed hours (or other hours, with a reason): they become a
    verified ``ServiceHours`` row, and points follow by the rules."""
    row = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("activity__area")
        .get(pk=attendance.pk)
    )
    activity = row.activity
    _require_activity(actor, activity)
    if ServiceHours.objects.filter(attendance=row).exists():
        raise ValidationError(_("These hours are already verified."))
    if row.signed_in_at is None or row.signed_out_at is None or row.computed_hours is None:
        raise ValidationError(_("Hours can be verified only after signing in and out."))
    if hours is not None and hours != row.computed_hours and not reason.strip():
        raise ValidationError({"reason": _("Say why the hours differ from the computed ones.")})
    final = row.computed_hours if hours is None else _check_hours(hours, cap=activity.length_hours)
    if final <= 0:
        raise ValidationError({"hours": _("There are no hours to verify (less than a quarter of an hour).")})
    record = ServiceHours.objects.create(
        member=row.member,
        volunteer=row.volunteer,
        area=activity.area,
        on=timezone.localtime(activity.starts_at).date(),
        hours=final,
        source=HoursSource.ACTIVITY,
        attendance=row,
        description=activity.title[:300],
        status=HoursStatus.VERIFIED,
        decided_by=signed_in(actor),
        decided_at=timezone.now(),
        reason=reason.strip(),
    )
    points = _auto_points(record, actor)
    audit_record(
        actor=actor,
        action=Event.HOURS_VERIFY,
        obj=record,
        changes={"attendance": row.pk, "computed": row.computed_hours, "hours": final, "points": points},
        reason=reason.strip(),
    )
    _announce_hours(Event.HOURS_VERIFY, actor, [record])
    return record


@transaction.atomic
def activity_verify_bulk(
    *,
    actor: Actor,
    activity: Activity,
    members: Iterable[Member] = (),
    volunteers: Iterable[Volunteer] = (),
    signed_in_at: dt.datetime | None = None,
    signed_out_at: dt.datetime | None = None,
) -> int:
    """The organiser records many people who came (by hand, e.g. from a paper sign-in sheet) and
    verifies their hours at once: one attendance and one verified ``ServiceHours`` row each, points
    by the rules, and one audit entry for the lot. People already recorded are skipped; the limit
    does not apply (they came). Returns how many were recorded."""
    activity = _lock_activity(activity)
    _require_activity(actor, activity)
    if activity.status != ActivityStatus.OPEN:
        raise ValidationError(_("The activity is cancelled."))
    t_in = signed_in_at or activity.starts_at
    t_out = signed_out_at or activity.ends_at
    opens, closes = scan_window(activity)
    if not (opens <= t_in < t_out <= closes):
        raise ValidationError(_("The times must fall around the time of the activity."))
    hours = compute_hours(activity, t_in, t_out)
    if hours <= 0:
        raise ValidationError({"hours": _("There are no hours to verify (less than a quarter of an hour).")})
    done_m = set(
        Attendance.objects.filter(activity=activity, member__isnull=False).values_list("member_id", flat=True)
    )
    done_v = set(
        Attendance.objects.filter(activity=activity, volunteer__isnull=False).values_list(
            "volunteer_id", flat=True
        )
    )
    people: list[tuple[Member | None, Volunteer | None]] = []
    for m in members:
        if m.pk not in done_m:
            done_m.add(m.pk)
            people.append((m, None))
    for v in volunteers:
        if v.pk not in done_v:
            done_v.add(v.pk)
            people.append((None, v))
    if not people:
        return 0
    rows = Attendance.objects.bulk_create(
        [
            Attendance(
                activity=activity,
                member=m,
                volunteer=v,
                status=AttendanceStatus.WALK_IN,
                signed_in_at=t_in,
                signed_out_at=t_out,
                sign_in_method=Method.ORGANISER,
                sign_out_method=Method.ORGANISER,
                computed_hours=hours,
            )
            for m, v in people
        ]
    )
    if any(r.pk is None for r in rows):  # backends that do not return ids from a bulk insert
        rows = list(
            Attendance.objects.filter(activity=activity, signed_in_at=t_in, sign_in_method="organiser")
        )
    now = timezone.now()
    decider = signed_in(actor)
    records = ServiceHours.objects.bulk_create(
        [
            ServiceHours(
                member_id=r.member_id,
                volunteer_id=r.volunteer_id,
                area=activity.area,
                on=timezone.localtime(activity.starts_at).date(),
                hours=hours,
                source=HoursSource.ACTIVITY,
                attendance=r,
                description=activity.title[:300],
                status=HoursStatus.VERIFIED,
                decided_by=decider,
                decided_at=now,
            )
            for r in rows
        ]
    )
    # written without signals: refresh the kept figures (ids read back where the insert returns none)
    tally.touch_rows(ServiceHours, ServiceHours.objects.filter(attendance__activity=activity))
    _auto_points_bulk(
        list(ServiceHours.objects.filter(attendance__activity=activity, points_entries__isnull=True)), actor
    )
    audit_record(
        actor=actor,
        action=Event.HOURS_VERIFY_BULK,
        obj=activity,
        changes={"people": len(records), "hours": hours, "signed_in_at": t_in, "signed_out_at": t_out},
    )
    _announce_hours(
        Event.HOURS_VERIFY_BULK,
        actor,
        ServiceHours.objects.filter(attendance__activity=activity).select_related(
            "member__user", "volunteer__user"
        ),
    )
    return len(records)


def _check_hours(hours: Decimal, cap: Decimal = MAX_HOURS_A_DAY) -> Decimal:
    hours = Decimal(hours)
    if hours <= 0 or hours > cap:
        raise ValidationError(
            {"hours": _("Enter hours above 0 and at most %(cap)s.") % {"cap": cap.quantize(QUARTER)}}
        )
    if (hours / QUARTER) != (hours / QUARTER).to_integral_value():
        raise ValidationError({"hours": _("Hours are counted in quarters of an hour (0.25).")})
    return hours.quantize(Decimal("0.01"))


# --- hours outside activities ---------------------------------------------------------------


@transaction.atomic
def hours_log(
    *, actor: Actor, on: dt.date, hours: Decimal, description: str, area: Area | None = None
) -> ServiceHours:
    """A member (or volunteer) logs their own hours for work outside an activity, for a community
    they serve in (their first by default); pending until that community's administrator verifies."""
    member, volunteer = _require_person(actor)
    homes = selectors.actor_homes(actor)
    if area is None:
        if not homes:
            raise ValidationError({"area": _("Choose the community you served.")})
        area = Area.objects.get(path=homes[0])
    if area.level != Level.COMMUNITY or area.path not in homes:
        raise ValidationError({"area": _("Choose a community you serve in.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < timezone.localdate() - dt.timedelta(days=366):
        raise ValidationError({"on": _("Hours older than a year cannot be logged.")})
    if not description.strip():
        raise ValidationError({"description": _("Say what you did.")})
    record = ServiceHours.objects.create(
        member=member,
        volunteer=volunteer,
        area=area,
        on=on,
        hours=_check_hours(hours),
        source=HoursSource.SELF,
        description=description.strip()[:300],
        status=HoursStatus.PENDING,
        logged_by=person(actor),
    )
    audit_record(
        actor=actor,
        action=Event.HOURS_LOG,
        obj=record,
        changes={"on": on, "hours": record.hours, "area": area.pk},
    )
    logged = record.hours
    announce(
        Event.HOURS_LOG,
        actor=actor,
        recipients=audience.area_people(area),
        title=lambda: f"{Event.HOURS_LOG.label}：{logged}",
        body=record.description,
        url=audience.hours_list_url(),
    )
    return record


def _announce_hours(event: Event, actor: Actor, records: Iterable[ServiceHours], reason: str = "") -> None:
    """The person whose hours were decided hears of it: "<event>: <hours> h · <what>"."""
    for record in records:
        hours, what = record.hours, record.description
        announce(
            event,
            actor=actor,
            recipients=audience.hours_people([record]),
            title=lambda: f"{event.label}：{hours}",  # noqa: B023 (evaluated at once)
            body="\n".join(part for part in (what, reason) if part),
            url=audience.my_service_url(),
        )


@transaction.atomic
def hours_decide(
    *, actor: Actor, record: ServiceHours, approve: bool, hours: Decimal | None = None, reason: str = ""
) -> ServiceHours:
    """Verify (possibly with other hours, with a reason) or reject logged hours."""
    record = ServiceHours.objects.select_for_update(of=("self",)).select_related("area").get(pk=record.pk)
    if record.source != HoursSource.SELF or not scope_for(actor).covers_path(record.area.path):
        raise PermissionDenied(_("Only the community's administrators verify these hours."))
    if record.status != HoursStatus.PENDING:
        raise ValidationError(_("These hours were already decided."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Say why the hours are rejected.")})
    before = record.hours
    if approve and hours is not None and Decimal(hours) != record.hours:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the hours differ from the logged ones.")})
        record.hours = _check_hours(hours)
    record.status = HoursStatus.VERIFIED if approve else HoursStatus.REJECTED
    record.decided_by = person(actor)
    record.decided_at = timezone.now()
    record.reason = reason.strip()[:300]
    record.save()
    points = _auto_points(record, actor) if approve else Decimal(0)
    audit_record(
        actor=actor,
        action=Event.HOURS_VERIFY if approve else Event.HOURS_REJECT,
        obj=record,
        changes={"status": ["pending", record.status], "hours": [before, record.hours], "points": points},
        reason=record.reason,
    )
    _announce_hours(Event.HOURS_VERIFY if approve else Event.HOURS_REJECT, actor, [record], record.reason)
    return record


@transaction.atomic
def hours_correct(*, actor: Actor, record: ServiceHours, hours: Decimal, reason: str) -> ServiceHours:
    """Correct verified hours (a reason is required; the audit log keeps the old value); the
    automatic points follow."""
    record = (
        ServiceHours.objects.select_for_update(of=("self",))
        .select_related("area", "attendance__activity__area")
        .get(pk=record.pk)
    )
    if not hours_correct_allowed(actor=actor, record=record):
        raise PermissionDenied(_("You may not correct these hours."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the hours are corrected.")})
    cap = record.attendance.activity.length_hours if record.attendance else MAX_HOURS_A_DAY
    new = _check_hours(hours, cap=cap)
    if new == record.hours:
        raise ValidationError({"hours": _("These are the hours already recorded.")})
    before = record.hours
    record.hours = new
    record.reason = reason.strip()[:300]
    record.save(update_fields=["hours", "reason"])
    changed = []
    for entry in PointsEntry.objects.select_for_update().filter(hours_record=record).select_related("rule"):
        old = entry.points
        entry.units = new
        _apply_cap(entry, exclude_self=True)
        entry.save(update_fields=["units", "requested", "points"])
        changed.append({"entry": entry.pk, "points": [old, entry.points]})
    audit_record(
        actor=actor,
        action=Event.HOURS_CORRECT,
        obj=record,
        changes={"hours": [before, new], "points": changed},
        reason=reason.strip(),
    )
    _announce_hours(Event.HOURS_CORRECT, actor, [record], record.reason)
    return record
