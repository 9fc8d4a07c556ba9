"""Every write to agreements, expanded committees and part-time seats: ``noun_verb(*, actor, ...)``,
one transaction, one audit entry each.

Who may do what:

- **Agreements**: the host side (an administrator whose subtree holds the community's or street's
  organisation) creates, edits while draft, signs, ends and reviews. A unit's liaison may propose
  (create and edit a draft of) an agreement of their unit with the community it sits in; the host
  side signs it. Administrators of the unit's area see the agreement but do not change it.
- **Committees**: an administrator whose subtree holds the street or community creates one.
- **Seats**: the committee's side (an administrator whose subtree holds the committee's area)
  recommends, screens, appoints and ends; **only an administrator of a level above** the
  committee's area approves (a community administrator never approves their own community's seats,
  a street administrator never their street's); the unit's liaison or the committee's side records
  the public notice in the unit.

Each ``*_allowed`` function answers for a page or an API client whether a button applies; the
services check the same rules again before writing.

Committees and part-time seats live in ``seats``; their names are re-exported here, so
``agreements.seat_recommend`` (and the rest) keep working.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, signed_in
from gongjian.accounts.models import User
from gongjian.accounts.scope import scope_for
from gongjian.accounts.selectors import nearest_administrators
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.events import Event
from gongjian.core.notify import announce, remind
from gongjian.core.services import apply_changes
from gongjian.orgs.models import Area, Level, PartyOrg

from ..models import (
    Agreement,
    AgreementClause,
    AgreementReview,
    AgreementStatus,
    Clause,
    JointMeeting,
    ReviewRating,
)
from ..selectors.agreements import (
    HOST_LEVELS,
    agreement_due_for_reminder,
    agreement_host_choices,
    agreement_status_on,
    agreement_unit_org_choices,
)
from ._shared import _covers, _require, _text, _today
from .seats import (
    KIND_OF_LEVEL,
    SEAT_ACTIONS,
    committee_create,
    committee_create_allowed,
    seat_actions_allowed,
    seat_announce,
    seat_appoint,
    seat_approve,
    seat_end,
    seat_recommend,
    seat_recommend_allowed,
    seat_reject,
    seat_screen,
)

#: Fields of a draft agreement that may change (the parties stay; create a new draft instead).
AGREEMENT_FIELDS = (
    "title",
    "host_liaison",
    "host_liaison_title",
    "unit_liaison",
    "unit_liaison_title",
    "starts_on",
    "ends_on",
    "yearly_plan",
)
#: Reminders go out this many days before an agreement's term runs out (and again on expiry).
REMIND_DAYS = 30
#: The longest term an agreement may have (ten years).
MAX_TERM_DAYS = 3653

ClauseInput = Mapping[str, Any] | tuple[str, str]


def agreement_create_allowed(*, actor: Actor) -> bool:
    """Whether the actor may start an agreement at all (an administrator, or a unit's liaison)."""
    scope = scope_for(actor)
    return bool(scope.everything or scope.area_paths or scope.unit_ids)


def agreement_edit_allowed(*, actor: Actor, agreement: Agreement) -> bool:
    """A draft changes by the host side or by the unit's liaison."""
    if agreement.status != AgreementStatus.DRAFT:
        return False
    return _covers(actor, agreement.area) or scope_for(actor).covers_unit(agreement.unit_id)


def agreement_sign_allowed(*, actor: Actor, agreement: Agreement) -> bool:
    """A draft is signed by the host side (the community or street)."""
    return agreement.status == AgreementStatus.DRAFT and _covers(actor, agreement.area)


def agreement_end_allowed(*, actor: Actor, agreement: Agreement, today: dt.date | None = None) -> bool:
    """A signed agreement not yet run out nor ended may be ended early by the host side."""
    status = agreement_status_on(agreement, _today(today))
    open_ = agreement.signed_on is not None and agreement.ended_on is None
    return (
        open_
        and status in (AgreementStatus.SIGNED, AgreementStatus.IN_FORCE)
        and _covers(actor, agreement.area)
    )


def agreement_review_years(agreement: Agreement, today: dt.date | None = None) -> list[int]:
    """The years of the term, up to this one, that have no review yet (one review a year)."""
    if agreement.signed_on is None:
        return []
    last = min(agreement.ends_on, _today(today), agreement.ended_on or agreement.ends_on)
    done = set(AgreementReview.objects.filter(agreement=agreement).values_list("year", flat=True))
    return [y for y in range(agreement.starts_on.year, last.year + 1) if y not in done]


def agreement_review_allowed(*, actor: Actor, agreement: Agreement, today: dt.date | None = None) -> bool:
    return _covers(actor, agreement.area) and bool(agreement_review_years(agreement, today))


# --- agreements -----------------------------------------------------------------------------------


def _short_place(name: str) -> str:
    """开福区 → 开福, 长沙县 → 长沙, 浏阳市 → 浏阳 (the district part of an agreement number)."""
    for suffix in ("自治县", "区", "县", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _district_of(area: Area) -> Area:
    if area.level <= Level.DISTRICT:
        return area
    return Area.objects.get_ancestors(area).filter(level=Level.DISTRICT).first() or area


def _next_number(prefix: str) -> str:
    taken = Agreement.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    serials = [int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()]
    return f"{prefix}{max(serials, default=0) + 1:04d}"


def _clean_clauses(clauses: Iterable[ClauseInput]) -> list[tuple[str, str]]:
    """Each clause a catalogue kind (at most once; "other" as often as needed) with its wording."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in clauses:
        kind, text = (item["kind"], item.get("text", "")) if isinstance(item, Mapping) else item
        kind, text = _text(kind), _text(text)
        if kind not in Clause.values:
            raise ValidationError({"clauses": _("Unknown clause: %(kind)s.") % {"kind": kind}})
        label = Clause(kind).label
        if kind != Clause.OTHER and kind in seen:
            raise ValidationError({"clauses": _("The clause %(clause)s is there twice.") % {"clause": label}})
        if not text:
            raise ValidationError(
                {"clauses": _("Write what the parties commit to under %(clause)s.") % {"clause": label}}
            )
        seen.add(kind)
        out.append((kind, text))
    if not out:
        raise ValidationError({"clauses": _("Choose at least one clause of the catalogue.")})
    return out


def _check_term(starts_on: dt.date | None, ends_on: dt.date | None) -> None:
    if starts_on is None or ends_on is None:
        raise ValidationError({"ends_on": _("Give the start and the end of the term.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The term cannot end before it starts.")})
    if (ends_on - starts_on).days > MAX_TERM_DAYS:
        raise ValidationError({"ends_on": _("A term runs ten years at most.")})


def _check_org_alive(org: PartyOrg, on: dt.date, field: str) -> None:
    if org.until is not None and org.until <= on:
        raise ValidationError({field: _("%(org)s no longer exists on that date.") % {"org": org.name}})


def _clause_rows(agreement: Agreement) -> list[list[str]]:
    return [[c.kind, c.text] for c in agreement.clauses.order_by("position", "pk")]


@transaction.atomic
def agreement_create(
    *,
    actor: Actor,
    host_org: PartyOrg,
    unit_org: PartyOrg,
    starts_on: dt.date,
    ends_on: dt.date,
    clauses: Iterable[ClauseInput],
    title: str = "",
    host_liaison: str = "",
    host_liaison_title: str = "",
    unit_liaison: str = "",
    unit_liaison_title: str = "",
    yearly_plan: str = "",
    meeting: JointMeeting | None = None,
) -> Agreement:
    """A draft agreement between a community's or street's organisation (host) and a resident
    unit's organisation, with its clauses. Its number (``2018-开福-0001``) is generated from the
    year the term starts and the host's district."""
    if host_org.unit_id is not None or host_org.area.level not in HOST_LEVELS:
        raise ValidationError(
            {"host_org": _("The host side is the Party organisation of a community or a street.")}
        )
    if unit_org.unit_id is None:
        raise ValidationError({"unit_org": _("The other side is the Party organisation of a resident unit.")})
    scope = scope_for(actor)
    if not scope.covers_path(host_org.area.path):
        liaison_may = (
            scope.covers_unit(unit_org.unit_id)
            and agreement_host_choices(actor=actor).filter(pk=host_org.pk).exists()
        )
        _require(
            liaison_may,
            _("You may not start an agreement for %(org)s.") % {"org": host_org.name},
        )
    if not agreement_unit_org_choices(actor=actor).filter(pk=unit_org.pk).exists():
        raise PermissionDenied(_("You may not pair %(org)s.") % {"org": unit_org.name})
    _check_term(starts_on, ends_on)
    _check_org_alive(host_org, starts_on, "host_org")
    _check_org_alive(unit_org, starts_on, "unit_org")
    rows = _clean_clauses(clauses)
    if meeting is not None and not scope.covers_path(meeting.area.path):
        raise PermissionDenied(
            _("You may not record agreements at %(meeting)s.") % {"meeting": meeting.title}
        )
    unit = unit_org.unit
    assert unit is not None
    prefix = f"{starts_on.year}-{_short_place(_district_of(host_org.area).name)}-"
    agreement = Agreement(
        title=_text(title) or f"{host_org.name}与{unit_org.name}结对共建协议",
        host_org=host_org,
        unit_org=unit_org,
        area=host_org.area,
        unit=unit,
        host_liaison=_text(host_liaison),
        host_liaison_title=_text(host_liaison_title),
        unit_liaison=_text(unit_liaison),
        unit_liaison_title=_text(unit_liaison_title),
        starts_on=starts_on,
        ends_on=ends_on,
        yearly_plan=_text(yearly_plan),
        status=AgreementStatus.DRAFT,
        meeting=meeting,
        created_by=signed_in(actor),
    )
    agreement.number = _next_number(prefix)
    agreement.full_clean(exclude=["number"])
    for _attempt in range(5):
        try:
            with transaction.atomic():
                agreement.save()
            break
        except IntegrityError:  # another draft took the number at the same moment
            agreement.pk = None
            agreement.number = _next_number(prefix)
    else:  # pragma: no cover - five collisions in a row
        raise ValidationError({"number": _("No agreement number is free; try again.")})
    AgreementClause.objects.bulk_create(
        AgreementClause(agreement=agreement, position=i, kind=kind, text=text)
        for i, (kind, text) in enumerate(rows, start=1)
    )
    audit_record(
        actor=actor,
        action=Event.AGREEMENT_CREATE,
        obj=agreement,
        changes={
            **snapshot(agreement, ("number", "host_org", "unit_org", "starts_on", "ends_on")),
            "clauses": [[k, t] for k, t in rows],
        },
    )
    _announce_agreement(Event.AGREEMENT_CREATE, actor, agreement)
    return agreement


def _locked(agreement: Agreement) -> Agreement:
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("area", "unit", "host_org", "unit_org")
        .get(pk=agreement.pk)
    )


@transaction.atomic
def agreement_update(
    *, actor: Actor, agreement: Agreement, clauses: Iterable[ClauseInput] | None = None, **changes: Any
) -> Agreement:
    """Change a draft: its title, liaisons, term, yearly plan and clauses (all of them, in order).
    A signed agreement does not change; end it and sign a new one."""
    agreement = _locked(agreement)
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError(_("Only a draft can be changed; this agreement is signed."))
    _require(
        agreement_edit_allowed(actor=actor, agreement=agreement),
        _("You may not change %(number)s.") % {"number": agreement.number},
    )
    for name in ("host_org", "unit_org"):
        if name in changes:
            value = changes.pop(name)
            if getattr(value, "pk", value) != getattr(agreement, f"{name}_id"):
                raise ValidationError({name: _("The parties of a draft stay; start a new draft instead.")})
    for name in ("title", "host_liaison", "host_liaison_title", "unit_liaison", "unit_liaison_title"):
        if name in changes:
            changes[name] = _text(changes[name])
    if "yearly_plan" in changes:
        changes["yearly_plan"] = _text(changes["yearly_plan"])
    if "title" in changes and not changes["title"]:
        raise ValidationError({"title": _("An agreement needs a title.")})
    _check_term(changes.get("starts_on", agreement.starts_on), changes.get("ends_on", agreement.ends_on))
    changed = apply_changes(agreement, changes, AGREEMENT_FIELDS)
    if clauses is not None:
        rows = _clean_clauses(clauses)
        before = _clause_rows(agreement)
        after = [[k, t] for k, t in rows]
        if before != after:
            agreement.clauses.all().delete()
            AgreementClause.objects.bulk_create(
                AgreementClause(agreement=agreement, position=i, kind=kind, text=text)
                for i, (kind, text) in enumerate(rows, start=1)
            )
            changed["clauses"] = [before, after]
    if changed:
        agreement.save()
        audit_record(actor=actor, action=Event.AGREEMENT_UPDATE, obj=agreement, changes=changed)
        _announce_agreement(Event.AGREEMENT_UPDATE, actor, agreement)
    return agreement


@transaction.atomic
def agreement_sign(
    *,
    actor: Actor,
    agreement: Agreement,
    signed_on: dt.date,
    host_signatory: str,
    unit_signatory: str,
    meeting: JointMeeting | None = None,
    today: dt.date | None = None,
) -> Agreement:
    """Both sides sign: the status follows the dates (signed before the term starts, in force
    during it; an old agreement recorded after its term is expired at once)."""
    agreement = _locked(agreement)
    now = _today(today)
    if agreement.status != AgreementStatus.DRAFT:
        raise ValidationError(_("This agreement has already been signed."))
    _require(
        agreement_sign_allowed(actor=actor, agreement=agreement),
        _("Only the community or street side signs %(number)s.") % {"number": agreement.number},
    )
    errors: dict[str, str] = {}
    if not _text(host_signatory):
        errors["host_signatory"] = _("Who signs for the community or street side?")
    if not _text(unit_signatory):
        errors["unit_signatory"] = _("Who signs for the unit side?")
    if signed_on > now:
        errors["signed_on"] = _("An agreement cannot be signed on a future date.")
    elif signed_on > agreement.ends_on:
        errors["signed_on"] = _("The term ends before that date; change the term first.")
    if errors:
        raise ValidationError(errors)
    if not agreement.clauses.exists():
        raise ValidationError({"clauses": _("Choose at least one clause of the catalogue.")})
    if meeting is not None:
        _require(
            scope_for(actor).covers_path(meeting.area.path),
            _("You may not record agreements at %(meeting)s.") % {"meeting": meeting.title},
        )
        agreement.meeting = meeting
    agreement.signed_on = signed_on
    agreement.host_signatory = _text(host_signatory)
    agreement.unit_signatory = _text(unit_signatory)
    agreement.status = agreement_status_on(agreement, now)
    agreement.save()
    audit_record(
        actor=actor,
        action=Event.AGREEMENT_SIGN,
        obj=agreement,
        changes={
            **snapshot(agreement, ("signed_on", "host_signatory", "unit_signatory", "meeting")),
            "status": [AgreementStatus.DRAFT, agreement.status],
        },
    )
    _announce_agreement(Event.AGREEMENT_SIGN, actor, agreement, signed_on.isoformat(), above=True)
    return agreement


@transaction.atomic
def agreement_end(
    *, actor: Actor, agreement: Agreement, ended_on: dt.date, reason: str, today: dt.date | None = None
) -> Agreement:
    """End a signed agreement early, from ``ended_on`` (today or earlier), with a reason."""
    agreement = _locked(agreement)
    now = _today(today)
    status = agreement_status_on(agreement, now)
    if agreement.signed_on is None:
        raise ValidationError(_("A draft is not ended; it was never signed."))
    if agreement.ended_on is not None:
        raise ValidationError(_("This agreement has already ended."))
    if status == AgreementStatus.EXPIRED:
        raise ValidationError(_("This agreement has already run its term."))
    _require(
        agreement_end_allowed(actor=actor, agreement=agreement, today=now),
        _("Only the community or street side ends %(number)s.") % {"number": agreement.number},
    )
    if not _text(reason):
        raise ValidationError({"reason": _("Say why the agreement ends early.")})
    if ended_on > now:
        raise ValidationError({"ended_on": _("An agreement ends today or on an earlier date.")})
    if ended_on < agreement.signed_on:
        raise ValidationError({"ended_on": _("An agreement cannot end before it was signed.")})
    agreement.ended_on = ended_on
    agreement.end_reason = _text(reason)[:200]
    old = agreement.status
    agreement.status = AgreementStatus.ENDED
    agreement.save(update_fields=["ended_on", "end_reason", "status"])
    audit_record(
        actor=actor,
        action=Event.AGREEMENT_END,
        obj=agreement,
        changes={"ended_on": [None, ended_on], "status": [old, AgreementStatus.ENDED]},
        reason=agreement.end_reason,
    )
    _announce_agreement(
        Event.AGREEMENT_END, actor, agreement, f"{ended_on.isoformat()}\n{agreement.end_reason}"
    )
    return agreement


@transaction.atomic
def agreement_review(
    *,
    actor: Actor,
    agreement: Agreement,
    year: int,
    rating: str,
    summary: str,
    reviewed_on: dt.date | None = None,
    today: dt.date | None = None,
) -> AgreementReview:
    """The yearly review (年度评议): one a year of the term, up to this year, by the host side."""
    agreement = _locked(agreement)
    now = _today(today)
    if agreement.signed_on is None:
        raise ValidationError(_("Only a signed agreement is reviewed."))
    _require(
        _covers(actor, agreement.area),
        _("Only the community or street side reviews %(number)s.") % {"number": agreement.number},
    )
    if rating not in ReviewRating.values:
        raise ValidationError({"rating": _("Choose a rating.")})
    if not _text(summary):
        raise ValidationError({"summary": _("Sum up what was done this year.")})
    if AgreementReview.objects.filter(agreement=agreement, year=year).exists():
        raise ValidationError({"year": _("%(year)s has already been reviewed.") % {"year": year}})
    if year not in agreement_review_years(agreement, now):
        raise ValidationError(
            {"year": _("%(year)s is not a year of this agreement's term up to now.") % {"year": year}}
        )
    on = reviewed_on or now
    if on > now or on.year < year:
        raise ValidationError(
            {"reviewed_on": _("A review is dated in or after its year, and not in the future.")}
        )
    review = AgreementReview(
        agreement=agreement,
        year=year,
        rating=rating,
        summary=_text(summary),
        reviewed_on=on,
        reviewed_by=signed_in(actor),
    )
    review.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:  # a concurrent review of the same year
        raise ValidationError({"year": _("%(year)s has already been reviewed.") % {"year": year}}) from exc
    audit_record(
        actor=actor,
        action=Event.AGREEMENT_REVIEW,
        obj=review,
        changes={"agreement": agreement.pk, "year": year, "rating": rating},
    )
    _announce_agreement(
        Event.AGREEMENT_REVIEW, actor, agreement, f"{year} · {review.get_rating_display()}", above=True
    )
    return review


@transaction.atomic
def agreements_refresh_status(*, today: dt.date | None = None) -> int:
    """(Nightly.) Move each agreement's stored status to what its dates say (signed → in force →
    expired, ended from the day it ends); return how many changed. Each change is audited."""
    now = _today(today)
    moving = [AgreementStatus.SIGNED, AgreementStatus.IN_FORCE]
    candidates = Agreement.objects.select_for_update().filter(
        Q(status=AgreementStatus.SIGNED, starts_on__lte=now)
        | Q(status__in=moving, ends_on__lt=now)
        | Q(status__in=moving, ended_on__lte=now)
    )
    count = 0
    for agreement in candidates.order_by("pk"):
        status = agreement_status_on(agreement, now)
        if status in (agreement.status, AgreementStatus.DRAFT):
            continue
        old = agreement.status
        agreement.status = status
        agreement.save(update_fields=["status"])
        audit_record(
            actor=None, action=Event.AGREEMENT_STATUS, obj=agreement, changes={"status": [old, status]}
        )
        _announce_agreement(Event.AGREEMENT_STATUS, None, agreement, str(agreement.get_status_display()))
        count += 1
    return count


def _reminder_recipients(agreement: Agreement) -> list[User]:
    """The host side's nearest administrators (the community's, else the street's, …) and the
    unit's liaisons (else the nearest administrators where the unit sits), as every reminder of
    the platform is addressed (``nearest_administrators``)."""
    users = {u.pk: u for u in nearest_administrators(area_path=agreement.area.path)}
    for user in nearest_administrators(area_path=agreement.unit.area.path, unit_id=agreement.unit_id):
        users.setdefault(user.pk, user)
    return list(users.values())


def _announce_agreement(
    event: Event, actor: Actor | None, agreement: Agreement, body: str = "", *, above: bool = False
) -> int:
    """Both sides of an agreement hear of it ("<event>: <number>"), and with ``above`` the
    administrators of the level above the host side (signatures and reviews are reported up)."""
    people: list[Any] = _reminder_recipients(agreement)
    if above:
        area = agreement.area
        parent = area.path[: -area.steplen] if len(area.path) > area.steplen else ""
        people += nearest_administrators(area_path=parent) if parent else []
    number, sides = agreement.number, f"{agreement.host_org.name} · {agreement.unit_org.name}"
    return announce(
        event,
        actor=actor,
        recipients=people,
        title=lambda: f"{event.label}：{number}",
        body="\n".join(part for part in (sides, body) if part),
        url=reverse("cobuild:agreement_detail", args=[agreement.pk]),
    )


def agreements_remind(*, today: dt.date | None = None) -> int:
    """(Daily.) Notify the host side's administrators and the unit's liaisons about each agreement
    whose term runs out within 30 days, and about each that has run out (in the last 30 days);
    once per agreement, term end and kind of reminder, however often it runs. Return how many
    notifications were sent."""
    now = _today(today)
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for agreement in agreement_due_for_reminder(on=now, days=REMIND_DAYS):
            expired = agreement.ends_on < now
            kind = "agreement.expired" if expired else "agreement.expiring"
            params = {
                "number": agreement.number,
                "host": agreement.host_org.name,
                "unit": agreement.unit_org.name,
                "date": agreement.ends_on.isoformat(),
            }
            if expired:
                title = _("Agreement %(number)s has expired") % params
                body = _("The agreement between %(host)s and %(unit)s ran out on %(date)s.") % params
            else:
                title = _("Agreement %(number)s expires on %(date)s") % params
                body = (
                    _(
                        "The agreement between %(host)s and %(unit)s runs out on %(date)s: review it and sign a new one if the pairing goes on."
                    )
                    % params
                )
            sent += remind(
                kind,
                recipients=_reminder_recipients(agreement),
                title=title,
                body=body,
                url=reverse("cobuild:agreement_detail", args=[agreement.pk]),
                dedupe_key=f"{kind}:{agreement.pk}:{agreement.ends_on.isoformat()}",
            )
    return sent


#: This module's services and, re-exported, those of ``seats``.
__all__ = [
    "AGREEMENT_FIELDS",
    "KIND_OF_LEVEL",
    "MAX_TERM_DAYS",
    "REMIND_DAYS",
    "SEAT_ACTIONS",
    "ClauseInput",
    "agreement_create",
    "agreement_create_allowed",
    "agreement_edit_allowed",
    "agreement_end",
    "agreement_end_allowed",
    "agreement_review",
    "agreement_review_allowed",
    "agreement_review_years",
    "agreement_sign",
    "agreement_sign_allowed",
    "agreement_update",
    "agreements_refresh_status",
    "agreements_remind",
    "committee_create",
    "committee_create_allowed",
    "seat_actions_allowed",
    "seat_announce",
    "seat_appoint",
    "seat_approve",
    "seat_end",
    "seat_recommend",
    "seat_recommend_allowed",
    "seat_reject",
    "seat_screen",
]
