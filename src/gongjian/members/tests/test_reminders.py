"""Reminders: which mobile members are due to report back or prompted to transfer, which letters
are overdue (in SQL, at the boundaries), and the daily run that sends them as notifications once.

ID numbers are generated at run time and never printed."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from gongjian.accounts.models import RoleKind
from gongjian.accounts.services import role_grant, user_create
from gongjian.core.models import AuditEntry, Notification
from gongjian.members import selectors, services
from gongjian.members.models import Member, MobileRecord, Transfer, TransferStatus
from gongjian.members.tests.people import ledger_member
from gongjian.testing import PASSWORD, World

TODAY = dt.date(2026, 6, 30)


def _member(world: World, n: int, name: str, **kw: Any) -> Member:
    return ledger_member(world, n, name, birth=dt.date(1979, 9, 9), **kw)


def _away(
    world: World, n: int, name: str, since: dt.date, last: dt.date | None = None, **kw: Any
) -> MobileRecord:
    member = _member(world, n, name, **kw)
    record = services.mobile_record_create(
        actor=world.superuser, member=member, destination="广州", since=since
    )
    if last is not None:
        services.mobile_report_back(actor=world.superuser, record=record, on=last)
    return record


def _days(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def away(world: World) -> dict[str, MobileRecord]:
    return {
        "due_365": _away(world, 1, "满一年", _days(365)),
        "not_due_364": _away(world, 2, "差一天", _days(364)),
        "reported_364": _away(world, 3, "去年报告过", _days(800), last=_days(364)),
        "reported_365": _away(world, 4, "报告满一年", _days(800), last=_days(365)),
        "transfer_184": _away(world, 5, "半年多", _days(184)),
        "transfer_183": _away(world, 6, "刚半年", _days(183)),
        "jsh": _away(world, 7, "尖山湖流动", _days(900), org=world.jsh_branch, residence=world.jsh_compound),
    }


def _names(records: Any) -> list[str]:
    return [r.member.name for r in records]


def test_mobile_reminders_at_the_boundaries(world: World, away: dict[str, MobileRecord]) -> None:
    due = selectors.mobile_reminders(actor=world.wjl_admin, on=TODAY)
    assert sorted(_names(due["report_back_due"])) == sorted(["满一年", "报告满一年"])
    assert sorted(_names(due["transfer_prompted"])) == sorted(
        ["满一年", "差一天", "去年报告过", "报告满一年", "半年多"]
    )
    # ordered as the list of mobile members: longest away first
    assert _names(due["transfer_prompted"]) == ["去年报告过", "报告满一年", "满一年", "差一天", "半年多"]
    # scope and ``within``
    jsh = selectors.mobile_reminders(actor=world.jsh_admin, on=TODAY)
    assert _names(jsh["report_back_due"]) == ["尖山湖流动"] and _names(jsh["transfer_prompted"]) == [
        "尖山湖流动"
    ]
    city = selectors.mobile_reminders(actor=world.city_admin, within=world.jsh, on=TODAY)
    assert _names(city["report_back_due"]) == ["尖山湖流动"]
    # a member back home is no longer reminded
    services.mobile_record_end(actor=world.superuser, record=away["due_365"], until=TODAY)
    after = selectors.mobile_reminders(actor=world.wjl_admin, on=TODAY)
    assert "满一年" not in _names(after["report_back_due"]) + _names(after["transfer_prompted"])


def _transfer(world: World, n: int, issued: dt.date, days: int) -> Transfer:
    member = _member(world, 20 + n, f"转出{n}")
    return services.transfer_issue(
        actor=world.superuser,
        member=member,
        to_org=world.jsh_branch,
        letter_no=f"L-{n}",
        valid_days=days,
        issued_on=issued,
    )


def test_transfer_overdue_at_the_boundaries(world: World) -> None:
    overdue = _transfer(world, 1, _days(31), 30)  # expired yesterday
    _transfer(world, 2, _days(30), 30)  # expires today: still valid
    long = _transfer(world, 3, _days(91), 90)
    _transfer(world, 4, _days(5), 7)
    found = selectors.transfer_overdue(actor=world.wjl_admin, on=TODAY)
    assert sorted(t.letter_no for t in found) == sorted([overdue.letter_no, long.letter_no])
    # the receiving side sees them too; someone with neither side does not
    assert len(selectors.transfer_overdue(actor=world.jsh_admin, on=TODAY)) == 2
    assert not selectors.transfer_overdue(actor=world.liaison, on=TODAY).exists()
    services.transfer_reject(actor=world.superuser, transfer=long, reason="不接收")
    assert [t.letter_no for t in selectors.transfer_overdue(actor=world.wjl_admin, on=TODAY)] == ["L-1"]


def test_transfers_expire_marks_only_overdue_letters(world: World) -> None:
    overdue = _transfer(world, 1, _days(31), 30)
    valid = _transfer(world, 2, _days(30), 30)
    assert services.transfers_expire(actor=None, on=TODAY) == [overdue]
    overdue.refresh_from_db()
    valid.refresh_from_db()
    assert (overdue.status, overdue.closed_on) == (TransferStatus.EXPIRED, TODAY)
    assert valid.status == TransferStatus.ISSUED
    assert services.transfers_expire(actor=None, on=TODAY) == []


# --- the daily run --------------------------------------------------------------------------------


@pytest.fixture
def admins(world: World) -> dict[str, Any]:
    for user in (world.wjl_admin, world.jsh_admin, world.dongfeng_admin, world.city_admin):
        user.email = f"{user.username}@example.org"
        user.save()
    second = user_create(actor=None, username="wjl_second", password=PASSWORD)
    second.email = "second@example.org"
    second.save()
    role_grant(actor=None, user=second, kind=RoleKind.COMMUNITY_ADMIN, area=world.wjl)
    return {"second": second}


def _notes(user: Any, kind: str = "") -> list[Notification]:
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def test_the_daily_run_notifies_the_nearest_administrators_once(
    world: World,
    away: dict[str, MobileRecord],
    admins: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.reminders_send(on=TODAY)
    # notifications made: 王家垅's two records due × its two administrators, and 尖山湖's one
    assert counts["mobile.report_due"] == 2 * 2 + 1 and counts["mobile.transfer_prompt"] == 5 * 2 + 1
    # 王家垅's two community administrators, not the street's or the city's
    for user in (world.wjl_admin, admins["second"]):
        assert len(_notes(user, "mobile.report_due")) == 2
        assert len(_notes(user, "mobile.transfer_prompt")) == 5
    assert _notes(world.dongfeng_admin) == [] and _notes(world.city_admin) == []
    assert len(_notes(world.jsh_admin, "mobile.report_due")) == 1
    note = _notes(world.wjl_admin, "mobile.report_due")[0]
    assert note.url.startswith("/ledgers/members/") and note.title
    member = Member.objects.get(pk=int(note.url.rstrip("/").split("/")[-1]))
    assert member.name not in note.title + note.body  # a masked name only
    # e-mails went out, one per reminder with an address (the report-backs of the set-up told the
    # organisation before the run: the event ``mobile.report_back``)
    reminders = Notification.objects.exclude(kind="mobile.report_back")
    assert len(mail.outbox) == reminders.count()
    assert Notification.objects.filter(kind="mobile.report_back", recipient=world.wjl_admin).exists()
    # idempotent: a second run the same day sends nothing and writes nothing
    before = (Notification.objects.count(), AuditEntry.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        again = services.reminders_send(on=TODAY)
    assert sum(again.values()) == 0
    assert (Notification.objects.count(), AuditEntry.objects.count()) == before
    # the next day, only what fell due overnight: 差一天 and 去年报告过 reach a year, 刚半年 six months
    next_day = services.reminders_send(on=TODAY + dt.timedelta(days=1))
    assert next_day == {
        "mobile.report_due": 2 * 2,
        "mobile.transfer_prompt": 1 * 2,
        "transfer.expired": 0,
        "transfer.expiring": 0,
    }
    # after reporting back, next year's reminder is a new one
    services.mobile_report_back(actor=world.superuser, record=away["due_365"], on=TODAY)
    later = services.reminders_send(on=TODAY + dt.timedelta(days=366))
    assert later["mobile.report_due"] >= 1


def test_without_a_community_administrator_the_street_is_told(
    world: World, away: dict[str, MobileRecord]
) -> None:
    from gongjian.accounts.models import Role

    Role.objects.filter(user=world.jsh_admin).update(active=False)
    services.reminders_send(on=TODAY)
    assert _notes(world.jsh_admin) == []
    # no one at 尖山湖 or 东方红街道: the city administrator (高新区 has none either)
    assert len(_notes(world.city_admin, "mobile.report_due")) == 1


def test_letters_expire_and_both_sides_are_told(
    world: World, admins: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    soon = _transfer(world, 1, _days(28), 30)  # expires in two days
    late = _transfer(world, 2, _days(40), 30)
    counts = services.reminders_send(on=TODAY)
    # to 王家垅's two administrators and 尖山湖's one; the expired letter to the issuing side only
    assert counts["transfer.expiring"] == 3 and counts["transfer.expired"] == 2
    late.refresh_from_db()
    assert late.status == TransferStatus.EXPIRED
    # the issuing side (王家垅) and the receiving side (尖山湖) hear of a letter about to expire
    assert [n.url for n in _notes(world.wjl_admin, "transfer.expiring")] == [f"/ledgers/transfers/{soon.pk}/"]
    assert len(_notes(world.jsh_admin, "transfer.expiring")) == 1
    # an expired letter is for the issuing side to issue again
    assert (
        len(_notes(world.wjl_admin, "transfer.expired")) == 1
        and _notes(world.jsh_admin, "transfer.expired") == []
    )
    assert sum(services.reminders_send(on=TODAY).values()) == 0


def test_the_command_runs_the_reminders(world: World, away: dict[str, MobileRecord]) -> None:
    out = StringIO()
    call_command("reminders", "--date", TODAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "mobile.report_due" in text and Notification.objects.exists()
    out = StringIO()
    call_command("reminders", "--date", TODAY.isoformat(), stdout=out)
    reminders = Notification.objects.exclude(dedupe_key="")  # the events of the set-up have none
    assert reminders.count() == len(set(reminders.values_list("recipient", "dedupe_key")))


def test_the_beat_schedule_runs_the_task_daily() -> None:
    from celery.schedules import crontab

    from gongjian.members.tasks import reminders_task

    entries = {e["task"]: e for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert reminders_task.name in entries
    schedule = entries[reminders_task.name]["schedule"]
    assert isinstance(schedule, crontab) and schedule.hour == {6}  # type: ignore[attr-defined]


def test_a_unit_organisation_s_members_are_for_its_liaison(world: World) -> None:
    _away(world, 30, "机关流动", _days(400), org=world.minzheng_org, residence=None, categories=[])
    services.reminders_send(on=TODAY)
    assert len(_notes(world.liaison, "mobile.report_due")) == 1
    assert _notes(world.wjl_admin) == []


def test_the_task_runs_the_same_reminders(world: World, away: dict[str, MobileRecord]) -> None:
    from gongjian.members.tasks import reminders_task

    counts = reminders_task.delay().get()
    assert set(counts) == {
        "mobile.report_due",
        "mobile.transfer_prompt",
        "transfer.expired",
        "transfer.expiring",
    }
    assert Notification.objects.filter(recipient=world.wjl_admin).exists()
