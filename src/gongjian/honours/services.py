"""Every write of appraisals: ``noun_verb(*, actor, ...)``, one transaction, one audit entry.

The steps of a campaign::

    draft ──score──▶ scored ──publish──▶ notice (公示) ──award──▶ awarded
    (criteria, nominations,   (the panel adjusts    (anyone objects; the
     panel scores)             with a reason)         organiser answers)

Who may do what: the administrators whose scope covers the node the campaign is organised at (its
organisers, and those above them) do every step but objecting; anyone may object while the list is
on notice, signed in or not. Bad input is a ``ValidationError`` in the user's language and changes
nothing; a step out of order is refused the same way. Scoring reads the catalogue's figures on the
campaign's date and stores each value beside the weight it was multiplied by, so the ranking can
be read back (and redone) as it was.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, signed_in
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.events import Event
from gongjian.core.levels import Level
from gongjian.core.notify import announce
from gongjian.core.pii import mask_name
from gongjian.members.models import Member, MemberStatus
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit
from gongjian.service.models import ServiceTeam
from gongjian.stats.indicators import CATALOGUE, Indicator, compute_many
from gongjian.stats.registry import Value

from . import audience, scoring, selectors
from .models import (
    Campaign,
    CampaignStatus,
    CandidateKind,
    Criterion,
    CriterionKind,
    Entry,
    EntryPart,
    Honour,
    Objection,
)

#: The levels a campaign is organised at.
ORGANISER_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY)
CAMPAIGN_FIELDS = (
    "area",
    "name",
    "year",
    "honour",
    "candidate_kind",
    "candidate_level",
    "how_many",
    "negative",
    "by_nomination",
    "figures_from",
    "figures_on",
    "nominations_until",
    "review_until",
    "notice_until",
    "award_on",
)


# --- who may do what --------------------------------------------------------------------------


def campaign_manage_allowed(*, actor: Actor | None, campaign: Campaign) -> bool:
    """The system (the demo) and the administrators over the organiser's node."""
    if actor is None:
        return True
    return scope_for(actor).covers_path(campaign.area.path)


def campaign_actions(*, actor: Actor, campaign: Campaign) -> list[str]:
    """The steps the actor may take now (the page offers their forms)."""
    if not campaign_manage_allowed(actor=actor, campaign=campaign):
        return []
    status = campaign.status
    out: list[str] = []
    if status == CampaignStatus.DRAFT:
        out += ["criterion", "nominate"]
    if status in (CampaignStatus.DRAFT, CampaignStatus.SCORED):
        out += ["panel", "score"]
    if status == CampaignStatus.SCORED:
        out += ["adjust", "publish"]
    if status == CampaignStatus.NOTICE:
        out += ["answer", "award"]
    return out


def _require_manage(actor: Actor | None, campaign: Campaign) -> None:
    if not campaign_manage_allowed(actor=actor, campaign=campaign):
        raise PermissionDenied


def _refuse(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: message} if field else message)


def _require_status(campaign: Campaign, *allowed: str) -> None:
    if campaign.status not in allowed:
        raise _refuse(
            _("This step is not open while the campaign is %(status)s.")
            % {"status": campaign.get_status_display()}
        )


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("area").get(pk=campaign.pk)


