"""Appraisals on both sides of the 王家垅/尖山湖 line, for scope tests (on ``build_world``'s map):
a campaign of 东风路街道 for its communities and one of 东方红街道 for its communities, each on
public notice with an objection waiting for its answer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongjian.core.levels import Level
from gongjian.testing import World

from .. import services as s
from ..models import Campaign


def build_honours(world: World) -> dict[str, Campaign]:
    root = world.superuser
    out: dict[str, Campaign] = {}
    for key, street in (("dongfeng", world.dongfeng), ("dongfanghong", world.dongfanghong)):
        campaign = s.campaign_create(
            actor=root,
            area=street,
            name=f"{street.name}五好社区评选",
            year=2026,
            honour="五好社区",
            candidate_kind="area",
            candidate_level=Level.COMMUNITY,
            how_many=1,
            figures_on=timezone.localdate(),
        )
        s.criterion_add(actor=root, campaign=campaign, kind="figure", indicator="units.resident", weight="1")
        s.campaign_score(actor=root, campaign=campaign)
        s.campaign_publish(actor=root, campaign=campaign, notice_until=timezone.localdate())
        entry = campaign.entries.get()
        s.objection_file(actor=None, campaign=campaign, entry=entry, text="请核实")
        out[key] = campaign
    # and one awarded after its notice, so that every kind of row exists: its honour
    awarded = s.campaign_create(
        actor=root,
        area=world.dongfeng,
        name="东风路街道文明社区评选",
        year=2026,
        honour="文明社区",
        candidate_kind="area",
        candidate_level=Level.COMMUNITY,
        how_many=1,
        figures_on=timezone.localdate(),
    )
    s.criterion_add(actor=root, campaign=awarded, kind="figure", indicator="units.resident", weight="1")
    s.campaign_score(actor=root, campaign=awarded)
    s.campaign_publish(actor=root, campaign=awarded, notice_until=timezone.localdate())
    objection = s.objection_file(actor=None, campaign=awarded, entry=awarded.entries.get(), text="请核实")
    s.objection_answer(actor=root, objection=objection, answer="已核实，无误。", upheld=False)
    # the notice ran out (as days pass): its last day moved back, as the browser story does
    Campaign.objects.filter(pk=awarded.pk).update(notice_until=timezone.localdate() - dt.timedelta(days=1))
    awarded.refresh_from_db()
    s.campaign_award(actor=root, campaign=awarded)
    out["dongfeng_awarded"] = awarded
    return out
