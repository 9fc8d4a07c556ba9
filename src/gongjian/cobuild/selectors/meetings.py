"""Every read of joint meetings, action items and consultations that a person triggers; each
takes the actor. The rules are written once, here:

- **meetings**: administrators see those whose area lies in their subtree (so the level above sees
  the agendas sent to it); a unit liaison sees the meetings their unit is invited to;
- **agenda items, attendance, pledges, resolutions**: whoever sees their meeting;
- **action items**: whoever sees their meeting, and the liaison of the unit that owns them (or
  owns their organisation);
- **consultations**: administrators of the area, and residents of an area inside it (to answer);
- members and residents see no meeting: they open only the QR sign-in page, with its code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person
from gongjian.accounts.models import Role, RoleKind, User
from gongjian.accounts.scope import scope_for
from gongjian.core.models import AuditEntry
from gongjian.core.search import name_search_q
from gongjian.orgs.models import Area, Dated, PartyOrg, ResidentUnit
from gongjian.orgs.selectors import party_org_list, unit_list

from ..models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AgendaStatus,
    Agreement,
    Answer,
    Attendance,
    Consultation,
    ConsultationAnswer,
    JointMeeting,
    MeetingStatus,
    MeetingUnit,
    Pledge,
    Resolution,
)

# --- scope -------------------------------------------------------------------------------------


def _meeting_q(actor: Actor, prefix: str = "") -> Q:
    """Meetings (at ``prefix``) the actor sees: by area for administrators, by invitation for
    unit liaisons."""
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = scope.area_q(f"{prefix}area__")
    if scope.unit_ids:
        invited = MeetingUnit.objects.filter(unit_id__in=sorted(scope.unit_ids)).values("meeting_id")
        q |= Q(**{f"{prefix}pk__in": invited})
    return q


def _action_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = _meeting_q(actor, "meeting__")
    if scope.unit_ids:
        units = sorted(scope.unit_ids)
        q |= Q(owner_unit_id__in=units) | Q(owner_org__unit_id__in=units)
    return q


def _ancestor_paths(area: Area) -> list[str]:
    """The paths of ``area`` and every area above it (materialised path prefixes)."""
    step = Area.steplen
    return [area.path[:n] for n in range(step, len(area.path) + 1, step)]


def _consultation_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = scope.area_q("area__")
    if actor.is_authenticated:
        homes = Role.objects.filter(user_id=actor.pk, active=True, kind=RoleKind.RESIDENT, area__isnull=False)
        paths = [p for role in homes.select_related("area") if role.area for p in _ancestor_paths(role.area)]
        if paths:
            q |= Q(area__path__in=sorted(set(paths)))
    return q


# --- meetings ----------------------------------------------------------------------------------


def meeting_list(
    *,
    actor: Actor,
    within: Area | None = None,
    level: str = "",
    status: str = "",
    q: str = "",
    convener_org: PartyOrg | None = None,
) -> QuerySet[JointMeeting]:
    qs = JointMeeting.objects.filter(_meeting_q(actor))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(venue__icontains=q.strip()))
    if convener_org is not None:
        qs = qs.filter(convener_org=convener_org)
    return (
        qs.select_related("area", "convener_org", "alliance")
        .annotate(unit_count=Count("units", distinct=True))
        .order_by("-starts_at", "-pk")
    )


def meeting_get(*, actor: Actor, pk: int) -> JointMeeting:
    meeting = (
        JointMeeting.objects.filter(_meeting_q(actor), pk=pk)
        .select_related("area", "convener_org", "alliance", "previous", "created_by")
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def meeting_unit_list(*, actor: Actor, meeting: JointMeeting) -> QuerySet[MeetingUnit]:
    meeting_get(actor=actor, pk=meeting.pk)
    return (
        MeetingUnit.objects.filter(meeting=meeting)
        .select_related("unit", "unit__area")
        .order_by("unit__name_key", "pk")
    )


def meeting_unit_choices(*, actor: Actor, meeting: JointMeeting) -> QuerySet[Any]:
    """Units the actor may still invite: sitting in the actor's scope today, not yet invited."""
    invited = MeetingUnit.objects.filter(meeting=meeting).values("unit_id")
    return unit_list(actor=actor).exclude(pk__in=invited)


