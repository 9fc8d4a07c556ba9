"""Issue 16, "screens that say the right thing": an incomplete raise form gets field errors (never a
403) and keeps what was typed; required fields are marked; a required choice with one option is
preselected."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from gongjian.accounts.models import User
from gongjian.lists.models import Demand
from gongjian.testing import World


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _select(body: str, name: str) -> str:
    match = re.search(rf'<select name="{name}"[^>]*>.*?</select>', body, re.S)
    assert match, name
    return match.group(0)


def test_raising_a_demand_with_the_list_left_blank_shows_a_field_error_and_keeps_the_text(
    world: World,
) -> None:
    client = _client(world.wjl_admin)
    before = Demand.objects.count()
    resp = client.post(
        reverse("lists:demand_create"),
        {
            "owner_org": "",
            "kind": "general",
            "name": "楼道灯修理志愿者",
            "category": "volunteers",
            "quantity": 4,
            "urgency": "normal",
            "place": "30号院",
        },
    )
    assert resp.status_code == 200  # not 403
    body = resp.content.decode()
    assert "楼道灯修理志愿者" in body and "30号院" in body  # what was typed is kept
    assert "owner_org" in resp.context["form"].errors
    assert Demand.objects.count() == before


def test_the_list_is_marked_required_and_preselected_when_there_is_one(world: World) -> None:
    body = _client(world.wjl_admin).get(reverse("lists:demand_create")).content.decode()
    select = _select(body, "owner_org")
    assert "required" in select.split(">")[0]
    assert re.search(rf'<option value="{world.wjl_committee.pk}" selected', select)


def test_publishing_says_the_status_not_the_date_label(world: World) -> None:
    """Issue 16: the message read "需求当前状态为“发布时间”" (the date label's word); the status
    says 已发布, the detail page's date label keeps 发布时间, and the badge reads 已发布."""
    from gongjian.lists.tests.fixtures_claims import build_lists_claims

    lc = build_lists_claims(world)
    client = _client(world.wjl_admin)
    resp = client.post(
        reverse("lists:demand_review", args=[lc.resident_demand.pk]), {"decision": "publish"}, follow=True
    )
    body = resp.content.decode()
    assert "需求当前状态为“已发布”" in body and "“发布时间”" not in body
    assert "发布时间" in body  # the date of publishing, on the detail page, keeps its label
