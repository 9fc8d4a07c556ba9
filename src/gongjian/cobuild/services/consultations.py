"""Consultations of households (民意征询): opened, answered, attached to a meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor, person
from gongjian.accounts.scope import scope_for
from gongjian.core.audit import audit_record, snapshot
from gongjian.core.events import Event
from gongjian.core.notify import announce
from gongjian.core.pii import mask_in_text
from gongjian.core.services import apply_changes
from gongjian.orgs.models import Area, PartyOrg

from .. import audience
from ..models import (
    Answer,
    Consultation,
    ConsultationAnswer,
    ConsultationKind,
    Resolution,
)
from .meeting_rules import (
    _LONG_NUMBER,
    CONSULTATION_FIELDS,
    _clean_text,
    _own_label,
    _require,
    _resident_of,
    _today,
    consultation_create_allowed,
    consultation_manage_allowed,
    consultation_open,
    meeting_manage_allowed,
)

# --- consultations -----------------------------------------------------------------------------


def _check_consultation_dates(opens_on: dt.date, closes_on: dt.date) -> None:
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("A consultation cannot close before it opens.")})


def _check_resolution(actor: Actor, resolution: Resolution | None, area: Area) -> None:
    if resolution is None:
        return
    meeting = resolution.meeting
    if not meeting_manage_allowed(actor=actor, meeting=meeting):
        raise PermissionDenied(_("You may not link to this decision."))
    if not (area.path.startswith(meeting.area.path) or meeting.area.path.startswith(area.path)):
        raise ValidationError(
            {"resolution": _("The decision was taken for another area than %(area)s.") % {"area": area.name}}
        )


@transaction.atomic
def consultation_create(
    *,
    actor: Actor,
    area: Area,
    org: PartyOrg,
    question: str,
    opens_on: dt.date,
    closes_on: dt.date,
    kind: str = ConsultationKind.POLL,
    description: str = "",
    asked: int = 0,
    resolution: Resolution | None = None,
) -> Consultation:
    """Put a question to the households (poll, 征求意见) or residents (deliberation, 民主议事) of
    an area; ``asked`` is how many were asked (for the turnout)."""
    scope = scope_for(actor)
    _require(consultation_create_allowed(actor=actor), _("Only an administrator opens a consultation."))
    if not scope.covers_path(area.path):
        raise PermissionDenied(_("You may not consult %(area)s.") % {"area": area.name})
    if not org.is_territorial:
        raise ValidationError({"org": _("A consultation is opened by a territorial Party organisation.")})
    if not scope.covers_path(org.area.path):
        raise PermissionDenied(_("You may not ask on behalf of %(org)s.") % {"org": org.name})
    if not (area.path.startswith(org.area.path) or org.area.path.startswith(area.path)):
        raise ValidationError(
            {"org": _("%(org)s does not sit in %(area)s.") % {"org": org.name, "area": area.name}}
        )
    if kind not in ConsultationKind.values:
        raise ValidationError({"kind": _("Choose a poll or a deliberation.")})
    question = _clean_text(question, "question", _("Write the question."), 300)
    _check_consultation_dates(opens_on, closes_on)
    if asked is None or asked < 0:
        raise ValidationError({"asked": _("Give how many households or residents are asked.")})
    _check_resolution(actor, resolution, area)
    consultation = Consultation(
        area=area,
        org=org,
        kind=kind,
        question=question,
        description=(description or "").strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        asked=asked,
        resolution=resolution,
        created_by=person(actor),
    )
    consultation.full_clean()
    consultation.save()
    audit_record(
        actor=actor,
        action=Event.CONSULTATION_CREATE,
        obj=consultation,
        changes=snapshot(consultation, ("area", "org", "kind", "question", "opens_on", "closes_on", "asked")),
    )
    question, closes = consultation.question, consultation.closes_on
    announce(
        Event.CONSULTATION_CREATE,
        actor=actor,
        recipients=audience.area_households(consultation.area),
        title=lambda: f"{Event.CONSULTATION_CREATE.label}：{question}"[:200],
        body=closes.isoformat() if closes else "",
        url=reverse("cobuild:consultation_detail", args=[consultation.pk]),
    )
    return consultation


@transaction.atomic
def consultation_update(*, actor: Actor, consultation: Consultation, **changes: Any) -> Consultation:
    consultation = Consultation.objects.select_for_update().select_related("area").get(pk=consultation.pk)
    _require(
        consultation_manage_allowed(actor=actor, consultation=consultation),
        _("You may not change this consultation."),
    )
    if "question" in changes:
        changes["question"] = _clean_text(changes["question"], "question", _("Write the question."), 300)
    opens_on = changes.get("opens_on", consultation.opens_on)
    closes_on = changes.get("closes_on", consultation.closes_on)
    _check_consultation_dates(opens_on, closes_on)
    first = consultation.answers.order_by("at").first()
    if first is not None and timezone.localtime(first.at).date() < opens_on:
        raise ValidationError({"opens_on": _("Answers were recorded before that date.")})
    if changes.get("asked", 0) is None or changes.get("asked", 0) < 0:
        raise ValidationError({"asked": _("Give how many households or residents are asked.")})
    changed = apply_changes(consultation, changes, CONSULTATION_FIELDS)
    if changed:
        consultation.save()
        audit_record(actor=actor, action=Event.CONSULTATION_UPDATE, obj=consultation, changes=changed)
    return consultation


def _check_respondent(label: str) -> str:
    label = _clean_text(label, "respondent", _("Name the household by its door, e.g. 3栋2单元401."), 120)
    if _LONG_NUMBER.search(label) or label.startswith("user:"):
        raise ValidationError(
            {
                "respondent": _(
                    "Name the household by its door (e.g. 3栋2单元401), never by an ID or phone number."
                )
            }
        )
    return label


@transaction.atomic
def consultation_answer(
    *,
    actor: Actor,
    consultation: Consultation,
    answer: str,
    respondent: str = "",
    comment: str = "",
    answered_on: dt.date | None = None,
) -> ConsultationAnswer:
    """Record one answer. Staff of the area record a household's answer by its door label (on the
    day it was given, inside the consultation's dates); a resident of the area answers once,
    themself, while it is open."""
    consultation = Consultation.objects.select_for_update().select_related("area").get(pk=consultation.pk)
    staff = consultation_manage_allowed(actor=actor, consultation=consultation)
    if not staff and not _resident_of(actor, consultation):
        raise PermissionDenied(_("This consultation is not put to you."))
    if answer not in Answer.values:
        raise ValidationError({"answer": _("Answer in favour, against or no opinion.")})
    today = _today()
    on = (answered_on or today) if staff else today
    if on > today:
        raise ValidationError({"answered_on": _("An answer cannot be given in the future.")})
    if not consultation_open(consultation=consultation, today=on):
        raise ValidationError(
            {
                "answered_on": _("The consultation takes answers from %(opens)s to %(closes)s.")
                % {"opens": consultation.opens_on.isoformat(), "closes": consultation.closes_on.isoformat()}
            }
        )
    label = _check_respondent(respondent) if staff else _own_label(actor)
    if ConsultationAnswer.objects.filter(consultation=consultation, respondent=label).exists():
        message = (
            _("%(who)s has already answered.") % {"who": label} if staff else _("You have already answered.")
        )
        raise ValidationError({"respondent": message})
    at = timezone.now() if on == today else timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    row = ConsultationAnswer(
        consultation=consultation,
        respondent=label,
        user=None if staff else person(actor),
        answer=answer,
        comment=mask_in_text((comment or "").strip())[:300],
        at=at,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise ValidationError({"respondent": _("This household has already answered.")}) from exc
    audit_record(
        actor=actor,
        action=Event.CONSULTATION_ANSWER,
        obj=row,
        changes={
            "consultation": consultation.pk,
            "respondent": label,
            "answer": answer,
            "by": "staff" if staff else "self",
        },
    )
    return row


@transaction.atomic
def consultation_attach(
    *,
    actor: Actor,
    consultation: Consultation,
    resolution: Resolution | None = None,
    decision: str = "",
) -> Consultation:
    """Attach the consultation to the decision it informed: a meeting's resolution, and/or the
    decision in words (湘峰村: street lights, 99% in favour)."""
    consultation = Consultation.objects.select_for_update().select_related("area").get(pk=consultation.pk)
    _require(
        consultation_manage_allowed(actor=actor, consultation=consultation),
        _("You may not change this consultation."),
    )
    decision = (decision or "").strip()
    if resolution is None and not decision:
        raise ValidationError({"decision": _("Choose the decision or describe it.")})
    _check_resolution(actor, resolution, consultation.area)
    changes: dict[str, Any] = {}
    if resolution is not None:
        changes["resolution"] = resolution
    if decision:
        changes["decision"] = decision
    changed = apply_changes(consultation, changes, ("resolution", "decision"))
    if changed:
        consultation.save()
        audit_record(actor=actor, action=Event.CONSULTATION_ATTACH, obj=consultation, changes=changed)
    return consultation
