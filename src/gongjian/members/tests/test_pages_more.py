"""Pages added to finish the ledgers: co-management added and ended by the community, a member
away from home checking themself in at a station from the phone, and an administrator linking a
member record to the account the member signs in with.

ID numbers are generated at run time and never printed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from gongjian.accounts.models import RoleKind
from gongjian.accounts.services import role_grant, user_create
from gongjian.core.models import AuditEntry
from gongjian.members import services
from gongjian.members.models import Category, CoManagement, Member, StationCheckIn
from gongjian.members.tests.people import ledger_member
from gongjian.testing import PASSWORD, World


def _member(world: World, n: int, name: str, **kw: Any) -> Member:
    return ledger_member(world, n, name, birth=dt.date(1982, 2, 3), **kw)


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# --- co-management ------------------------------------------------------------------------------


@pytest.fixture
def staff(world: World) -> Member:
    """A member of 湖南省民政厅 (which sits in 王家垅) living in 尖山湖: not in 王家垅's ledgers yet."""
    return _member(
        world,
        71,
        "民政干部",
        org=world.minzheng_org,
        residence=world.jsh_compound,
        work_unit=world.minzheng,
        categories=[],
    )


def test_the_community_adds_a_unit_member_to_co_management(world: World, staff: Member) -> None:
    client = _client(world.wjl_admin)
    url = reverse("members:co_management_add", args=[world.wjl.pk])
    page = client.get(url)
    assert page.status_code == 200 and "民政干部" in page.content.decode()
    assert "民政干部" in client.get(url, {"q": "mz"}).content.decode()  # pinyin initials
    assert "民政干部" not in client.get(url, {"q": "zzz"}).content.decode()
    before = AuditEntry.objects.count()
    response = client.post(url, {"community": world.wjl.pk, "member": staff.pk, "since": "2026-01-05"})
    assert response.status_code == 302
    assert response["Location"] == reverse("members:ledger", args=[world.wjl.pk]) + "?tab=co_managed"
    row = CoManagement.objects.get(member=staff)
    assert (row.community, row.unit, row.since) == (world.wjl, world.minzheng, dt.date(2026, 1, 5))
    assert AuditEntry.objects.filter(seq__gt=before, action="member.co_management_add").count() == 1
    ledger = client.get(response["Location"]).content.decode()
    assert "民政干部" in ledger and reverse("members:co_management_end", args=[row.pk]) in ledger
    # twice: a clear message in the user's language, nothing written
    again = client.post(url, {"community": world.wjl.pk, "member": staff.pk})
    assert again.status_code == 200 and "Select a valid choice" in again.content.decode()
    assert CoManagement.objects.filter(member=staff).count() == 1