def meeting_invited_units(*, actor: Actor, meeting: JointMeeting) -> QuerySet[Any]:
    """The units invited to the meeting (as units), for choosing a pledge's or an action's owner."""
    meeting_get(actor=actor, pk=meeting.pk)
    return ResidentUnit.objects.filter(meetings__meeting=meeting).order_by("name_key")


def convener_org_choices(*, actor: Actor) -> QuerySet[PartyOrg]:
    """Territorial Party organisations in the actor's subtree, which may convene a meeting."""
    scope = scope_for(actor)
    return (
        PartyOrg.objects.filter(scope.area_q("area__"), Dated.on(timezone.localdate()), unit__isnull=True)
        .select_related("area")
        .order_by("area__path", "code")
    )


def previous_meeting_choices(*, actor: Actor, meeting: JointMeeting | None = None) -> QuerySet[JointMeeting]:
    qs = meeting_list(actor=actor).exclude(status=MeetingStatus.CANCELLED)
    if meeting is not None:
        qs = qs.filter(convener_org=meeting.convener_org, starts_at__lt=meeting.starts_at)
    return qs


def agenda_item_list(*, actor: Actor, meeting: JointMeeting, status: str = "") -> QuerySet[AgendaItem]:
    """Every topic and item of the meeting: proposed, on the agenda, or not taken."""
    meeting_get(actor=actor, pk=meeting.pk)
    qs = AgendaItem.objects.filter(meeting=meeting)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related(
        "proposed_by_unit", "proposed_by", "action_item", "action_item__meeting"
    ).order_by("position", "pk")


def meeting_agenda(*, actor: Actor, meeting: JointMeeting) -> QuerySet[AgendaItem]:
    """The agenda: the accepted items in their order (follow-ups first once it is sent)."""
    return agenda_item_list(actor=actor, meeting=meeting, status=AgendaStatus.ACCEPTED)


def agenda_item_get(*, actor: Actor, pk: int) -> AgendaItem:
    item = AgendaItem.objects.filter(pk=pk).select_related("meeting", "meeting__area").first()
    if item is None:
        raise Http404
    meeting_get(actor=actor, pk=item.meeting_id)
    return item


def open_actions_before(meeting: JointMeeting) -> QuerySet[ActionItem]:
    """The open action items (overdue ones among them) of the meetings the same organisation
    convened before this one: the agenda carries them as follow-ups. No actor: the services use
    it; people reach it through ``meeting_follow_ups``."""
    return (
        ActionItem.objects.filter(
            status=ActionStatus.OPEN,
            meeting__convener_org_id=meeting.convener_org_id,
            meeting__starts_at__lt=meeting.starts_at,
        )
        .exclude(meeting_id=meeting.pk)
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .select_related("meeting", "owner_unit", "owner_org", "resolution")
        .order_by("due_on", "pk")
    )


