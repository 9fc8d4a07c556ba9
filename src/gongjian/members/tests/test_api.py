"""The ledgers' REST API: scope, masking, audited reveals, validation, and each resource's flow.

ID numbers are built at run time by ``gongjian.core.synthetic.id_number``; assertions compare
them without ever printing one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from gongjian.core.models import AuditEntry
from gongjian.core.synthetic import id_number
from gongjian.members import services
from gongjian.members.models import Category, Household, Member, MemberCategory, Station, Transfer
from gongjian.orgs import services as org_services
from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

BIRTH = dt.date(1975, 3, 14)
CJK = re.compile(r"[\u4e00-\u9fff]")


def number(n: int, **kw: Any) -> str:
    return id_number(n, birth=BIRTH, **kw)


def phone(n: int) -> str:
    return f"1390000{n:04d}"


@dataclass
class Ledgers:
    wjl_m: Member
    jsh_m: Member
    mz_m: Member
    jsh_station: Station
    jsh_household: Household
    dongfeng_org: PartyOrg


@pytest.fixture
def api(world: World) -> Any:
    def as_user(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


@pytest.fixture
def ledgers(world: World) -> Ledgers:
    wjl_m = services.member_create(
        actor=world.wjl_admin,
        name="王家垅党员",
        id_number=number(1),
        phone=phone(1),
        org=world.wjl_committee,
        joined_on=dt.date(1998, 7, 1),
        residence=world.wjl_building,
        categories=[Category.DIRECT],
    )
    jsh_m = services.member_create(
        actor=world.jsh_admin,
        name="尖山湖党员",
        id_number=number(2),
        phone=phone(2),
        org=world.jsh_branch,
        joined_on=dt.date(1999, 7, 1),
        residence=world.jsh_compound,
        categories=[Category.DIRECT],
    )
    mz_m = services.member_create(
        actor=world.liaison,
        name="民政厅党员",
        id_number=number(3),
        phone=phone(3),
        org=world.minzheng_org,
        joined_on=dt.date(2003, 7, 1),
        residence=world.jsh_compound,
        work_unit=world.minzheng,
        categories=[Category.IN_SERVICE],
    )
    station = services.station_create(actor=world.jsh_admin, name="尖山湖流动党员驿站", area=world.jsh)
    street = org_services.party_org_create(
        actor=world.city_admin,
        name="东方红街道党工委",
        kind="working_committee",
        code="PO-DFH",
        area=world.dongfanghong,
    )
    household = services.household_award(
        actor=world.city_admin,
        area=world.jsh_compound,
        address="芯城小区3栋201",
        members=[jsh_m],
        neighbours=["3栋202"],
        awarded_by=street,
    )
    dongfeng_org = PartyOrg.objects.get(code="PO-DFL")
    return Ledgers(wjl_m, jsh_m, mz_m, station, household, dongfeng_org)


def _ids(resp: Any) -> set[int]:
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["results"]}


def _no_clear_values(resp: Any, *clear: str) -> None:
    body = resp.content.decode()
    for value in clear:
        assert value not in body, "a clear personal number is in the response"


# --- scope ----------------------------------------------------------------------------------


def test_wjl_admin_reads_nothing_of_jianshanhu(world: World, api: Any, ledgers: Ledgers) -> None:
    client = api(world.wjl_admin)
    jsh_m, station, household = ledgers.jsh_m, ledgers.jsh_station, ledgers.jsh_household
    assert _ids(client.get("/api/v1/members/")) == {ledgers.wjl_m.pk, ledgers.mz_m.pk}
    assert client.get(f"/api/v1/members/{jsh_m.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/{jsh_m.pk}/categories/").status_code == 404
    assert client.get("/api/v1/members/", {"within": world.jsh.pk}).status_code == 404
    assert client.get(f"/api/v1/ledgers/{world.jsh.pk}/counts/").status_code == 404
    assert client.post("/api/v1/members/lookup/", {"id_number": number(2)}, format="json").status_code == 404
    assert station.pk not in _ids(client.get("/api/v1/stations/"))
    assert client.get(f"/api/v1/stations/{station.pk}/").status_code == 404
    assert client.get(f"/api/v1/stations/{station.pk}/check-ins/").status_code == 404
    assert household.pk not in _ids(client.get("/api/v1/households/"))
    assert client.get(f"/api/v1/households/{household.pk}/").status_code == 404
    assert _ids(client.get("/api/v1/mobile-records/")) == set()


def test_wjl_admin_changes_nothing_of_jianshanhu(world: World, api: Any, ledgers: Ledgers) -> None:
    client = api(world.wjl_admin)
    jsh_m, station, household = ledgers.jsh_m, ledgers.jsh_station, ledgers.jsh_household
    entry = MemberCategory.objects.get(member=jsh_m)
    before = AuditEntry.objects.count()
    not_found = [
        client.patch(f"/api/v1/members/{jsh_m.pk}/", {"name": "改名"}, format="json"),
        client.post(f"/api/v1/members/{jsh_m.pk}/reveal/", {"field": "id_number", "reason": "查看"}),
        client.post(f"/api/v1/members/{jsh_m.pk}/categories/", {"category": "retired"}, format="json"),
        client.post(f"/api/v1/member-categories/{entry.pk}/end/", {"until": "2030-01-01"}, format="json"),
        client.post(f"/api/v1/stations/{station.pk}/check-ins/", {"member": jsh_m.pk}, format="json"),
        client.post(
            f"/api/v1/households/{household.pk}/withdraw/",
            {"until": "2030-01-01", "reason": "x"},
            format="json",
        ),
    ]
    assert [r.status_code for r in not_found] == [404] * len(not_found)
    refused = {
        "member": client.post(
            "/api/v1/mobile-records/",
            {"member": jsh_m.pk, "destination": "深圳", "since": "2025-01-01"},
            format="json",
        ),
        "area": client.post("/api/v1/stations/", {"name": "越界驿站", "area": world.jsh.pk}, format="json"),
        "org": client.post(
            "/api/v1/members/",
            {"name": "越界", "id_number": number(9), "org": world.jsh_branch.pk, "joined_on": "2000-07-01"},
            format="json",
        ),
    }
    for field, resp in refused.items():
        assert resp.status_code == 400 and field in resp.json(), resp.content
    resp = client.post(
        "/api/v1/transfers/",
        {"member": jsh_m.pk, "to_org": world.wjl_committee.pk, "letter_no": "X-1"},
        format="json",
    )
    assert resp.status_code == 400 and "member" in resp.json()
    assert AuditEntry.objects.count() == before
    jsh_m.refresh_from_db()
    assert jsh_m.name == "尖山湖党员" and not Transfer.objects.exists()
    assert Household.objects.get(pk=household.pk).until is None


def test_liaison_sees_only_its_units_members(world: World, api: Any, ledgers: Ledgers) -> None:
    client = api(world.liaison)
    assert _ids(client.get("/api/v1/members/")) == {ledgers.mz_m.pk}
    assert client.get(f"/api/v1/members/{ledgers.wjl_m.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/{ledgers.jsh_m.pk}/").status_code == 404
    own = {
        "name": "民政厅新党员",
        "id_number": number(10),
        "joined_on": "2010-07-01",
        "work_unit": world.minzheng.pk,
    }
    resp = client.post("/api/v1/members/", {**own, "org": world.minzheng_org.pk}, format="json")
    assert resp.status_code == 201, resp.content
    other = client.post(
        "/api/v1/members/", {**own, "id_number": number(11), "org": world.wjl_committee.pk}, format="json"
    )
    assert other.status_code == 400 and "org" in other.json()
    assert _ids(client.get("/api/v1/members/")) == {ledgers.mz_m.pk, resp.json()["id"]}


def test_a_member_sees_only_themself(world: World, api: Any, ledgers: Ledgers) -> None:
    Member.objects.filter(pk=ledgers.wjl_m.pk).update(user=world.member)
    client = api(world.member)
    assert _ids(client.get("/api/v1/members/")) == {ledgers.wjl_m.pk}
    assert client.get(f"/api/v1/members/{ledgers.wjl_m.pk}/").status_code == 200
    assert client.get(f"/api/v1/members/{ledgers.mz_m.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/{ledgers.wjl_m.pk}/categories/").status_code == 200
    resp = client.post(
        f"/api/v1/members/{ledgers.wjl_m.pk}/reveal/", {"field": "phone", "reason": "本人核对"}
    )
    assert resp.status_code == 200 and resp.json()["value"] == phone(1)
    assert (
        client.patch(f"/api/v1/members/{ledgers.wjl_m.pk}/", {"name": "x"}, format="json").status_code == 403
    )
    assert client.post("/api/v1/members/lookup/", {"id_number": number(3)}, format="json").status_code == 404
    assert _ids(client.get("/api/v1/transfers/")) == set() and _ids(client.get("/api/v1/stations/")) == set()
    assert _ids(api(world.resident).get("/api/v1/members/")) == set()


# --- personal data --------------------------------------------------------------------------


def test_responses_carry_masked_numbers_only(world: World, api: Any, ledgers: Ledgers) -> None:
    client = api(world.wjl_admin)
    clear_id, clear_phone = number(20, male=False), phone(20)
    resp = client.post(
        "/api/v1/members/",
        {
            "name": "新党员",
            "id_number": clear_id,
            "phone": clear_phone,
            "org": world.wjl_branch.pk,
            "joined_on": "2001-07-01",
            "residence": world.wjl_building.pk,
            "categories": ["direct", "hardship"],
        },
        format="json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["id_number_masked"] == clear_id[:6] + "********" + clear_id[-4:]
    assert body["phone_masked"] == clear_phone[:3] + "****" + clear_phone[-4:]
    assert "id_number" not in body and "phone" not in body and "birth_date" not in body
    assert body["birth_year"] == BIRTH.year and body["gender"] == "F"
    pk = body["id"]
    for r in (
        resp,
        client.get("/api/v1/members/"),
        client.get("/api/v1/members/", {"q": "新党员"}),
        client.get(f"/api/v1/members/{pk}/"),
        client.get(f"/api/v1/members/{pk}/categories/"),
        client.post("/api/v1/members/lookup/", {"id_number": clear_id}, format="json"),
        client.patch(f"/api/v1/members/{pk}/", {"phone": phone(21)}, format="json"),
    ):
        assert r.status_code in (200, 201), r.content
        # Nor the birth date: with the masked number it would rebuild the whole ID number.
        _no_clear_values(r, clear_id, clear_phone, phone(21), BIRTH.strftime("%Y%m%d"), BIRTH.isoformat())
    assert client.get(f"/api/v1/members/{pk}/").json()["phone_masked"].endswith(phone(21)[-4:])
    changes = str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert clear_id not in changes and clear_phone not in changes and phone(21) not in changes


def test_reveal_needs_a_reason_and_is_audited(world: World, api: Any, ledgers: Ledgers) -> None:
    client = api(world.wjl_admin)
    url = f"/api/v1/members/{ledgers.wjl_m.pk}/reveal/"
    before = AuditEntry.objects.filter(action="pii.reveal").count()
    assert client.post(url, {"field": "id_number"}, format="json").status_code == 400
    blank = client.post(url, {"field": "id_number", "reason": "  "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()
    bad = client.post(url, {"field": "birth_date", "reason": "核对"}, format="json")
    assert bad.status_code == 400 and "field" in bad.json()
    assert AuditEntry.objects.filter(action="pii.reveal").count() == before
    resp = client.post(url, {"field": "id_number", "reason": "办理组织关系转接"}, format="json")
    assert resp.status_code == 200
    assert resp.json() == {"field": "id_number", "value": number(1)}
    assert resp["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.filter(action="pii.reveal").order_by("-seq").first()
    assert entry is not None and entry.reason == "办理组织关系转接" and entry.actor == world.wjl_admin
    assert entry.object_id == str(ledgers.wjl_m.pk) and entry.changes == {"field": "id_number"}
    assert number(1) not in str(entry.changes) + entry.object_label
    # jsh_admin sees mz_m (lives in 尖山湖) but may not change them, so may not reveal either.
    other = api(world.jsh_admin).post(
        f"/api/v1/members/{ledgers.mz_m.pk}/reveal/", {"field": "phone", "reason": "查看"}, format="json"
    )
    assert other.status_code == 403
    assert AuditEntry.objects.filter(action="pii.reveal").count() == before + 1


def test_lookup_by_id_number(world: World, api: Any, ledgers: Ledgers) -> None:
    url = "/api/v1/members/lookup/"
    found = api(world.wjl_admin).post(url, {"id_number": number(1)}, format="json")
    assert found.status_code == 200 and found.json()["id"] == ledgers.wjl_m.pk
    assert api(world.jsh_admin).post(url, {"id_number": number(1)}, format="json").status_code == 404
    unknown = api(world.wjl_admin).post(url, {"id_number": number(99)}, format="json")
    assert unknown.status_code == 404
    bad = number(1)[:-1] + ("0" if number(1)[-1] != "0" else "1")
    resp = api(world.wjl_admin).post(url, {"id_number": bad}, format="json")
    assert resp.status_code == 400 and "id_number" in resp.json()
    _no_clear_values(resp, bad)
    assert api(world.wjl_admin).get(url).status_code == 405


# --- validation -----------------------------------------------------------------------------


def _create(client: APIClient, world: World, lang: str = "en", **over: Any) -> Any:
    data = {"name": "校验", "id_number": number(30), "org": world.wjl_committee.pk, "joined_on": "2000-07-01"}
    data.update(over)
    return client.post("/api/v1/members/", data, format="json", HTTP_ACCEPT_LANGUAGE=lang)


def test_create_validates_in_the_users_language_and_changes_nothing(
    world: World, api: Any, ledgers: Ledgers
) -> None:
    client = api(world.wjl_admin)
    members, audit = Member.objects.count(), AuditEntry.objects.count()
    good = number(30)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    cases: dict[str, list[dict[str, Any]]] = {
        "id_number": [{"id_number": bad_check}, {"id_number": "123"}, {"id_number": number(1)}],
        "birth_date": [{"birth_date": "1975-03-15"}],
        "gender": [{"gender": "F"}],
        "joined_on": [{"joined_on": "1970-01-01"}],
        "residence": [{"categories": ["in_service"]}],
    }
    for field, variants in cases.items():
        for over in variants:
            for lang in ("en", "zh-hans"):
                resp = _create(client, world, lang, **over)
                assert resp.status_code == 400 and field in resp.json(), (field, lang, resp.status_code)
                _no_clear_values(resp, good, bad_check, number(1))
    en = _create(client, world, "en", birth_date="1975-03-15").json()["birth_date"][0]
    assert "birth date" in en
    assert "ID number" in _create(client, world, "en", id_number=bad_check).json()["id_number"][0]
    missing = _create(client, world, "zh-hans", name="", joined_on="not a date").json()
    assert CJK.search(missing["name"][0]) and CJK.search(missing["joined_on"][0])
    assert not CJK.search(_create(client, world, "en", name="").json()["name"][0])
    assert Member.objects.count() == members and AuditEntry.objects.count() == audit
    assert _create(client, world, gender="M", birth_date=BIRTH.isoformat()).status_code == 201


def test_partial_update_goes_through_the_service(world: World, api: Any, ledgers: Ledgers) -> None:
    client = api(world.wjl_admin)
    url = f"/api/v1/members/{ledgers.wjl_m.pk}/"
    resp = client.patch(url, {"education": "bachelor", "name": "王家壟黨員"}, format="json")
    assert resp.status_code == 200 and resp.json()["education"] == "bachelor"
    assert resp.json()["name"] == "王家壟黨員"
    for q in ("家壟黨", "家垄党"):  # the search keys follow the new name, in either script
        assert _ids(client.get("/api/v1/members/", {"q": q})) == {ledgers.wjl_m.pk}
    for field, value in (
        ("org", world.wjl_branch.pk),
        ("id_number", number(5)),
        ("birth_date", "1975-03-15"),
    ):
        refused = client.patch(url, {field: value, "volunteer_no": "V-1"}, format="json")
        assert refused.status_code == 400 and list(refused.json()) == [field]
        _no_clear_values(refused, number(5))
    member = Member.objects.get(pk=ledgers.wjl_m.pk)
    assert member.org == world.wjl_committee and member.volunteer_no == ""
    assert client.patch(url, {"status": "nonsense"}, format="json").status_code == 400
    resp = client.patch(url, {"status": "deceased"}, format="json")
    assert resp.status_code == 200
    assert not MemberCategory.objects.filter(member=ledgers.wjl_m, until__isnull=True).exists()
    assert _ids(client.get("/api/v1/members/", {"status": "deceased"})) == {ledgers.wjl_m.pk}
    assert AuditEntry.objects.filter(action="member.update", object_id=str(ledgers.wjl_m.pk)).count() == 2


def test_digits_only_ids_and_bad_filters(world: World, api: Any, ledgers: Ledgers) -> None:
    client = api(world.wjl_admin)
    assert client.get("/api/v1/members/abc/").status_code == 404
    assert client.get("/api/v1/members/", {"on": "yesterday", "category": "direct"}).status_code == 400
    assert client.get("/api/v1/members/", {"category": "nope"}).status_code == 400
    assert client.get("/api/v1/members/", {"within": "x"}).status_code == 400
    assert APIClient().get("/api/v1/members/").status_code in (401, 403)


# --- ledgers and categories -----------------------------------------------------------------


def test_categories_history_and_ledger_counts(world: World, api: Any, ledgers: Ledgers) -> None:
    client = api(world.wjl_admin)
    url = f"/api/v1/members/{ledgers.wjl_m.pk}/categories/"
    resp = client.post(url, {"category": "retired", "since": "2020-01-01"}, format="json")
    assert resp.status_code == 201 and resp.json()["area"] == world.wjl.pk
    again = client.post(url, {"category": "retired"}, format="json")
    assert again.status_code == 400 and "category" in again.json()
    assert client.post(url, {"category": "nope"}, format="json").status_code == 400
    history = client.get(url).json()
    assert sorted(row["category"] for row in history) == ["direct", "retired"]
    direct = next(row for row in history if row["category"] == "direct")
    end = f"/api/v1/member-categories/{direct['id']}/end/"
    early = client.post(end, {"until": "1990-01-01"}, format="json")
    assert early.status_code == 400 and "until" in early.json()
    assert client.post(end, {"until": "2021-01-01"}, format="json").json()["until"] == "2021-01-01"
    counts = client.get(f"/api/v1/ledgers/{world.wjl.pk}/counts/", {"on": "2020-06-01"}).json()
    assert counts["area"] == world.wjl.pk and counts["on"] == "2020-06-01"
    assert counts["counts"]["direct"] == 1 and counts["counts"]["retired"] == 1
    today = client.get(f"/api/v1/ledgers/{world.wjl.pk}/counts/").json()["counts"]
    assert today["direct"] == 0 and today["retired"] == 1 and set(today) == set(Category.values)
    ledger = client.get(
        "/api/v1/members/", {"within": world.wjl.pk, "category": "direct", "on": "2020-06-01"}
    )
    assert _ids(ledger) == {ledgers.wjl_m.pk}


# --- transfers ------------------------------------------------------------------------------


def test_transfers_flow_through_the_api(world: World, api: Any, ledgers: Ledgers) -> None:
    wjl, jsh = api(world.wjl_admin), api(world.jsh_admin)
    member = services.member_create(
        actor=world.wjl_admin,
        name="转出党员",
        id_number=number(40),
        org=world.wjl_committee,
        joined_on=dt.date(2000, 7, 1),
        categories=[Category.DIRECT],
    )
    letter = {"member": member.pk, "to_org": world.jsh_branch.pk, "letter_no": "湘组转〔2026〕1号"}
    resp = wjl.post("/api/v1/transfers/", letter, format="json")
    assert resp.status_code == 201, resp.content
    transfer = resp.json()
    assert transfer["status"] == "issued" and transfer["from_org"] == world.wjl_committee.pk
    second = wjl.post("/api/v1/transfers/", {**letter, "letter_no": "L-2"}, format="json")
    assert second.status_code == 400 and "member" in second.json()
    too_long = wjl.post(
        "/api/v1/transfers/", {**letter, "letter_no": "L-3", "valid_days": 400}, format="json"
    )
    assert too_long.status_code == 400
    url = f"/api/v1/transfers/{transfer['id']}/"
    assert wjl.post(url + "receive/", {}, format="json").status_code == 403
    assert jsh.get("/api/v1/members/").json()["count"] == 2  # jsh_m and mz_m: not yet the newcomer
    assert _ids(jsh.get("/api/v1/transfers/", {"status": "issued"})) == {transfer["id"]}
    resp = jsh.post(url + "receive/", {}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "received"
    again = jsh.post(url + "receive/", {}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    member.refresh_from_db()
    assert member.org == world.jsh_branch
    assert jsh.get(f"/api/v1/members/{member.pk}/").status_code == 200
    assert wjl.get(f"/api/v1/members/{member.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="transfer.receive").count() == 1
    # Rejected: a reason is needed, and the membership stays.
    letter2 = {"member": ledgers.wjl_m.pk, "to_org": world.jsh_branch.pk, "letter_no": "L-9"}
    t2 = wjl.post("/api/v1/transfers/", letter2, format="json").json()
    assert jsh.post(f"/api/v1/transfers/{t2['id']}/reject/", {}, format="json").status_code == 400
    resp = jsh.post(f"/api/v1/transfers/{t2['id']}/reject/", {"reason": "不在本支部"}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "rejected"
    ledgers.wjl_m.refresh_from_db()
    assert ledgers.wjl_m.org == world.wjl_committee
    assert api(world.liaison).get(f"/api/v1/transfers/{t2['id']}/").status_code == 404


# --- reports, co-management, mobile members, stations, plaques -----------------------------------


def test_dual_reporting_and_co_management(world: World, api: Any, ledgers: Ledgers) -> None:
    liaison, jsh, wjl = api(world.liaison), api(world.jsh_admin), api(world.wjl_admin)
    resp = liaison.post(
        "/api/v1/member-reports/", {"member": ledgers.mz_m.pk, "skills": "法律咨询"}, format="json"
    )
    assert resp.status_code == 201, resp.content
    report = resp.json()
    assert report["community"] == world.jsh.pk and report["status"] == "pending"
    url = f"/api/v1/member-reports/{report['id']}/"
    # wjl_admin sees mz_m (民政厅 sits in 王家垅) but the report is 尖山湖's to decide.
    assert wjl.post(url + "decide/", {"confirm": True}, format="json").status_code == 403
    assert api(world.resident).get(url).status_code == 404
    assert liaison.post(url + "decide/", {"confirm": True}, format="json").status_code == 403
    early = jsh.post(
        url + "contacts/", {"on": "2026-02-01", "kind": "activity", "description": "普法"}, format="json"
    )
    assert early.status_code == 400 and "report" in early.json()
    assert jsh.post(url + "decide/", {"confirm": True, "on": "2026-01-05"}, format="json").json()[
        "status"
    ] == ("confirmed")
    contact = jsh.post(
        url + "contacts/", {"on": "2026-02-01", "kind": "activity", "description": "普法"}, format="json"
    )
    assert contact.status_code == 201 and contact.json()["report"] == report["id"]
    assert _ids(liaison.get("/api/v1/member-reports/", {"status": "confirmed"})) == {report["id"]}

    resp = liaison.post(
        "/api/v1/unit-reports/", {"org": world.minzheng_org.pk, "community": world.wjl.pk}, format="json"
    )
    assert resp.status_code == 201, resp.content
    assert _ids(wjl.get("/api/v1/unit-reports/")) == {resp.json()["id"]}
    assert jsh.get(f"/api/v1/unit-reports/{resp.json()['id']}/").status_code == 404
    dup = liaison.post(
        "/api/v1/unit-reports/", {"org": world.minzheng_org.pk, "community": world.wjl.pk}, format="json"
    )
    assert dup.status_code == 400

    co = {
        "member": ledgers.mz_m.pk,
        "community": world.wjl.pk,
        "unit": world.minzheng.pk,
        "since": "2018-08-01",
    }
    resp = wjl.post("/api/v1/co-managements/", co, format="json")
    assert resp.status_code == 201, resp.content
    row = resp.json()
    assert _ids(wjl.get("/api/v1/co-managements/")) == {row["id"]}
    assert jsh.get(f"/api/v1/co-managements/{row['id']}/").status_code == 404
    assert (
        jsh.post("/api/v1/co-managements/", {**co, "community": world.jsh.pk}, format="json").status_code
        == 400
    )
    resp = wjl.post(f"/api/v1/co-managements/{row['id']}/end/", {"until": "2025-12-31"}, format="json")
    assert resp.status_code == 200 and resp.json()["until"] == "2025-12-31"
    assert wjl.get(f"/api/v1/co-managements/{row['id']}/").status_code == 200
    assert _ids(wjl.get("/api/v1/co-managements/")) == set()


def test_mobile_members_stations_and_reminders(world: World, api: Any, ledgers: Ledgers) -> None:
    wjl, jsh = api(world.wjl_admin), api(world.jsh_admin)
    contact = phone(50)
    data = {
        "member": ledgers.wjl_m.pk,
        "destination": "高新区尖山湖",
        "destination_area": world.jsh.pk,
        "since": "2025-01-10",
        "card_no": "LD-001",
        "contact": contact,
    }
    resp = wjl.post("/api/v1/mobile-records/", data, format="json")
    assert resp.status_code == 201, resp.content
    record = resp.json()
    assert record["contact_masked"].endswith(contact[-4:]) and "contact" not in record
    _no_clear_values(resp, contact)
    assert wjl.post("/api/v1/mobile-records/", data, format="json").status_code == 400
    cats = wjl.get(f"/api/v1/members/{ledgers.wjl_m.pk}/categories/").json()
    assert any(c["category"] == "mobile" and c["until"] is None for c in cats)
    due = wjl.get("/api/v1/mobile-reminders/", {"on": "2026-02-01"}).json()
    assert [r["id"] for r in due["report_back_due"]] == [record["id"]]
    assert [r["id"] for r in due["transfer_prompted"]] == [record["id"]]
    url = f"/api/v1/mobile-records/{record['id']}/"
    assert wjl.post(url + "report-back/", {"on": "2026-01-20"}, format="json").status_code == 200
    due = wjl.get("/api/v1/mobile-reminders/", {"on": "2026-02-01"}).json()
    assert due["report_back_due"] == [] and len(due["transfer_prompted"]) == 1

    # 尖山湖's station signs in the member who is away to 尖山湖, though jsh_admin cannot read them.
    station = jsh.post(
        "/api/v1/stations/", {"name": "芯城驿站", "area": world.jsh_compound.pk}, format="json"
    )
    assert station.status_code == 201, station.content
    checkins = f"/api/v1/stations/{station.json()['id']}/check-ins/"
    resp = jsh.post(checkins, {"member": ledgers.wjl_m.pk, "purpose": "学习"}, format="json")
    assert resp.status_code == 201, resp.content
    assert jsh.get(f"/api/v1/members/{ledgers.wjl_m.pk}/").status_code == 404
    listed = jsh.get(checkins).json()
    assert listed["count"] == 1 and listed["results"][0]["member"] == ledgers.wjl_m.pk
    stranger = services.member_create(
        actor=world.wjl_admin,
        name="未外出",
        id_number=number(60),
        org=world.wjl_committee,
        joined_on=dt.date(2000, 1, 1),
    )
    assert jsh.post(checkins, {"member": stranger.pk}, format="json").status_code == 400

    resp = wjl.post(url + "end/", {"until": "2026-03-01"}, format="json")
    assert resp.status_code == 200 and resp.json()["until"] == "2026-03-01"
    assert _ids(wjl.get("/api/v1/mobile-records/")) == set()
    assert _ids(wjl.get("/api/v1/mobile-records/", {"current": "false"})) == {record["id"]}
    assert jsh.post(checkins, {"member": ledgers.wjl_m.pk}, format="json").status_code == 400


def test_household_plaques(world: World, api: Any, ledgers: Ledgers) -> None:
    street, wjl = api(world.dongfeng_admin), api(world.wjl_admin)
    data = {
        "area": world.wjl_building.pk,
        "address": "1栋101",
        "members": [ledgers.wjl_m.pk],
        "neighbours": ["1栋102", "1栋103"],
        "awarded_by": ledgers.dongfeng_org.pk,
        "plaque_no": "DF-001",
    }
    assert street.post("/api/v1/households/", {**data, "neighbours": []}, format="json").status_code == 400
    assert (
        street.post("/api/v1/households/", {**data, "members": [ledgers.jsh_m.pk]}, format="json").status_code
        == 400
    )
    assert (
        wjl.post("/api/v1/households/", data, format="json").status_code == 400
    )  # street org not on its map
    resp = street.post("/api/v1/households/", data, format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["neighbours"] == ["1栋102", "1栋103"] and body["members"] == [ledgers.wjl_m.pk]
    assert _ids(wjl.get("/api/v1/households/")) == {body["id"]}
    resp = wjl.post(
        f"/api/v1/households/{body['id']}/withdraw/", {"until": "2027-01-01", "reason": "迁出"}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["until"] == "2027-01-01"
    assert AuditEntry.objects.filter(action="household.withdraw", reason="迁出").count() == 1


# --- schema ---------------------------------------------------------------------------------


def test_schema_describes_the_ledgers(world: World, client: Any) -> None:
    client.force_login(world.city_admin)
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/members/" in paths and "/api/v1/members/lookup/" in paths
    assert "post" in paths["/api/v1/members/{id}/reveal/"] and "get" not in paths["/api/v1/members/lookup/"]
    member = schema.json()["components"]["schemas"]["Member"]["properties"]
    assert "id_number_masked" in member and "id_number" not in member and "phone" not in member


def test_browsable_api_pages_render_masked(world: World, api: Any, ledgers: Ledgers) -> None:
    client = api(world.wjl_admin)
    for url in (
        "/api/v1/members/",
        f"/api/v1/members/{ledgers.wjl_m.pk}/",
        "/api/v1/transfers/",
        "/api/v1/mobile-reminders/",
    ):
        resp = client.get(url, HTTP_ACCEPT="text/html")
        assert resp.status_code == 200, url
        _no_clear_values(resp, number(1), phone(1))
    assert client.get("/api/v1/mobile-reminders/", {"within": world.jsh.pk}).status_code == 404
