"""Who may do what with joint meetings, their agendas, action items and consultations (the
``*_allowed`` functions that pages and the API ask before showing a button), and the helpers
the meeting services share."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor
from gongjian.accounts.models import ADMIN_LEVELS, Role, RoleKind, User
from gongjian.accounts.scope import scope_for
from gongjian.core.events import Event
from gongjian.core.notify import announce, remind
from gongjian.orgs.models import Area, Level, ResidentUnit
from gongjian.orgs.selectors import unit_list

from ..models import (
    ActionItem,
    ActionStatus,
    Consultation,
    ConsultationAnswer,
    JointMeeting,
    MeetingLevel,
    MeetingStatus,
    MeetingUnit,
    Resolution,
)

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
    return remind(
        "cobuild.meeting.topics",
        recipients=_invited_liaisons(meeting),
        title=_("Propose topics for %(title)s") % {"title": meeting.title},
        body=_(
            "The joint meeting is on %(when)s at %(venue)s. Topics are collected until the agenda is "
            "sent to the level above on %(due)s."
        )
        % {"when": _when(meeting), "venue": meeting.venue or "–", "due": meeting.agenda_due_on.isoformat()},
        url=_meeting_url(meeting),
        dedupe_key=f"cobuild.meeting.{meeting.pk}.topics",
    )


def _announce_meeting(
    event: Event, actor: Actor, meeting: JointMeeting, recipients: Iterable[Any], body: str = ""
) -> int:
    """Tell ``recipients`` of a step of a meeting: "<event>: <title>", its day and venue."""
    title = meeting.title
    return announce(
        event,
        actor=actor,
        recipients=recipients,
        title=lambda: f"{event.label}：{title}",
        body="\n".join(part for part in (f"{_when(meeting)} · {meeting.venue or '–'}", body) if part),
        url=_meeting_url(meeting),
    )


def _unit_visible(actor: Actor, unit: ResidentUnit) -> bool:
    return unit_list(actor=actor).filter(pk=unit.pk).exists()


# --- a unit named on a meeting's record (pledges, resolutions) -------------------------------


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
