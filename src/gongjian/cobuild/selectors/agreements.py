"""Every read of agreements, expanded committees and part-time seats that a person triggers; each
takes the actor and returns only what the actor may see.

Who sees what (written once, here):

- an administrator sees the agreements whose host area (the community's or street's) or whose
  unit's area is inside their subtree, and the committees (with all their seats) whose area is
  inside their subtree;
- a unit liaison sees their own unit's agreements and seats, and (read only) the committees those
  seats are on;
- members and residents see none of it; a superuser sees everything.

An agreement's status is read from its dates (``agreement_status_on``), so a list filtered by status
is right even on a day the nightly refresh has not run; ``Agreement.in_force_on`` stays the one
definition the figures use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.core.pdf import render_pdf
from gongjian.core.search import name_search_q
from gongjian.core.text import search_key
from gongjian.members.selectors import member_list
from gongjian.orgs.models import Area, Dated, Level, PartyOrg, ResidentUnit
from gongjian.orgs.selectors import unit_list

from ..models import (
    SEAT_STEPS,
    Agreement,
    AgreementClause,
    AgreementReview,
    AgreementStatus,
    Clause,
    Committee,
    PartTimeSeat,
    SeatStep,
)

#: Territorial organisations that host agreements and committees sit on these levels.
HOST_LEVELS = (Level.STREET, Level.COMMUNITY)

#: The catalogue clauses by their Chinese names, for the signed document (a legal text in Chinese
#: whatever the reader's language).
CLAUSE_ZH: dict[str, str] = {
    Clause.CONSULT: "党建共商",
    Clause.AFFAIRS: "事务共管",
    Clause.RESOURCES: "资源共享",
    Clause.CIVILITY: "文明共创",
    Clause.PROBLEMS: "难题共解",
    Clause.ACTIVITIES: "活动共办",
    Clause.ORGANISATION: "组织共建",
    Clause.TEAMS: "队伍共管",
    Clause.VENUES: "阵地共用",
    Clause.OTHER: "其他约定",
}
STATUS_ZH: dict[str, str] = {
    AgreementStatus.DRAFT: "草案",
    AgreementStatus.SIGNED: "已签订",
    AgreementStatus.IN_FORCE: "履行中",
    AgreementStatus.EXPIRED: "已到期",
    AgreementStatus.ENDED: "已终止",
}


def _today(on: dt.date | None) -> dt.date:
    return on or timezone.localdate()


# --- agreement status from dates ---------------------------------------------------------------


def agreement_status_on(agreement: Agreement, date: dt.date) -> str:
    """The status of ``agreement`` on ``date``, from its dates: in force exactly when
    ``Agreement.in_force_on(date)`` holds; ended from the day it ended, expired after its term."""
    if agreement.signed_on is None or agreement.signed_on > date:
        return AgreementStatus.DRAFT
    if agreement.ended_on is not None and agreement.ended_on <= date:
        return AgreementStatus.ENDED
    if date > agreement.ends_on:
        return AgreementStatus.EXPIRED
    if date >= agreement.starts_on:
        return AgreementStatus.IN_FORCE
    return AgreementStatus.SIGNED


def agreement_status_q(status: str, date: dt.date, prefix: str = "") -> Q:
    """Rows whose status on ``date`` (as ``agreement_status_on`` reads it) is ``status``."""
    p = prefix
    unsigned = Q(**{f"{p}signed_on__isnull": True}) | Q(**{f"{p}signed_on__gt": date})
    signed = Q(**{f"{p}signed_on__isnull": False, f"{p}signed_on__lte": date})
    ended = Q(**{f"{p}ended_on__isnull": False, f"{p}ended_on__lte": date})
    if status == AgreementStatus.DRAFT:
        return unsigned
    if status == AgreementStatus.ENDED:
        return signed & ended
    if status == AgreementStatus.EXPIRED:
        return signed & ~ended & Q(**{f"{p}ends_on__lt": date})
    if status == AgreementStatus.IN_FORCE:
        return Agreement.in_force_on(date, p)
    if status == AgreementStatus.SIGNED:
        return signed & ~ended & Q(**{f"{p}starts_on__gt": date})
    return Q(pk__in=[])


def agreement_within_q(area: Area) -> Q:
    """Agreements hosted in ``area``'s subtree, or joined by a unit sitting there."""
    return Q(area__path__startswith=area.path) | Q(unit__area__path__startswith=area.path)


def agreement_search_q(text: str) -> Q:
    """The number, the title, or either party's name (either script, pinyin initials)."""
    text = text.strip()
    if not text:
        return Q()
    return (
        Q(number__icontains=text)
        | Q(title__icontains=text)
        | Q(title__icontains=search_key(text))
        | name_search_q(text, prefix="host_org__")
        | name_search_q(text, prefix="unit_org__")
        | name_search_q(text, prefix="unit__")
    )


