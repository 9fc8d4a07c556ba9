"""A campaign of a street's members has more candidates than a drop-down may list (the house rule:
at most ``PICK_LIMIT`` options): the nomination and objection forms list the candidate chosen from
its row of the list (each row links to the form with it), accept any candidate of the campaign, and
refuse one of another campaign with a clear message, changing nothing."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.core.synthetic import id_number
from gongjian.honours import services
from gongjian.honours.models import Campaign, Entry, Objection
from gongjian.members import services as m
from gongjian.members.models import Category
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Level
from gongjian.testing import World
from gongjian.web.pick import PICK_LIMIT

MANY = PICK_LIMIT + 10


def _members_campaign(world: World, *, by_nomination: bool = False) -> Campaign:
    root = world.superuser
    compound = org_services.area_create(
        actor=root, parent=world.wjl, name="测试大院", level=Level.COMPOUND, kind_label="庭院"
    )
    org = org_services.party_org_create(
        actor=root, name="测试大院党支部", kind="branch", code="PO-T-MANY", area=compound
    )
    for n in range(MANY):
        m.member_create(
            actor=root,
            name=f"测试党员{n:02d}",
            id_number=id_number(700 + n, birth=dt.date(1970, 3, 3)),
            org=org,
            joined_on=dt.date(1999, 7, 1),
            residence=compound,
            categories=[Category.DIRECT],
        )
    return services.campaign_create(
        actor=world.dongfeng_admin,
        area=world.dongfeng,
        name="优秀共产党员评选",
        year=2026,
        honour="优秀共产党员",
        candidate_kind="member",
        how_many=MANY,
        figures_on=timezone.localdate(),
    )


def _select(html: str, name: str) -> str:
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', html, re.S)
    assert found, html
    return found.group(0)


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_nomination_form_lists_no_more_than_fifty_and_nominates_any_candidate(world: World) -> None:
    campaign = _members_campaign(world)
    assert campaign.entries.count() > PICK_LIMIT
    client = _as(world.dongfeng_admin)
    url = reverse("honours:nominate", args=[campaign.pk])
    assert _select(client.get(url).content.decode(), "entry").count("<option") <= PICK_LIMIT
    # the last candidate, not among the first fifty, is chosen from its row of the campaign page
    last = campaign.entries.order_by("-name", "-pk").first()
    assert last is not None
    page = client.get(reverse("honours:campaign", args=[campaign.pk])).content.decode()
    assert f"{url}?entry={last.pk}" in page
    select = _select(client.get(url, {"entry": last.pk}).content.decode(), "entry")
    assert select.count("<option") <= 2
    assert re.search(rf'<option value="{last.pk}"[^>]*selected', select)
    response = client.post(url, {"entry": last.pk, "note": "带头参与社区服务"})
    assert response.status_code == 302
    last.refresh_from_db()
    assert last.nominated and last.nomination == "带头参与社区服务"


def test_a_nomination_of_another_campaigns_candidate_is_refused_and_nothing_changes(world: World) -> None:
    campaign = _members_campaign(world)
    other = services.campaign_create(
        actor=world.dongfeng_admin,
        area=world.dongfeng,
        name="另一评选",
        year=2026,
        honour="优秀共产党员",
        candidate_kind="member",
        how_many=1,
        figures_on=timezone.localdate(),
    )
    stranger = other.entries.first()
    assert stranger is not None
    client = _as(world.dongfeng_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = client.post(
        reverse("honours:nominate", args=[campaign.pk]), {"entry": stranger.pk, "note": "理由"}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Entry.objects.filter(nominated=True).exists()


def test_anyone_objects_to_a_candidate_from_its_row_of_a_long_list(world: World) -> None:
    campaign = _members_campaign(world)
    root = world.superuser
    item = services.criterion_add(
        actor=root, campaign=campaign, kind="panel", label="服务群众表现", weight="1"
    )
    for n, entry in enumerate(campaign.entries.all()):
        services.panel_score_set(actor=root, entry=entry, criterion=item, value=str(n), evidence="考评表")
    services.campaign_score(actor=root, campaign=campaign)
    services.campaign_publish(actor=root, campaign=campaign, notice_until=timezone.localdate())
    visitor = Client()  # not signed in
    notice = visitor.get(reverse("honours:notice", args=[campaign.pk])).content.decode()
    url = reverse("honours:object", args=[campaign.pk])
    last = campaign.entries.order_by("-rank").first()
    assert last is not None and last.rank is not None and last.rank > PICK_LIMIT
    assert f"{url}?entry={last.pk}" in notice
    assert _select(visitor.get(url).content.decode(), "entry").count("<option") <= PICK_LIMIT
    select = _select(visitor.get(url, {"entry": last.pk}).content.decode(), "entry")
    assert re.search(rf'<option value="{last.pk}"[^>]*selected', select)
    assert "测试党员" not in notice + select  # the names stay masked in public
    response = visitor.post(url, {"entry": last.pk, "text": "得分需核实", "signed": ""})
    assert response.status_code == 302
    assert Objection.objects.get().entry == last
