"""The ledgers' pages: what each user sees, that personal numbers stay masked, and that every change
goes through a service and is audited.

ID numbers are generated at run time and never printed: a check that a number is (not) on a page
compares a boolean computed outside the assertion, so a failure cannot show the number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjian.core.models import AuditEntry
from gongjian.core.synthetic import id_number
from gongjian.members import services
from gongjian.members.models import (
    Category,
    Household,
    Member,
    MemberCategory,
    MemberReport,
    MobileRecord,
    ReportContact,
    ReportStatus,
    Station,
    StationCheckIn,
    Transfer,
    TransferStatus,
    UnitReport,
)
from gongjian.orgs import services as org_services
from gongjian.orgs.models import Level, PartyOrg
from gongjian.testing import World

BIRTH = dt.date(1972, 3, 4)


def _number(n: int, male: bool = True) -> str:
    return id_number(n, birth=BIRTH, male=male)


def _phone(n: int) -> str:
    return f"1390000{n:04d}"


def _member(world: World, n: int, *, actor=None, **kw) -> Member:
    data: dict[str, Any] = dict(
        actor=actor or world.wjl_admin,
        name=f"王小{'一二三四五六七八九十'[n % 10]}",
        id_number=_number(n),
        phone=_phone(n),
        org=world.wjl_committee,
        joined_on=dt.date(1998, 7, 1),
        residence=world.wjl_building,
        categories=[Category.DIRECT],
    )
    data.update(kw)
    return services.member_create(**data)


def _hidden(secret: str, text: str) -> bool:
    """Whether ``secret`` is absent from ``text`` (a boolean, so a failed assertion shows neither)."""
    return secret not in text


def _audits() -> int:
    return AuditEntry.objects.count()


def _last_audit(action: str) -> AuditEntry | None:
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()


@dataclass
class Scene:
    direct: Member
    in_service: Member
    retired: Member
    report: MemberReport
    mobile: MobileRecord
    station: Station
    transfer: Transfer
    household: Household
    street_org: PartyOrg


def _scene(world: World) -> Scene:
    """王家垅社区 with one member in each ledger, a registration, a mobile record, a station with a
    check-in, a transfer letter and a plaqued household."""
    admin = world.wjl_admin
    direct = _member(world, 1, categories=[Category.DIRECT, Category.HARDSHIP])
    in_service = _member(
        world,
        2,
        org=world.minzheng_org,
        work_unit=world.minzheng,
        categories=[Category.IN_SERVICE],
    )
    retired = _member(world, 3, categories=[Category.RETIRED], standing="probationary")
    services.co_management_add(
        actor=admin, member=in_service, community=world.wjl, unit=world.minzheng, since=dt.date(2020, 1, 1)
    )
    report = services.member_report_create(actor=admin, member=in_service, skills="法律咨询")
    today = timezone.localdate()
    mobile = services.mobile_record_create(
        actor=admin,
        member=retired,
        destination="深圳市南山区",
        since=today - dt.timedelta(days=400),
        reason="务工",
        card_no="LD-001",
        contact=_phone(99),
    )
    station = services.station_create(actor=admin, name="王家垅流动党员驿站", area=world.wjl)
    services.station_check_in(actor=admin, station=station, member=retired, purpose="学习")
    transfer = services.transfer_issue(
        actor=admin, member=direct, to_org=world.wjl_branch, letter_no="ZJ-2024-001"
    )
    street_org = PartyOrg.objects.get(code="PO-DFL")
    household = services.household_award(
        actor=world.dongfeng_admin,
        area=world.wjl_compound,
        address="30号1栋101",
        members=[direct],
        neighbours=["30号1栋102", "30号1栋201"],
        awarded_by=street_org,
    )
    return Scene(direct, in_service, retired, report, mobile, station, transfer, household, street_org)


def _urls(world: World, s: Scene) -> list[str]:
    """Every page of the ledgers that 东风路街道's administrator may open."""
    wjl = world.wjl.pk
    m = s.direct.pk
    entry = MemberCategory.objects.get(member=s.direct, category=Category.HARDSHIP)
    ledger = reverse("members:ledger", args=[wjl])
    return [
        reverse("members:ledger", args=[world.dongfeng.pk]),
        ledger,
        *[f"{ledger}?tab={tab}" for tab in [*Category.values, "co_managed", "reports"]],
        f"{ledger}?tab=direct&q=wxy&status=normal&standing=full&on=2024-01-01",
        reverse("members:member_list"),
        f"{reverse('members:member_list')}?q=wx&standing=probationary",
        reverse("members:member_create"),
        f"{reverse('members:member_create')}?area={wjl}&org={world.wjl_committee.pk}",
        reverse("members:member_detail", args=[m]),
        reverse("members:member_detail", args=[s.in_service.pk]),
        reverse("members:member_detail", args=[s.retired.pk]),
        reverse("members:member_edit", args=[m]),
        reverse("members:category_add", args=[m]),
        reverse("members:category_end", args=[m, entry.pk]),
        reverse("members:member_report_create", args=[s.retired.pk]),
        reverse("members:mobile_create", args=[m]),
        reverse("members:transfer_issue", args=[s.in_service.pk]),
        f"{reverse('members:transfer_issue', args=[s.in_service.pk])}?q=jsh",
        reverse("members:report_list", args=[wjl]),
        f"{reverse('members:report_list', args=[wjl])}?status=",
        reverse("members:report_detail", args=[s.report.pk]),
        reverse("members:unit_report_list"),
        f"{reverse('members:unit_report_list')}?within={wjl}",
        reverse("members:unit_report_create"),
        reverse("members:feedback_sheet", args=[world.minzheng.pk]),
        f"{reverse('members:feedback_sheet', args=[world.minzheng.pk])}?year=2024&quarter=2",
        reverse("members:mobile_list", args=[wjl]),
        f"{reverse('members:mobile_list', args=[wjl])}?show=all",
        reverse("members:mobile_end", args=[s.mobile.pk]),
        reverse("members:station_list", args=[wjl]),
        reverse("members:station_create", args=[wjl]),
        reverse("members:station_detail", args=[s.station.pk]),
        reverse("members:transfer_list"),
        f"{reverse('members:transfer_list')}?state=closed",
        f"{reverse('members:transfer_list')}?state=all",
        reverse("members:transfer_detail", args=[s.transfer.pk]),
        reverse("members:transfer_reject", args=[s.transfer.pk]),
        reverse("members:household_list", args=[wjl]),
        f"{reverse('members:household_list', args=[wjl])}?show=all",
        reverse("members:household_award", args=[world.dongfeng.pk]),
        reverse("members:household_award", args=[wjl]),
        reverse("members:household_detail", args=[s.household.pk]),
        reverse("members:household_withdraw", args=[s.household.pk]),
    ]