def committee_search_q(text: str) -> Q:
    """The committee's name, its organisation's or its area's (either script, pinyin initials)."""
    text = text.strip()
    if not text:
        return Q()
    return (
        Q(name__icontains=text)
        | Q(name__icontains=search_key(text))
        | name_search_q(text, prefix="org__")
        | name_search_q(text, prefix="area__")
    )


def seat_search_q(text: str) -> Q:
    """The person's name (either script), the certificate number, the unit's or the linked
    member's name (pinyin initials too)."""
    text = text.strip()
    if not text:
        return Q()
    return (
        Q(person_name__icontains=text)
        | Q(person_name__icontains=search_key(text))
        | Q(certificate_no__icontains=text)
        | name_search_q(text, prefix="unit__")
        | name_search_q(text, prefix="member__")
    )


# --- scope --------------------------------------------------------------------------------------


def _agreement_scope_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.area_paths:
        q |= scope.area_q("area__") | scope.area_q("unit__area__")
    if scope.unit_ids:
        q |= Q(unit_id__in=sorted(scope.unit_ids))
    return q


def _seat_scope_q(actor: Actor, prefix: str = "") -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
    if scope.area_paths:
        q |= scope.area_q(f"{prefix}committee__area__")
    if scope.unit_ids:
        q |= Q(**{f"{prefix}unit_id__in": sorted(scope.unit_ids)})
    return q


def _committee_scope_q(actor: Actor) -> Q:
    scope = scope_for(actor)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.area_paths:
        q |= scope.area_q("area__")
    if scope.unit_ids:
        with_seats = PartTimeSeat.objects.filter(unit_id__in=sorted(scope.unit_ids))
        q |= Q(pk__in=with_seats.values("committee_id"))
    return q


# --- agreements ---------------------------------------------------------------------------------


def agreement_list(
    *,
    actor: Actor,
    q: str = "",
    status: str = "",
    within: Area | None = None,
    unit: ResidentUnit | None = None,
    on: dt.date | None = None,
) -> QuerySet[Agreement]:
    """Agreements the actor may see. ``status`` is read from the dates on ``on`` (today by
    default); ``within`` keeps those hosted in, or joined by a unit sitting in, that subtree; ``q``
    matches the number, the title or either party's name (either script, pinyin initials)."""
    date = _today(on)
    qs = Agreement.objects.filter(_agreement_scope_q(actor))
    if status:
        qs = qs.filter(agreement_status_q(status, date))
    if within is not None:
        qs = qs.filter(agreement_within_q(within))
    if unit is not None:
        qs = qs.filter(unit=unit)
    if q:
        qs = qs.filter(agreement_search_q(q))
    status_today = Case(
        *[When(agreement_status_q(s, date), then=Value(s)) for s in AgreementStatus.values],
        default=Value(""),
        output_field=CharField(),
    )
    return (
        qs.select_related("host_org", "unit_org", "area", "unit")
        .annotate(status_today=status_today)
        .order_by("-starts_on", "number")
    )


def agreement_expiring_list(*, actor: Actor, days: int, on: dt.date | None = None) -> QuerySet[Agreement]:
    """Agreements in force whose term runs out within ``days`` days, soonest first."""
    date = _today(on)
    return (
        agreement_list(actor=actor, status=AgreementStatus.IN_FORCE, on=date)
        .filter(ends_on__lte=date + dt.timedelta(days=days))
        .order_by("ends_on", "number")
    )


def agreement_get(*, actor: Actor, pk: int) -> Agreement:
    agreement = agreement_list(actor=actor).filter(pk=pk).first()
    if agreement is None:
        raise Http404
    return agreement


def agreement_clauses(*, actor: Actor, agreement: Agreement) -> QuerySet[AgreementClause]:
    agreement_get(actor=actor, pk=agreement.pk)
    return AgreementClause.objects.filter(agreement=agreement).order_by("position", "pk")


def agreement_reviews(*, actor: Actor, agreement: Agreement) -> QuerySet[AgreementReview]:
    agreement_get(actor=actor, pk=agreement.pk)
    return AgreementReview.objects.filter(agreement=agreement).select_related("reviewed_by").order_by("-year")


def _communities_of_units(unit_ids: list[int]) -> list[str]:
    """The paths of the communities (or villages) the given units sit in."""
    paths = []
    for unit in ResidentUnit.objects.filter(pk__in=unit_ids).select_related("area"):
        area = unit.area
        if area.level == Level.COMMUNITY:
            paths.append(area.path)
        elif area.level > Level.COMMUNITY:
            community = Area.objects.get_ancestors(area).filter(level=Level.COMMUNITY).first()
            if community is not None:
                paths.append(community.path)
    return paths