def meeting_follow_ups(*, actor: Actor, meeting: JointMeeting) -> list[ActionItem]:
    """Before the agenda is sent: the open action items it will carry automatically (after, they
    are agenda items of source ``follow_up``)."""
    meeting_get(actor=actor, pk=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        return []
    already = AgendaItem.objects.filter(meeting=meeting, action_item__isnull=False).values("action_item_id")
    return list(open_actions_before(meeting).exclude(pk__in=already))


def sign_in_signature(meeting: JointMeeting) -> str:
    """The meeting's sign-in code: a signature over its secret (no actor: the services hand it
    to the convener's staff only)."""
    signer = signing.Signer(salt=f"gongjian.cobuild.sign-in.{meeting.pk}.{meeting.sign_in_secret}")
    return signer.signature(str(meeting.pk))


def sign_in_token_valid(*, meeting: JointMeeting, token: str) -> bool:
    return bool(token) and constant_time_compare(token, sign_in_signature(meeting))


def meeting_for_sign_in(*, actor: Actor, pk: int, token: str) -> JointMeeting:
    """The meeting a signed-in user holds the sign-in code of: the code is what lets a member or a
    resident (who sees no meeting otherwise) open it. Without a valid code the answer is the same
    refusal whether the meeting exists or not."""
    meeting = JointMeeting.objects.filter(pk=pk).select_related("area", "convener_org").first()
    if not actor.is_authenticated or meeting is None or not sign_in_token_valid(meeting=meeting, token=token):
        raise PermissionDenied(_("This sign-in code is not valid: scan the code shown at the meeting."))
    return meeting


def attendance_list(*, actor: Actor, meeting: JointMeeting) -> QuerySet[Attendance]:
    meeting_get(actor=actor, pk=meeting.pk)
    return Attendance.objects.filter(meeting=meeting).select_related("unit").order_by("at", "pk")


def attendance_own(*, actor: Actor, meeting: JointMeeting) -> Attendance | None:
    """The actor's own sign-in at a meeting (anyone holding its code may sign in)."""
    if not actor.is_authenticated:
        return None
    return Attendance.objects.filter(meeting=meeting, user_id=actor.pk).first()


def pledge_list(*, actor: Actor, meeting: JointMeeting) -> QuerySet[Pledge]:
    meeting_get(actor=actor, pk=meeting.pk)
    return Pledge.objects.filter(meeting=meeting).select_related("unit").order_by("pk")


def resolution_list(*, actor: Actor, meeting: JointMeeting) -> QuerySet[Resolution]:
    meeting_get(actor=actor, pk=meeting.pk)
    actions = ActionItem.objects.select_related("owner_unit", "owner_org").order_by("due_on", "pk")
    return (
        Resolution.objects.filter(meeting=meeting)
        .select_related("agenda_item")
        .prefetch_related(Prefetch("actions", queryset=actions), "consultations")
        .order_by("position", "pk")
    )


def resolution_get(*, actor: Actor, pk: int) -> Resolution:
    resolution = Resolution.objects.filter(pk=pk).select_related("meeting", "meeting__area").first()
    if resolution is None:
        raise Http404
    meeting_get(actor=actor, pk=resolution.meeting_id)
    return resolution


def resolution_choices(*, actor: Actor) -> QuerySet[Resolution]:
    """Decisions the actor may attach a consultation to: of meetings in the actor's subtree."""
    scope = scope_for(actor)
    return (
        Resolution.objects.filter(scope.area_q("meeting__area__"))
        .select_related("meeting")
        .order_by("-meeting__starts_at", "position")
    )


def meeting_agreements(*, actor: Actor, meeting: JointMeeting) -> QuerySet[Agreement]:
    """The pairing agreements signed at the meeting (read-only here)."""
    meeting_get(actor=actor, pk=meeting.pk)
    return Agreement.objects.filter(meeting=meeting).select_related("host_org", "unit_org").order_by("number")


def meeting_agreement_candidates(*, actor: Actor, meeting: JointMeeting) -> QuerySet[Agreement]:
    """Agreements of the meeting's area, in the actor's scope, not yet recorded against a meeting."""
    scope = scope_for(actor)
    return (
        Agreement.objects.filter(
            scope.area_q("area__"), area__path__startswith=meeting.area.path, meeting__isnull=True
        )
        .select_related("host_org", "unit_org")
        .order_by("number")
    )


def meeting_history(*, actor: Actor, meeting: JointMeeting) -> QuerySet[AuditEntry]:
    """What happened to the meeting and its agenda, with the reasons given (for the convener's
    staff and the level above; nobody else)."""
    meeting_get(actor=actor, pk=meeting.pk)
    if not scope_for(actor).covers_path(meeting.area.path):
        return AuditEntry.objects.none()
    items = [str(pk) for pk in AgendaItem.objects.filter(meeting=meeting).values_list("pk", flat=True)]
    return AuditEntry.objects.filter(
        Q(object_type="cobuild.jointmeeting", object_id=str(meeting.pk))
        | Q(object_type="cobuild.agendaitem", object_id__in=items)
    ).order_by("seq")


def meeting_unclaimed_demands(*, actor: Actor, meeting: JointMeeting) -> list[Any]:
    """The unclaimed demands of the meeting's area, for the meeting pack to assign (交办): published
    (or partly claimed) demands of the area's subtree still taking claims, not fully claimed, the
    most urgent and the nearest deadline first. Whoever may read the meeting pack (its convener's
    staff and the level above) may read its area's list."""
    from django.db.models import Case, F, IntegerField, Value, When

    # reason: lists sits above cobuild; the meeting pack reads the area's demands (an upward read)
    from gongjian.lists.models import DEMAND_CLAIMABLE, Demand, Urgency

    rank = Case(
        When(urgency=Urgency.CRITICAL, then=Value(0)),
        When(urgency=Urgency.URGENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    meeting = meeting_get(actor=actor, pk=meeting.pk)
    return list(
        Demand.objects.filter(
            area__path__startswith=meeting.area.path,
            status__in=DEMAND_CLAIMABLE,
            claimed__lt=F("quantity"),
        )
        .select_related("area")
        .order_by(rank, F("deadline").asc(nulls_last=True), "pk")[:200]
    )


def meeting_pack(*, actor: Actor, meeting: JointMeeting, today: dt.date | None = None) -> dict[str, Any]:
    """What the meeting pack (PDF) holds: the agenda (with the follow-ups it will carry while not
    yet sent), open action items (overdue marked), pledges, attendance, unclaimed demands."""
    meeting = meeting_get(actor=actor, pk=meeting.pk)
    today = today or timezone.localdate()
    open_before = list(open_actions_before(meeting))
    open_here = list(
        ActionItem.objects.filter(meeting=meeting, status=ActionStatus.OPEN)
        .select_related("owner_unit", "owner_org", "meeting")
        .order_by("due_on", "pk")
    )
    actions = [{"item": a, "overdue": a.due_on < today} for a in [*open_before, *open_here]]
    return {
        "meeting": meeting,
        "units": list(meeting_unit_list(actor=actor, meeting=meeting)),
        "agenda": list(meeting_agenda(actor=actor, meeting=meeting)),
        "follow_ups": meeting_follow_ups(actor=actor, meeting=meeting),
        "actions": actions,
        "overdue_count": sum(1 for a in actions if a["overdue"]),
        "pledges": list(pledge_list(actor=actor, meeting=meeting)),
        "attendance_count": Attendance.objects.filter(meeting=meeting).count(),
        "resolutions": list(resolution_list(actor=actor, meeting=meeting)),
        "unclaimed_demands": meeting_unclaimed_demands(actor=actor, meeting=meeting),
        "lists_available": True,
        "today": today,
    }


# --- calendar feeds ------------------------------------------------------------------------------

_FEED_SALT = "gongjian.cobuild.meetings.ics"


def _feed_fingerprint(user: Any) -> str:
    """Changes when the user's password changes, which revokes every feed address given before."""
    return salted_hmac(_FEED_SALT, f"{user.pk}:{user.password}").hexdigest()[:20]


def calendar_feed_token(*, actor: Actor, area: Area | None = None) -> str:
    """A signed address part for the actor's own calendar feed (of one area, or of every meeting
    they see), for calendar apps that cannot sign in. The feed is read with the actor's scope at
    the time it is fetched; changing the password revokes it."""
    if not actor.is_authenticated:
        raise Http404
    data = {"u": actor.pk, "a": area.pk if area is not None else None, "h": _feed_fingerprint(actor)}
    return signing.dumps(data, salt=_FEED_SALT, compress=True)


def calendar_feed_owner(*, token: str) -> tuple[User, int | None]:
    """The user a feed address was given to, and its area id; a 404 when the address is not one
    of ours, was revoked, or its user is no longer active."""
    try:
        data = signing.loads(token, salt=_FEED_SALT)
    except signing.BadSignature as exc:
        raise Http404 from exc
    if not isinstance(data, dict):
        raise Http404
    user_id = data.get("u")
    if not isinstance(user_id, int):
        raise Http404
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or data.get("h") != _feed_fingerprint(user):
        raise Http404
    area = data.get("a")
    return user, area if isinstance(area, int) else None


def meeting_calendar(*, actor: Actor, area: Area | None = None) -> QuerySet[JointMeeting]:
    """The meetings of a calendar feed: those the actor sees (in ``area``), from a year back."""
    since = timezone.now() - dt.timedelta(days=366)
    return meeting_list(actor=actor, within=area).filter(starts_at__gte=since)


# --- action items ------------------------------------------------------------------------------

ACTION_STATES = ("open", "overdue", "closed", "all")


def action_item_list(
    *,
    actor: Actor,
    state: str = "open",
    meeting: JointMeeting | None = None,
    within: Area | None = None,
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[ActionItem]:
    """Action items the actor sees. ``state``: open (overdue included), overdue, closed or all."""
    today = today or timezone.localdate()
    qs = ActionItem.objects.filter(_action_q(actor))
    if state == "open":
        qs = qs.filter(status=ActionStatus.OPEN)
    elif state == "overdue":
        qs = qs.filter(status=ActionStatus.OPEN, due_on__lt=today)
    elif state == "closed":
        qs = qs.filter(status=ActionStatus.CLOSED)
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    if within is not None:
        qs = qs.filter(meeting__area__path__startswith=within.path)
    if q:
        qs = qs.filter(
            Q(title__icontains=q.strip()) | name_search_q(q, "owner_unit__") | name_search_q(q, "owner_org__")
        )
    return qs.select_related(
        "meeting", "meeting__area", "owner_unit", "owner_org", "resolution", "closed_by"
    ).order_by("status", "due_on", "pk")


def action_item_get(*, actor: Actor, pk: int) -> ActionItem:
    item = (
        ActionItem.objects.filter(_action_q(actor), pk=pk)
        .select_related("meeting", "meeting__area", "owner_unit", "owner_org", "resolution", "closed_by")
        .first()
    )
    if item is None:
        raise Http404
    return item


def action_owner_unit_choices(*, actor: Actor, meeting: JointMeeting) -> QuerySet[Any]:
    """Units that may own an action of the meeting: invited, or sitting in its area (in scope)."""
    invited = MeetingUnit.objects.filter(meeting=meeting).values("unit_id")
    local = unit_list(actor=actor, within=meeting.area).values("pk")
    return ResidentUnit.objects.filter(Q(pk__in=invited) | Q(pk__in=local)).order_by("name_key")


def action_owner_org_choices(*, actor: Actor, meeting: JointMeeting) -> QuerySet[PartyOrg]:
    """Organisations that may own an action: of an invited unit, or sitting in the meeting's area."""
    scope = scope_for(actor)
    invited = MeetingUnit.objects.filter(meeting=meeting).values("unit_id")
    local = Q(area__path__startswith=meeting.area.path) & scope.area_q("area__")
    return (
        PartyOrg.objects.filter(Q(unit_id__in=invited) | local, Dated.on(timezone.localdate()))
        .select_related("area")
        .order_by("area__path", "code")
    )


# --- consultations -----------------------------------------------------------------------------

CONSULTATION_STATES = ("open", "upcoming", "closed", "all")


def consultation_list(
    *,
    actor: Actor,
    within: Area | None = None,
    state: str = "all",
    kind: str = "",
    today: dt.date | None = None,
) -> QuerySet[Consultation]:
    today = today or timezone.localdate()
    qs = Consultation.objects.filter(_consultation_q(actor))
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if state == "open":
        qs = qs.filter(opens_on__lte=today, closes_on__gte=today)
    elif state == "upcoming":
        qs = qs.filter(opens_on__gt=today)
    elif state == "closed":
        qs = qs.filter(closes_on__lt=today)
    if kind:
        qs = qs.filter(kind=kind)
    return (
        qs.select_related("area", "org", "resolution", "resolution__meeting")
        .annotate(
            answered=Count("answers", distinct=True),
            in_favour=Count("answers", filter=Q(answers__answer=Answer.FOR), distinct=True),
        )
        .order_by("-opens_on", "-pk")
    )


def consultation_get(*, actor: Actor, pk: int) -> Consultation:
    consultation = (
        Consultation.objects.filter(_consultation_q(actor), pk=pk)
        .select_related("area", "org", "resolution", "resolution__meeting")
        .first()
    )
    if consultation is None:
        raise Http404
    return consultation


@dataclass(frozen=True)
class ConsultationResults:
    """Counts and rates: support = in favour ÷ answered; turnout = answered ÷ asked."""

    asked: int
    answered: int
    in_favour: int
    against: int
    no_opinion: int

    @property
    def support_rate(self) -> float | None:
        return round(self.in_favour / self.answered, 4) if self.answered else None

    @property
    def turnout(self) -> float | None:
        return round(self.answered / self.asked, 4) if self.asked else None

    def share(self, count: int) -> float:
        """A count as a percentage of the answers (for the results bar)."""
        return round(100 * count / self.answered, 1) if self.answered else 0.0

    @property
    def shares(self) -> dict[str, float]:
        return {
            "in_favour": self.share(self.in_favour),
            "against": self.share(self.against),
            "no_opinion": self.share(self.no_opinion),
        }


def consultation_results(*, actor: Actor, consultation: Consultation) -> ConsultationResults:
    consultation_get(actor=actor, pk=consultation.pk)
    counts = dict(
        ConsultationAnswer.objects.filter(consultation=consultation)
        .values("answer")
        .annotate(n=Count("pk"))
        .values_list("answer", "n")
    )
    in_favour, against, abstain = (counts.get(a, 0) for a in (Answer.FOR, Answer.AGAINST, Answer.ABSTAIN))
    return ConsultationResults(
        asked=consultation.asked,
        answered=in_favour + against + abstain,
        in_favour=in_favour,
        against=against,
        no_opinion=abstain,
    )


def consultation_answer_list(*, actor: Actor, consultation: Consultation) -> QuerySet[ConsultationAnswer]:
    """Every answer for the administrators of the area; a resident only their own."""
    consultation_get(actor=actor, pk=consultation.pk)
    qs = ConsultationAnswer.objects.filter(consultation=consultation).order_by("at", "pk")
    if scope_for(actor).covers_path(consultation.area.path):
        return qs
    return qs.filter(user_id=person(actor).pk)


def consultation_own_answer(*, actor: Actor, consultation: Consultation) -> ConsultationAnswer | None:
    if not actor.is_authenticated:
        return None
    return ConsultationAnswer.objects.filter(consultation=consultation, user_id=actor.pk).first()


def consultation_org_choices(*, actor: Actor) -> QuerySet[PartyOrg]:
    return convener_org_choices(actor=actor)


# --- choices for the API's foreign keys ----------------------------------------------------------


def agenda_item_choices(*, actor: Actor) -> QuerySet[AgendaItem]:
    """Agenda items of the meetings the actor sees (the services check which meeting they are of)."""
    return AgendaItem.objects.filter(_meeting_q(actor, "meeting__"))


def owner_unit_choices(*, actor: Actor) -> QuerySet[Any]:
    """Units the actor may name at a meeting: in the actor's scope, or invited to a meeting the
    actor sees."""
    invited = MeetingUnit.objects.filter(_meeting_q(actor, "meeting__")).values("unit_id")
    return ResidentUnit.objects.filter(
        Q(pk__in=unit_list(actor=actor, current=False).values("pk")) | Q(pk__in=invited)
    ).order_by("name_key")


def owner_org_choices(*, actor: Actor) -> QuerySet[PartyOrg]:
    """Organisations the actor may name as an action's owner: in scope, or of an invited unit."""
    invited = MeetingUnit.objects.filter(_meeting_q(actor, "meeting__")).values("unit_id")
    return PartyOrg.objects.filter(
        Q(pk__in=party_org_list(actor=actor, current=False).values("pk")) | Q(unit_id__in=invited)
    )


def agreement_choices(*, actor: Actor) -> QuerySet[Agreement]:
    """Agreements made in the actor's subtree (which may be recorded against a meeting there)."""
    return Agreement.objects.filter(scope_for(actor).area_q("area__"))