def _secrets(n: int) -> list[str]:
    return [_number(n), _phone(n)]


# --- every page renders, in every language, without a clear number ----------------------------


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_every_page_renders_for_an_admin_in_scope(client, world, language):
    s = _scene(world)
    client.force_login(world.dongfeng_admin)
    client.cookies["django_language"] = language
    secrets = [*_secrets(1), *_secrets(2), *_secrets(3), _phone(99)]
    for url in _urls(world, s):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, url
        for secret in secrets:
            assert _hidden(secret, html), f"a clear number is on {url}"


def test_the_community_admin_opens_the_community_pages(client, world):
    s = _scene(world)
    client.force_login(world.wjl_admin)
    for url in [
        reverse("members:ledger", args=[world.wjl.pk]),
        reverse("members:member_detail", args=[s.direct.pk]),
        reverse("members:report_detail", args=[s.report.pk]),
        reverse("members:station_detail", args=[s.station.pk]),
        reverse("members:household_detail", args=[s.household.pk]),
        reverse("members:transfer_detail", args=[s.transfer.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_home_goes_to_the_ledger_of_the_root_area(client, world):
    client.force_login(world.wjl_admin)
    response = client.get(reverse("members:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("members:ledger", args=[world.wjl.pk])
    client.force_login(world.liaison)
    assert client.get(reverse("members:home"))["Location"] == reverse("members:member_list")
    client.force_login(world.resident)
    assert client.get(reverse("members:home")).status_code == 403
    client.logout()
    assert client.get(reverse("members:home")).status_code == 302  # to the login page


# --- ledgers --------------------------------------------------------------------------------


def test_ledger_tab_counts_equal_the_lists(client, world):
    _scene(world)
    client.force_login(world.wjl_admin)
    url = reverse("members:ledger", args=[world.wjl.pk])
    counts = {t["key"]: t["count"] for t in client.get(url).context["tabs"]}
    assert counts == {
        "direct": 1,
        "in_service": 1,
        "mobile": 1,
        "retired": 1,
        "hardship": 1,
        "lost_contact": 0,
        "co_managed": 1,
        "reports": 1,
    }
    for tab, count in counts.items():
        page = client.get(url, {"tab": tab}).context["page"]
        assert page.paginator.count == count, tab
    # A date before anyone joined: every dated tab is empty.
    past = {t["key"]: t["count"] for t in client.get(url, {"on": "1990-01-01"}).context["tabs"]}
    assert past["direct"] == past["co_managed"] == 0


def test_ledger_search_and_filters(client, world):
    s = _scene(world)
    extra = _member(world, 4, name="李四", categories=[Category.DIRECT])
    client.force_login(world.wjl_admin)
    url = reverse("members:ledger", args=[world.wjl.pk])
    names = lambda **q: {m.pk for m in client.get(url, q).context["page"].object_list}  # noqa: E731
    assert names(tab="direct") == {s.direct.pk, extra.pk}
    assert names(tab="direct", q="ls") == {extra.pk}  # pinyin initials
    assert names(tab="direct", q="李") == {extra.pk}
    assert names(tab="retired", standing="probationary") == {s.retired.pk}
    assert names(tab="retired", standing="full") == set()
    assert names(tab="direct", status="deceased") == set()
    html = client.get(url, {"tab": "direct"}).content.decode()
    assert s.direct.id_number_masked in html and s.direct.phone_masked in html


def test_ledger_of_a_node_below_and_the_export_guard(client, world):
    _scene(world)
    client.force_login(world.wjl_admin)
    response = client.get(reverse("members:ledger", args=[world.wjl_compound.pk]))
    assert response.status_code == 200
    # Residents of the compound's building are listed at the compound (the subtree).
    html = response.content.decode()
    assert reverse("members:ledger", args=[world.wjl.pk]) in html  # breadcrumb up


# --- scope ----------------------------------------------------------------------------------


def _jsh(world: World):
    """A member, a station, a household, a registration and a transfer of 尖山湖社区."""
    admin = world.jsh_admin
    member = _member(
        world,
        7,
        actor=admin,
        org=world.jsh_branch,
        residence=world.jsh_compound,
        categories=[Category.DIRECT],
    )
    other = _member(
        world,
        8,
        actor=admin,
        org=world.jsh_branch,
        residence=world.jsh_compound,
        categories=[Category.IN_SERVICE],
    )
    station = services.station_create(actor=admin, name="芯城驿站", area=world.jsh)
    street = org_services.party_org_create(
        actor=world.superuser,
        name="东方红街道党工委",
        kind="working_committee",
        code="PO-DFH",
        area=world.dongfanghong,
    )
    household = services.household_award(
        actor=world.superuser,
        area=world.jsh_compound,
        address="1栋101",
        members=[member],
        neighbours=["1栋102"],
        awarded_by=street,
    )
    report = services.member_report_create(actor=admin, member=other, community=world.jsh)
    mobile = services.mobile_record_create(
        actor=admin, member=other, destination="广州", since=dt.date(2024, 1, 1)
    )
    transfer = services.transfer_issue(
        actor=admin, member=member, to_org=world.jsh_firm_org, letter_no="JSH-1"
    )
    return member, station, household, report, mobile, transfer


def _counts() -> tuple[int, ...]:
    return (
        _audits(),
        Member.objects.count(),
        MemberCategory.objects.count(),
        MemberReport.objects.count(),
        ReportContact.objects.count(),
        MobileRecord.objects.count(),
        Station.objects.count(),
        StationCheckIn.objects.count(),
        Transfer.objects.count(),
        Household.objects.count(),
        UnitReport.objects.count(),
    )


def test_a_community_admin_gets_404_on_another_community(client, world):
    member, station, household, report, mobile, transfer = _jsh(world)
    entry = MemberCategory.objects.get(member=member, category=Category.DIRECT)
    client.force_login(world.wjl_admin)
    gets = [
        reverse("members:ledger", args=[world.jsh.pk]),
        reverse("members:report_list", args=[world.jsh.pk]),
        reverse("members:mobile_list", args=[world.jsh.pk]),
        reverse("members:station_list", args=[world.jsh.pk]),
        reverse("members:station_create", args=[world.jsh.pk]),
        reverse("members:household_list", args=[world.jsh.pk]),
        reverse("members:household_award", args=[world.jsh.pk]),
        reverse("members:member_detail", args=[member.pk]),
        reverse("members:member_edit", args=[member.pk]),
        reverse("members:category_add", args=[member.pk]),
        reverse("members:category_end", args=[member.pk, entry.pk]),
        reverse("members:member_report_create", args=[member.pk]),
        reverse("members:mobile_create", args=[member.pk]),
        reverse("members:transfer_issue", args=[member.pk]),
        reverse("members:report_detail", args=[report.pk]),
        reverse("members:mobile_end", args=[mobile.pk]),
        reverse("members:station_detail", args=[station.pk]),
        reverse("members:transfer_detail", args=[transfer.pk]),
        reverse("members:transfer_reject", args=[transfer.pk]),
        reverse("members:household_detail", args=[household.pk]),
        reverse("members:household_withdraw", args=[household.pk]),
        reverse("members:feedback_sheet", args=[world.jsh_firm.pk]),
        f"{reverse('members:unit_report_list')}?within={world.jsh.pk}",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    assert member.name not in client.get(reverse("members:member_list")).content.decode()

    before = _counts()
    today = timezone.localdate().isoformat()
    posts = [
        (
            reverse("members:member_edit", args=[member.pk]),
            {"name": "改名", "ethnicity": "汉族", "standing": "full", "status": "normal"},
        ),
        (reverse("members:member_reveal", args=[member.pk]), {"field": "id_number", "reason": "查看"}),
        (reverse("members:category_add", args=[member.pk]), {"category": "retired"}),
        (reverse("members:category_end", args=[member.pk, entry.pk]), {"until": today}),
        (reverse("members:member_report_create", args=[member.pk]), {}),
        (reverse("members:mobile_create", args=[member.pk]), {"destination": "x", "since": today}),
        (
            reverse("members:transfer_issue", args=[member.pk]),
            {"to_org": world.wjl_branch.pk, "letter_no": "X-1", "valid_days": 30},
        ),
        (reverse("members:report_decide", args=[report.pk]), {"decision": "confirm"}),
        (
            reverse("members:report_contact_add", args=[report.pk]),
            {"on": today, "kind": "contact", "description": "x"},
        ),
        (reverse("members:mobile_report_back", args=[mobile.pk]), {"on": today}),
        (reverse("members:mobile_end", args=[mobile.pk]), {"until": today}),
        (reverse("members:station_create", args=[world.jsh.pk]), {"name": "x", "area": world.jsh.pk}),
        (reverse("members:station_check_in", args=[station.pk]), {"member": member.pk}),
        (reverse("members:transfer_receive", args=[transfer.pk]), {}),
        (reverse("members:transfer_reject", args=[transfer.pk]), {"reason": "x"}),
        (reverse("members:household_award", args=[world.jsh.pk]), {"area": world.jsh_compound.pk}),
        (reverse("members:household_withdraw", args=[household.pk]), {"until": today, "reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert _counts() == before
    assert Member.objects.get(pk=member.pk).name != "改名"


def test_forms_refuse_rows_outside_scope(client, world):
    """A POST naming another community's row in a choice is a form error and changes nothing."""
    s = _scene(world)
    member, _station, *_ = _jsh(world)
    client.force_login(world.wjl_admin)
    before = _counts()
    response = client.post(
        reverse("members:station_check_in", args=[s.station.pk]), {"member": member.pk, "purpose": "x"}
    )
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        reverse("members:station_create", args=[world.wjl.pk]), {"name": "x", "area": world.jsh.pk}
    )
    assert response.status_code == 200 and "area" in response.context["form"].errors
    assert _counts() == before


def test_a_member_only_seen_by_residence_cannot_be_changed(client, world):
    """wjl_admin sees a member living in 王家垅 whose membership 尖山湖 holds, but may not change them."""
    outsider = _member(world, 9, actor=world.superuser, org=world.jsh_branch, categories=[])
    client.force_login(world.wjl_admin)
    assert client.get(reverse("members:member_detail", args=[outsider.pk])).status_code == 200
    before = _counts()
    response = client.post(
        reverse("members:member_reveal", args=[outsider.pk]), {"field": "id_number", "reason": "核对"}
    )
    assert response.status_code == 403
    response = client.post(reverse("members:category_add", args=[outsider.pk]), {"category": "retired"})
    assert response.status_code == 403
    assert _counts() == before


def test_a_liaison_sees_their_units_members_only(client, world):
    s = _scene(world)
    staff = _member(world, 5, org=world.wjl_committee, work_unit=world.minzheng, categories=[])
    client.force_login(world.liaison)
    response = client.get(reverse("members:member_list"))
    assert response.status_code == 200
    shown = {m.pk for m in response.context["page"].object_list}
    assert shown == {s.in_service.pk, staff.pk}
    assert client.get(reverse("members:member_detail", args=[s.in_service.pk])).status_code == 200
    assert client.get(reverse("members:member_detail", args=[s.direct.pk])).status_code == 404
    assert client.get(reverse("members:ledger", args=[world.wjl.pk])).status_code == 404
    assert client.get(reverse("members:feedback_sheet", args=[world.minzheng.pk])).status_code == 200
    assert client.get(reverse("members:feedback_sheet", args=[world.jsh_firm.pk])).status_code == 404
    # The liaison adds a member of their unit's organisation, living anywhere in the city.
    form = client.get(reverse("members:member_create")).context["form"]
    assert list(form.fields["org"].queryset) == [world.minzheng_org]
    response = client.post(
        reverse("members:member_create"),
        {
            "name": "赵六",
            "id_number": _number(30),
            "ethnicity": "汉族",
            "joined_on": "2005-07-01",
            "standing": "full",
            "org": world.minzheng_org.pk,
            "residence": world.jsh_compound.pk,
            "work_unit": world.minzheng.pk,
        },
    )
    assert response.status_code == 302
    assert Member.objects.get(name="赵六").residence == world.jsh_compound


# --- personal numbers -----------------------------------------------------------------------


def test_reveal_needs_a_reason_shows_the_number_once_and_is_audited(client, world):
    s = _scene(world)
    clear = _number(1)
    url = reverse("members:member_reveal", args=[s.direct.pk])
    client.force_login(world.wjl_admin)
    before = _audits()
    response = client.post(url, {"field": "id_number", "reason": "  "})
    assert response.status_code == 200
    assert response.context["reveal_form"].errors
    assert _hidden(clear, response.content.decode())
    assert _audits() == before

    response = client.post(url, {"field": "id_number", "reason": "核对身份"})
    assert response.status_code == 200
    shown = clear in response.content.decode()
    assert shown
    assert "no-store" in response["Cache-Control"]
    entry = _last_audit("pii.reveal")
    assert entry is not None and entry.reason == "核对身份" and entry.changes == {"field": "id_number"}
    assert entry.object_id == str(s.direct.pk) and entry.actor_id == world.wjl_admin.pk
    assert _hidden(clear, str(list(AuditEntry.objects.values_list("changes", "reason"))))

    response = client.post(url, {"field": "phone", "reason": "联系"})
    shown = _phone(1) in response.content.decode()
    assert shown
    # The next page shows the masked numbers again.
    again = client.get(reverse("members:member_detail", args=[s.direct.pk])).content.decode()
    assert _hidden(clear, again) and _hidden(_phone(1), again)
    assert client.get(url).status_code == 405


def test_member_create_and_edit(client, world):
    client.force_login(world.wjl_admin)
    clear = _number(11, male=False)
    url = reverse("members:member_create")
    data = {
        "name": "张红",
        "id_number": clear,
        "phone": _phone(11),
        "gender": "",
        "ethnicity": "汉族",
        "joined_on": "2001-07-01",
        "standing": "full",
        "org": world.wjl_committee.pk,
        "residence": world.wjl_building.pk,
        "categories": ["direct", "hardship"],
    }
    before = _audits()
    # A birth date that does not match: the form comes back without the number in it.
    response = client.post(url, {**data, "birth_date": "1990-01-01"})
    assert response.status_code == 200
    assert "birth_date" in response.context["form"].errors
    assert _hidden(clear, response.content.decode()) and _hidden(_phone(11), response.content.decode())
    field = re.search(r'<input[^>]*name="id_number"[^>]*>', response.content.decode())
    assert field is not None and "value=" not in field.group(0) and 'autocomplete="off"' in field.group(0)
    assert _audits() == before and not Member.objects.filter(name="张红").exists()

    response = client.post(url, data)
    assert response.status_code == 302
    member = Member.objects.get(name="张红")
    assert member.gender == "F" and member.birth_date == BIRTH
    assert set(member.categories.values_list("category", flat=True)) == {"direct", "hardship"}
    assert _last_audit("member.create").object_id == str(member.pk)
    assert response["Location"] == reverse("members:member_detail", args=[member.pk])

    # The same number again is refused on the form.
    response = client.post(url, {**data, "name": "张红二"})
    assert response.status_code == 200 and "id_number" in response.context["form"].errors
    assert _hidden(clear, response.content.decode())

    edit = reverse("members:member_edit", args=[member.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "name": "张红",
            "ethnicity": "土家族",
            "standing": "probationary",
            "status": "normal",
            "residence": world.wjl_building.pk,
            "phone": _phone(12),
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ethnicity == "土家族" and member.standing == "probationary"
    assert member.phone_masked.endswith(_phone(12)[-4:])
    entry = _last_audit("member.update")
    assert entry.object_id == str(member.pk)
    assert _hidden(_phone(12), str(entry.changes))


def test_category_add_and_end(client, world):
    s = _scene(world)
    client.force_login(world.wjl_admin)
    response = client.post(
        reverse("members:category_add", args=[s.direct.pk]), {"category": "lost_contact", "note": "电话停机"}
    )
    assert response.status_code == 302
    entry = MemberCategory.objects.get(member=s.direct, category="lost_contact")
    assert _last_audit("member.category_add").object_id == str(entry.pk)
    # The same ledger twice is a message on the form.
    response = client.post(reverse("members:category_add", args=[s.direct.pk]), {"category": "lost_contact"})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(
        reverse("members:category_end", args=[s.direct.pk, entry.pk]),
        {"until": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.until == timezone.localdate()
    assert _last_audit("member.category_end").object_id == str(entry.pk)


# --- dual reporting -------------------------------------------------------------------------


def test_a_member_registers_themself_and_the_community_confirms(client, world):
    me = _member(world, 6, org=world.minzheng_org, work_unit=world.minzheng, categories=[Category.IN_SERVICE])
    Member.objects.filter(pk=me.pk).update(user=world.member)
    client.force_login(world.member)
    response = client.get(reverse("members:home"))
    assert response["Location"] == reverse("members:member_detail", args=[me.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["is_self"]
    assert client.get(reverse("members:ledger", args=[world.wjl.pk])).status_code == 403
    url = reverse("members:member_report_create", args=[me.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"skills": "电工", "preferences": "周末"})
    assert response.status_code == 302
    report = MemberReport.objects.get(member=me)
    assert report.community == world.wjl and report.status == ReportStatus.PENDING
    entry = _last_audit("report.member_create")
    assert entry.actor_id == world.member.pk
    # The member may see their own number, with a reason.
    response = client.post(
        reverse("members:member_reveal", args=[me.pk]), {"field": "phone", "reason": "核对"}
    )
    assert response.status_code == 200
    shown = _phone(6) in response.content.decode()
    assert shown

    client.force_login(world.wjl_admin)
    pending = client.get(reverse("members:report_list", args=[world.wjl.pk]))
    assert report in pending.context["page"].object_list
    response = client.post(
        reverse("members:report_decide", args=[report.pk]),
        {"decision": "confirm", "next": reverse("members:report_list", args=[world.wjl.pk])},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "members:report_list", args=[world.wjl.pk]
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.CONFIRMED
    assert _last_audit("report.member_decide").object_id == str(report.pk)

    today = timezone.localdate()
    response = client.post(
        reverse("members:report_contact_add", args=[report.pk]),
        {"on": today.isoformat(), "kind": "activity", "description": "义务维修"},
    )
    assert response.status_code == 302
    assert ReportContact.objects.filter(report=report, kind="activity").count() == 1
    assert _last_audit("report.contact_add") is not None
    response = client.post(
        reverse("members:report_contact_add", args=[report.pk]),
        {"on": "", "kind": "contact", "description": ""},
    )
    assert response.status_code == 200 and response.context["contact_form"].errors

    client.force_login(world.liaison)
    quarter = (today.month - 1) // 3 + 1
    sheet = client.get(
        reverse("members:feedback_sheet", args=[world.minzheng.pk]), {"year": today.year, "quarter": quarter}
    )
    assert sheet.status_code == 200
    rows = sheet.context["rows"]
    assert [(r["member"].pk, r["activities"]) for r in rows] == [(me.pk, 1)]


def test_a_declined_registration(client, world):
    s = _scene(world)
    client.force_login(world.wjl_admin)
    response = client.post(reverse("members:report_decide", args=[s.report.pk]), {"decision": "decline"})
    assert response.status_code == 302
    s.report.refresh_from_db()
    assert s.report.status == ReportStatus.DECLINED
    # Deciding twice is a message, not an error page.
    response = client.post(
        reverse("members:report_decide", args=[s.report.pk]), {"decision": "confirm"}, follow=True
    )
    assert response.status_code == 200
    s.report.refresh_from_db()
    assert s.report.status == ReportStatus.DECLINED


def test_a_unit_registers_with_its_community(client, world):
    client.force_login(world.liaison)
    url = reverse("members:unit_report_create")
    form = client.get(url).context["form"]
    assert list(form.fields["community"].queryset) == [world.wjl]
    response = client.post(url, {"org": world.minzheng_org.pk, "community": world.wjl.pk, "note": "报到"})
    assert response.status_code == 302
    report = UnitReport.objects.get(org=world.minzheng_org)
    assert _last_audit("report.unit_create").object_id == str(report.pk)
    client.force_login(world.wjl_admin)
    page = client.get(reverse("members:report_list", args=[world.wjl.pk]))
    assert report in page.context["unit_reports"]
    client.force_login(world.jsh_admin)
    assert report not in client.get(reverse("members:unit_report_list")).context["page"].object_list


# --- mobile members and stations ------------------------------------------------------------


def test_mobile_member_flow_and_reminders(client, world):
    s = _scene(world)
    client.force_login(world.wjl_admin)
    page = client.get(reverse("members:mobile_list", args=[world.wjl.pk]))
    assert s.mobile.pk in page.context["due_ids"] and s.mobile.pk in page.context["transfer_ids"]
    assert reverse("members:transfer_issue", args=[s.retired.pk]) in page.content.decode()

    response = client.post(
        reverse("members:mobile_create", args=[s.direct.pk]),
        {
            "destination": "北京市朝阳区",
            "since": timezone.localdate().isoformat(),
            "card_no": "LD-9",
            "contact": _phone(50),
        },
    )
    assert response.status_code == 302
    record = MobileRecord.objects.get(member=s.direct, until__isnull=True)
    assert record.contact_masked and _hidden(_phone(50), record.contact_masked)
    assert MemberCategory.objects.filter(member=s.direct, category="mobile", until__isnull=True).exists()
    assert _last_audit("mobile.create").object_id == str(record.pk)

    response = client.post(
        reverse("members:mobile_report_back", args=[s.mobile.pk]), {"on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    s.mobile.refresh_from_db()
    assert s.mobile.last_report_back == timezone.localdate()
    page = client.get(reverse("members:mobile_list", args=[world.wjl.pk]))
    assert s.mobile.pk not in page.context["due_ids"]

    response = client.post(
        reverse("members:mobile_end", args=[record.pk]), {"until": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.until == timezone.localdate()
    assert _last_audit("mobile.end").object_id == str(record.pk)


def test_station_create_and_check_in(client, world):
    s = _scene(world)
    client.force_login(world.wjl_admin)
    response = client.post(
        reverse("members:station_create", args=[world.wjl.pk]),
        {"name": "三十号庭院驿站", "area": world.wjl_compound.pk, "address": "30号"},
    )
    assert response.status_code == 302
    station = Station.objects.get(name="三十号庭院驿站")
    assert _last_audit("station.create").object_id == str(station.pk)

    url = reverse("members:station_check_in", args=[station.pk])
    # only members away from home check in at a station (the scene's retired member already is)
    services.mobile_record_create(
        actor=world.wjl_admin, member=s.direct, destination="株洲", since=dt.date(2026, 1, 1)
    )
    assert client.post(url, {"member": s.retired.pk, "purpose": "组织生活"}).status_code == 302
    # By ID number, through the blind index: the number is not echoed back.
    response = client.post(url, {"id_number": _number(1), "purpose": "学习"})
    assert response.status_code == 302
    assert set(StationCheckIn.objects.filter(station=station).values_list("member_id", flat=True)) == {
        s.retired.pk,
        s.direct.pk,
    }
    assert _last_audit("station.check_in") is not None
    response = client.post(url, {"id_number": _number(40)})
    assert response.status_code == 200 and response.context["form"].errors
    assert _hidden(_number(40), response.content.decode())
    response = client.post(url, {"purpose": "x"})
    assert response.status_code == 200 and response.context["form"].errors
    detail = client.get(reverse("members:station_detail", args=[station.pk]))
    assert detail.context["check_ins"].paginator.count == 2


# --- transfers ------------------------------------------------------------------------------


def test_transfer_issue_receive_and_reject(client, world):
    s = _scene(world)
    client.force_login(world.wjl_admin)
    # The letter of the scene: received by the branch (in 王家垅's subtree).
    detail = client.get(reverse("members:transfer_detail", args=[s.transfer.pk]))
    assert detail.context["receiver"]
    response = client.post(reverse("members:transfer_receive", args=[s.transfer.pk]))
    assert response.status_code == 302
    s.transfer.refresh_from_db()
    assert s.transfer.status == TransferStatus.RECEIVED
    assert Member.objects.get(pk=s.direct.pk).org == world.wjl_branch
    assert _last_audit("transfer.receive").object_id == str(s.transfer.pk)
    # Receiving twice is a message; nothing changes.
    before = _audits()
    assert (
        client.post(reverse("members:transfer_receive", args=[s.transfer.pk]), follow=True).status_code == 200
    )
    assert _audits() == before

    # A letter to 尖山湖: issued here, rejected there with a reason.
    url = reverse("members:transfer_issue", args=[s.retired.pk])
    issued_on = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    response = client.post(
        url,
        {"to_org": world.jsh_branch.pk, "letter_no": "ZJ-2024-002", "valid_days": 30, "issued_on": issued_on},
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get(letter_no="ZJ-2024-002")
    assert _last_audit("transfer.issue").object_id == str(transfer.pk)
    listing = client.get(reverse("members:transfer_list"))
    assert transfer.pk in listing.context["overdue_ids"]
    assert "table-danger" in listing.content.decode()
    # The same letter number again is a message on the form.
    response = client.post(url, {"to_org": world.jsh_branch.pk, "letter_no": "ZJ-2024-002", "valid_days": 30})
    assert response.status_code == 200 and response.context["form"].errors

    assert (
        client.post(reverse("members:transfer_reject", args=[transfer.pk]), {"reason": "x"}).status_code
        == 403
    )
    client.force_login(world.jsh_admin)
    assert client.get(reverse("members:transfer_detail", args=[transfer.pk])).context["receiver"]
    response = client.post(reverse("members:transfer_reject", args=[transfer.pk]), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(reverse("members:transfer_reject", args=[transfer.pk]), {"reason": "查无此人"})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.REJECTED and transfer.reason == "查无此人"
    assert _last_audit("transfer.reject").object_id == str(transfer.pk)


# --- household plaques ---------------------------------------------------------------------


def test_household_award_and_withdraw(client, world):
    s = _scene(world)
    client.force_login(world.dongfeng_admin)
    url = reverse("members:household_award", args=[world.wjl.pk])
    data = {
        "area": world.wjl_building.pk,
        "address": "1栋302",
        "members": [s.in_service.pk],
        "neighbours": "1栋301\n1栋303\n\n1栋402",
        "awarded_by": s.street_org.pk,
        "plaque_no": "DY-002",
    }
    response = client.post(url, {**data, "neighbours": "\n".join(f"门{i}" for i in range(10))})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(url, data)
    assert response.status_code == 302
    household = Household.objects.get(address="1栋302")
    assert sorted(household.neighbours.values_list("address", flat=True)) == ["1栋301", "1栋303", "1栋402"]
    assert list(household.members.all()) == [s.in_service]
    assert _last_audit("household.award").object_id == str(household.pk)

    # A community administrator is not the street: the award is refused.
    client.force_login(world.wjl_admin)
    form = client.get(url).context["form"]
    assert not form.fields["awarded_by"].queryset.exists()

    client.force_login(world.dongfeng_admin)
    response = client.post(
        reverse("members:household_withdraw", args=[household.pk]),
        {"until": timezone.localdate().isoformat(), "reason": "搬离"},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.until == timezone.localdate()
    entry = _last_audit("household.withdraw")
    assert entry.object_id == str(household.pk) and entry.reason == "搬离"
    listing = client.get(reverse("members:household_list", args=[world.wjl.pk]))
    assert household not in listing.context["page"].object_list


def test_pages_of_the_module_need_a_role(client, world):
    client.force_login(world.resident)
    for url in [
        reverse("members:member_list"),
        reverse("members:transfer_list"),
        reverse("members:ledger", args=[world.wjl.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    assert world.wjl.level == Level.COMMUNITY