def agreement_host_choices(*, actor: Actor) -> QuerySet[PartyOrg]:
    """Territorial Party organisations of a street or community the actor may pair a unit with: an
    administrator those in their subtree; a unit liaison the organisation of the community their
    unit sits in (a unit proposes to its community, which then signs)."""
    scope = scope_for(actor)
    qs = PartyOrg.objects.filter(
        Dated.on(timezone.localdate()), unit__isnull=True, area__level__in=HOST_LEVELS
    )
    if not scope.everything:
        q = scope.area_q("area__")
        communities = _communities_of_units(sorted(scope.unit_ids))
        if communities:
            q |= Q(area__path__in=communities, area__level=Level.COMMUNITY)
        qs = qs.filter(q)
    return qs.select_related("area").order_by("area__path", "code")


def agreement_unit_org_choices(*, actor: Actor) -> QuerySet[PartyOrg]:
    """Party organisations of resident units the actor may pair: those of the units in their subtree
    (administrators), their own unit's (liaisons)."""
    scope = scope_for(actor)
    qs = PartyOrg.objects.filter(Dated.on(timezone.localdate()), unit__isnull=False)
    if not scope.everything:
        qs = qs.filter(scope.rows_q("area__", "unit_id"))
    return qs.select_related("area", "unit").order_by("area__path", "code")


def agreement_due_for_reminder(*, on: dt.date, days: int) -> QuerySet[Agreement]:
    """(For the scheduled reminder, not a person.) Agreements in force on ``on`` whose term runs out
    within ``days`` days, and those that ran out in the last ``days`` days without being ended."""
    return (
        Agreement.objects.filter(
            Agreement.in_force_on(on) & Q(ends_on__lte=on + dt.timedelta(days=days))
            | agreement_status_q(AgreementStatus.EXPIRED, on) & Q(ends_on__gte=on - dt.timedelta(days=days))
        )
        .select_related("area", "unit", "unit__area", "host_org", "unit_org")
        .order_by("ends_on", "pk")
    )


def agreement_document(*, actor: Actor, agreement: Agreement) -> bytes:
    """The agreement as a PDF in Chinese (a legal document: Chinese labels whatever the reader's
    language): title, number, both parties, term, every clause with its wording, the yearly plan,
    the liaisons and the signatures block with places for the seals."""
    agreement = agreement_get(actor=actor, pk=agreement.pk)
    clauses = [
        {"name": CLAUSE_ZH.get(c.kind, c.kind), "text": c.text}
        for c in agreement_clauses(actor=actor, agreement=agreement)
    ]
    status = agreement_status_on(agreement, timezone.localdate())
    with translation.override("zh-hans"):
        return render_pdf(
            "pdf/agreement.html",
            {
                "agreement": agreement,
                "clauses": clauses,
                "status_zh": STATUS_ZH[status],
                "is_draft": status == AgreementStatus.DRAFT,
                "LANGUAGE_CODE": "zh-hans",
            },
        )


# --- committees ---------------------------------------------------------------------------------


def committee_list(
    *,
    actor: Actor,
    q: str = "",
    kind: str = "",
    within: Area | None = None,
    on: dt.date | None = None,
) -> QuerySet[Committee]:
    """Committees the actor may see, each with ``seats_in_force`` (seats the actor may see that
    are in force on ``on``, today by default) and ``seats_pending`` (recommended, screened or
    approved, not yet appointed)."""
    date = _today(on)
    qs = Committee.objects.filter(_committee_scope_q(actor))
    if kind:
        qs = qs.filter(kind=kind)
    if within is not None:
        qs = qs.filter(area__path__startswith=within.path)
    if q:
        qs = qs.filter(committee_search_q(q))
    visible = _seat_scope_q(actor, "seats__")
    pending = [SeatStep.RECOMMENDED, SeatStep.SCREENED, SeatStep.APPROVED]
    return (
        qs.select_related("org", "area")
        .annotate(
            seats_in_force=Count("seats", filter=PartTimeSeat.in_force_on(date, "seats__") & visible),
            seats_pending=Count("seats", filter=Q(seats__step__in=pending) & visible),
        )
        .order_by("area__path", "kind")
    )


def committee_get(*, actor: Actor, pk: int) -> Committee:
    committee = committee_list(actor=actor).filter(pk=pk).first()
    if committee is None:
        raise Http404
    return committee


