"""Notifications: sent once per dedupe key, e-mailed, own only, marked read."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from gongjian.core import selectors
from gongjian.core.models import AuditEntry, Notification
from gongjian.core.services import notification_mark_all_read, notification_mark_read, notification_send
from gongjian.testing import World

pytestmark = pytest.mark.django_db(transaction=False)


def _send(world: World, **kw: Any) -> int:
    args: dict[str, Any] = {
        "recipients": [world.wjl_admin, world.jsh_admin],
        "kind": "test.hello",
        "title": "Hello",
    }
    args.update(kw)
    return notification_send(**args)


def test_send_creates_one_per_recipient_and_audits(world: World) -> None:
    before = AuditEntry.objects.count()
    assert _send(world, body="Body", url="/members/") == 2
    notes = Notification.objects.order_by("recipient_id")
    assert [n.recipient for n in notes] == [world.wjl_admin, world.jsh_admin]
    assert all(n.unread and n.url == "/members/" and n.kind == "test.hello" for n in notes)
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.action == "notification.send" and entry.actor_label == "system"


def test_dedupe_key_sends_once_per_recipient(world: World) -> None:
    assert _send(world, recipients=[world.wjl_admin], dedupe_key="k1") == 1
    assert _send(world, dedupe_key="k1") == 1  # only jsh_admin is new
    assert _send(world, dedupe_key="k1") == 0
    assert Notification.objects.filter(dedupe_key="k1").count() == 2
    # without a key, every send counts; a duplicate in the recipients is sent once
    assert _send(world, recipients=[world.wjl_admin, world.wjl_admin]) == 1
    assert _send(world, recipients=[world.wjl_admin]) == 1


def test_nothing_created_writes_no_audit_entry(world: World) -> None:
    _send(world, dedupe_key="k2")
    before = AuditEntry.objects.count()
    assert _send(world, dedupe_key="k2") == 0
    assert _send(world, recipients=[]) == 0
    assert AuditEntry.objects.count() == before


def test_email_to_recipients_with_an_address(world: World, django_capture_on_commit_callbacks) -> None:
    world.wjl_admin.email = "wjl@example.org"
    world.wjl_admin.save()
    world.jsh_admin.email = ""
    world.jsh_admin.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert _send(world, body="Please look", url="/members/") == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wjl@example.org"]
    assert message.subject == "Hello"
    assert "Please look" in message.body and message.body.rstrip().endswith("/members/")
    with django_capture_on_commit_callbacks(execute=True):
        _send(world, email=False)
    assert len(mail.outbox) == 1


def test_no_id_or_phone_number_in_a_notification(world: World) -> None:
    _send(world, recipients=[world.wjl_admin], title="电话 13812345678", body="身份证 430104199001011234")
    note = Notification.objects.get()
    assert "13812345678" not in note.title and "430104199001011234" not in note.body


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "members/"])
def test_links_stay_inside_the_site(world: World, url: str) -> None:
    with pytest.raises(ValidationError):
        _send(world, url=url)
    assert not Notification.objects.exists()


def test_bad_kind_and_empty_title_are_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        _send(world, kind="has space")
    with pytest.raises(ValidationError):
        _send(world, title="  ")


def test_inactive_users_are_skipped(world: World) -> None:
    world.jsh_admin.is_active = False
    world.jsh_admin.save()
    assert _send(world) == 1


def test_list_is_own_only_and_mark_read(world: World) -> None:
    _send(world)
    mine = selectors.notification_list(actor=world.wjl_admin)
    assert [n.recipient for n in mine] == [world.wjl_admin]
    assert selectors.notification_unread_count(actor=world.wjl_admin) == 1
    others = Notification.objects.get(recipient=world.jsh_admin)
    with pytest.raises(Http404):
        selectors.notification_get(actor=world.wjl_admin, pk=others.pk)
    with pytest.raises(PermissionDenied):
        notification_mark_read(actor=world.wjl_admin, notification=others)
    note = mine.get()
    notification_mark_read(actor=world.wjl_admin, notification=note)
    note.refresh_from_db()
    assert note.read_at is not None
    before = AuditEntry.objects.count()
    notification_mark_read(actor=world.wjl_admin, notification=note)  # twice: nothing more
    assert AuditEntry.objects.count() == before
    assert selectors.notification_unread_count(actor=world.wjl_admin) == 0
    assert selectors.notification_unread_count(actor=world.jsh_admin) == 1


def test_mark_all_read_touches_only_own(world: World) -> None:
    _send(world)
    _send(world, title="Again")
    assert notification_mark_all_read(actor=world.wjl_admin) == 2
    assert notification_mark_all_read(actor=world.wjl_admin) == 0
    assert selectors.notification_unread_count(actor=world.jsh_admin) == 2


def test_anonymous_sees_nothing(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    _send(world)
    assert not selectors.notification_list(actor=AnonymousUser()).exists()


# --- page and API ------------------------------------------------------------------------------


def test_page_lists_own_with_badge_and_marks_read(world: World, client) -> None:
    _send(world, title="Report-back due", url="/ledgers/")
    notification_send(recipients=[world.jsh_admin], kind="test.other", title="Not for wjl")
    client.force_login(world.wjl_admin)
    page = client.get(reverse("core:notifications"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Report-back due" in body and "Not for wjl" not in body
    assert 'data-unread="1"' in body  # the navbar badge and the heading
    note = Notification.objects.get(recipient=world.wjl_admin)
    opened = client.post(reverse("core:notification_read", args=[note.pk]), {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == "/ledgers/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'data-unread="' not in client.get(reverse("core:notifications")).content.decode()
    # someone else's: 404, nothing changes
    other = Notification.objects.get(recipient=world.jsh_admin, kind="test.hello")
    assert client.post(reverse("core:notification_read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_page_marks_all_read_and_filters_unread(world: World, client) -> None:
    _send(world, title="First")
    _send(world, title="Second")
    client.force_login(world.wjl_admin)

    response = client.post(reverse("core:notifications_read_all"), follow=True)
    assert response.status_code == 200
    assert selectors.notification_unread_count(actor=world.wjl_admin) == 0
    assert selectors.notification_unread_count(actor=world.jsh_admin) == 2
    unread = client.get(reverse("core:notifications"), {"unread": "1"}).content.decode()
    assert "First" not in unread and "Second" not in unread


def test_page_needs_login(client) -> None:
    response = client.get(reverse("core:notifications"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_api_lists_own_and_marks_read(world: World, client) -> None:
    _send(world, title="Hello API", url="/ledgers/")
    client.force_login(world.wjl_admin)
    listed = client.get("/api/v1/notifications/").json()
    assert [n["title"] for n in listed["results"]] == ["Hello API"]
    mine = listed["results"][0]
    assert mine["unread"] is True and mine["url"] == "/ledgers/"
    other = Notification.objects.get(recipient=world.jsh_admin)
    assert client.get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    read = client.post(f"/api/v1/notifications/{mine['id']}/read/").json()
    assert read["unread"] is False and read["read_at"]
    assert client.get("/api/v1/notifications/", {"unread": "1"}).json()["count"] == 0
    _send(world, title="Two")
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    other.refresh_from_db()
    assert other.read_at is None