def _text(value: str, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise _refuse(message, field)
    if len(value) > limit:
        raise _refuse(_("At most %(n)d characters.") % {"n": limit}, field)
    return value


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _refuse(_("Enter a number."), field) from None
    if not number.is_finite():
        raise _refuse(_("Enter a number."), field)
    return scoring.quantize(number)


def _now(at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if at is None:
        return now
    if at > now + dt.timedelta(minutes=5):
        raise _refuse(_("The time cannot be in the future."), "at")
    return at


def campaign_url(campaign: Campaign) -> str:
    return reverse("honours:campaign", args=[campaign.pk])


def notice_url(campaign: Campaign) -> str:
    return reverse("honours:notice", args=[campaign.pk])


# --- opening a campaign -----------------------------------------------------------------------


def _candidates(campaign: Campaign) -> list[Entry]:
    """Every candidate of the campaign's kind inside the organiser's subtree, as unsaved entries."""
    path = campaign.area.path
    day = campaign.figures_on
    if campaign.candidate_kind == CandidateKind.AREA:
        return [
            Entry(campaign=campaign, area=a, home=a, name=a.name)
            for a in selectors.candidate_areas(campaign=campaign)
        ]
    if campaign.candidate_kind == CandidateKind.ORG:
        orgs = PartyOrg.objects.filter(area__path__startswith=path, since__lte=day).exclude(until__lt=day)
        return [
            Entry(campaign=campaign, org=o, home=o.area, name=o.name)
            for o in orgs.select_related("area").order_by("area__path", "code")
        ]
    if campaign.candidate_kind == CandidateKind.MEMBER:
        members = Member.objects.filter(org__area__path__startswith=path, status=MemberStatus.NORMAL)
        return [
            # a person's name is kept masked on the list: the notice and its objections are public
            Entry(campaign=campaign, member=m, home=m.org.area, name=mask_name(m.name))
            for m in members.select_related("org__area").order_by("org__area__path", "name", "pk")
        ]
    if campaign.candidate_kind == CandidateKind.TEAM:
        teams = ServiceTeam.objects.filter(area__path__startswith=path, active=True)
        return [
            Entry(campaign=campaign, team=t, home=t.area, name=t.name)
            for t in teams.select_related("area").order_by("area__path", "name")
        ]
    units = ResidentUnit.objects.filter(area__path__startswith=path, since__lte=day).exclude(until__lt=day)
    return [
        Entry(campaign=campaign, unit=u, home=u.area, name=u.name)
        for u in units.select_related("area").order_by("area__path", "name")
    ]


def _check_campaign(campaign: Campaign) -> None:
    errors: dict[str, str] = {}
    if campaign.area.level not in ORGANISER_LEVELS:
        errors["area"] = _("A campaign is organised by a city, a district, a street or a community.")
    if campaign.candidate_kind == CandidateKind.AREA:
        if campaign.candidate_level is None:
            errors["candidate_level"] = _("Say which level of areas competes.")
        elif campaign.candidate_level <= campaign.area.level:
            errors["candidate_level"] = _("The candidates sit below the organiser.")
    elif campaign.candidate_level is not None:
        errors["candidate_level"] = _("A level is only chosen for areas.")
    if campaign.figures_from is not None and campaign.figures_from > campaign.figures_on:
        errors["figures_from"] = _("The period starts on or before the day its figures are read to.")
    if campaign.how_many < 1:
        errors["how_many"] = _("At least one.")
    if not 1949 <= campaign.year <= 2100:
        errors["year"] = _("Enter a year such as 2018.")
    steps = [
        ("nominations_until", campaign.nominations_until),
        ("review_until", campaign.review_until),
        ("notice_until", campaign.notice_until),
        ("award_on", campaign.award_on),
    ]
    last: dt.date | None = None
    for name, day in steps:
        if day is None:
            continue
        if last is not None and day < last:
            errors[name] = _("The timetable's dates follow one another: nominations, review, notice, award.")
        last = day
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, actor: Actor | None, area: Area, **fields: Any) -> Campaign:
    """Open a campaign at ``area``; its candidates (unless it takes nominations only) are every
    area of the level, organisation or unit inside the subtree on the campaign's date."""
    if actor is not None and not scope_for(actor).covers_path(area.path):
        raise PermissionDenied
    fields["name"] = _text(fields.get("name", ""), "name", _("Name the campaign."), 120)
    fields["honour"] = _text(fields.get("honour", ""), "honour", _("Name the honour it awards."), 60)
    campaign = Campaign(area=area, created_by=signed_in(actor), **fields)
    _check_campaign(campaign)
    campaign.full_clean()
    campaign.save()
    if not campaign.by_nomination:
        entries = _candidates(campaign)
        if not entries:
            raise _refuse(_("There is no candidate of this kind inside %(area)s.") % {"area": area.name})
        Entry.objects.bulk_create(entries)
    audit_record(
        actor=actor,
        action=Event.CAMPAIGN_CREATE,
        obj=campaign,
        changes=snapshot(campaign, CAMPAIGN_FIELDS),
    )
    return campaign


@transaction.atomic
def criterion_add(
    *,
    actor: Actor | None,
    campaign: Campaign,
    kind: str,
    weight: Any,
    indicator: str = "",
    label: str = "",
) -> Criterion:
    """A figure of the catalogue (read on the campaign's date) or an item the panel scores, with its
    weight. Figures are counted at areas: a campaign of organisations or units takes panel items."""
    _require_manage(actor, campaign)
    campaign = _locked(campaign)
    _require_status(campaign, CampaignStatus.DRAFT)
    weight_value = _decimal(weight, "weight")
    if weight_value == 0:
        raise _refuse(_("A weight of 0 adds nothing."), "weight")
    if kind == CriterionKind.FIGURE:
        found = CATALOGUE.get(indicator)
        if found is None or found.hidden:
            raise _refuse(_("Choose a figure of the catalogue."), "indicator")
        if campaign.candidate_kind != CandidateKind.AREA:
            raise _refuse(
                _(
                    "Figures are counted at areas; score organisations, units, members and teams by the panel."
                ),
                "kind",
            )
        from django.utils.translation import get_language

        label = label.strip() or found.name(get_language() or "zh-hans")
    elif kind == CriterionKind.PANEL:
        indicator = ""
        label = _text(label, "label", _("Name the item the panel scores."), 120)
    else:
        raise _refuse(_("Choose a kind of criterion."), "kind")
    if campaign.criteria.filter(kind=kind, indicator=indicator, label=label).exists():
        raise _refuse(_("The campaign already has this criterion."), "label")
    position = campaign.criteria.count() + 1
    criterion = Criterion.objects.create(
        campaign=campaign,
        kind=kind,
        indicator=indicator,
        label=label[:120],
        weight=weight_value,
        position=position,
    )
    audit_record(
        actor=actor,
        action=Event.CAMPAIGN_CRITERION_ADD,
        obj=campaign,
        changes={"kind": kind, "indicator": indicator, "label": label, "weight": str(weight_value)},
    )
    return criterion


@transaction.atomic
def nomination_add(
    *,
    actor: Actor | None,
    campaign: Campaign,
    candidate: Area | PartyOrg | ResidentUnit | Member | ServiceTeam,
    note: str,
) -> Entry:
    """Nominate a candidate of the campaign's kind inside its subtree (in a campaign that takes
    nominations only, this is how candidates enter)."""
    _require_manage(actor, campaign)
    campaign = _locked(campaign)
    _require_status(campaign, CampaignStatus.DRAFT)
    note = _text(note, "note", _("Say why the candidate is nominated."), 500)
    allowed = {_candidate_id(e): e for e in _candidates(campaign)}
    expected = {
        CandidateKind.AREA: Area,
        CandidateKind.ORG: PartyOrg,
        CandidateKind.UNIT: ResidentUnit,
        CandidateKind.MEMBER: Member,
        CandidateKind.TEAM: ServiceTeam,
    }
    if (
        not isinstance(candidate, expected[CandidateKind(campaign.candidate_kind)])
        or candidate.pk not in allowed
    ):
        raise _refuse(_("Nominate a candidate of this campaign's kind inside its area."), "candidate")
    field = str(campaign.candidate_kind)
    entry = campaign.entries.filter(**{field: candidate}).first()
    if entry is None:
        entry = allowed[candidate.pk]
        entry.save()
    if entry.nominated:
        raise _refuse(_("This candidate is already nominated."), "candidate")
    entry.nominated = True
    entry.nomination = note
    entry.save(update_fields=["nominated", "nomination"])
    audit_record(actor=actor, action=Event.CAMPAIGN_NOMINATE, obj=entry, changes={"nomination": note})
    return entry


# --- scoring ----------------------------------------------------------------------------------


def _candidate_id(entry: Entry) -> int | None:
    return entry.area_id or entry.org_id or entry.unit_id or entry.member_id or entry.team_id


def _figure_part(
    indicator: Indicator,
    values: dict[tuple[int, dt.date], dict[str, Value]],
    home: int,
    day: dt.date,
    segments: list[scoring.Segment] | None,
) -> tuple[float, dict[str, float]]:
    """A figure's value for one candidate on the day, or over the period's segments, with the
    readings it was computed from ("<figure>@<date>": value)."""
    readings: dict[str, float] = {}

    def read(key: str) -> Any:
        def at(date: dt.date) -> float:
            # a ratio with nothing to divide by (None, "—（无数据）") earns no points: it is read as 0
            value = float(values[(home, date)].get(key) or 0)
            readings[f"{key}@{date.isoformat()}"] = value
            return value

        return at

    if segments is None:
        return read(indicator.id)(day), readings
    if indicator.parts is not None:
        part, whole = (CATALOGUE[k] for k in indicator.parts)
        value = scoring.share(
            scoring.over_period(part.kind, segments, read(part.id)),
            scoring.over_period(whole.kind, segments, read(whole.id)),
        )
        return value, readings
    return scoring.over_period(indicator.kind, segments, read(indicator.id)), readings


def _rerank(campaign: Campaign) -> None:
    """Each entry's score from its stored parts and adjustment, then the places and the list."""
    entries = list(campaign.entries.prefetch_related("parts"))
    for entry in entries:
        if entry.computed is None:
            continue
        entry.score = scoring.score([p.points for p in entry.parts.all()], entry.adjustment)
    placed = scoring.rank(
        [scoring.Candidate(e.pk, e.name, e.score, e.excluded) for e in entries if e.score is not None],
        how_many=campaign.how_many,
        negative=campaign.negative,
    )
    by_key = {p.key: p for p in placed}
    for entry in entries:
        place = by_key.get(entry.pk)
        entry.rank = place.rank if place else None
        entry.listed = place.listed if place else False
    Entry.objects.bulk_update(entries, ["score", "rank", "listed"])


@transaction.atomic
def panel_score_set(
    *, actor: Actor | None, entry: Entry, criterion: Criterion, value: Any, evidence: str
) -> EntryPart:
    """The panel's score of one item for one candidate, with its evidence (what the figures cannot
    know, such as tax revenue). Entered again, it replaces the earlier one (the audit keeps both)."""
    campaign = entry.campaign
    _require_manage(actor, campaign)
    campaign = _locked(campaign)
    _require_status(campaign, CampaignStatus.DRAFT, CampaignStatus.SCORED)
    if criterion.campaign_id != campaign.pk or criterion.kind != CriterionKind.PANEL:
        raise _refuse(_("Choose an item the panel scores in this campaign."), "criterion")
    number = _decimal(value, "value")
    evidence = _text(evidence, "evidence", _("Give the evidence for the score."), 500)
    part = EntryPart.objects.filter(entry=entry, criterion=criterion).first()
    before = {"value": str(part.value), "evidence": part.evidence} if part else {}
    if part is None:
        part = EntryPart(entry=entry, criterion=criterion)
    part.value = number
    part.points = scoring.points(number, criterion.weight)
    part.evidence = evidence
    part.entered_by = signed_in(actor)
    part.figures_on = None
    part.save()
    if campaign.status == CampaignStatus.SCORED:
        _rerank(campaign)
    audit_record(
        actor=actor,
        action=Event.CAMPAIGN_PANEL_SCORE,
        obj=entry,
        changes={
            "criterion": criterion.label,
            "value": [before.get("value"), str(number)],
            "evidence": evidence,
        },
    )
    return part


@transaction.atomic
def campaign_score(*, actor: Actor | None, campaign: Campaign) -> Campaign:
    """Read every figure criterion for every candidate on the campaign's date, store each value with
    its weight and date, add the panel's scores and the adjustments, and rank. Refused while a
    candidate lacks a panel score (nothing is counted as 0 that nobody entered)."""
    _require_manage(actor, campaign)
    campaign = _locked(campaign)
    _require_status(campaign, CampaignStatus.DRAFT, CampaignStatus.SCORED)
    criteria = list(campaign.criteria.all())
    if not criteria:
        raise _refuse(_("Add at least one criterion before scoring."))
    entries = list(campaign.entries.select_related("home"))
    if campaign.by_nomination:
        entries = [e for e in entries if e.nominated]
    if not entries:
        raise _refuse(_("The campaign has no candidate yet: nominate one."))
    panel = [c for c in criteria if c.kind == CriterionKind.PANEL]
    have = set(
        EntryPart.objects.filter(entry__in=entries, criterion__in=panel).values_list(
            "entry_id", "criterion_id"
        )
    )
    missing = [(e, c) for e in entries for c in panel if (e.pk, c.pk) not in have]
    if missing:
        names = "、".join(sorted({e.name for e, _c in missing})[:5])
        raise _refuse(_("The panel has not scored every item yet (%(names)s).") % {"names": names})
    figures = [c for c in criteria if c.kind == CriterionKind.FIGURE]
    day, start = campaign.figures_on, campaign.figures_from
    segments = scoring.period_segments(start, day) if start is not None else None
    dates = scoring.period_dates(segments) if segments is not None else [day]
    homes: list[Any] = list({e.home.pk: e.home for e in entries}.values())
    values = compute_many(homes, dates, parts=segments is not None) if figures else {}
    EntryPart.objects.filter(entry__in=entries, criterion__in=figures).delete()
    parts = []
    for e in entries:
        for c in figures:
            value, readings = _figure_part(CATALOGUE[c.indicator], values, e.home.pk, day, segments)
            parts.append(
                EntryPart(
                    entry=e,
                    criterion=c,
                    value=scoring.quantize(value),
                    points=scoring.points(value, c.weight),
                    figures_from=start,
                    figures_on=day,
                    readings=readings,
                )
            )
    EntryPart.objects.bulk_create(parts)
    points: dict[int, list[Decimal]] = {e.pk: [] for e in entries}
    for part in parts:
        points[part.entry.pk].append(part.points)
    for entry_id, given in EntryPart.objects.filter(entry__in=entries, criterion__in=panel).values_list(
        "entry_id", "points"
    ):
        points[entry_id].append(given)
    for e in entries:
        e.computed = scoring.score(points[e.pk])
    Entry.objects.bulk_update(entries, ["computed"])
    _rerank(campaign)
    campaign.status = CampaignStatus.SCORED
    campaign.scored_at = timezone.now()
    campaign.save(update_fields=["status", "scored_at"])
    audit_record(
        actor=actor,
        action=Event.CAMPAIGN_SCORE,
        obj=campaign,
        changes={
            "figures_from": start.isoformat() if start else None,
            "figures_on": day.isoformat(),
            "entries": len(entries),
            "criteria": len(criteria),
        },
    )
    return campaign


@transaction.atomic
def entry_adjust(*, actor: Actor | None, entry: Entry, adjustment: Any, reason: str) -> Entry:
    """The panel adds to (or takes from) one candidate's score, with its reason; the list is ranked
    again. The adjustment and its reason are shown beside the score, and audited with the change."""
    campaign = entry.campaign
    _require_manage(actor, campaign)
    campaign = _locked(campaign)
    _require_status(campaign, CampaignStatus.SCORED)
    number = _decimal(adjustment, "adjustment")
    reason = _text(reason, "reason", _("Give the reason for the adjustment."), 500)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.computed is None:
        raise _refuse(_("This candidate was not scored."), "adjustment")
    before = (str(entry.adjustment), str(entry.score))
    entry.adjustment = number
    entry.adjust_reason = reason
    entry.save(update_fields=["adjustment", "adjust_reason"])
    _rerank(campaign)
    entry.refresh_from_db()
    audit_record(
        actor=actor,
        action=Event.CAMPAIGN_ADJUST,
        obj=entry,
        changes={"adjustment": [before[0], str(number)], "score": [before[1], str(entry.score)]},
        reason=reason,
    )
    return entry


# --- public notice, objections, award ---------------------------------------------------------


@transaction.atomic
def campaign_publish(
    *, actor: Actor | None, campaign: Campaign, notice_until: dt.date, at: dt.datetime | None = None
) -> Campaign:
    """Put the list on public notice until ``notice_until`` (included): anyone may object."""
    _require_manage(actor, campaign)
    campaign = _locked(campaign)
    _require_status(campaign, CampaignStatus.SCORED)
    when = _now(at)
    if notice_until < timezone.localtime(when).date():
        raise _refuse(_("The notice runs until a day from today on."), "notice_until")
    if not campaign.entries.filter(listed=True).exists():
        raise _refuse(_("Nobody is on the list yet."))
    campaign.notice_until = notice_until
    campaign.status = CampaignStatus.NOTICE
    campaign.published_at = when
    campaign.save(update_fields=["notice_until", "status", "published_at"])
    audit_record(
        actor=actor,
        action=Event.CAMPAIGN_PUBLISH,
        obj=campaign,
        changes={"notice_until": notice_until.isoformat()},
    )
    people: dict[int, Any] = {}
    for entry in campaign.entries.filter(listed=True).select_related("home", "org"):
        for person in audience.entry_people(entry):
            people[person.pk] = person
    announce(
        Event.CAMPAIGN_PUBLISH,
        actor=actor,
        recipients=people.values(),
        title=f"{Event.CAMPAIGN_PUBLISH.label}: {campaign}",
        url=notice_url(campaign),
    )
    return campaign


@transaction.atomic
def objection_file(
    *,
    actor: Actor | None,
    campaign: Campaign,
    entry: Entry,
    text: str,
    signed: str = "",
    at: dt.datetime | None = None,
) -> Objection:
    """Anyone objects to a candidate of a list on notice, until the notice's last day."""
    campaign = _locked(campaign)
    _require_status(campaign, CampaignStatus.NOTICE)
    when = _now(at)
    assert campaign.notice_until is not None
    if timezone.localtime(when).date() > campaign.notice_until:
        raise _refuse(_("The public notice has ended."))
    if entry.campaign_id != campaign.pk:
        raise _refuse(_("Choose a candidate of this list."), "entry")
    text = _text(text, "text", _("Write your objection."), 1000)
    signed = (signed or "").strip()[:60]
    objection = Objection.objects.create(
        campaign=campaign, entry=entry, text=text, signed=signed, filed_by=signed_in(actor), filed_at=when
    )
    audit_record(actor=actor, action=Event.OBJECTION_FILE, obj=objection, object_label=entry.name)
    announce(
        Event.OBJECTION_FILE,
        actor=actor,
        recipients=audience.organiser_people(campaign),
        title=f"{Event.OBJECTION_FILE.label}: {campaign} · {entry.name}",
        url=campaign_url(campaign),
    )
    return objection


@transaction.atomic
def objection_answer(*, actor: Actor | None, objection: Objection, answer: str, upheld: bool) -> Objection:
    """The organiser answers an objection; upheld, it takes the candidate off the list and the list
    is ranked again (the next in line may enter)."""
    campaign = objection.campaign
    _require_manage(actor, campaign)
    campaign = _locked(campaign)
    _require_status(campaign, CampaignStatus.NOTICE)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answered_at is not None:
        raise _refuse(_("This objection is already answered."))
    answer = _text(answer, "answer", _("Write the answer."), 1000)
    objection.answer = answer
    objection.upheld = bool(upheld)
    objection.answered_by = signed_in(actor)
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "upheld", "answered_by", "answered_at"])
    if objection.upheld:
        Entry.objects.filter(pk=objection.entry_id).update(excluded=True)
        _rerank(campaign)
    audit_record(
        actor=actor,
        action=Event.OBJECTION_ANSWER,
        obj=objection,
        object_label=objection.entry.name,
        changes={"upheld": objection.upheld},
        reason=answer,
    )
    announce(
        Event.OBJECTION_ANSWER,
        actor=actor,
        recipients=audience.objector_people(objection),
        title=f"{Event.OBJECTION_ANSWER.label}: {campaign}",
        url=notice_url(campaign),
    )
    return objection


