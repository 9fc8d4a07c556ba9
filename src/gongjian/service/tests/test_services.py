"""Services of service: the rotating QR code, hours, verification, corrections, points with caps
and approvals, teams with their history, volunteers' sealed phones, reminders, and the audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.core.models import AuditEntry, Notification
from gongjian.members import services as member_services
from gongjian.members.models import Member
from gongjian.service import qr, services
from gongjian.service.models import (
    Activity,
    Attendance,
    EntryStatus,
    HoursStatus,
    PointsEntry,
    ServiceHours,
    TeamPeriod,
    Volunteer,
)
from gongjian.testing import World, build_ledgers

T0 = timezone.make_aware(dt.datetime(2026, 5, 23, 8, 30))


def _activity(**kw: object) -> Activity:
    a = Activity(pk=7, sign_in_secret="s" * 32, starts_at=T0, ends_at=T0 + dt.timedelta(hours=3))
    for k, v in kw.items():
        setattr(a, k, v)
    return a


def test_the_qr_code_rotates_and_an_old_one_is_refused(settings: object) -> None:
    activity = _activity()
    now = T0
    token = qr.qr_token(activity, qr.window(now))
    assert qr.qr_token_valid(activity=activity, token=token, now=now)
    # the previous window's code is still accepted (a scan that straddles a change) ...
    assert qr.qr_token_valid(
        activity=activity, token=token, now=now + dt.timedelta(seconds=qr.QR_STEP_SECONDS)
    )
    # ... but not an older one: a photo stops working within a minute
    assert not qr.qr_token_valid(
        activity=activity, token=token, now=now + dt.timedelta(seconds=2 * qr.QR_STEP_SECONDS)
    )
    assert not qr.qr_token_valid(activity=activity, token="", now=now)
    # a code of the future, of another activity or of another secret does not work either
    assert not qr.qr_token_valid(activity=activity, token=qr.qr_token(activity, qr.window(now) + 1), now=now)
    other = _activity(pk=8)
    assert not qr.qr_token_valid(activity=other, token=token, now=now)
    assert not qr.qr_token_valid(activity=_activity(sign_in_secret="t" * 32), token=token, now=now)


def test_hours_are_quarters_rounded_down_and_capped_by_the_length() -> None:
    activity = _activity()
    hours = services.compute_hours
    assert hours(activity, T0, T0 + dt.timedelta(minutes=14)) == Decimal("0")
    assert hours(activity, T0, T0 + dt.timedelta(minutes=44)) == Decimal("0.5")
    assert hours(activity, T0, T0 + dt.timedelta(hours=2, minutes=29)) == Decimal("2.25")
    assert hours(activity, T0 - dt.timedelta(hours=1), T0 + dt.timedelta(hours=5)) == Decimal("3")
    odd = _activity(ends_at=T0 + dt.timedelta(minutes=100))
    assert hours(odd, T0, T0 + dt.timedelta(hours=4)) == Decimal("1.5")


@pytest.fixture
def setup(world: World) -> dict[str, object]:
    build_ledgers(world)
    staff = Member.objects.get(name="在职0")
    member_services.member_link_user(actor=world.superuser, member=staff, user=world.member)
    return {"staff": staff, "direct": Member.objects.get(name="直管0")}


def _past_activity(world: World, **kw: object) -> Activity:
    start = timezone.now() - dt.timedelta(days=1)
    data: dict[str, object] = {
        "title": "环境整治",
        "organiser_kind": "community",
        "org": world.wjl_committee,
        "place": "广场",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=3),
    }
    data.update(kw)
    return services.activity_create(actor=world.wjl_admin, **data)  # type: ignore[arg-type]


def test_sign_up_limit_cancel_confirmation_and_reminder(world: World, setup: dict[str, object]) -> None:
    start = timezone.now() + dt.timedelta(hours=5)
    activity = services.activity_create(
        actor=world.wjl_admin,
        title="义诊",
        organiser_kind="community",
        org=world.wjl_committee,
        place="活动室",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        signup_limit=1,
    )
    row = services.activity_sign_up(actor=world.member, activity=activity)
    assert row.status == "signed_up"
    assert Notification.objects.filter(recipient=world.member, kind="service.signed_up").count() == 1
    with pytest.raises(ValidationError):
        services.activity_sign_up(actor=world.member, activity=activity)  # twice
    # the resident is linked to a volunteer: the limit of one is reached
    Volunteer.objects.create(name="志愿者", area=world.wjl, user=world.resident)
    with pytest.raises(ValidationError, match="已满"):
        services.activity_sign_up(actor=world.resident, activity=activity)
    # reminders: once per person, however often the schedule runs
    assert services.activities_remind(now=timezone.now()) == 1
    assert services.activities_remind(now=timezone.now()) == 0
    services.activity_sign_up_cancel(actor=world.member, activity=activity)
    services.activity_sign_up(actor=world.resident, activity=activity)
    # an account with no member or volunteer cannot sign up
    with pytest.raises(ValidationError, match="尚未关联"):
        services.activity_sign_up(actor=world.wjl_admin, activity=activity)


def test_scan_sign_in_out_verify_correct_and_points(world: World, setup: dict[str, object]) -> None:
    staff = setup["staff"]
    services.points_rule_create(
        actor=world.wjl_admin,
        name="时长积分",
        area=world.wjl,
        basis="per_hour",
        points=Decimal(1),
        cap=Decimal(3),
        cap_period="month",
    )
    activity = _past_activity(world)
    t_in = activity.starts_at + dt.timedelta(minutes=5)
    token = qr.qr_token(activity, qr.window(t_in))
    with pytest.raises(ValidationError, match="已过期"):
        services.attendance_scan(actor=world.member, activity=activity, token="0" * 20, now=t_in)
    row = services.attendance_scan(actor=world.member, activity=activity, token=token, now=t_in)
    assert row.status == "walk_in" and row.signed_in_at == t_in
    t_out = activity.starts_at + dt.timedelta(hours=2, minutes=50)
    row = services.attendance_scan(
        actor=world.member, activity=activity, token=qr.qr_token(activity, qr.window(t_out)), now=t_out
    )
    assert row.computed_hours == Decimal("2.75")
    # only the organiser verifies; other hours need a reason
    with pytest.raises(PermissionDenied):
        services.attendance_verify(actor=world.jsh_admin, attendance=row)
    with pytest.raises(ValidationError):
        services.attendance_verify(actor=world.wjl_admin, attendance=row, hours=Decimal(2))
    record = services.attendance_verify(actor=world.wjl_admin, attendance=row)
    assert record.status == HoursStatus.VERIFIED and record.member == staff
    entry = PointsEntry.objects.get(hours_record=record)
    assert entry.points == Decimal("2.75") and entry.status == EntryStatus.APPROVED
    with pytest.raises(ValidationError):
        services.attendance_verify(actor=world.wjl_admin, attendance=row)  # twice
    # a correction needs a reason, is audited with the old value, and the points follow (capped)
    with pytest.raises(ValidationError):
        services.hours_correct(actor=world.wjl_admin, record=record, hours=Decimal(3), reason=" ")
    services.hours_correct(actor=world.wjl_admin, record=record, hours=Decimal(3), reason="签退漏扫")
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.action == "hours.correct" and last.changes["hours"] == ["2.75", "3.00"]
    entry.refresh_from_db()
    assert entry.points == Decimal(3)
    with pytest.raises(ValidationError):  # beyond the activity's length
        services.hours_correct(actor=world.wjl_admin, record=record, hours=Decimal(4), reason="x")
    # a second activity the same month: the monthly cap of 3 is used up
    second = _past_activity(world, title="第二次", starts_at=activity.starts_at + dt.timedelta(minutes=1))
    other = services.attendance_record(
        actor=world.wjl_admin,
        activity=second,
        member=staff,
        signed_in_at=second.starts_at,
        signed_out_at=second.starts_at + dt.timedelta(hours=1),
    )
    record2 = services.attendance_verify(actor=world.wjl_admin, attendance=other)
    capped = PointsEntry.objects.get(hours_record=record2)
    assert capped.requested == Decimal(1) and capped.points == Decimal(0)


def test_logged_hours_wait_for_the_community(world: World, setup: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        services.hours_log(
            actor=world.member, on=timezone.localdate(), hours=Decimal("1.1"), description="走访"
        )
    with pytest.raises(ValidationError):
        services.hours_log(
            actor=world.member,
            on=timezone.localdate() + dt.timedelta(days=1),
            hours=Decimal(1),
            description="x",
        )
    with pytest.raises(ValidationError):
        services.hours_log(
            actor=world.member, on=timezone.localdate(), hours=Decimal(1), description="x", area=world.jsh
        )
    record = services.hours_log(
        actor=world.member, on=timezone.localdate(), hours=Decimal("1.5"), description="走访"
    )
    assert record.status == HoursStatus.PENDING and record.area == world.wjl
    with pytest.raises(PermissionDenied):
        services.hours_decide(actor=world.jsh_admin, record=record, approve=True)
    with pytest.raises(ValidationError):
        services.hours_decide(actor=world.wjl_admin, record=record, approve=False)  # no reason
    count = AuditEntry.objects.count()
    services.hours_decide(actor=world.wjl_admin, record=record, approve=True)
    assert AuditEntry.objects.count() == count + 1
    record.refresh_from_db()
    assert record.status == HoursStatus.VERIFIED
    with pytest.raises(ValidationError):
        services.hours_decide(actor=world.wjl_admin, record=record, approve=True)


@pytest.mark.django_db(transaction=True)
def test_a_failure_while_announcing_leaves_the_hours_undecided(
    world: World, setup: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    record = services.hours_log(
        actor=world.member, on=timezone.localdate(), hours=Decimal("1.5"), description="走访"
    )
    audits = AuditEntry.objects.count()

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the notification store is down")

    monkeypatch.setattr("gongjian.service.services.hours.announce", boom)
    with pytest.raises(RuntimeError):
        services.hours_decide(actor=world.wjl_admin, record=record, approve=True)
    record.refresh_from_db()
    assert record.status == HoursStatus.PENDING and record.decided_at is None
    assert not PointsEntry.objects.filter(hours_record=record).exists()
    assert AuditEntry.objects.count() == audits


def test_claimed_points_need_evidence_the_approver_and_respect_the_cap(
    world: World, setup: dict[str, object]
) -> None:
    rule = services.points_rule_create(
        actor=world.dongfeng_admin,
        name="先锋示范",
        area=world.dongfeng,
        basis="per_claim",
        points=Decimal(5),
        cap=Decimal(8),
        cap_period="quarter",
        evidence_required=True,
        approver_role="street_admin",
    )
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.points_claim(actor=world.member, rule=rule, on=today)  # no evidence
    first = services.points_claim(actor=world.member, rule=rule, on=today, evidence="照片")
    second = services.points_claim(actor=world.member, rule=rule, on=today, evidence="照片")
    assert first.status == EntryStatus.PENDING
    # the community administrator is below the approver role; the street administrator decides
    assert not services.points_decide_allowed(actor=world.wjl_admin, entry=first)
    with pytest.raises(PermissionDenied):
        services.points_entry_decide(actor=world.wjl_admin, entry=first, approve=True)
    services.points_entry_decide(actor=world.dongfeng_admin, entry=first, approve=True)
    services.points_entry_decide(actor=world.kaifu_admin, entry=second, approve=True)  # higher: allowed
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.points, second.points, second.requested) == (Decimal(5), Decimal(3), Decimal(5))
    third = services.points_claim(actor=world.member, rule=rule, on=today, evidence="照片")
    with pytest.raises(ValidationError):
        services.points_entry_decide(actor=world.dongfeng_admin, entry=third, approve=False)  # no reason
    services.points_entry_decide(actor=world.dongfeng_admin, entry=third, approve=False, reason="重复")
    with pytest.raises(ValidationError):
        services.points_entry_decide(actor=world.dongfeng_admin, entry=third, approve=True)
    # deductions count negative; an automatic rule cannot deduct
    with pytest.raises(ValidationError):
        services.points_rule_create(
            actor=world.wjl_admin,
            name="x",
            area=world.wjl,
            basis="per_hour",
            points=Decimal(1),
            deduction=True,
        )
    minus = services.points_rule_create(
        actor=world.wjl_admin,
        name="无故缺席",
        area=world.wjl,
        basis="per_claim",
        points=Decimal(2),
        deduction=True,
    )
    entry = services.points_claim(actor=world.wjl_admin, rule=minus, on=today, member=setup["staff"])  # type: ignore[arg-type]
    services.points_entry_decide(actor=world.wjl_admin, entry=entry, approve=True)
    entry.refresh_from_db()
    assert entry.points == Decimal(-2)


def test_teams_keep_their_history_and_volunteers_their_phone_sealed(
    world: World, setup: dict[str, object]
) -> None:
    volunteer = services.volunteer_create(
        actor=world.wjl_admin, name="志愿者甲", area=world.wjl, phone="13912345678", volunteer_no="V-1"
    )
    assert volunteer.phone_masked == "139****5678" and "13912345678" not in volunteer.phone_sealed
    with pytest.raises(ValidationError):
        services.volunteer_create(actor=world.wjl_admin, name="重号", area=world.wjl, volunteer_no="V-1")
    with pytest.raises(PermissionDenied):
        services.volunteer_create(actor=world.jsh_admin, name="越界", area=world.wjl)
    entries = AuditEntry.objects.filter(object_type="service.volunteer")
    assert all("13912345678" not in str(e.changes) for e in entries)
    with pytest.raises(ValidationError):
        services.volunteer_reveal(actor=world.wjl_admin, volunteer=volunteer, reason="")
    with pytest.raises(PermissionDenied):
        services.volunteer_reveal(actor=world.jsh_admin, volunteer=volunteer, reason="联系")
    assert (
        services.volunteer_reveal(actor=world.wjl_admin, volunteer=volunteer, reason="联系") == "13912345678"
    )
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.action == "pii.reveal" and last.reason == "联系"

    team = services.team_create(
        actor=world.wjl_admin,
        name="党员360服务队",
        area=world.wjl,
        org=world.wjl_committee,
        since=dt.date(2018, 3, 1),
    )
    services.team_member_add(actor=world.wjl_admin, team=team, member=setup["direct"], leader=True)  # type: ignore[arg-type]
    services.team_member_add(actor=world.wjl_admin, team=team, volunteer=volunteer)
    with pytest.raises(ValidationError):
        services.team_member_add(actor=world.wjl_admin, team=team, volunteer=volunteer)
    with pytest.raises(ValidationError):
        services.duty_add(actor=world.wjl_admin, team=team, kind="patrol", weekdays="18")
    services.duty_add(
        actor=world.wjl_admin,
        team=team,
        kind="patrol",
        weekdays="1,3,5",
        starts=dt.time(7),
        ends=dt.time(8),
        route="小区一圈",
    )
    services.team_status_set(actor=world.wjl_admin, team=team, active=False, on=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.team_status_set(actor=world.wjl_admin, team=team, active=False)
    services.team_status_set(actor=world.wjl_admin, team=team, active=True, on=dt.date(2021, 1, 1))
    periods = list(TeamPeriod.objects.filter(team=team).order_by("since").values_list("since", "until"))
    assert periods == [(dt.date(2018, 3, 1), dt.date(2020, 1, 1)), (dt.date(2021, 1, 1), None)]
    with pytest.raises(PermissionDenied):
        services.team_update(actor=world.jsh_admin, team=team, name="x")


def test_activities_check_their_organiser_and_bad_input_changes_nothing(
    world: World, setup: dict[str, object]
) -> None:
    before = (Activity.objects.count(), AuditEntry.objects.count())
    start = timezone.now() + dt.timedelta(days=1)
    bad: list[dict[str, object]] = [
        {"organiser_kind": "community", "org": world.wjl_branch},  # a compound's branch, not a community's
        {"organiser_kind": "community"},
        {"organiser_kind": "unit", "unit": world.minzheng, "org": world.wjl_committee},
        {"organiser_kind": "community", "org": world.wjl_committee, "ends_at": start},
    ]
    for extra in bad:
        data: dict[str, object] = {
            "title": "x",
            "place": "y",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
            **extra,
        }
        with pytest.raises(ValidationError):
            services.activity_create(actor=world.wjl_admin, **data)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        services.activity_create(
            actor=world.jsh_admin,
            title="x",
            organiser_kind="community",
            org=world.wjl_committee,
            place="y",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        )
    # the liaison organises for their unit
    activity = services.activity_create(
        actor=world.liaison,
        title="政策宣讲",
        organiser_kind="unit",
        unit=world.minzheng,
        place="y",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    assert activity.area == world.minzheng.area
    assert (Activity.objects.count(), AuditEntry.objects.count()) == (before[0] + 1, before[1] + 1)
    assert not Attendance.objects.exists() and not ServiceHours.objects.exists()


def test_many_people_recorded_and_verified_at_once(world: World, setup: dict[str, object]) -> None:
    services.points_rule_create(
        actor=world.wjl_admin, name="时长积分", area=world.wjl, basis="per_hour", points=Decimal(1)
    )
    activity = _past_activity(world)
    volunteer = services.volunteer_create(actor=world.wjl_admin, name="志愿者丙", area=world.wjl)
    staff, direct = setup["staff"], setup["direct"]
    before = AuditEntry.objects.count()
    count = services.activity_verify_bulk(
        actor=world.wjl_admin,
        activity=activity,
        members=[staff, direct, staff],  # type: ignore[list-item]
        volunteers=[volunteer],
    )
    assert count == 3 and AuditEntry.objects.count() == before + 1
    assert ServiceHours.objects.filter(attendance__activity=activity, status="verified", hours=3).count() == 3
    assert (
        PointsEntry.objects.filter(hours_record__attendance__activity=activity).count() == 2
    )  # members only
    assert services.activity_verify_bulk(actor=world.wjl_admin, activity=activity, members=[staff]) == 0  # type: ignore[list-item]
    with pytest.raises(PermissionDenied):
        services.activity_verify_bulk(actor=world.jsh_admin, activity=activity, volunteers=[volunteer])


def test_bulk_verification_applies_each_members_cap_like_one_at_a_time(
    world: World, setup: dict[str, object]
) -> None:
    rule = services.points_rule_create(
        actor=world.wjl_admin,
        name="时长积分",
        area=world.wjl,
        basis="per_hour",
        points=Decimal(1),
        cap=Decimal(4),
        cap_period="year",
    )
    staff, direct = cast(Member, setup["staff"]), cast(Member, setup["direct"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    tz = timezone.get_current_timezone()

    def at(hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(yesterday, dt.time(hour)), tz)

    first = _past_activity(world, starts_at=at(8), ends_at=at(11))
    services.activity_verify_bulk(actor=world.wjl_admin, activity=first, members=[staff])
    assert PointsEntry.objects.get(member=staff, rule=rule).points == 3  # 3 hours, under the cap
    second = _past_activity(world, starts_at=at(14), ends_at=at(17))
    services.activity_verify_bulk(actor=world.wjl_admin, activity=second, members=[staff, direct])
    later = PointsEntry.objects.filter(hours_record__attendance__activity=second)
    points = {e.member_id: (e.requested, e.points) for e in later}
    assert points[staff.pk] == (Decimal(3), Decimal(1))  # only 1 left under the cap
    assert points[direct.pk] == (Decimal(3), Decimal(3))
