"""The pages: the organiser's campaign (scoped), the public notice and objecting (anyone), the
certificate, and the honours on the holder's page."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.core.levels import Level
from gongjian.core.pdf import pdf_text
from gongjian.honours import services
from gongjian.honours.models import Campaign, Objection
from gongjian.testing import World


def _published(world: World) -> Campaign:
    campaign = services.campaign_create(
        actor=world.city_admin,
        area=world.changsha,
        name="十快街道评选",
        year=2026,
        honour="十快街道",
        candidate_kind="area",
        candidate_level=Level.STREET,
        how_many=1,
        figures_on=timezone.localdate(),
    )
    services.criterion_add(
        actor=world.city_admin,
        campaign=campaign,
        kind="figure",
        indicator="units.hosted_firms",
        weight="0.01",
    )
    services.campaign_score(actor=world.city_admin, campaign=campaign)
    services.entry_adjust(
        actor=world.city_admin,
        entry=campaign.entries.get(name="东风路街道"),
        adjustment="20",
        reason="办结提速明显",
    )
    return services.campaign_publish(
        actor=world.city_admin, campaign=campaign, notice_until=timezone.localdate()
    )


def test_the_organiser_creates_a_campaign_from_the_page(world: World) -> None:
    client = Client()
    client.force_login(world.kaifu_admin)
    assert reverse("honours:home") in client.get(reverse("home")).content.decode()  # in the navigation
    response = client.post(
        reverse("honours:campaign_create"),
        {
            "area": world.kaifu.pk,
            "name": "开福区十快街道",
            "year": "2026",
            "honour": "十快街道",
            "candidate_kind": "area",
            "candidate_level": str(Level.STREET),
            "how_many": "1",
            "figures_on": timezone.localdate().isoformat(),
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "honours:campaign", args=[campaign.pk]
    )
    assert [e.name for e in campaign.entries.all()] == ["东风路街道"]  # only the district's streets
    page = client.get(response["Location"]).content.decode()
    assert "东风路街道" in page and "东方红街道" not in page


def test_a_bad_form_is_a_field_error_and_writes_nothing(world: World) -> None:
    client = Client()
    client.force_login(world.kaifu_admin)
    response = client.post(
        reverse("honours:campaign_create"),
        {
            "area": world.kaifu.pk,
            "name": "x",
            "year": "2026",
            "honour": "x",
            "candidate_kind": "area",
            "candidate_level": str(Level.DISTRICT),
            "how_many": "1",
            "figures_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "评比对象须在组织单位之下" in response.content.decode()  # in the user's language
    assert not Campaign.objects.exists()


def test_another_area_cannot_open_the_campaign(world: World) -> None:
    campaign = _published(world)
    client = Client()
    client.force_login(world.jsh_admin)
    assert client.get(reverse("honours:campaign", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("honours:award", args=[campaign.pk])).status_code == 404


def test_anyone_reads_the_notice_with_the_parts_and_objects(world: World) -> None:
    campaign = _published(world)
    client = Client()  # not signed in
    page = client.get(reverse("honours:notice", args=[campaign.pk])).content.decode()
    assert "东风路街道" in page and "办结提速明显" in page  # the adjustment's reason is public
    assert "× 0.01" in page
    assert "/stats/" not in page  # the rows behind the figures are for those who may read them
    entry = campaign.entries.get(name="东风路街道")
    response = client.post(
        reverse("honours:object", args=[campaign.pk]),
        {"entry": entry.pk, "text": "提速数据需核实", "signed": ""},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.filed_by is None and objection.entry == entry
    # the organiser answers from the campaign's page; the answer is public
    admin = Client()
    admin.force_login(world.city_admin)
    admin_page = admin.get(reverse("honours:campaign", args=[campaign.pk])).content.decode()
    assert reverse("honours:answer", args=[campaign.pk, objection.pk]) in admin_page
    assert "/stats/" in admin_page  # the organiser opens the rows behind each figure
    admin.post(
        reverse("honours:answer", args=[campaign.pk, objection.pk]),
        {"answer": "经核实数据无误", "upheld": ""},
    )
    assert "经核实数据无误" in client.get(reverse("honours:notice", args=[campaign.pk])).content.decode()


def test_the_honour_shows_on_the_holder_page_with_its_certificate(world: World) -> None:
    campaign = _published(world)
    Campaign.objects.filter(pk=campaign.pk).update(notice_until=timezone.localdate() - dt.timedelta(days=1))
    admin = Client()
    admin.force_login(world.city_admin)
    admin.post(reverse("honours:award", args=[campaign.pk]))
    honour = campaign.honours.get()
    client = Client()
    client.force_login(world.dongfeng_admin)
    page = client.get(reverse("orgs:area_detail", args=[world.dongfeng.pk])).content.decode()
    assert "2026 十快街道" in page and reverse("honours:certificate", args=[honour.pk]) in page
    pdf = client.get(reverse("honours:certificate", args=[honour.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "东风路街道" in text and "十快街道" in text