def test_co_management_needs_a_unit_member_and_the_community_in_scope(world: World, staff: Member) -> None:
    plain = _member(world, 72, "普通党员")
    wjl = _client(world.wjl_admin)
    url = reverse("members:co_management_add", args=[world.wjl.pk])
    response = wjl.post(url, {"community": world.wjl.pk, "member": plain.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    response = wjl.post(url, {"community": world.wjl.pk, "member": staff.pk, "unit": world.jsh_firm.pk})
    assert response.status_code == 200 and not CoManagement.objects.exists()
    jsh = _client(world.jsh_admin)
    assert jsh.get(url).status_code == 404
    assert jsh.post(url, {"community": world.wjl.pk, "member": staff.pk}).status_code == 404
    # from the street's ledger, the community is chosen in the form
    street = _client(world.dongfeng_admin)
    street_url = reverse("members:co_management_add", args=[world.dongfeng.pk])
    assert street.get(street_url).status_code == 200
    assert street.post(street_url, {"community": world.wjl.pk, "member": staff.pk}).status_code == 302
    assert CoManagement.objects.get().community == world.wjl
    assert not CoManagement.objects.exclude(community=world.wjl).exists()


def test_the_community_ends_co_management(world: World, staff: Member) -> None:
    row = services.co_management_add(
        actor=world.wjl_admin, member=staff, community=world.wjl, since=dt.date(2026, 1, 1)
    )
    assert row.unit == world.minzheng  # the work unit, when none is named
    url = reverse("members:co_management_end", args=[row.pk])
    assert _client(world.jsh_admin).get(url).status_code == 404
    liaison = _client(world.liaison)  # sees its unit's rows, but the community decides
    assert liaison.post(url, {"until": "2026-02-01"}).status_code == 403
    client = _client(world.wjl_admin)
    assert client.get(url).status_code == 200
    early = client.post(url, {"until": "2025-12-31"})
    assert early.status_code == 200 and "This cannot end on that date." in early.content.decode()
    assert client.post(url, {"until": "2026-02-01"}).status_code == 302
    row.refresh_from_db()
    assert row.until == dt.date(2026, 2, 1)
    assert AuditEntry.objects.filter(action="member.co_management_end", object_id=str(row.pk)).count() == 1


# --- a member checks themself in at a station -------------------------------------------------


@pytest.fixture
def away(world: World) -> Member:
    """The ``member`` account's own record, away in 深圳."""
    member = _member(world, 73, "流动党员")
    services.member_link_user(actor=world.wjl_admin, member=member, user=world.member)
    services.mobile_record_create(
        actor=world.wjl_admin, member=member, destination="深圳", since=dt.date(2026, 1, 1)
    )
    return member


def test_a_member_away_checks_in_from_the_station_link(world: World, away: Member) -> None:
    far = services.station_create(
        actor=world.jsh_admin, name="尖山湖驿站", area=world.jsh, address="芯城路1号"
    )
    client = _client(world.member)
    listing = client.get(reverse("members:station_self_list"))
    assert listing.status_code == 200 and "尖山湖驿站" in listing.content.decode()
    url = reverse("members:station_self_check_in", args=[far.pk])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "尖山湖驿站" in html and "芯城路1号" in html
    assert 'name="viewport"' in html and "btn-lg w-100" in html  # one big button on a phone
    before = AuditEntry.objects.count()
    response = client.post(url, {"purpose": "参加组织生活"})
    assert response.status_code == 302 and response["Location"] == url
    check_in = StationCheckIn.objects.get()
    assert (check_in.station, check_in.member, check_in.purpose) == (far, away, "参加组织生活")
    entry = AuditEntry.objects.get(seq__gt=before)
    assert entry.action == "station.check_in" and entry.actor == world.member
    assert "参加组织生活" in client.get(url).content.decode()  # their own check-ins are listed
    # the station's staff see it; the member's link is on the station's page for them to post
    staff_page = (
        _client(world.jsh_admin).get(reverse("members:station_detail", args=[far.pk])).content.decode()
    )
    assert "流动党员" in staff_page and url in staff_page
    # the member's own page offers the way in
    own = client.get(reverse("members:member_detail", args=[away.pk])).content.decode()
    assert reverse("members:station_self_list") in own


def test_only_a_member_away_checks_themself_in(world: World, away: Member) -> None:
    station = services.station_create(actor=world.wjl_admin, name="王家垅驿站", area=world.wjl)
    url = reverse("members:station_self_check_in", args=[station.pk])
    resident = _client(world.resident)  # no member record
    refused = resident.get(url)
    assert refused.status_code == 403 and "member record" in refused.content.decode()
    assert resident.post(url, {"purpose": "x"}).status_code == 403
    assert resident.get(reverse("members:station_self_list")).status_code == 403
    services.mobile_record_end(
        actor=world.wjl_admin, record=away.mobile_records.get(), until=dt.date(2026, 3, 1)
    )
    back_home = _client(world.member)
    refused = back_home.get(url)
    assert refused.status_code == 403 and "away from home" in refused.content.decode()
    assert back_home.post(url, {"purpose": "x"}).status_code == 403
    assert not StationCheckIn.objects.exists()
    assert (
        _client(world.member).get(reverse("members:station_self_check_in", args=[999_999])).status_code == 403
    )


def test_unknown_station_is_404_for_a_member_away(world: World, away: Member) -> None:
    assert (
        _client(world.member).get(reverse("members:station_self_check_in", args=[999_999])).status_code == 404
    )


# --- linking a member record to an account ----------------------------------------------------


def test_an_administrator_links_a_member_to_an_account(world: World) -> None:
    member = _member(world, 74, "待关联党员")
    account = user_create(actor=None, username="daiguanlian", password=PASSWORD)
    role_grant(actor=None, user=account, kind=RoleKind.MEMBER, area=world.wjl)
    client = _client(world.wjl_admin)
    url = reverse("members:member_link_user", args=[member.pk])
    detail = client.get(reverse("members:member_detail", args=[member.pk])).content.decode()
    assert url in detail and "not linked" in detail
    assert client.get(url).status_code == 200
    unknown = client.post(url, {"username": "nobody-here"})
    assert unknown.status_code == 200 and "No active account has this user name." in unknown.content.decode()
    assert client.post(url, {"username": "daiguanlian"}).status_code == 302
    member.refresh_from_db()
    assert member.user == account
    entry = AuditEntry.objects.filter(action="member.link_user").latest("seq")
    assert entry.changes == {"user": account.pk, "previous": None}
    assert "daiguanlian" in client.get(reverse("members:member_detail", args=[member.pk])).content.decode()
    # the member now opens their own record
    own = Client()
    own.force_login(account)
    assert own.get(reverse("members:member_detail", args=[member.pk])).status_code == 200
    # one account, one member
    other = _member(world, 75, "另一党员")
    taken = client.post(reverse("members:member_link_user", args=[other.pk]), {"username": "daiguanlian"})
    assert taken.status_code == 200 and "already linked to another member" in taken.content.decode()
    # empty: the link is removed
    assert client.post(url, {"username": ""}).status_code == 302
    member.refresh_from_db()
    assert member.user is None
    assert own.get(reverse("members:member_detail", args=[member.pk])).status_code == 403


def test_linking_needs_the_right_to_change_the_member(world: World) -> None:
    member = _member(world, 76, "范围外党员", work_unit=world.minzheng)
    url = reverse("members:member_link_user", args=[member.pk])
    assert _client(world.jsh_admin).get(url).status_code == 404
    liaison = _client(world.liaison)  # sees the unit's staff, but the community holds the membership
    assert liaison.get(url).status_code == 403
    assert liaison.post(url, {"username": "resident"}).status_code == 403
    member.refresh_from_db()
    assert member.user is None


# --- the quarterly feedback sheet of an employer elsewhere -------------------------------------


def test_a_community_opens_the_sheet_of_an_employer_elsewhere_whose_staff_registered_with_it(
    world: World,
) -> None:
    """湖南省民政厅 sits in 王家垅; one of its staff lives in 尖山湖 and registered there (双报到).
    尖山湖's administrator may open the unit's sheet, which lists only what 尖山湖 sees."""
    here = _member(world, 81, "王家垅职工", work_unit=world.minzheng, categories=[Category.IN_SERVICE])
    there = _member(
        world,
        82,
        "尖山湖居住职工",
        org=world.minzheng_org,
        residence=world.jsh_compound,
        work_unit=world.minzheng,
        categories=[Category.IN_SERVICE],
    )
    today = dt.date.today()
    for member, admin in ((here, world.wjl_admin), (there, world.jsh_admin)):
        report = services.member_report_create(
            actor=world.superuser, member=member, since=dt.date(today.year, 1, 1)
        )
        services.member_report_decide(actor=admin, report=report, confirm=True)
        services.report_contact_add(
            actor=admin, report=report, on=today, kind="activity", description="清扫楼道"
        )
    url = reverse("members:feedback_sheet", args=[world.minzheng.pk])
    jsh = _client(world.jsh_admin)
    page = jsh.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "湖南省民政厅" in html
    assert "尖山湖居住职工" in html and "王家垅职工" not in html
    # the unit's own people and the community where it sits see both
    both = _client(world.wjl_admin).get(url).content.decode()
    assert "尖山湖居住职工" in both and "王家垅职工" in both
    # without a registration with them, the unit elsewhere stays closed
    assert jsh.get(reverse("members:feedback_sheet", args=[world.minzheng.pk + 1000])).status_code == 404
    own_unit = _client(world.jsh_admin).get(reverse("members:feedback_sheet", args=[world.jsh_firm.pk]))
    assert own_unit.status_code == 200  # 芯城科技园 sits in 尖山湖 itself
    assert (
        _client(world.wjl_admin).get(reverse("members:feedback_sheet", args=[world.jsh_firm.pk])).status_code
        == 404
    )


def test_a_pending_or_declined_registration_does_not_open_the_sheet(world: World) -> None:
    there = _member(
        world,
        83,
        "尚未确认",
        org=world.minzheng_org,
        residence=world.jsh_compound,
        work_unit=world.minzheng,
        categories=[Category.IN_SERVICE],
    )
    services.member_report_create(actor=world.superuser, member=there)
    url = reverse("members:feedback_sheet", args=[world.minzheng.pk])
    assert _client(world.jsh_admin).get(url).status_code == 404
