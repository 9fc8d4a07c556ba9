"""The home page lists what waits for each person (issue 16, part 1), and ``/api/v1/inbox/``
returns the same items: per provider, waiting work appears and disappears when acted on, and each
role sees only what lies in their scope."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gongjian.appeals import services as appeal_services
from gongjian.appeals.tests.fixtures import build_appeals
from gongjian.lists.services import claims as claim_services
from gongjian.lists.tests.fixtures_claims import REQUESTER_CONTACT, REQUESTER_NAME, build_lists_claims
from gongjian.matching import inbox as matching_inbox
from gongjian.web import inbox
from gongjian.web.inbox import InboxItem

pytestmark = pytest.mark.django_db


def _items(user) -> dict[str, InboxItem]:
    return {i.kind: i for i in inbox.inbox_for(user)}


def _client(user, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _home(user, language: str = "zh-hans") -> str:
    response = _client(user, language).get(reverse("home"))
    assert response.status_code == 200
    return unescape(response.content.decode())


# --- the engine -------------------------------------------------------------------------------


def test_items_sort_overdue_first_then_due_then_oldest():
    today = dt.date(2026, 5, 1)
    a = InboxItem(kind="a", audience="admin", title="a", count=1, url="/", action="x", oldest=today)
    b = InboxItem(kind="b", audience="admin", title="b", count=1, url="/", action="x", due=today, urgency=1)
    c = InboxItem(
        kind="c", audience="admin", title="c", count=1, url="/", action="x", overdue=True, urgency=2
    )
    d = InboxItem(
        kind="d",
        audience="admin",
        title="d",
        count=1,
        url="/",
        action="x",
        oldest=today - dt.timedelta(days=9),
    )
    assert [i.kind for i in sorted([a, b, c, d], key=InboxItem.sort_key)] == ["c", "b", "d", "a"]


def test_a_visitor_has_nothing_waiting():
    from django.contrib.auth.models import AnonymousUser

    assert inbox.inbox_for(AnonymousUser()) == []


# --- lists ------------------------------------------------------------------------------------


def test_claim_waits_for_the_community_until_accepted(world):
    lists = build_lists_claims(world)
    before = _items(world.wjl_admin)["lists.claims_to_accept"]
    assert before.count == 2  # the liaison's claim on the demand and the member's on the wish
    assert before.url.startswith(reverse("lists:claim_list"))
    claim_services.claim_accept(actor=world.wjl_admin, claim=lists.waiting)
    claim_services.claim_accept(actor=world.wjl_admin, claim=lists.wish_claim)
    assert "lists.claims_to_accept" not in _items(world.wjl_admin)


def test_another_community_never_sees_the_claims(world):
    build_lists_claims(world)
    assert "lists.claims_to_accept" not in _items(world.jsh_admin)
    # The street above 王家垅 sees its claims too.
    assert _items(world.dongfeng_admin)["lists.claims_to_accept"].count == 2


def test_demands_raised_wait_for_review_until_published(world):
    lists = build_lists_claims(world)
    waiting = _items(world.wjl_admin)["lists.demands_to_review"]
    assert waiting.count >= 1
    from gongjian.lists.services import demands as demand_services

    demand_services.demand_reject(actor=world.wjl_admin, demand=lists.resident_demand, reason="重复")
    after = _items(world.wjl_admin).get("lists.demands_to_review")
    assert after is None or after.count == waiting.count - 1


def test_liaison_sees_claims_on_its_resource_and_decisions_on_its_claims(world):
    lists = build_lists_claims(world)
    items = _items(world.liaison)
    assert items["lists.resource_claims"].count == 1
    assert items["lists.claim_decisions"].count == 1  # the accepted claim on the demand
    assert not items["lists.claim_decisions"].actionable
    claim_services.claim_accept(actor=world.liaison, claim=lists.resource_claim)
    assert "lists.resource_claims" not in _items(world.liaison)


def test_liaison_sees_published_demands_in_reach_not_yet_claimed(world, monkeypatch):
    build_lists_claims(world)
    monkeypatch.setattr(matching_inbox.selectors, "resource_recommendations", lambda **kw: [])
    item = _items(world.liaison)["lists.demands_in_reach"]
    # 开福区 is the unit's reach: the street's demand and the wish wait; 王家垅's demand is claimed
    # by the unit already; 尖山湖 (高新区) is out of reach.
    assert item.count == 2
    assert item.action


def test_liaison_sees_the_demands_matching_recommends_for_their_units_resources(world):
    from gongjian.lists.models import Claim, ClaimStatus, Resource, ResourceStatus
    from gongjian.matching import selectors as matching_selectors
    from gongjian.matching.tests.product_fixtures import build_product

    build_product(world)
    recommended = set()
    for resource in Resource.objects.filter(provider_unit=world.minzheng, status=ResourceStatus.PUBLISHED):
        found = matching_selectors.resource_recommendations(actor=world.liaison, resource=resource)
        recommended |= {s.demand.pk for s in found}
    claimed = set(
        Claim.objects.filter(
            claimant_unit=world.minzheng, status__in=[ClaimStatus.PENDING, ClaimStatus.ACCEPTED]
        ).values_list("demand_id", flat=True)
    )
    recommended -= claimed  # what the unit claimed already no longer waits
    assert recommended
    items = _items(world.liaison)
    item = items["matching.demands_matched"]
    assert item.count == len(recommended) and item.action and item.note
    assert "lists.demands_in_reach" not in items  # the recommendations stand in for the plain list
    html = _home(world.liaison)
    assert item.title in html and item.note in html
    assert 'data-kind="matching.demands_matched"' in html
    assert 'data-kind="lists.demands_in_reach"' not in html


def test_liaison_without_recommendations_falls_back_to_published_demands_in_reach(world, monkeypatch):
    from gongjian.lists.services import claims as list_services

    lists = build_lists_claims(world)
    # 民政厅 offers a meeting room: none of these demands (防汛值守, 床位 …) is about one
    assert "matching.demands_matched" not in _items(world.liaison)
    meeting = list_services.demand_raise(
        actor=world.dongfeng_admin, owner_org=lists.dongfeng_org, name="党员大会开会没地方", category="venue"
    )
    list_services.demand_publish(actor=world.dongfeng_admin, demand=meeting)
    assert "matching.demands_matched" in _items(world.liaison)  # the engine recommends the room here
    # when it finds nothing for the unit's resources, the plain list of its reach stands
    monkeypatch.setattr(matching_inbox.selectors, "resource_recommendations", lambda **kw: [])
    items = _items(world.liaison)
    assert "matching.demands_matched" not in items
    item = items["lists.demands_in_reach"]
    assert item.note  # the page says it is the plain list, not recommendations
    assert item.note in _home(world.liaison)
    api = {i["kind"]: i for i in _api(world.liaison)["items"]}
    assert api["lists.demands_in_reach"]["note"] == item.note  # the API says which, too


# --- appeals ----------------------------------------------------------------------------------


def test_appeals_wait_for_the_community_overdue_in_red(world):
    appeals = build_appeals(world)
    item = _items(world.wjl_admin)["appeals.to_assign"]
    assert item.count == 2
    assert item.overdue  # the emergency's two hours have passed
    html = _home(world.wjl_admin)
    assert "text-danger" in html and "逾期" in html
    for key in ("wjl_overdue", "wjl_online"):
        appeal_services.appeal_assign(actor=world.wjl_admin, appeal=appeals[key], org=world.wjl_committee)
    items = _items(world.wjl_admin)
    assert "appeals.to_assign" not in items
    assert items["appeals.to_answer"].count == 2


def test_appeals_of_another_community_never_wait(world):
    build_appeals(world)
    items = _items(world.jsh_admin)
    assert "appeals.to_assign" not in items
    assert "appeals.to_answer" not in items


def test_resident_sees_only_their_own_appeal(world):
    build_appeals(world)
    items = _items(world.resident)
    assert items["appeals.mine_open"].count == 1
    assert items["appeals.mine_open"].url == reverse("appeals:mine")
    assert not any(i.audience == "admin" for i in items.values())


# --- the home page ----------------------------------------------------------------------------


def test_community_home_lists_the_pending_claim_with_a_working_link(world):
    build_lists_claims(world)
    html = _home(world.wjl_admin)
    assert 'data-kind="lists.claims_to_accept"' in html
    client = _client(world.wjl_admin)
    url = _items(world.wjl_admin)["lists.claims_to_accept"].url
    page = unescape(client.get(url).content.decode())
    assert "楼道照明维修志愿者" in page
    # The figure strip links to the dashboard; the roles and areas stay.
    assert reverse("stats:dashboard", args=[world.wjl.code]) in html
    assert "figure-card" in html
    assert "王家垅社区" in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [("zh-hans", "等待您处理"), ("zh-hant", "等待您處理"), ("en", "What waits for you")],
)
def test_home_in_three_languages(world, language, heading):
    build_lists_claims(world)
    html = _home(world.wjl_admin, language)
    assert heading in html


@pytest.mark.parametrize("name", ["member", "resident"])
def test_member_and_resident_homes_replace_the_placeholder(world, name):
    build_appeals(world)
    html = _home(getattr(world, name))
    assert "即将上线" not in html
    assert reverse("appeals:mine") in html
    assert reverse("cobuild:consultation_list") in html
    assert "inbox-item" in html or "inbox-empty" in html


@pytest.mark.parametrize(
    "name",
    [
        "city_admin",
        "kaifu_admin",
        "dongfeng_admin",
        "wjl_admin",
        "jsh_admin",
        "liaison",
        "member",
        "resident",
    ],
)
def test_every_role_home_opens(world, name):
    build_lists_claims(world)
    build_appeals(world)
    html = _home(getattr(world, name))
    assert 'id="inbox-heading"' in html
    assert REQUESTER_NAME not in html and REQUESTER_CONTACT not in html


def test_home_queries_do_not_grow_with_records(world, django_assert_max_num_queries):
    build_lists_claims(world)
    build_appeals(world)
    client = _client(world.city_admin)
    client.get(reverse("home"))  # warm the caches (catalogue, tallies)
    with django_assert_max_num_queries(60):
        assert client.get(reverse("home")).status_code == 200


# --- the API ----------------------------------------------------------------------------------


def _api(user) -> dict:
    response = _client(user).get("/api/v1/inbox/")
    assert response.status_code == 200
    return response.json()


def test_api_lists_the_same_items_as_the_home(world):
    build_lists_claims(world)
    data = _api(world.wjl_admin)
    kinds = {i["kind"]: i for i in data["items"]}
    assert kinds["lists.claims_to_accept"]["count"] == 2
    assert set(kinds) == set(_items(world.wjl_admin))
    assert data["count"] >= 2


def test_api_scope_community_and_resident(world):
    build_lists_claims(world)
    build_appeals(world)
    jsh = {i["kind"] for i in _api(world.jsh_admin)["items"]}
    assert "lists.claims_to_accept" not in jsh and "appeals.to_assign" not in jsh
    resident = {i["kind"]: i for i in _api(world.resident)["items"]}
    assert resident["appeals.mine_open"]["count"] == 1
    assert all(i["audience"] in ("resident", "member") for i in resident.values())


def test_api_refuses_a_visitor():
    assert Client().get("/api/v1/inbox/").status_code in (401, 403)


def test_api_is_in_the_schema(db):
    response = Client().get("/api/schema/")
    assert b"/api/v1/inbox/" in response.content


def test_jobs_finished_wait_for_their_owner(world):
    from gongjian.core.models import Job

    job = Job.objects.create(
        kind="orgs.import", actor=world.wjl_admin, status="done", finished_at=timezone.now()
    )
    item = _items(world.wjl_admin)["core.jobs_finished"]
    assert item.count == 1 and item.url == reverse("core:job", args=[job.pk])
    assert "core.jobs_finished" not in _items(world.jsh_admin)


def test_member_home_shows_their_service_this_year_and_wishes_to_claim(world):
    build_lists_claims(world)  # links the member account to a ledger member
    html = _home(world.member)
    assert "inbox-service" in html and "已核实时长" in html
    assert reverse("service:mine") in html
    assert 'data-kind="lists.my_claims"' in html  # the member's claim on the wish waits for the owner
