"""Members and service teams as candidates (a person's name masked on the public list and its
objections, the honour on their page), and criteria over a period stored with their readings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.core.levels import Level
from gongjian.honours import services
from gongjian.honours.models import Honour
from gongjian.lists.tests.fixtures_projects import make_project
from gongjian.service.models import ServiceTeam
from gongjian.testing import World, build_ledgers


def _awarded(world: World, campaign, scores: dict[str, str]):
    root = world.superuser
    item = services.criterion_add(
        actor=root, campaign=campaign, kind="panel", label="服务群众表现", weight="1"
    )
    for entry in campaign.entries.all():
        services.panel_score_set(
            actor=root, entry=entry, criterion=item, value=scores.get(entry.name, "0"), evidence="考评表"
        )
    services.campaign_score(actor=root, campaign=campaign)
    services.campaign_publish(actor=root, campaign=campaign, notice_until=timezone.localdate())
    return campaign


def test_members_of_a_street_compete_masked_in_public_and_the_honour_is_on_their_page(world: World) -> None:
    ledgers = build_ledgers(world)
    direct_wjl, direct_jsh = ledgers.rows["member"]
    campaign = services.campaign_create(
        actor=world.dongfeng_admin,
        area=world.dongfeng,
        name="优秀共产党员评选",
        year=2026,
        honour="优秀共产党员",
        candidate_kind="member",
        how_many=1,
        figures_on=timezone.localdate(),
    )
    entries = list(campaign.entries.select_related("member"))
    assert direct_wjl in [e.member for e in entries], "the street's own members compete"
    assert direct_jsh not in [e.member for e in entries], "a member of another street does not"
    assert all(
        e.member is not None and e.name == e.member.name[0] + "*" * (len(e.member.name) - 1) for e in entries
    )  # 直** not 直管0
    with pytest.raises(ValidationError) as refused:
        services.criterion_add(
            actor=world.dongfeng_admin,
            campaign=campaign,
            kind="figure",
            indicator="units.resident",
            weight="1",
        )
    assert "kind" in refused.value.message_dict  # figures are counted at areas: the panel scores persons
    mine = next(e for e in entries if e.member == direct_wjl)
    _awarded(world, campaign, {mine.name: "9"})
    anyone = Client()
    notice = anyone.get(reverse("honours:notice", args=[campaign.pk])).content.decode()
    assert mine.name in notice and direct_wjl.name not in notice
    assert direct_wjl.id_number_masked not in notice
    services.objection_file(actor=None, campaign=campaign, entry=mine, text="请核实")
    notice = anyone.get(reverse("honours:notice", args=[campaign.pk])).content.decode()
    assert "请核实" in notice and direct_wjl.name not in notice
    [objection] = campaign.objections.all()
    services.objection_answer(actor=world.dongfeng_admin, objection=objection, answer="属实", upheld=False)
    campaign.notice_until = timezone.localdate() - dt.timedelta(days=1)
    campaign.save(update_fields=["notice_until"])
    [honour] = services.campaign_award(actor=world.dongfeng_admin, campaign=campaign)
    assert honour.holder_member == direct_wjl and honour.area == direct_wjl.org.area
    admin = Client()
    admin.force_login(world.superuser)
    page = admin.get(reverse("members:member_detail", args=[direct_wjl.pk])).content.decode()
    assert "2026 优秀共产党员" in page


def test_service_teams_compete_and_hold_their_honour(world: World) -> None:
    wjl_team = ServiceTeam.objects.create(name="王家垅党员360服务队", area=world.wjl)
    ServiceTeam.objects.create(name="尖山湖志愿服务队", area=world.jsh)
    campaign = services.campaign_create(
        actor=world.dongfeng_admin,
        area=world.dongfeng,
        name="优秀服务队评选",
        year=2026,
        honour="优秀服务队",
        candidate_kind="team",
        how_many=1,
        figures_on=timezone.localdate(),
    )
    assert [e.name for e in campaign.entries.all()] == ["王家垅党员360服务队"]  # its own street only
    _awarded(world, campaign, {"王家垅党员360服务队": "8"})
    campaign.notice_until = timezone.localdate() - dt.timedelta(days=1)
    campaign.save(update_fields=["notice_until"])
    services.campaign_award(actor=world.dongfeng_admin, campaign=campaign)
    assert Honour.objects.get(holder_team=wjl_team).name == "优秀服务队"
    admin = Client()
    admin.force_login(world.superuser)
    page = admin.get(reverse("service:team_detail", args=[wjl_team.pk])).content.decode()
    assert "2026 优秀服务队" in page


def _claimed_on(world: World, name: str, day: dt.date) -> None:
    project = make_project(world, name=name, area_org=world.wjl_committee, unit=world.minzheng)
    project.claimed_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    project.save()  # saved, not updated: the kept figures hear of it


def test_a_flow_over_a_period_counts_what_happened_in_it_across_a_new_year(world: World) -> None:
    for n, day in enumerate((dt.date(2025, 12, 1), dt.date(2025, 12, 20), dt.date(2026, 1, 10))):
        _claimed_on(world, f"项目{n}", day)

    def campaign(**dates):
        c = services.campaign_create(
            actor=world.city_admin,
            area=world.changsha,
            name="十快街道评选",
            year=2026,
            honour="十快街道",
            candidate_kind="area",
            candidate_level=Level.STREET,
            how_many=1,
            **dates,
        )
        services.criterion_add(
            actor=world.city_admin, campaign=c, kind="figure", indicator="projects.claimed", weight="2"
        )
        return services.campaign_score(actor=world.city_admin, campaign=c)

    on_day = campaign(figures_on=dt.date(2026, 2, 1))
    over = campaign(figures_from=dt.date(2025, 12, 15), figures_on=dt.date(2026, 2, 1))
    [on_part] = on_day.entries.get(name="东风路街道").parts.all()
    [part] = over.entries.get(name="东风路街道").parts.all()
    assert on_part.value == Decimal(1)  # on the day: this year's one claim
    assert (part.value, part.points) == (Decimal(2), Decimal(4))  # 20 Dec and 10 Jan, not 1 Dec
    assert (part.figures_from, part.figures_on) == (dt.date(2025, 12, 15), dt.date(2026, 2, 1))
    assert part.readings == {
        "projects.claimed@2025-12-31": 2.0,
        "projects.claimed@2025-12-14": 1.0,
        "projects.claimed@2026-02-01": 1.0,
    }
    assert over.entries.get(name="东风路街道").listed
    with pytest.raises(ValidationError) as refused:
        campaign(figures_from=dt.date(2026, 3, 1), figures_on=dt.date(2026, 2, 1))
    assert "figures_from" in refused.value.message_dict
