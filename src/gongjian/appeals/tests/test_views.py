"""Pages of appeals: they open in the three languages for their roles, the steps go through the
services, bad input is shown on the form and changes nothing, no clear phone number is shown."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from gongjian.appeals.models import Appeal, AppealStatus
from gongjian.appeals.tests.fixtures import build_appeals
from gongjian.core.models import AuditEntry
from gongjian.core.synthetic import fake_phone


@pytest.fixture
def appeals(world):
    return build_appeals(world)


def _client(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return unescape(response.content.decode())


@pytest.mark.parametrize(
    ("language", "word"), [("zh-hans", "接诉即办"), ("zh-hant", "接訴即辦"), ("en", "Appeals")]
)
def test_pages_open_in_three_languages(world, appeals, language, word):
    client = _client(world.wjl_admin, language)
    page = _get(client, reverse("appeals:home"))
    assert word in page
    assert appeals["wjl_overdue"].number in page and appeals["jsh_closed"].number not in page
    for name in ("mine", "register"):
        _get(client, reverse(f"appeals:{name}"))
    detail = _get(client, reverse("appeals:detail", args=[appeals["wjl_overdue"].pk]))
    assert "居民乙" in detail and "138****0002" in detail and fake_phone(2) not in detail
    assert 'data-action="assign"' in detail
    resident = _client(world.resident, language)
    _get(resident, reverse("appeals:raise"))
    mine = _get(resident, reverse("appeals:mine"))
    assert appeals["wjl_online"].number in mine


def test_the_list_filters_and_counts(world, appeals):
    client = _client(world.city_admin)
    page = _get(client, reverse("appeals:home") + "?overdue=on")
    assert appeals["wjl_overdue"].number in page and appeals["wjl_assigned"].number not in page
    assert 'data-count="overdue">1<' in page.replace(" ", "")
    page = _get(client, reverse("appeals:home") + "?status=closed&kind=complex")
    assert appeals["jsh_closed"].number in page and appeals["wjl_overdue"].number not in page
    page = _get(client, reverse("appeals:home") + "?date_from=not-a-date")  # a bad filter is dropped
    assert appeals["jsh_closed"].number in page


def test_steps_through_the_pages(world, appeals):
    client = _client(world.wjl_admin)
    appeal = appeals["wjl_overdue"]
    detail = reverse("appeals:detail", args=[appeal.pk])
    response = client.post(reverse("appeals:assign", args=[appeal.pk]), {"assign-org": world.wjl_branch.pk})
    assert response.status_code == 302 and response["Location"] == detail
    # bad input: shown on the page, nothing changed
    before = AuditEntry.objects.count()
    response = client.post(reverse("appeals:answer", args=[appeal.pk]), {"answer-answer": ""})
    assert response.status_code == 400
    assert AuditEntry.objects.count() == before
    client.post(reverse("appeals:answer", args=[appeal.pk]), {"answer-answer": "维修工已出发"})
    client.post(reverse("appeals:solve", args=[appeal.pk]), {"solve-solved": "0", "solve-note": ""})
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.ANSWERED
    page = unescape(client.get(detail).content.decode())
    assert "维修工已出发" in page
    client.post(reverse("appeals:solve", args=[appeal.pk]), {"solve-solved": "1", "solve-note": "已关阀抢修"})
    client.post(reverse("appeals:close", args=[appeal.pk]), {})
    # a second close (a colleague's stale page): told why, nothing changed
    before = AuditEntry.objects.count()
    response = client.post(reverse("appeals:close", args=[appeal.pk]), {}, follow=True)
    assert "只有已报告解决或无法解决的诉求才能办结" in unescape(response.content.decode())
    assert AuditEntry.objects.count() == before
    # the call-back is independent: the community's staff handled it, so the street calls back
    page = unescape(client.get(detail).content.decode())
    assert 'data-action="call_back"' not in page and "data-no-callback" in page
    assert "您办理了这件诉求，由其他人回访居民" in page
    response = client.post(
        reverse("appeals:call_back", args=[appeal.pk]),
        {"call_back-result": "satisfied", "call_back-channel": "phone"},
    )
    assert response.status_code == 403
    street = _client(world.dongfeng_admin)
    response = street.post(reverse("appeals:call_back", args=[appeal.pk]), {"call_back-result": "satisfied"})
    assert response.status_code == 400 and "请选择回访方式" in unescape(response.content.decode())
    street.post(
        reverse("appeals:call_back", args=[appeal.pk]),
        {"call_back-result": "satisfied", "call_back-channel": "phone", "call_back-solved": "1"},
    )
    row = Appeal.objects.get(pk=appeal.pk)
    assert (row.status, row.callback_result, row.callback_channel) == ("closed", "satisfied", "phone")
    assert row.callback_solved is True and row.called_back_by == world.dongfeng_admin
    page = unescape(street.get(detail).content.decode())
    assert "电话回访" in page and "居民说已解决" in page


def test_register_and_reveal(world):
    client = _client(world.wjl_admin)
    phone = fake_phone(77)
    response = client.post(
        reverse("appeals:register"),
        {
            "area": world.wjl_building.pk,
            "channel": "walk_in",
            "kind": "utilities",
            "title": "暖气不热",
            "resident_name": "居民戊",
            "phone": phone,
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(title="暖气不热")
    page = unescape(client.get(response["Location"]).content.decode())
    assert phone not in page and "138****0077" in page
    response = client.post(reverse("appeals:reveal", args=[appeal.pk]), {"reveal-reason": "回访居民"})
    assert phone in unescape(response.content.decode())
    # out of the scope: 404; registering there: refused on the form (not in the choices)
    other = _client(world.jsh_admin)
    assert other.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
    assert other.post(reverse("appeals:reveal", args=[appeal.pk]), {"reveal-reason": "x"}).status_code == 404
    count = Appeal.objects.count()
    response = other.post(
        reverse("appeals:register"),
        {
            "area": world.wjl.pk,
            "channel": "hotline",
            "kind": "general",
            "title": "x",
            "resident_name": "y",
            "phone": phone,
        },
    )
    assert response.status_code == 200 and Appeal.objects.count() == count


def test_a_resident_raises_and_rates(world):
    resident = _client(world.resident)
    response = resident.post(
        reverse("appeals:raise"),
        {
            "area": world.wjl.pk,
            "kind": "general",
            "title": "小区垃圾清运不及时",
            "resident_name": "居民己",
            "phone": fake_phone(9),
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(title="小区垃圾清运不及时")
    assert appeal.channel == "online" and appeal.resident == world.resident
    staff = _client(world.wjl_admin)
    staff.post(reverse("appeals:assign", args=[appeal.pk]), {"assign-org": world.wjl_committee.pk})
    staff.post(reverse("appeals:answer", args=[appeal.pk]), {"answer-answer": "已通知环卫"})
    staff.post(reverse("appeals:solve", args=[appeal.pk]), {"solve-solved": "1"})
    page = _get(resident, reverse("appeals:detail", args=[appeal.pk]))
    assert 'data-action="rate"' in page and 'data-action="close"' not in page
    resident.post(reverse("appeals:rate", args=[appeal.pk]), {"rate-rating": "basically_satisfied"})
    assert Appeal.objects.get(pk=appeal.pk).resident_rating == "basically_satisfied"
    # staff pages are not for residents; a member has no appeals and may raise one
    assert resident.get(reverse("appeals:register")).status_code == 403
    assert _client(world.liaison).get(reverse("appeals:raise")).status_code == 403
