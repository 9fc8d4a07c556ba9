"""Agreements: the workflow, its errors (which change nothing), who may take each step, and the
audit entry every write leaves. Committees and seats: ``test_seats_services.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.cobuild.models import (
    Agreement,
    AgreementReview,
    AgreementStatus,
)
from gongjian.cobuild.selectors.agreements import agreement_status_on
from gongjian.cobuild.services import agreements as svc
from gongjian.core.models import AuditEntry, Notification
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

TODAY = timezone.localdate()
CLAUSES = [("consult", "每季度召开一次党建联席会"), ("resources", "单位会议室向社区居民开放")]


def _audits() -> int:
    return AuditEntry.objects.count()


def _last(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-seq").first()
    assert entry is not None, action
    return entry


def _street_org() -> PartyOrg:
    return PartyOrg.objects.get(code="PO-DFL")


def _jsh_org() -> PartyOrg:
    return PartyOrg.objects.get(code="PO-JSH")


def _draft(world: World, actor=None, **kw) -> Agreement:
    data: dict[str, Any] = dict(
        actor=actor or world.wjl_admin,
        host_org=world.wjl_committee,
        unit_org=world.minzheng_org,
        starts_on=TODAY - dt.timedelta(days=100),
        ends_on=TODAY + dt.timedelta(days=600),
        clauses=CLAUSES,
        host_liaison="社区联络员",
        unit_liaison="单位联络员",
        yearly_plan="联合开展主题党日4次",
    )
    data.update(kw)
    return svc.agreement_create(**data)


def _signed(world: World, **kw) -> Agreement:
    agreement = _draft(world, **kw)
    return svc.agreement_sign(
        actor=world.wjl_admin,
        agreement=agreement,
        signed_on=agreement.starts_on if agreement.starts_on <= TODAY else TODAY,
        host_signatory="书记甲",
        unit_signatory="书记乙",
    )


# --- agreements -----------------------------------------------------------------------------------


def test_create_numbers_the_draft_and_sets_area_and_unit(world: World) -> None:
    before = _audits()
    first = _draft(world)
    second = _draft(world, starts_on=TODAY, ends_on=TODAY + dt.timedelta(days=30))
    year = (TODAY - dt.timedelta(days=100)).year
    assert first.number == f"{year}-开福-0001"
    assert second.number.startswith(f"{TODAY.year}-开福-")
    assert first.status == AgreementStatus.DRAFT
    assert first.area == world.wjl and first.unit == world.minzheng
    assert [(c.kind, c.text) for c in first.clauses.all()] == CLAUSES
    assert first.title == "王家垅社区党委与省民政厅机关党委结对共建协议"
    assert _audits() == before + 2
    entry = _last("agreement.create")
    assert entry.changes["clauses"] == [list(c) for c in CLAUSES]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"host_org": "minzheng_org"}, "host_org"),
        ({"host_org": "wjl_branch"}, "host_org"),
        ({"unit_org": "wjl_committee"}, "unit_org"),
        ({"clauses": []}, "clauses"),
        ({"clauses": [("consult", "甲"), ("consult", "乙")]}, "clauses"),
        ({"clauses": [("consult", "  ")]}, "clauses"),
        ({"clauses": [("nonsense", "甲")]}, "clauses"),
        ({"ends_on": TODAY - dt.timedelta(days=200)}, "ends_on"),
        ({"ends_on": TODAY + dt.timedelta(days=5000)}, "ends_on"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world: World, change: dict, field: str) -> None:
    for key in ("host_org", "unit_org"):
        if key in change:
            change[key] = getattr(world, change[key])
    before = (_audits(), Agreement.objects.count())
    with pytest.raises(ValidationError) as exc:
        _draft(world, actor=world.superuser, **change)
    assert field in exc.value.message_dict
    assert (_audits(), Agreement.objects.count()) == before


def test_other_clauses_may_repeat(world: World) -> None:
    agreement = _draft(world, clauses=[("other", "甲"), ("other", "乙"), {"kind": "venues", "text": "丙"}])
    assert [c.kind for c in agreement.clauses.all()] == ["other", "other", "venues"]


def test_who_may_start_an_agreement(world: World) -> None:
    for actor in (world.jsh_admin, world.member, world.resident):
        with pytest.raises(PermissionDenied):
            _draft(world, actor=actor)
    # the street side hosts its own; the district above may start one for a community
    assert _draft(world, actor=world.dongfeng_admin, host_org=_street_org()).area == world.dongfeng
    assert _draft(world, actor=world.kaifu_admin).area == world.wjl


def test_a_liaison_proposes_to_the_community_of_the_unit_only(world: World) -> None:
    draft = _draft(world, actor=world.liaison)
    assert draft.status == AgreementStatus.DRAFT and draft.created_by == world.liaison
    with pytest.raises(PermissionDenied):
        _draft(world, actor=world.liaison, host_org=_jsh_org())
    with pytest.raises(PermissionDenied):
        _draft(world, actor=world.liaison, host_org=_street_org())
    with pytest.raises(PermissionDenied):
        _draft(world, actor=world.liaison, unit_org=world.jsh_firm_org)
    # the liaison may change their draft, but only the community signs it
    svc.agreement_update(actor=world.liaison, agreement=draft, yearly_plan="新的计划")
    assert not svc.agreement_sign_allowed(actor=world.liaison, agreement=draft)
    with pytest.raises(PermissionDenied):
        svc.agreement_sign(
            actor=world.liaison, agreement=draft, signed_on=TODAY, host_signatory="甲", unit_signatory="乙"
        )
    assert svc.agreement_sign_allowed(actor=world.wjl_admin, agreement=draft)


def test_update_while_draft_replaces_clauses_and_audits(world: World) -> None:
    draft = _draft(world)
    before = _audits()
    svc.agreement_update(
        actor=world.wjl_admin,
        agreement=draft,
        title="新标题",
        clauses=[("teams", "在职党员到社区报到")],
    )
    draft.refresh_from_db()
    assert draft.title == "新标题"
    assert [c.kind for c in draft.clauses.all()] == ["teams"]
    assert _audits() == before + 1
    entry = _last("agreement.update")
    assert entry.changes["clauses"][1] == [["teams", "在职党员到社区报到"]]
    # nothing changed: no entry
    svc.agreement_update(actor=world.wjl_admin, agreement=draft, title="新标题")
    assert _audits() == before + 1
    with pytest.raises(ValidationError):
        svc.agreement_update(actor=world.wjl_admin, agreement=draft, host_org=_jsh_org())
    with pytest.raises(ValidationError):
        svc.agreement_update(
            actor=world.wjl_admin, agreement=draft, ends_on=draft.starts_on - dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        svc.agreement_update(actor=world.wjl_admin, agreement=draft, status="signed")
    with pytest.raises(PermissionDenied):
        svc.agreement_update(actor=world.jsh_admin, agreement=draft, title="越界")


def test_sign_follows_the_dates(world: World) -> None:
    draft = _draft(world)
    before = _audits()
    signed = svc.agreement_sign(
        actor=world.wjl_admin, agreement=draft, signed_on=TODAY, host_signatory="甲", unit_signatory="乙"
    )
    assert signed.status == AgreementStatus.IN_FORCE
    assert _audits() == before + 1
    assert Agreement.objects.filter(Agreement.in_force_on(TODAY), pk=signed.pk).exists()
    assert not Agreement.objects.filter(
        Agreement.in_force_on(TODAY - dt.timedelta(days=1)), pk=signed.pk
    ).exists()
    with pytest.raises(ValidationError):
        svc.agreement_update(actor=world.wjl_admin, agreement=signed, title="改")
    with pytest.raises(ValidationError):
        svc.agreement_sign(
            actor=world.wjl_admin, agreement=signed, signed_on=TODAY, host_signatory="甲", unit_signatory="乙"
        )
    future = _draft(world, starts_on=TODAY + dt.timedelta(days=10), ends_on=TODAY + dt.timedelta(days=400))
    future = svc.agreement_sign(
        actor=world.wjl_admin, agreement=future, signed_on=TODAY, host_signatory="甲", unit_signatory="乙"
    )
    assert future.status == AgreementStatus.SIGNED
    old = _draft(world, starts_on=dt.date(2018, 9, 1), ends_on=dt.date(2021, 8, 31))
    old = svc.agreement_sign(
        actor=world.wjl_admin,
        agreement=old,
        signed_on=dt.date(2018, 8, 28),
        host_signatory="甲",
        unit_signatory="乙",
    )
    assert old.status == AgreementStatus.EXPIRED
    assert Agreement.objects.filter(Agreement.in_force_on(dt.date(2018, 9, 4)), pk=old.pk).exists()


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"host_signatory": " "}, "host_signatory"),
        ({"unit_signatory": ""}, "unit_signatory"),
        ({"signed_on": TODAY + dt.timedelta(days=1)}, "signed_on"),
    ],
)
def test_sign_errors_change_nothing(world: World, kw: dict, field: str) -> None:
    draft = _draft(world)
    args: dict[str, Any] = dict(signed_on=TODAY, host_signatory="甲", unit_signatory="乙")
    args.update(kw)
    before = _audits()
    with pytest.raises(ValidationError) as exc:
        svc.agreement_sign(actor=world.wjl_admin, agreement=draft, **args)
    assert field in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT and draft.signed_on is None
    assert _audits() == before


def test_refresh_moves_status_with_the_dates(world: World) -> None:
    agreement = _draft(world, starts_on=TODAY + dt.timedelta(days=10), ends_on=TODAY + dt.timedelta(days=20))
    agreement = svc.agreement_sign(
        actor=world.wjl_admin, agreement=agreement, signed_on=TODAY, host_signatory="甲", unit_signatory="乙"
    )
    assert agreement.status == AgreementStatus.SIGNED
    assert svc.agreements_refresh_status(today=TODAY) == 0
    before = _audits()
    assert svc.agreements_refresh_status(today=TODAY + dt.timedelta(days=10)) == 1
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE
    assert _last("agreement.status").changes == {"status": ["signed", "in_force"]}
    assert svc.agreements_refresh_status(today=TODAY + dt.timedelta(days=10)) == 0
    assert svc.agreements_refresh_status(today=TODAY + dt.timedelta(days=21)) == 1
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRED
    assert _audits() == before + 2


def test_status_from_dates_matches_in_force_on(world: World) -> None:
    agreement = _signed(world)
    svc.agreement_end(actor=world.wjl_admin, agreement=agreement, ended_on=TODAY, reason="单位搬迁")
    agreement.refresh_from_db()
    for offset in range(-120, 700, 7):
        day = TODAY + dt.timedelta(days=offset)
        in_force = Agreement.objects.filter(Agreement.in_force_on(day), pk=agreement.pk).exists()
        assert in_force == (agreement_status_on(agreement, day) == AgreementStatus.IN_FORCE), day


def test_end_early_with_a_reason(world: World) -> None:
    agreement = _signed(world)
    with pytest.raises(ValidationError):
        svc.agreement_end(actor=world.wjl_admin, agreement=agreement, ended_on=TODAY, reason=" ")
    with pytest.raises(ValidationError):
        svc.agreement_end(
            actor=world.wjl_admin, agreement=agreement, ended_on=TODAY + dt.timedelta(days=1), reason="x"
        )
    with pytest.raises(PermissionDenied):
        svc.agreement_end(actor=world.liaison, agreement=agreement, ended_on=TODAY, reason="x")
    before = _audits()
    ended = svc.agreement_end(actor=world.wjl_admin, agreement=agreement, ended_on=TODAY, reason="单位搬迁")
    assert ended.status == AgreementStatus.ENDED and ended.end_reason == "单位搬迁"
    assert _audits() == before + 1 and _last("agreement.end").reason == "单位搬迁"
    assert not Agreement.objects.filter(Agreement.in_force_on(TODAY), pk=ended.pk).exists()
    assert Agreement.objects.filter(Agreement.in_force_on(TODAY - dt.timedelta(days=1)), pk=ended.pk).exists()
    with pytest.raises(ValidationError):
        svc.agreement_end(actor=world.wjl_admin, agreement=ended, ended_on=TODAY, reason="again")
    with pytest.raises(ValidationError):
        svc.agreement_end(actor=world.wjl_admin, agreement=_draft(world), ended_on=TODAY, reason="x")


def test_one_review_a_year(world: World) -> None:
    agreement = _signed(world, starts_on=dt.date(TODAY.year - 1, 3, 1))
    assert svc.agreement_review_years(agreement, TODAY) == [TODAY.year - 1, TODAY.year]
    before = _audits()
    review = svc.agreement_review(
        actor=world.wjl_admin, agreement=agreement, year=TODAY.year - 1, rating="good", summary="完成全部任务"
    )
    assert review.reviewed_by == world.wjl_admin and _audits() == before + 1
    assert _last("agreement.review").changes["year"] == TODAY.year - 1
    for kw in (
        {"year": TODAY.year - 1},  # twice
        {"year": TODAY.year + 1},  # not yet
        {"year": TODAY.year - 5},  # before the term
        {"rating": "great"},
        {"summary": ""},
    ):
        args: dict[str, Any] = dict(year=TODAY.year, rating="fair", summary="尚可")
        args.update(kw)
        with pytest.raises(ValidationError):
            svc.agreement_review(actor=world.wjl_admin, agreement=agreement, **args)
    with pytest.raises(PermissionDenied):
        svc.agreement_review(
            actor=world.liaison, agreement=agreement, year=TODAY.year, rating="good", summary="x"
        )
    assert AgreementReview.objects.count() == 1
    with pytest.raises(ValidationError):
        svc.agreement_review(
            actor=world.wjl_admin, agreement=_draft(world), year=TODAY.year, rating="good", summary="x"
        )


def test_reminders_before_and_on_expiry_once(world: World) -> None:
    world.liaison.email = "liaison@example.org"
    world.liaison.save()
    soon = _signed(world, ends_on=TODAY + dt.timedelta(days=20))
    _signed(world, ends_on=TODAY + dt.timedelta(days=200))  # not yet
    _draft(world, ends_on=TODAY + dt.timedelta(days=10))  # drafts are not reminded
    ended = _signed(world, ends_on=TODAY + dt.timedelta(days=15))
    svc.agreement_end(actor=world.wjl_admin, agreement=ended, ended_on=TODAY, reason="x")
    sent = svc.agreements_remind(today=TODAY)
    reminders = Notification.objects.filter(kind__in=["agreement.expiring", "agreement.expired"])
    recipients = set(reminders.values_list("recipient__username", flat=True))
    # the host's nearest administrators and the unit's liaisons (not every level up to the city)
    assert recipients == {"wjl_admin", "liaison"}
    assert sent == 2
    note = reminders.get(recipient=world.liaison)
    assert note.kind == "agreement.expiring" and note.url == f"/cobuild/agreements/{soon.pk}/"
    assert soon.number in note.title
    assert svc.agreements_remind(today=TODAY) == 0
    assert svc.agreements_remind(today=TODAY + dt.timedelta(days=5)) == 0
    # on expiry, once more
    assert svc.agreements_remind(today=soon.ends_on + dt.timedelta(days=1)) == 2
    assert Notification.objects.filter(kind="agreement.expired").count() == 2
    assert svc.agreements_remind(today=soon.ends_on + dt.timedelta(days=2)) == 0
    # long after, nothing more
    assert svc.agreements_remind(today=soon.ends_on + dt.timedelta(days=100)) == 0


def test_reminder_of_a_unit_without_liaison_goes_where_it_sits(
    world: World, django_capture_on_commit_callbacks
) -> None:
    from django.core import mail

    world.jsh_admin.email = "jsh@example.org"
    world.jsh_admin.save()
    agreement = svc.agreement_create(
        actor=world.jsh_admin,
        host_org=_jsh_org(),
        unit_org=world.jsh_firm_org,
        starts_on=TODAY - dt.timedelta(days=300),
        ends_on=TODAY + dt.timedelta(days=3),
        clauses=CLAUSES,
    )
    svc.agreement_sign(
        actor=world.jsh_admin, agreement=agreement, signed_on=TODAY, host_signatory="甲", unit_signatory="乙"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert svc.agreements_remind(today=TODAY) == 1
    assert Notification.objects.get(kind="agreement.expiring").recipient == world.jsh_admin
    assert [m.to for m in mail.outbox] == [["jsh@example.org"]]
    assert agreement.number in mail.outbox[0].subject


def _kinds(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def test_each_step_of_an_agreement_tells_the_other_side_and_signing_the_level_above(world: World) -> None:
    """The community drafts, signs, reviews and ends: the unit's liaison hears of every step, the
    street (the level above) of the signature and the review; the community is not told of its own."""
    agreement = _draft(world)
    assert _kinds(world.liaison) == ["agreement.create"]
    note = Notification.objects.get(recipient=world.liaison)
    assert agreement.number in note.title and note.url == f"/cobuild/agreements/{agreement.pk}/"
    svc.agreement_sign(
        actor=world.wjl_admin,
        agreement=agreement,
        signed_on=TODAY,
        host_signatory="书记甲",
        unit_signatory="书记乙",
    )
    assert _kinds(world.dongfeng_admin) == ["agreement.sign"]
    svc.agreement_review(
        actor=world.wjl_admin, agreement=agreement, year=TODAY.year, rating="good", summary="好"
    )
    svc.agreement_end(actor=world.wjl_admin, agreement=agreement, ended_on=TODAY, reason="单位搬迁")
    assert _kinds(world.liaison) == [
        "agreement.create",
        "agreement.sign",
        "agreement.review",
        "agreement.end",
    ]
    assert _kinds(world.dongfeng_admin) == ["agreement.sign", "agreement.review"]
    assert "单位搬迁" in Notification.objects.get(recipient=world.liaison, kind="agreement.end").body
    assert _kinds(world.wjl_admin) == []
