"""Issue 16: convening a meeting with a start in the past asks for confirmation ("I am recording a
past meeting") and the audit entry says so; a future meeting asks nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.cobuild.models import JointMeeting
from gongjian.cobuild.services import meetings as services
from gongjian.core.models import AuditEntry
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

pytestmark = pytest.mark.django_db

# The hook of the page script (static/gongjian/app.js): the confirmation's box names the start field.
ASKED_LATER = '<div class="form-check mb-3" data-past-start="id_starts_at" hidden>'
ASKED_NOW = '<div class="form-check mb-3" data-past-start="id_starts_at">'


def _post(client: Client, starts: dt.datetime, **extra: str) -> tuple[int, str]:
    org = PartyOrg.objects.get(code="PO-DFL")
    data = {
        "title": "补录：第二季度联席会议",
        "convener_org": str(org.pk),
        "starts_at": timezone.localtime(starts).strftime("%Y-%m-%dT%H:%M"),
        "venue": "街道党群服务中心",
        **extra,
    }
    response = client.post(reverse("cobuild:meeting_create"), data)
    return response.status_code, response.content.decode()


def test_a_past_meeting_is_convened_only_when_confirmed_and_recorded_as_such(world: World) -> None:
    client = Client()
    client.force_login(world.dongfeng_admin)
    page = client.get(reverse("cobuild:meeting_create")).content.decode()
    # Not asked yet: the confirmation waits, hidden, for the page script to show it as soon as the
    # start typed is in the past.
    assert ASKED_LATER in page and ASKED_NOW not in page
    past = timezone.now() - dt.timedelta(days=10)
    status, body = _post(client, past)
    assert status == 200  # asked, not refused
    assert ASKED_NOW in body
    assert 'type="checkbox" name="recorded_after_the_fact"' in body
    assert "补录：第二季度联席会议" in body  # what was typed is kept
    assert not JointMeeting.objects.filter(title="补录：第二季度联席会议").exists()
    status, _body = _post(client, past, recorded_after_the_fact="on")
    assert status == 302
    meeting = JointMeeting.objects.get(title="补录：第二季度联席会议")
    entry = AuditEntry.objects.filter(action="meeting.convene", object_id=str(meeting.pk)).get()
    assert entry.changes["recorded_after_the_fact"] is True


def test_a_future_meeting_is_not_marked(world: World) -> None:
    client = Client()
    client.force_login(world.dongfeng_admin)
    status, _body = _post(client, timezone.now() + dt.timedelta(days=3))
    assert status == 302
    meeting = JointMeeting.objects.get(title="补录：第二季度联席会议")
    entry = AuditEntry.objects.filter(action="meeting.convene", object_id=str(meeting.pk)).get()
    assert "recorded_after_the_fact" not in entry.changes


def test_the_service_refuses_an_unconfirmed_past_start(world: World) -> None:
    org = PartyOrg.objects.get(code="PO-DFL")
    with pytest.raises(ValidationError) as err:
        services.meeting_convene(
            actor=world.dongfeng_admin,
            title="补录",
            convener_org=org,
            starts_at=timezone.now() - dt.timedelta(hours=2),
            recorded_after_the_fact=False,
        )
    assert "recorded_after_the_fact" in err.value.message_dict
