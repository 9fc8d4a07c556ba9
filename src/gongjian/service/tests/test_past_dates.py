"""Issue 16: publishing an activity with a start in the past asks for confirmation ("I am recording
a past activity") and the audit entry says so; a started activity offers no sign-up (报名) on its
page or in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.core.models import AuditEntry
from gongjian.members import services as member_services
from gongjian.members.models import Member
from gongjian.service import services
from gongjian.service.models import Activity
from gongjian.testing import World, build_ledgers

pytestmark = pytest.mark.django_db

# The hook of the page script (static/gongjian/app.js): the confirmation's box names the start field.
ASKED_LATER = '<div class="form-check mb-3" data-past-start="id_starts_at" hidden>'
ASKED_NOW = '<div class="form-check mb-3" data-past-start="id_starts_at">'

TITLE = "补录：重阳节敬老活动"


def _post(client: Client, world: World, starts: dt.datetime, **extra: str) -> tuple[int, str]:
    local = timezone.localtime(starts)
    data = {
        "title": TITLE,
        "organiser_kind": "community",
        "org": str(world.wjl_committee.pk),
        "place": "社区活动室",
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "audience": "area",
        **extra,
    }
    response = client.post(reverse("service:activity_create"), data)
    return response.status_code, response.content.decode()


def test_a_past_activity_is_published_only_when_confirmed_and_recorded_as_such(world: World) -> None:
    client = Client()
    client.force_login(world.wjl_admin)
    page = client.get(reverse("service:activity_create")).content.decode()
    # Not asked yet: the confirmation waits, hidden, for the page script to show it as soon as the
    # start typed is in the past.
    assert ASKED_LATER in page and ASKED_NOW not in page
    past = timezone.now() - dt.timedelta(days=2)
    status, body = _post(client, world, past)
    assert status == 200
    assert ASKED_NOW in body
    assert 'type="checkbox" name="recorded_after_the_fact"' in body and TITLE in body
    assert not Activity.objects.filter(title=TITLE).exists()
    status, _body = _post(client, world, past, recorded_after_the_fact="on")
    assert status == 302
    activity = Activity.objects.get(title=TITLE)
    entry = AuditEntry.objects.get(action="activity.create", object_id=str(activity.pk))
    assert entry.changes["recorded_after_the_fact"] is True


def test_the_service_refuses_an_unconfirmed_past_start(world: World) -> None:
    start = timezone.now() - dt.timedelta(hours=3)
    with pytest.raises(ValidationError) as err:
        services.activity_create(
            actor=world.wjl_admin,
            title=TITLE,
            organiser_kind="community",
            org=world.wjl_committee,
            place="广场",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=5),
            recorded_after_the_fact=False,
        )
    assert "recorded_after_the_fact" in err.value.message_dict


def test_a_started_activity_offers_no_sign_up(world: World) -> None:
    build_ledgers(world)
    member_services.member_link_user(
        actor=world.superuser, member=Member.objects.get(name="在职0"), user=world.member
    )
    start = timezone.now() - dt.timedelta(minutes=30)
    activity = services.activity_create(
        actor=world.wjl_admin,
        title="社区义诊",
        organiser_kind="community",
        org=world.wjl_committee,
        place="广场",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
    )
    client = Client()
    client.force_login(world.member)
    page = client.get(reverse("service:activity_detail", args=[activity.pk])).content.decode()
    assert reverse("service:activity_sign_up", args=[activity.pk]) not in page
    detail = client.get(f"/api/v1/service-activities/{activity.pk}/").json()
    assert detail["can_sign_up"] is False
    # an activity still to come offers it
    later = services.activity_create(
        actor=world.wjl_admin,
        title="社区义诊（下周）",
        organiser_kind="community",
        org=world.wjl_committee,
        place="广场",
        starts_at=start + dt.timedelta(days=7),
        ends_at=start + dt.timedelta(days=7, hours=3),
    )
    page = client.get(reverse("service:activity_detail", args=[later.pk])).content.decode()
    assert reverse("service:activity_sign_up", args=[later.pk]) in page
    assert client.get(f"/api/v1/service-activities/{later.pk}/").json()["can_sign_up"] is True
