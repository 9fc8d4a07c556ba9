"""Notifications subscribed to the catalogue: the right people, the right channel, their choice."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gongjian.core import notify, sms
from gongjian.core.events import Event
from gongjian.core.models import Notification, NotificationPreference
from gongjian.core.synthetic import id_number
from gongjian.lists.services import claims as list_services
from gongjian.members import services as member_services
from gongjian.members.models import Category
from gongjian.service import services as service_services
from gongjian.testing import World

pytestmark = pytest.mark.django_db(transaction=False)

PHONE = "13912345678"


def _published_demand(world: World) -> Any:
    demand = list_services.demand_raise(
        actor=world.wjl_admin,
        owner_org=world.wjl_committee,
        name="楼道照明维修志愿者",
        category="volunteers",
        quantity=4,
        measure="人",
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    return list_services.demand_publish(actor=world.wjl_admin, demand=demand)


def _notes(user: Any, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_a_claim_tells_the_owner_and_the_decision_tells_the_claimant(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.wjl_admin.email = "wjl@example.org"
    world.wjl_admin.save(update_fields=["email"])
    demand = _published_demand(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        claim = list_services.demand_claim(actor=world.liaison, demand=demand, quantity=3)
    [note] = _notes(world.wjl_admin, "claim.create")
    assert "楼道照明维修志愿者" in note.title and note.url == reverse("lists:claim_detail", args=[claim.pk])
    assert "3" in note.body and not note.digest
    assert not _notes(world.liaison, "claim.create"), "the claimant is not told of their own claim"
    assert [m.to for m in mail.outbox] == [["wjl@example.org"]], "immediately: by e-mail too"

    list_services.claim_accept(actor=world.wjl_admin, claim=claim)
    [told] = _notes(world.liaison, "claim.accept")
    assert told.title.startswith(_label_in(settings.LANGUAGE_CODE, Event.CLAIM_ACCEPT))
    assert "楼道照明维修志愿者" in told.title
    assert not _notes(world.wjl_admin, "claim.accept")

    other = list_services.demand_claim(actor=world.liaison, demand=demand, quantity=1)
    list_services.claim_decline(actor=world.wjl_admin, claim=other, reason="人数已够")
    [declined] = _notes(world.liaison, "claim.decline")
    assert "人数已够" in declined.body


def test_titles_are_in_the_site_language_whoever_acted(world: World, settings: Any) -> None:
    from django.utils import translation

    demand = _published_demand(world)
    with translation.override("en"):
        list_services.demand_claim(actor=world.liaison, demand=demand, quantity=1)
    [note] = _notes(world.wjl_admin, "claim.create")
    assert note.title.startswith(str(_label_in(settings.LANGUAGE_CODE, Event.CLAIM_CREATE)))
    assert not note.title.startswith("Claimed")


def _label_in(language: str, event: Event) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(event.label)


def test_digest_and_off_are_respected_and_must_act_cannot_be_off(world: World) -> None:
    assert Event.CLAIM_CREATE.act and not Event.CLAIM_ACCEPT.act
    notify.preferences_set(actor=world.liaison, modes={"claim.accept": "digest", "claim.decline": "off"})
    with pytest.raises(ValidationError) as refused:
        notify.preferences_set(actor=world.wjl_admin, modes={"claim.create": "off"})
    assert "claim.create" in refused.value.message_dict
    assert not NotificationPreference.objects.filter(user=world.wjl_admin).exists()

    demand = _published_demand(world)
    mail.outbox.clear()
    first = list_services.demand_claim(actor=world.liaison, demand=demand, quantity=1)
    list_services.claim_accept(actor=world.wjl_admin, claim=first)
    second = list_services.demand_claim(actor=world.liaison, demand=demand, quantity=1)
    list_services.claim_decline(actor=world.wjl_admin, claim=second, reason="不需要了")
    [accepted] = _notes(world.liaison, "claim.accept")
    assert accepted.digest and accepted.digested_at is None, "digest: in the bell, mailed later"
    assert not _notes(world.liaison, "claim.decline"), "off: nothing"


def test_settings_page_saves_choices_and_refuses_off_for_what_one_must_act_on(
    world: World, client: Any
) -> None:
    client.force_login(world.wjl_admin)
    url = reverse("core:notification_settings")
    assert reverse("core:notification_settings") in client.get(reverse("core:notifications")).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="claim.accept"' in html and 'name="claim.create"' in html
    bad = client.post(url, {"claim.create": "off"})
    assert bad.status_code == 400 and not NotificationPreference.objects.exists()
    ok = client.post(url, {"claim.accept": "digest", "project.rate": "off"})
    assert ok.status_code == 302
    assert notify.preferences_of(actor=world.wjl_admin) == {"claim.accept": "digest", "project.rate": "off"}


def test_digest_is_one_capped_message_sent_once(world: World) -> None:
    user = world.liaison
    user.email = "liaison@example.org"
    user.save(update_fields=["email"])
    notify.preferences_set(actor=user, modes={"service.reminder": "digest"})
    for n in range(notify.DIGEST_CAP + 5):
        notify.remind(
            "service.reminder", recipients=[user], title=f"提醒 {n}", url="/service/", dedupe_key=f"t.{n}"
        )
    mail.outbox.clear()
    assert notify.digest_send(today=timezone.localdate()) == 1
    [message] = mail.outbox
    assert message.to == [user.email]
    assert message.body.count("· ") == notify.DIGEST_CAP
    assert "提醒 24" in message.body and "提醒 0\n" not in message.body
    assert "5" in message.body and "/notifications/?unread=1" in message.body
    assert notify.digest_send(today=timezone.localdate()) == 0
    assert not Notification.objects.filter(digest=True, digested_at__isnull=True).exists()


def test_the_daily_run_includes_the_digest() -> None:
    assert "gongjian.core.notify.digest_send" in settings.GONGJIAN_DAILY


# --- SMS --------------------------------------------------------------------------------------


def _member_with_phone(world: World) -> Any:
    member = member_services.member_create(
        actor=world.superuser,
        name="提醒党员",
        id_number=id_number(91),
        org=world.wjl_committee,
        joined_on=dt.date(2012, 7, 1),
        residence=world.wjl,
        categories=[Category.DIRECT],
        phone=PHONE,
    )
    return member_services.member_link_user(actor=world.superuser, member=member, user=world.member)


def test_console_sms_masks_the_phone(world: World, caplog: Any) -> None:
    _member_with_phone(world)
    assert sms.phones_for([world.member.pk, world.resident.pk]) == {world.member.pk: PHONE}
    with caplog.at_level(logging.INFO, logger="gongjian.core.sms"):
        assert sms.sms_send(user_ids=[world.member.pk, world.resident.pk], text="活动 30 分钟后开始") == 1
    assert "活动 30 分钟后开始" in caplog.text
    assert PHONE not in caplog.text and PHONE[:3] in caplog.text


class _Stub(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Stub.received.append((self.headers["Authorization"], body))
        self.send_response(_Stub.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def stub_gateway() -> Any:
    _Stub.received = []
    _Stub.status = 200
    server = HTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


def test_http_gateway_posts_to_the_configured_url_with_the_token(
    world: World, settings: Any, stub_gateway: str, caplog: Any
) -> None:
    _member_with_phone(world)
    settings.GONGJIAN_SMS_BACKEND = "http"
    settings.GONGJIAN_SMS_URL = stub_gateway
    settings.GONGJIAN_SMS_TOKEN = "test-token"
    assert sms.sms_send(user_ids=[world.member.pk], text="会议取消") == 1
    assert _Stub.received == [("Bearer test-token", {"to": PHONE, "text": "会议取消"})]
    _Stub.status = 500
    with caplog.at_level(logging.WARNING, logger="gongjian.core.sms"):
        assert sms.sms_send(user_ids=[world.member.pk], text="会议取消") == 0
    assert "SMS failed" in caplog.text and PHONE not in caplog.text


# --- the activity's sequence ----------------------------------------------------------------


def test_an_activity_confirms_reminds_texts_and_asks_for_a_rating_once_each(
    world: World, settings: Any, caplog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from gongjian.service.models import Attendance

    _member_with_phone(world)
    start = timezone.now() + dt.timedelta(hours=20)
    activity = service_services.activity_create(
        actor=world.wjl_admin,
        title="楼道清扫",
        organiser_kind="community",
        org=world.wjl_committee,
        place="30号庭院",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    service_services.activity_sign_up(actor=world.member, activity=activity)
    assert len(_notes(world.member, "service.signed_up")) == 1

    def run(at: dt.datetime) -> int:
        with (
            caplog.at_level(logging.INFO, logger="gongjian.core.sms"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return service_services.activities_remind(now=at) + service_services.activities_sequence(now=at)

    assert run(timezone.now()) == 1 and run(timezone.now()) == 0
    assert len(_notes(world.member, "service.reminder")) == 1
    soon = start - dt.timedelta(minutes=20)
    caplog.clear()
    assert run(soon) == 1 and run(soon) == 0
    assert len(_notes(world.member, "service.starting")) == 1
    assert "楼道清扫" in caplog.text and PHONE not in caplog.text, "the SMS went out, its phone masked"
    Attendance.objects.filter(activity=activity).update(signed_in_at=start)
    after = start + dt.timedelta(hours=3, minutes=5)
    assert run(after) == 1 and run(after) == 0
    assert len(_notes(world.member, "service.rate")) == 1


# --- the catalogue's table -------------------------------------------------------------------


def test_every_event_tells_someone_or_says_why_not() -> None:
    rows = {row[0].strip("`") for row in notify.table_rows()}
    for event in Event:
        if event.audit_only:
            assert event.why.strip(), f"{event}: audit only without a reason"
        else:
            assert event.value in rows, f"{event}: nobody to tell in the table"


def test_the_readme_table_is_the_generated_one(capsys: Any) -> None:
    readme = (Path(settings.REPO_DIR) / "README.md").read_text(encoding="utf-8")
    call_command("events", "--markdown")
    table = capsys.readouterr().out
    assert table.count("\n") > 50
    assert table in readme, "README's Notifications table is stale: paste `gongjian events --markdown`"


# --- appeals: each step, and before the limit ---------------------------------------------------


def test_an_appeal_tells_the_area_the_assignee_and_the_resident_and_warns_before_the_limit(
    world: World,
) -> None:
    from gongjian.appeals import services as appeals

    appeal = appeals.appeal_register(
        actor=world.resident, area=world.wjl_building, kind="utilities", title="停水", phone="13900001111"
    )
    [registered] = _notes(world.wjl_admin, "appeal.register")
    assert appeal.number in registered.title and "13900001111" not in registered.body
    staff = world.wjl_admin
    appeals.appeal_assign(actor=staff, appeal=appeal, org=world.minzheng_org)
    assert not _notes(staff, "appeals.assigned"), "the one who assigns is not told"
    [assigned] = _notes(world.liaison, "appeals.assigned")
    assert appeal.number in assigned.title, "the unit given the work hears of it"
    soon = appeal.due_at - dt.timedelta(hours=2)
    assert appeals.appeals_remind_due(now=soon) == 1
    assert appeals.appeals_remind_due(now=soon) == 0, "once"
    assert len(_notes(world.liaison, "appeals.due")) == 1
    appeals.appeal_answer(actor=staff, appeal=appeal, answer="已通知水务")
    appeals.appeal_solve(actor=staff, appeal=appeal)
    appeals.appeal_close(actor=staff, appeal=appeal)
    kinds = sorted(Notification.objects.filter(recipient=world.resident).values_list("kind", flat=True))
    assert kinds == ["appeal.close", "appeals.progress", "appeals.progress"]


# --- seats, action items, transfers, hours: the other side hears of it ---------------------------


def test_a_seat_goes_to_the_street_and_back_and_the_unit_hears_of_it(world: World) -> None:
    from gongjian.cobuild.services import seats

    committee = seats.committee_create(
        actor=world.wjl_admin, org=world.wjl_committee, established_on=dt.date(2018, 3, 1)
    )
    today = timezone.localdate()
    seat = seats.seat_recommend(
        actor=world.wjl_admin,
        committee=committee,
        person_name="李兼职",
        unit=world.minzheng,
        unit_title="处长",
        duty="兼职委员",
        recommended_on=today - dt.timedelta(days=30),
    )
    assert not _notes(world.dongfeng_admin, "seat.recommend")
    seats.seat_screen(actor=world.wjl_admin, seat=seat, screened_on=today - dt.timedelta(days=20))
    [waiting] = _notes(world.dongfeng_admin, "seat.screen")
    assert "民政" in waiting.title or world.minzheng.name in waiting.title, "the street hears a seat waits"
    assert not _notes(world.wjl_admin, "seat.screen"), "not the one who screened"
    seats.seat_approve(actor=world.dongfeng_admin, seat=seat, approved_on=today - dt.timedelta(days=10))
    assert len(_notes(world.wjl_admin, "seat.approve")) == 1, "back to the community, to appoint"
    assert len(_notes(world.liaison, "seat.approve")) == 1, "and the unit"


def test_hours_verified_tell_the_person(world: World) -> None:
    from decimal import Decimal

    from gongjian.members.models import Member

    _member_with_phone(world)
    start = timezone.now() - dt.timedelta(days=1)
    activity = service_services.activity_create(
        actor=world.wjl_admin,
        title="楼道清扫",
        organiser_kind="community",
        org=world.wjl_committee,
        place="30号庭院",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    row = service_services.attendance_record(
        actor=world.wjl_admin,
        activity=activity,
        member=Member.objects.get(user=world.member),
        signed_in_at=activity.starts_at,
        signed_out_at=activity.ends_at,
    )
    service_services.attendance_verify(actor=world.wjl_admin, attendance=row, hours=Decimal("2"))
    [note] = _notes(world.member, "hours.verify")
    assert "2" in note.title and note.url == reverse("service:mine")


def test_an_action_item_tells_its_unit_then_reminds_before_and_after_it_is_due(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gongjian.cobuild.services import meetings
    from gongjian.cobuild.services.resolutions import action_items_remind
    from gongjian.cobuild.tests.fixtures_meetings import Clock
    from gongjian.orgs.models import PartyOrg

    day = dt.date(2026, 9, 10)
    Clock(monkeypatch).set(day)
    street = PartyOrg.objects.get(code="PO-DFL")
    meeting = meetings.meeting_convene(
        actor=world.dongfeng_admin,
        title="联席会议",
        convener_org=street,
        alliance=world.alliance,
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
    )
    meetings.agenda_item_add(actor=world.dongfeng_admin, meeting=meeting, title="议题")
    meetings.meeting_send_agenda(actor=world.dongfeng_admin, meeting=meeting)
    meetings.meeting_hold(actor=world.dongfeng_admin, meeting=meeting)
    due = day + dt.timedelta(days=10)
    meetings.resolution_record(
        actor=world.dongfeng_admin,
        meeting=meeting,
        text="决议",
        actions=[{"title": "调研停车难", "owner_unit": world.minzheng, "due_on": due}],
    )
    [given] = _notes(world.liaison, "action.add")
    assert "调研停车难" in given.title and due.isoformat() in given.body
    assert action_items_remind(today=due - dt.timedelta(days=5)) == 0
    assert action_items_remind(today=due - dt.timedelta(days=3)) == 1
    assert action_items_remind(today=due - dt.timedelta(days=2)) == 0, "once"
    assert action_items_remind(today=due + dt.timedelta(days=1)) == 1
    assert action_items_remind(today=due + dt.timedelta(days=2)) == 0, "once"
    assert [len(_notes(world.liaison, k)) for k in ("cobuild.action.due", "cobuild.action.overdue")] == [1, 1]


def test_a_finished_job_tells_who_started_it_once(world: World) -> None:
    from gongjian.core.jobs import job_finish
    from gongjian.core.models import Job

    job = Job.objects.create(kind="members.import", actor=world.wjl_admin, total=3)
    job_finish(job=job, ok=True, message="3 行已导入")
    job_finish(job=job, ok=True, message="3 行已导入")
    [note] = _notes(world.wjl_admin, "core.job.finished")
    assert note.url == reverse("core:job", args=[job.pk]) and "3 行已导入" in note.body


def test_a_consultation_reaches_the_households_of_its_area(world: World) -> None:
    from gongjian.cobuild.services import consultations

    today = timezone.localdate()
    consultations.consultation_create(
        actor=world.wjl_admin,
        area=world.wjl,
        org=world.wjl_committee,
        question="是否加装电梯？",
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
        asked=100,
    )
    for user in (world.member, world.resident):
        [note] = _notes(user, "consultation.create")
        assert "是否加装电梯" in note.title
    assert not _notes(world.jsh_admin, "consultation.create")


def test_logged_hours_wait_for_the_community_which_is_told(world: World) -> None:
    from decimal import Decimal

    _member_with_phone(world)
    record = service_services.hours_log(
        actor=world.member,
        on=timezone.localdate(),
        hours=Decimal("1.5"),
        description="帮邻居修水管",
        area=world.wjl,
    )
    [note] = _notes(world.wjl_admin, "hours.log")
    assert "1.5" in note.title and note.body == record.description
    assert Event.HOURS_LOG.act, "verifying is acting: it cannot be turned off"


# --- the events wired in issue 16's last part: each group reaches its recipient's bell -------------


def test_a_withdrawn_or_expired_demand_tells_the_claimant_and_the_list(world: World) -> None:
    demand = _published_demand(world)
    list_services.demand_claim(actor=world.liaison, demand=demand, quantity=1)
    list_services.demand_withdraw(actor=world.wjl_admin, demand=demand, reason="已由物业解决")
    [note] = _notes(world.liaison, "demand.withdraw")
    assert "楼道照明维修志愿者" in note.title and "已由物业解决" in note.body
    assert not _notes(world.wjl_admin, "demand.withdraw")
    late = _published_demand(world)
    assert late.deadline is not None
    list_services.demands_expire(today=late.deadline + dt.timedelta(days=1))
    [expired] = _notes(world.wjl_admin, "demand.expire")
    assert expired.url == reverse("lists:demand_detail", args=[late.pk])


def test_a_members_ledger_changes_tell_the_member_and_report_backs_the_organisation(world: World) -> None:
    from gongjian.members.models import Member

    _member_with_phone(world)
    assert len(_notes(world.member, "member.link_user")) == 1
    member = Member.objects.get(user=world.member)
    record = member_services.mobile_record_create(
        actor=world.wjl_admin, member=member, destination="广州", since=timezone.localdate()
    )
    assert len(_notes(world.member, "mobile.create")) == 1
    [ledger] = _notes(world.member, "member.category_add")  # the mobile ledger
    assert member.name not in ledger.title, "the name is masked"
    member_services.mobile_report_back(actor=world.superuser, record=record, on=timezone.localdate())
    assert len(_notes(world.wjl_admin, "mobile.report_back")) == 1
    member_services.mobile_record_end(actor=world.wjl_admin, record=record, until=timezone.localdate())
    assert len(_notes(world.member, "mobile.end")) == 1
    assert len(_notes(world.member, "member.category_end")) == 1


def test_a_team_tells_its_people_and_a_changed_activity_those_signed_up(world: World) -> None:
    from gongjian.members.models import Member

    _member_with_phone(world)
    member = Member.objects.get(user=world.member)
    team = service_services.team_create(actor=world.wjl_admin, name="楼道巡逻队", area=world.wjl)
    row = service_services.team_member_add(actor=world.wjl_admin, team=team, member=member)
    [joined] = _notes(world.member, "team.member_add")
    assert "楼道巡逻队" in joined.title and joined.url == reverse("service:team_detail", args=[team.pk])
    start = timezone.now() + dt.timedelta(days=3)
    activity = service_services.activity_create(
        actor=world.wjl_admin,
        title="楼道清扫",
        organiser_kind="team",
        place="30号庭院",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        team=team,
    )
    assert len(_notes(world.member, "activity.create")) == 1, "the team hears of its activity"
    service_services.activity_sign_up(actor=world.member, activity=activity)
    service_services.activity_update(actor=world.wjl_admin, activity=activity, place="社区广场")
    [moved] = _notes(world.member, "activity.update")
    assert "社区广场" in moved.body
    service_services.team_member_end(actor=world.wjl_admin, membership=row)
    assert len(_notes(world.member, "team.member_end")) == 1


def test_an_alliance_tells_the_unit_and_a_granted_role_its_holder(world: World) -> None:
    from gongjian.accounts.models import RoleKind
    from gongjian.accounts.services import role_grant, user_create
    from gongjian.orgs import services as org_services
    from gongjian.orgs.models import AllianceMember

    row = AllianceMember.objects.get(alliance=world.alliance, unit=world.minzheng)
    org_services.alliance_member_end(actor=world.dongfeng_admin, member=row, until=timezone.localdate())
    [left] = _notes(world.liaison, "alliance.member_end")
    assert world.alliance.name in left.title
    newcomer = user_create(actor=None, username="newcomer", password="x-Long-enough-9")
    role_grant(actor=None, user=newcomer, kind=RoleKind.RESIDENT, area=world.wjl)
    assert not _notes(newcomer, "role.grant"), "the system's set-up hands the account over itself"
    role_grant(actor=world.wjl_admin, user=newcomer, kind=RoleKind.MEMBER, area=world.wjl)
    assert len(_notes(newcomer, "role.grant")) == 1


def test_a_finished_job_is_named_by_its_label_not_its_kind(world: World) -> None:
    from gongjian.core.jobs import job_finish
    from gongjian.core.models import Job

    job = Job.objects.create(kind="members.ledger_import", actor=world.wjl_admin, total=3)
    job_finish(job=job, ok=True, message="3 行已导入")
    [note] = _notes(world.wjl_admin, "core.job.finished")
    assert "members.ledger_import" not in note.title
    assert note.title == "已完成：台账导入"
    failed = Job.objects.create(kind="orgs.map_import", actor=world.wjl_admin, total=1)
    job_finish(job=failed, ok=False, message="第2行：缺少名称")
    titles = {n.title for n in _notes(world.wjl_admin, "core.job.finished")}
    assert titles == {"已完成：台账导入", "未完成：组织地图导入"}
