"""A campaign end to end on the test world: opened by the city for its streets, scored from the
figures, adjusted with a reason, published, objected to, answered, awarded; honours counted as
figures at every node and shown on their holder's page; scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from gongjian.core.levels import Level
from gongjian.core.models import AuditEntry
from gongjian.honours import selectors, services
from gongjian.honours.models import CampaignStatus, Honour
from gongjian.stats import tally
from gongjian.stats.indicators import compute_all
from gongjian.testing import World

TODAY = dt.date(2026, 3, 1)


def _open(world: World, actor, area, **extra):
    fields = dict(
        name="十快街道评选",
        year=2026,
        honour="十快街道",
        candidate_kind="area",
        candidate_level=Level.STREET,
        how_many=1,
        figures_on=timezone.localdate(),
    )
    fields.update(extra)
    return services.campaign_create(actor=actor, area=area, **fields)


def _scored(world: World):
    campaign = _open(world, world.city_admin, world.changsha)
    services.criterion_add(
        actor=world.city_admin,
        campaign=campaign,
        kind="figure",
        indicator="units.hosted_firms",
        weight="0.01",
    )
    services.criterion_add(
        actor=world.city_admin, campaign=campaign, kind="figure", indicator="units.provincial", weight="5"
    )
    return services.campaign_score(actor=world.city_admin, campaign=campaign)


def _entry(campaign, name):
    return campaign.entries.get(name=name)


def test_scores_come_from_the_figures_with_their_parts_stored(world: World) -> None:
    campaign = _scored(world)
    assert campaign.status == CampaignStatus.SCORED
    dfh, dfl = _entry(campaign, "东方红街道"), _entry(campaign, "东风路街道")
    # 东方红: 1,200 hosted firms × 0.01 = 12; 东风路: one provincial unit × 5 = 5
    assert (dfh.score, dfh.rank, dfh.listed) == (Decimal("12"), 1, True)
    assert (dfl.score, dfl.rank, dfl.listed) == (Decimal("5"), 2, False)
    parts = {p.criterion.indicator: (p.value, p.points, p.figures_on) for p in dfh.parts.all()}
    assert parts["units.hosted_firms"] == (Decimal(1200), Decimal(12), campaign.figures_on)
    assert parts["units.provincial"] == (Decimal(0), Decimal(0), campaign.figures_on)


def test_the_stored_ranking_does_not_move_when_the_figures_change(world: World) -> None:
    campaign = _scored(world)
    world.jsh_firm.hosted_firms = 0
    world.jsh_firm.save()
    assert _entry(campaign, "东方红街道").score == Decimal("12")  # reproducible: read as it was scored


def test_the_panel_adjusts_with_a_reason_and_the_list_is_ranked_again(world: World) -> None:
    campaign = _scored(world)
    dfl = _entry(campaign, "东风路街道")
    with pytest.raises(ValidationError) as refused:
        services.entry_adjust(actor=world.city_admin, entry=dfl, adjustment="10", reason=" ")
    assert "reason" in refused.value.message_dict
    services.entry_adjust(actor=world.city_admin, entry=dfl, adjustment="10", reason="税收贡献突出")
    dfl.refresh_from_db()
    assert (dfl.score, dfl.rank, dfl.listed) == (Decimal("15"), 1, True)
    assert not _entry(campaign, "东方红街道").listed
    audit = AuditEntry.objects.filter(action="campaign.adjust").get()
    assert audit.reason == "税收贡献突出"
    assert audit.changes["score"] == ["5.0000", "15.0000"]


def test_a_panel_item_needs_a_score_for_every_candidate_and_evidence(world: World) -> None:
    campaign = _open(world, world.city_admin, world.changsha)
    tax = services.criterion_add(
        actor=world.city_admin, campaign=campaign, kind="panel", label="财政税收(亿元)", weight="1"
    )
    with pytest.raises(ValidationError):
        services.campaign_score(actor=world.city_admin, campaign=campaign)  # nothing counted as 0
    for name, value in (("东风路街道", "26.54"), ("东方红街道", "3")):
        with pytest.raises(ValidationError):
            services.panel_score_set(
                actor=world.city_admin, entry=_entry(campaign, name), criterion=tax, value=value, evidence=""
            )
        services.panel_score_set(
            actor=world.city_admin,
            entry=_entry(campaign, name),
            criterion=tax,
            value=value,
            evidence="区财政局报表",
        )
    services.campaign_score(actor=world.city_admin, campaign=campaign)
    assert _entry(campaign, "东风路街道").score == Decimal("26.54")
    assert _entry(campaign, "东风路街道").listed


def test_a_street_campaign_sees_only_its_candidates_and_others_cannot_open_it(world: World) -> None:
    campaign = _open(world, world.dongfeng_admin, world.dongfeng, candidate_level=Level.COMMUNITY)
    assert [e.name for e in campaign.entries.all()] == ["王家垅社区"]
    assert selectors.campaign_get(actor=world.kaifu_admin, pk=campaign.pk) == campaign  # the level above
    with pytest.raises(Http404):
        selectors.campaign_get(actor=world.jsh_admin, pk=campaign.pk)
    with pytest.raises(PermissionDenied):
        services.criterion_add(
            actor=world.jsh_admin, campaign=campaign, kind="figure", indicator="units.resident", weight="1"
        )
    with pytest.raises(PermissionDenied):
        _open(world, world.jsh_admin, world.dongfeng)


def test_bad_campaigns_are_refused_and_write_nothing(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        _open(world, world.city_admin, world.changsha, candidate_level=Level.CITY)
    assert "candidate_level" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _open(
            world,
            world.city_admin,
            world.changsha,
            notice_until=dt.date(2026, 5, 1),
            nominations_until=dt.date(2026, 6, 1),
        )
    assert "notice_until" in refused.value.message_dict
    assert not selectors.campaign_list(actor=world.city_admin).exists()


def _published(world: World):
    campaign = _scored(world)
    return services.campaign_publish(
        actor=world.city_admin, campaign=campaign, notice_until=timezone.localdate()
    )


def test_anyone_objects_during_the_notice_and_an_upheld_objection_changes_the_list(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    campaign = _published(world)
    assert campaign in selectors.public_list()
    dfh = _entry(campaign, "东方红街道")
    objection = services.objection_file(
        actor=AnonymousUser(), campaign=campaign, entry=dfh, text="企业数量含已注销企业"
    )
    assert objection.filed_by is None
    with pytest.raises(ValidationError):
        services.campaign_award(
            actor=world.city_admin, campaign=campaign, at=timezone.now() + dt.timedelta(days=1)
        )
    services.objection_answer(actor=world.city_admin, objection=objection, answer="经核实属实", upheld=True)
    dfh.refresh_from_db()
    assert dfh.excluded and not dfh.listed and dfh.rank is None
    assert _entry(campaign, "东风路街道").listed  # the next in line enters
    with pytest.raises(ValidationError):
        services.objection_answer(actor=world.city_admin, objection=objection, answer="again", upheld=False)


def test_the_award_waits_for_the_end_of_the_notice(world: World) -> None:
    campaign = _published(world)
    with pytest.raises(ValidationError):
        services.campaign_award(actor=world.city_admin, campaign=campaign)  # still the last day


def _awarded(world: World):
    campaign = _published(world)
    campaign.notice_until = timezone.localdate() - dt.timedelta(days=1)  # the notice has passed
    campaign.save(update_fields=["notice_until"])
    services.campaign_award(actor=world.city_admin, campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def test_honours_are_awarded_counted_at_every_node_and_held_by_their_holder(world: World) -> None:
    campaign = _awarded(world)
    assert campaign.status == CampaignStatus.AWARDED
    honour = Honour.objects.get()
    assert (honour.holder, honour.name, honour.year, honour.holder_area) == (
        "东方红街道",
        "十快街道",
        2026,
        world.dongfanghong,
    )
    today = timezone.localdate()
    for node, expected in ((world.changsha, 1), (world.gaoxin, 1), (world.dongfanghong, 1), (world.kaifu, 0)):
        figures = compute_all(node, today)
        assert (figures["honours.awarded"], figures["honours.held"]) == (expected, expected), node.name
    assert list(selectors.honours_of(kind="area", obj=world.dongfanghong)) == [honour]
    assert tally.verify(["honours.awarded", "honours.held"]) == {}  # the kept figures equal the rows


def test_a_holder_history_shows_a_move_from_a_negative_to_a_positive_list(world: World) -> None:
    worst = _open(
        world,
        world.city_admin,
        world.changsha,
        name="环境卫生十差",
        honour="十差街道",
        negative=True,
        year=2025,
    )
    services.criterion_add(
        actor=world.city_admin, campaign=worst, kind="figure", indicator="units.hosted_firms", weight="0.01"
    )
    services.campaign_score(actor=world.city_admin, campaign=worst)
    services.campaign_publish(actor=world.city_admin, campaign=worst, notice_until=timezone.localdate())
    worst.refresh_from_db()
    worst.notice_until = timezone.localdate() - dt.timedelta(days=1)
    worst.save(update_fields=["notice_until"])
    services.campaign_award(actor=world.city_admin, campaign=worst)
    best = _scored(world)
    services.entry_adjust(
        actor=world.city_admin, entry=_entry(best, "东风路街道"), adjustment="10", reason="整治成效显著"
    )
    services.campaign_publish(actor=world.city_admin, campaign=best, notice_until=timezone.localdate())
    best.refresh_from_db()
    best.notice_until = timezone.localdate() - dt.timedelta(days=1)
    best.save(update_fields=["notice_until"])
    services.campaign_award(actor=world.city_admin, campaign=best)
    history = [(h.year, h.name, h.negative) for h in selectors.honours_of(kind="area", obj=world.dongfeng)]
    assert history == [(2026, "十快街道", False), (2025, "十差街道", True)]
    figures = compute_all(world.dongfeng, timezone.localdate())
    assert figures["honours.held"] == 1  # a place on a negative list is not an honour
