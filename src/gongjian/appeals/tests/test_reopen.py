"""Reopening (within GONGJIAN_APPEALS_REOPEN_DAYS of closure): the resident (or the staff on their
behalf) reopens, the closure stays and counts as not solved against the unit that closed it, the
resident and the handling unit are told; late, by someone else or without a reason it is refused
and changes nothing. Page and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from gongjian.appeals import selectors
from gongjian.appeals import services as s
from gongjian.appeals.models import Appeal, AppealClosure, AppealEvent, AppealStatus
from gongjian.core.models import Notification
from gongjian.core.synthetic import fake_phone
from gongjian.stats import tally
from gongjian.stats.registry import catalogue


def _ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _closed_online(world, *, callback: str = "dissatisfied") -> Appeal:
    """Raised online by the resident, handled by 省民政厅, closed just now and called back."""
    appeal = s.appeal_register(
        actor=world.resident,
        area=world.wjl,
        kind="general",
        title="楼道灯不亮",
        resident_name="居民丙",
        phone=fake_phone(31),
    )
    root = world.superuser
    s.appeal_assign(actor=root, appeal=appeal, org=world.minzheng_org)
    s.appeal_answer(actor=world.liaison, appeal=appeal, answer="已派电工")
    s.appeal_solve(actor=world.liaison, appeal=appeal, note="已更换灯泡")
    s.appeal_close(actor=world.wjl_admin, appeal=appeal)
    return s.appeal_call_back(actor=world.wjl_admin, appeal=appeal, result=callback, channel="phone")


def _closed_long_ago(world, days: float) -> Appeal:
    root = world.superuser
    appeal = s.appeal_register(
        actor=root,
        area=world.wjl_compound,
        channel="phone",
        kind="general",
        title="路面破损",
        resident_name="居民戊",
        phone=fake_phone(32),
        registered_at=_ago(days + 3),
    )
    s.appeal_assign(actor=root, appeal=appeal, org=world.minzheng_org, at=_ago(days + 2.9))
    s.appeal_answer(actor=root, appeal=appeal, answer="已登记", at=_ago(days + 2.8))
    s.appeal_solve(actor=root, appeal=appeal, note="已修补", at=_ago(days + 1))
    return s.appeal_close(actor=root, appeal=appeal, at=_ago(days))


def test_the_resident_reopens_and_the_closure_counts_as_not_solved(world) -> None:
    appeal = _closed_online(world)
    assert "reopen" in s.appeal_actions(actor=world.resident, appeal=appeal)

    appeal = s.appeal_reopen(actor=world.resident, appeal=appeal, reason="灯又坏了")

    assert appeal.status == AppealStatus.ANSWERED  # back to the handler; the first answer stands
    assert appeal.answered_at is not None
    assert (appeal.closed_at, appeal.outcome, appeal.callback_result) == (None, "", "")
    (closure,) = AppealClosure.objects.filter(appeal=appeal)
    assert closure.reopened_at is not None and closure.reopen_reason == "灯又坏了"
    assert closure.org == world.minzheng_org and closure.callback_result == "dissatisfied"
    assert AppealEvent.objects.filter(appeal=appeal, kind="reopened").count() == 1
    # the handling unit is told (the resident reopened it themself: no notice to themself)
    assert Notification.objects.filter(recipient=world.liaison, kind="appeal.reopen").exists()

    # solved again, closed, called back satisfied: two closures, one counted solved
    s.appeal_solve(actor=world.liaison, appeal=appeal, note="更换线路")
    s.appeal_close(actor=world.wjl_admin, appeal=appeal)
    s.appeal_call_back(actor=world.wjl_admin, appeal=appeal, result="satisfied", channel="phone")
    today = timezone.localdate()
    figures = catalogue()
    assert figures["appeals.resolution_rate"].compute(world.wjl, today) == 0.5
    assert figures["appeals.satisfaction_rate"].compute(world.wjl, today) == 0.5
    assert figures["appeals.callback_rate"].compute(world.wjl, today) == 1.0
    assert tally.verify() == {}
    table = selectors.appeal_ranking(actor=world.superuser, level="unit", month=today, min_cases=1)
    (row,) = [r for r in table.rows if r.entry.key == str(world.minzheng_org.pk)]
    assert row.entry.counts["closed"] == 2 and row.rates["resolution_rate"] == 0.5


def test_reopening_is_refused_late_without_a_reason_or_by_someone_else(world, settings) -> None:
    settings.GONGJIAN_APPEALS_REOPEN_DAYS = 3
    late = _closed_long_ago(world, days=4)
    assert "reopen" not in s.appeal_actions(actor=world.wjl_admin, appeal=late)
    with pytest.raises(ValidationError, match="3 天内"):
        s.appeal_reopen(actor=world.wjl_admin, appeal=late, reason="仍未修好")
    on_time = _closed_long_ago(world, days=2)
    with pytest.raises(PermissionDenied):
        s.appeal_reopen(actor=world.member, appeal=on_time, reason="我觉得没修好")
    with pytest.raises(ValidationError):
        s.appeal_reopen(actor=world.wjl_admin, appeal=on_time, reason="  ")
    for appeal in (late, on_time):
        appeal.refresh_from_db()
        assert appeal.status == AppealStatus.CLOSED
        assert not AppealClosure.objects.filter(appeal=appeal, reopened_at__isnull=False).exists()
    # the staff reopen on the resident's behalf (they phoned): said on the timeline
    s.appeal_reopen(actor=world.wjl_admin, appeal=on_time, reason="居民来电：仍未修好")
    event = AppealEvent.objects.get(appeal=on_time, kind="reopened")
    assert "居民来电" in event.note and event.actor == world.wjl_admin


def test_reopen_on_the_page_and_through_the_api(client, world) -> None:
    appeal = _closed_online(world, callback="satisfied")
    client.force_login(world.resident)
    page = client.get(reverse("appeals:detail", args=[appeal.pk]))
    assert 'data-action="reopen"' in page.content.decode()
    empty = client.post(reverse("appeals:reopen", args=[appeal.pk]), {"reopen-reason": ""})
    assert empty.status_code == 400
    done = client.post(reverse("appeals:reopen", args=[appeal.pk]), {"reopen-reason": "还是漏水"})
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED

    other = _closed_online(world)
    api = client.post(
        f"/api/v1/appeals/{other.pk}/reopen/", {"reason": "没解决"}, content_type="application/json"
    )
    assert api.status_code == 200
    assert api.json()["status"] == "answered"
    again = client.post(
        f"/api/v1/appeals/{other.pk}/reopen/", {"reason": "没解决"}, content_type="application/json"
    )
    assert again.status_code == 400