def committee_org_choices(*, actor: Actor) -> QuerySet[PartyOrg]:
    """Territorial organisations of streets and communities in the actor's subtree that have no
    expanded committee yet."""
    scope = scope_for(actor)
    qs = PartyOrg.objects.filter(
        Dated.on(timezone.localdate()),
        unit__isnull=True,
        area__level__in=HOST_LEVELS,
        expanded_committee__isnull=True,
    ).filter(scope.area_q("area__"))
    return qs.select_related("area").order_by("area__path", "code")


# --- part-time seats ----------------------------------------------------------------------------


def seat_list(
    *,
    actor: Actor,
    committee: Committee | None = None,
    step: str = "",
    unit: ResidentUnit | None = None,
    within: Area | None = None,
    q: str = "",
    on: dt.date | None = None,
) -> QuerySet[PartTimeSeat]:
    """Part-time seats the actor may see. ``on`` keeps the seats in force on that date; ``q``
    matches the person's name (either script), the unit's name or pinyin initials."""
    qs = PartTimeSeat.objects.filter(_seat_scope_q(actor))
    if committee is not None:
        qs = qs.filter(committee=committee)
    if step:
        qs = qs.filter(step=step)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if within is not None:
        qs = qs.filter(committee__area__path__startswith=within.path)
    if on is not None:
        qs = qs.filter(PartTimeSeat.in_force_on(on))
    if q:
        qs = qs.filter(seat_search_q(q))
    return qs.select_related("committee", "committee__area", "committee__org", "unit", "member").order_by(
        "committee__area__path", "-recommended_on", "pk"
    )


def seat_get(*, actor: Actor, pk: int) -> PartTimeSeat:
    seat = seat_list(actor=actor).filter(pk=pk).first()
    if seat is None:
        raise Http404
    return seat


def committee_seats_by_step(*, actor: Actor, committee: Committee) -> list[dict[str, Any]]:
    """The committee's seats the actor may see, grouped by step in the order the steps are taken
    (then the rejected and the ended), each group with its label."""
    committee_get(actor=actor, pk=committee.pk)
    seats = list(seat_list(actor=actor, committee=committee).order_by("person_name", "pk"))
    order = [*SEAT_STEPS, SeatStep.REJECTED, SeatStep.ENDED]
    return [
        {"step": step, "label": SeatStep(step).label, "seats": [s for s in seats if s.step == step]}
        for step in order
    ]


def seat_unit_choices(*, actor: Actor, committee: Committee) -> QuerySet[ResidentUnit]:
    """Units whose leaders may sit on ``committee``: those sitting in its area now, as far as the
    actor sees them."""
    return unit_list(actor=actor, within=committee.area).order_by("name_key")


def seat_member_choices(*, actor: Actor) -> QuerySet[Any]:
    """Members a seat may point at (optional): those the actor sees."""
    return member_list(actor=actor)


#: Steps at which a seat holds (or held) a certificate: from the appointment on.
CERTIFIED_STEPS = (SeatStep.APPOINTED, SeatStep.ANNOUNCED, SeatStep.ENDED)


def seat_has_certificate(seat: PartTimeSeat) -> bool:
    """Whether the seat was appointed (a certificate is issued at the appointment)."""
    return seat.step in CERTIFIED_STEPS and bool(seat.certificate_no)


def seat_certificate(*, actor: Actor, seat: PartTimeSeat) -> bytes:
    """The appointment certificate (聘书) of an appointed seat, as a PDF in Chinese. A seat not yet
    appointed has none (PermissionDenied: nobody may have it)."""
    seat = seat_get(actor=actor, pk=seat.pk)
    if not seat_has_certificate(seat):
        raise PermissionDenied(_("A certificate is issued only when the seat is appointed."))
    with translation.override("zh-hans"):
        return render_pdf(
            "pdf/seat_certificate.html",
            {
                "seat": seat,
                "committee": seat.committee,
                # ``until`` is the first day the seat is no longer held: the term's last day is before it
                "last_day": seat.until - dt.timedelta(days=1) if seat.until else None,
                "LANGUAGE_CODE": "zh-hans",
            },
        )


# --- what waits for the actor -------------------------------------------------------------------


def agreement_signing_queue(*, actor: Actor) -> QuerySet[Agreement]:
    """Drafts hosted in the actor's subtree: the host side signs them."""
    scope = scope_for(actor)
    return agreement_list(actor=actor, status=AgreementStatus.DRAFT).filter(scope.area_q("area__"))


def seat_approval_queue(*, actor: Actor) -> QuerySet[PartTimeSeat]:
    """Screened seats of committees strictly below the actor's level: the actor approves them."""
    scope = scope_for(actor)
    qs = seat_list(actor=actor, step=SeatStep.SCREENED)
    if scope.everything:
        return qs
    below = Q(pk__in=[])
    for path in scope.area_paths:
        below |= Q(committee__area__path__startswith=path) & ~Q(committee__area__path=path)
    return qs.filter(below)
