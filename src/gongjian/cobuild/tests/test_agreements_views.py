"""The pages of agreements, committees and seats: every page renders in every language, buttons
appear only for who may act, each form goes through a service (audited), bad input comes back as
a message and changes nothing, and the PDFs open with their Chinese text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.cobuild.models import Agreement, AgreementStatus, Committee, PartTimeSeat, SeatStep
from gongjian.cobuild.tests.fixtures_agreements import CobuildAgreements, build_cobuild_agreements
from gongjian.core.models import AuditEntry
from gongjian.core.pdf import pdf_text
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

TODAY = timezone.localdate()


def _login(client: Client, user) -> Client:
    client.force_login(user)
    return client


def _urls(c: CobuildAgreements) -> list[str]:
    seat = c.seats["appointed"]
    return [
        reverse("cobuild:home"),
        reverse("cobuild:agreement_list"),
        f"{reverse('cobuild:agreement_list')}?q=mzt&status=in_force",
        f"{reverse('cobuild:agreement_list')}?status=nonsense",
        reverse("cobuild:agreement_create"),
        reverse("cobuild:agreement_detail", args=[c.wjl_in_force.pk]),
        reverse("cobuild:agreement_detail", args=[c.wjl_draft.pk]),
        reverse("cobuild:agreement_edit", args=[c.wjl_draft.pk]),
        reverse("cobuild:agreement_sign", args=[c.wjl_draft.pk]),
        reverse("cobuild:agreement_end", args=[c.wjl_in_force.pk]),
        reverse("cobuild:committee_list"),
        f"{reverse('cobuild:committee_list')}?q=王家垅&kind=community",
        reverse("cobuild:committee_create"),
        reverse("cobuild:committee_detail", args=[c.wjl_committee.pk]),
        reverse("cobuild:seat_recommend", args=[c.wjl_committee.pk]),
        reverse("cobuild:seat_list"),
        f"{reverse('cobuild:seat_list')}?q=郑&step=appointed",
        reverse("cobuild:seat_detail", args=[seat.pk]),
        reverse("cobuild:seat_screen", args=[c.seats["recommended"].pk]),
        reverse("cobuild:seat_reject", args=[c.seats["recommended"].pk]),
        reverse("cobuild:seat_approve", args=[c.seats["screened"].pk]),
        reverse("cobuild:seat_end", args=[seat.pk]),
        reverse("cobuild:seat_announce", args=[seat.pk]),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_every_page_renders_for_the_district(client: Client, world: World, language: str) -> None:
    c = build_cobuild_agreements(world)
    _login(client, world.kaifu_admin)
    client.cookies["django_language"] = language
    for url in _urls(c):
        resp = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert resp.status_code == 200, (url, resp.status_code)
        assert "<html" in resp.content.decode()


def test_members_and_residents_see_none_of_it(client: Client, world: World) -> None:
    c = build_cobuild_agreements(world)
    for user in (world.member, world.resident):
        _login(client, user)
        assert client.get(reverse("cobuild:home")).status_code == 200
        for url in _urls(c)[1:]:
            assert client.get(url).status_code in (403, 404), url


def test_list_shows_the_status_from_the_dates_and_searches(client: Client, world: World) -> None:
    c = build_cobuild_agreements(world)
    _login(client, world.wjl_admin)
    body = client.get(reverse("cobuild:agreement_list")).content.decode()
    assert c.wjl_in_force.number in body and c.wjl_draft.number in body
    assert c.jsh.number not in body  # another community's
    assert c.street.number in body  # the street's, joined by a unit sitting in 王家垅
    body = client.get(reverse("cobuild:agreement_list"), {"status": "draft"}).content.decode()
    assert c.wjl_draft.number in body and c.wjl_in_force.number not in body
    body = client.get(reverse("cobuild:agreement_list"), {"q": "民政廳"}).content.decode()
    assert c.wjl_in_force.number in body
    # the within filter is scoped
    assert client.get(reverse("cobuild:agreement_list"), {"within": world.jsh.pk}).status_code == 404


def test_buttons_follow_what_the_actor_may_do(client: Client, world: World) -> None:
    c = build_cobuild_agreements(world)
    draft = reverse("cobuild:agreement_detail", args=[c.wjl_draft.pk])
    sign = reverse("cobuild:agreement_sign", args=[c.wjl_draft.pk])
    edit = reverse("cobuild:agreement_edit", args=[c.wjl_draft.pk])
    _login(client, world.liaison)
    body = client.get(draft).content.decode()
    assert edit in body and sign not in body
    assert client.get(sign).status_code == 403
    _login(client, world.wjl_admin)
    body = client.get(draft).content.decode()
    assert edit in body and sign in body
    signed = client.get(reverse("cobuild:agreement_detail", args=[c.wjl_in_force.pk])).content.decode()
    assert reverse("cobuild:agreement_edit", args=[c.wjl_in_force.pk]) not in signed
    assert reverse("cobuild:agreement_end", args=[c.wjl_in_force.pk]) in signed
    assert client.get(reverse("cobuild:agreement_edit", args=[c.wjl_in_force.pk])).status_code == 403
    # approval: the community does not see the button, the street does
    seat = reverse("cobuild:seat_detail", args=[c.seats["screened"].pk])
    approve = reverse("cobuild:seat_approve", args=[c.seats["screened"].pk])
    assert approve not in client.get(seat).content.decode()
    assert client.get(approve).status_code == 403
    assert client.post(approve, {"on": TODAY.isoformat()}).status_code == 403
    _login(client, world.dongfeng_admin)
    assert approve in client.get(seat).content.decode()


def _clause_data(**extra: str) -> dict[str, str]:
    data = {
        "title": "",
        "starts_on": (TODAY - dt.timedelta(days=10)).isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=700)).isoformat(),
        "host_liaison": "刘联络",
        "unit_liaison": "张联络",
        "yearly_plan": "每季度一次主题党日",
        "clause_consult": "on",
        "text_consult": "每季度召开联席会议",
        "clause_venues": "on",
        "text_venues": "共用党员活动室",
        "text_other": "共同开展文明创建",
    }
    data.update(extra)
    return data


def test_the_whole_agreement_by_pages(client: Client, world: World) -> None:
    _login(client, world.wjl_admin)
    before = AuditEntry.objects.count()
    resp = client.post(
        reverse("cobuild:agreement_create"),
        _clause_data(host_org=str(world.wjl_committee.pk), unit_org=str(world.minzheng_org.pk)),
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    agreement = Agreement.objects.get()
    assert resp["Location"] == reverse("cobuild:agreement_detail", args=[agreement.pk])
    assert [c.kind for c in agreement.clauses.all()] == ["consult", "venues", "other"]
    # edit the draft: untick a clause
    data = _clause_data(title="王家垅社区与省民政厅结对共建协议")
    del data["clause_venues"]
    resp = client.post(reverse("cobuild:agreement_edit", args=[agreement.pk]), data)
    assert resp.status_code == 302
    assert [c.kind for c in agreement.clauses.all()] == ["consult", "other"]
    resp = client.post(
        reverse("cobuild:agreement_sign", args=[agreement.pk]),
        {"signed_on": TODAY.isoformat(), "host_signatory": "王书记", "unit_signatory": "李厅长"},
    )
    assert resp.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.IN_FORCE
    resp = client.post(
        reverse("cobuild:agreement_review", args=[agreement.pk]),
        {"year": str(TODAY.year), "rating": "good", "summary": "完成", "reviewed_on": TODAY.isoformat()},
    )
    assert resp.status_code == 302
    resp = client.post(
        reverse("cobuild:agreement_end", args=[agreement.pk]),
        {"ended_on": TODAY.isoformat(), "reason": "搬迁"},
    )
    assert resp.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ENDED
    actions = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True))
    assert actions == [
        "agreement.create",
        "agreement.update",
        "agreement.sign",
        "agreement.review",
        "agreement.end",
    ]


def test_bad_input_comes_back_with_a_message_and_changes_nothing(client: Client, world: World) -> None:
    _login(client, world.wjl_admin)
    client.cookies["django_language"] = "en"
    before = AuditEntry.objects.count()
    data = _clause_data(host_org=str(world.wjl_committee.pk), unit_org=str(world.minzheng_org.pk))
    data["text_consult"] = ""  # a ticked clause without wording
    resp = client.post(reverse("cobuild:agreement_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    assert "Write what the parties commit to" in resp.content.decode()
    data = _clause_data(host_org=str(world.wjl_committee.pk), unit_org=str(world.minzheng_org.pk))
    data["ends_on"] = (TODAY - dt.timedelta(days=100)).isoformat()
    resp = client.post(reverse("cobuild:agreement_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200 and "The term cannot end before it starts." in resp.content.decode()
    # a host outside the actor's scope is not even a choice
    data = _clause_data(
        host_org=str(PartyOrg.objects.get(code="PO-JSH").pk), unit_org=str(world.minzheng_org.pk)
    )
    assert client.post(reverse("cobuild:agreement_create"), data).status_code == 200
    assert Agreement.objects.count() == 0 and AuditEntry.objects.count() == before


def test_committee_and_seat_by_pages(client: Client, world: World) -> None:
    _login(client, world.wjl_admin)
    resp = client.post(
        reverse("cobuild:committee_create"), {"org": world.wjl_committee.pk, "established_on": "2018-03-01"}
    )
    assert resp.status_code == 302
    committee = Committee.objects.get()
    resp = client.post(
        reverse("cobuild:seat_recommend", args=[committee.pk]),
        {
            "person_name": "赵兼职",
            "unit": world.minzheng.pk,
            "unit_title": "处长",
            "duty": "兼职委员",
            "recommended_on": TODAY.isoformat(),
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    seat = PartTimeSeat.objects.get()
    assert (
        client.post(reverse("cobuild:seat_screen", args=[seat.pk]), {"on": TODAY.isoformat()}).status_code
        == 302
    )
    _login(client, world.dongfeng_admin)
    assert (
        client.post(reverse("cobuild:seat_approve", args=[seat.pk]), {"on": TODAY.isoformat()}).status_code
        == 302
    )
    _login(client, world.wjl_admin)
    resp = client.post(
        reverse("cobuild:seat_appoint", args=[seat.pk]),
        {
            "since": TODAY.isoformat(),
            "until": (TODAY + dt.timedelta(days=1000)).isoformat(),
            "appointed_on": TODAY.isoformat(),
        },
    )
    assert resp.status_code == 302
    seat.refresh_from_db()
    assert seat.step == SeatStep.APPOINTED and seat.certificate_no
    _login(client, world.liaison)
    assert (
        client.post(reverse("cobuild:seat_announce", args=[seat.pk]), {"on": TODAY.isoformat()}).status_code
        == 302
    )
    seat.refresh_from_db()
    assert seat.step == SeatStep.ANNOUNCED
    # the liaison reads the committee, with only their unit's seats, and may not recommend
    body = client.get(reverse("cobuild:committee_detail", args=[committee.pk])).content.decode()
    assert "赵兼职" in body and reverse("cobuild:seat_recommend", args=[committee.pk]) not in body
    assert client.get(reverse("cobuild:seat_recommend", args=[committee.pk])).status_code == 403
    pdf = client.get(reverse("cobuild:seat_certificate", args=[seat.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "聘" in text and "赵兼职" in text and "湖南省民政厅" in text and seat.certificate_no in text


def test_the_liaison_sees_only_their_units_seats(client: Client, world: World) -> None:
    c = build_cobuild_agreements(world)
    _login(client, world.liaison)
    body = client.get(reverse("cobuild:seat_list")).content.decode()
    assert "郑任职" in body and "陈街道" in body and "褚尖山" not in body
    assert client.get(reverse("cobuild:committee_detail", args=[c.jsh_committee.pk])).status_code == 404
    assert client.get(reverse("cobuild:committee_detail", args=[c.street_committee.pk])).status_code == 200


def test_agreement_pdf_in_chinese_whatever_the_language(client: Client, world: World) -> None:
    c = build_cobuild_agreements(world)
    _login(client, world.liaison)
    resp = client.get(reverse("cobuild:agreement_pdf", args=[c.wjl_in_force.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    text = pdf_text(resp.content)
    for expected in (
        "王家垅社区党委",
        "省民政厅机关党委",
        c.wjl_in_force.number,
        "党建共商",
        "每季度召开一次党建联席会议",
        "队伍共管",
        "联合开展主题党日",
        "王书记",
        "盖章",
        "甲方",
        "乙方",
    ):
        assert expected in text.replace("\n", ""), expected
    draft = pdf_text(client.get(reverse("cobuild:agreement_pdf", args=[c.wjl_draft.pk])).content)
    assert "草" in draft


def test_certificate_before_appointment_is_refused(client: Client, world: World) -> None:
    c = build_cobuild_agreements(world)
    _login(client, world.wjl_admin)
    assert client.get(reverse("cobuild:seat_certificate", args=[c.seats["screened"].pk])).status_code == 403
    body = client.get(reverse("cobuild:seat_detail", args=[c.seats["screened"].pk])).content.decode()
    assert reverse("cobuild:seat_certificate", args=[c.seats["screened"].pk]) not in body


def test_home_lists_what_waits(client: Client, world: World) -> None:
    c = build_cobuild_agreements(world)
    _login(client, world.dongfeng_admin)
    body = client.get(reverse("cobuild:home")).content.decode()
    assert reverse("cobuild:seat_detail", args=[c.seats["screened"].pk]) in body  # to approve
    _login(client, world.wjl_admin)
    body = client.get(reverse("cobuild:home")).content.decode()
    assert reverse("cobuild:agreement_detail", args=[c.wjl_draft.pk]) in body  # to sign
    assert reverse("cobuild:seat_detail", args=[c.seats["screened"].pk]) not in body


def test_seat_buttons_act_and_date_rows_say_dates(client: Client, world: World) -> None:
    """Issue 16: the same English word as a button ("Screened" → 资格审查, "Not taken" → 不予采纳) and
    as the label of a date row (推荐日期, 资格审查日期, 任命日期) says which it is."""
    c = build_cobuild_agreements(world)
    client.cookies["django_language"] = "zh-hans"
    _login(client, world.wjl_admin)
    body = client.get(reverse("cobuild:seat_detail", args=[c.seats["recommended"].pk])).content.decode()
    screen = reverse("cobuild:seat_screen", args=[c.seats["recommended"].pk])
    reject = reverse("cobuild:seat_reject", args=[c.seats["recommended"].pk])
    assert f'href="{screen}">资格审查</a>' in body and f'href="{reject}">不予采纳</a>' in body
    assert '<dt class="col-sm-3">推荐日期</dt>' in body
    _login(client, world.dongfeng_admin)
    body = client.get(reverse("cobuild:seat_detail", args=[c.seats["appointed"].pk])).content.decode()
    assert '<dt class="col-sm-3">任命日期</dt>' in body and '<dt class="col-sm-3">资格审查日期</dt>' in body