@transaction.atomic
def campaign_award(*, actor: Actor | None, campaign: Campaign, at: dt.datetime | None = None) -> list[Honour]:
    """After the notice, with every objection answered, the organiser awards the honour to each
    candidate on the list (for a negative list: records the place on it)."""
    _require_manage(actor, campaign)
    campaign = _locked(campaign)
    _require_status(campaign, CampaignStatus.NOTICE)
    when = _now(at)
    assert campaign.notice_until is not None
    if timezone.localtime(when).date() <= campaign.notice_until:
        raise _refuse(
            _("The public notice runs until %(day)s: award after it.")
            % {"day": campaign.notice_until.isoformat()}
        )
    if campaign.objections.filter(answered_at__isnull=True).exists():
        raise _refuse(_("Answer every objection before awarding."))
    honours = [
        Honour(
            campaign=campaign,
            entry=entry,
            name=campaign.honour,
            year=campaign.year,
            negative=campaign.negative,
            holder=entry.name,
            area=entry.home,
            holder_area=entry.area,
            holder_org=entry.org,
            holder_unit=entry.unit,
            holder_member=entry.member,
            holder_team=entry.team,
            rank=entry.rank or 0,
            awarded_at=when,
            awarded_by=signed_in(actor),
        )
        for entry in campaign.entries.filter(listed=True, excluded=False).select_related("home", "org")
    ]
    for honour in honours:
        honour.save()  # one by one: the kept figures hear of each
    campaign.status = CampaignStatus.AWARDED
    campaign.awarded_at = when
    campaign.save(update_fields=["status", "awarded_at"])
    audit_record(
        actor=actor,
        action=Event.CAMPAIGN_AWARD,
        obj=campaign,
        changes={"honours": [h.holder for h in honours]},
    )
    people: dict[int, Any] = {}
    for honour in honours:
        for person in audience.entry_people(honour.entry):
            people[person.pk] = person
    announce(
        Event.CAMPAIGN_AWARD,
        actor=actor,
        recipients=people.values(),
        title=f"{campaign.honour}: {campaign}",
        url=notice_url(campaign),
    )
    return honours
