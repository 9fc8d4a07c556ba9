"""Services of consultations: each refusal is a clear message that changes nothing; each write is
one audit entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.cobuild.models import ConsultationAnswer
from gongjian.cobuild.services import meetings as services

from .fixtures_meetings import DAY, build_cobuild_meetings
from .fixtures_meetings import audits as _audits

# --- consultations -------------------------------------------------------------------------------


def test_consultation_answers_by_staff_and_by_residents(world, clock) -> None:
    clock.set(DAY)
    consultation = services.consultation_create(
        actor=world.wjl_admin,
        area=world.wjl,
        org=world.wjl_committee,
        question="是否加装路灯？",
        opens_on=DAY,
        closes_on=DAY + dt.timedelta(days=7),
        asked=100,
    )
    services.consultation_answer(
        actor=world.wjl_admin, consultation=consultation, respondent="1栋101", answer="for"
    )
    with pytest.raises(ValidationError):  # the same door twice
        services.consultation_answer(
            actor=world.wjl_admin, consultation=consultation, respondent="1栋101", answer="for"
        )
    for label in ("430104199001011234", "13800001234", "user:5"):
        with pytest.raises(ValidationError) as exc:
            services.consultation_answer(
                actor=world.wjl_admin, consultation=consultation, respondent=label, answer="for"
            )
        assert "respondent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.consultation_answer(
            actor=world.wjl_admin, consultation=consultation, respondent="1栋103", answer="maybe"
        )
    # a resident of the area answers once, themself
    assert services.consultation_answer_allowed(actor=world.resident, consultation=consultation)
    own = services.consultation_answer(actor=world.resident, consultation=consultation, answer="against")
    assert own.user == world.resident
    assert not services.consultation_answer_allowed(actor=world.resident, consultation=consultation)
    with pytest.raises(ValidationError):
        services.consultation_answer(actor=world.resident, consultation=consultation, answer="for")
    # others are not asked
    for outsider in (world.jsh_admin, world.member, world.liaison):
        with pytest.raises(PermissionDenied):
            services.consultation_answer(
                actor=outsider, consultation=consultation, answer="for", respondent="2栋"
            )
    assert ConsultationAnswer.objects.filter(consultation=consultation).count() == 2
    assert _audits("consultation.answer") == 2


def test_consultation_dates_are_enforced(world, clock) -> None:
    clock.set(DAY)
    consultation = services.consultation_create(
        actor=world.wjl_admin,
        area=world.wjl,
        org=world.wjl_committee,
        question="问题",
        opens_on=DAY + dt.timedelta(days=1),
        closes_on=DAY + dt.timedelta(days=3),
    )
    with pytest.raises(ValidationError):  # not open yet
        services.consultation_answer(actor=world.resident, consultation=consultation, answer="for")
    clock.set(DAY + dt.timedelta(days=4))
    with pytest.raises(ValidationError):  # closed
        services.consultation_answer(actor=world.resident, consultation=consultation, answer="for")
    # staff enter a paper answer on the day it was given, inside the dates
    row = services.consultation_answer(
        actor=world.wjl_admin,
        consultation=consultation,
        respondent="3栋2单元401",
        answer="for",
        answered_on=DAY + dt.timedelta(days=2),
    )
    assert timezone.localtime(row.at).date() == DAY + dt.timedelta(days=2)
    with pytest.raises(ValidationError):
        services.consultation_create(
            actor=world.wjl_admin,
            area=world.wjl,
            org=world.wjl_committee,
            question="问题",
            opens_on=DAY,
            closes_on=DAY - dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        services.consultation_create(
            actor=world.wjl_admin,
            area=world.jsh,
            org=world.wjl_committee,
            question="越界",
            opens_on=DAY,
            closes_on=DAY,
        )


def test_attach_a_consultation_to_the_decision_it_informed(world) -> None:
    data = build_cobuild_meetings(world)
    consultation = data.wjl_consultation
    with pytest.raises(ValidationError):
        services.consultation_attach(actor=world.wjl_admin, consultation=consultation)
    with pytest.raises(PermissionDenied):  # the street's decision is not the community's to link
        services.consultation_attach(
            actor=world.wjl_admin, consultation=consultation, resolution=data.resolution
        )
    services.consultation_attach(
        actor=world.dongfeng_admin,
        consultation=consultation,
        resolution=data.resolution,
        decision="主干道加装路灯",
    )
    consultation.refresh_from_db()
    assert consultation.resolution == data.resolution and consultation.decision == "主干道加装路灯"
    assert _audits("consultation.attach") == 1
