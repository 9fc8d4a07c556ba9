from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gongjian.core.models import AuditEntry
from gongjian.orgs.models import Area, ResidentUnit
from gongjian.testing import PASSWORD, credit_code


@pytest.fixture
def api(world):
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


def _ids(resp):
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["results"]}


def test_wjl_admin_reads_nothing_of_jianshanhu(world, api):
    client = api(world.wjl_admin)
    assert world.jsh.pk not in _ids(client.get("/api/v1/areas/"))
    assert client.get(f"/api/v1/areas/{world.jsh.pk}/").status_code == 404
    assert client.get(f"/api/v1/areas/{world.jsh.pk}/children/").status_code == 404
    assert client.get(f"/api/v1/units/{world.jsh_firm.pk}/").status_code == 404
    assert client.get(f"/api/v1/party-orgs/{world.jsh_branch.pk}/").status_code == 404
    assert client.get(f"/api/v1/alliances/{world.jsh_alliance.pk}/").status_code == 404
    assert client.get("/api/v1/units/", {"within": world.jsh.pk}).status_code == 404


def test_wjl_admin_changes_nothing_of_jianshanhu(world, api):
    client = api(world.wjl_admin)
    before = AuditEntry.objects.count()
    assert client.patch(f"/api/v1/areas/{world.jsh.pk}/", {"name": "x"}, format="json").status_code == 404
    assert (
        client.patch(f"/api/v1/units/{world.jsh_firm.pk}/", {"address": "x"}, format="json").status_code
        == 404
    )
    resp = client.post(
        "/api/v1/areas/", {"parent": world.jsh.pk, "name": "新小区", "level": 5}, format="json"
    )
    assert resp.status_code == 400
    assert AuditEntry.objects.count() == before
    world.jsh.refresh_from_db()
    assert world.jsh.name == "尖山湖社区"


def test_search_in_api_across_scripts_and_initials(world, api):
    client = api(world.city_admin)
    for q in ("長沙", "长沙", "cs"):
        assert world.changsha.pk in _ids(client.get("/api/v1/areas/", {"q": q}))
    assert _ids(client.get("/api/v1/areas/", {"q": "wjl"})) == {world.wjl.pk}
    assert world.minzheng.pk in _ids(client.get("/api/v1/units/", {"q": "湖南省民政廳"}))


def test_create_and_update_through_api_are_audited(world, api):
    client = api(world.wjl_admin)
    resp = client.post(
        "/api/v1/areas/", {"parent": world.wjl.pk, "name": "43号庭院", "level": 5}, format="json"
    )
    assert resp.status_code == 201, resp.content
    area = Area.objects.get(pk=resp.json()["id"])
    assert resp.json()["parent"] == world.wjl.pk
    resp = client.patch(f"/api/v1/areas/{area.pk}/", {"old_compound": True}, format="json")
    assert resp.status_code == 200 and resp.json()["old_compound"] is True
    assert AuditEntry.objects.filter(object_id=str(area.pk), action__startswith="area.").count() == 2


def test_unit_api_masks_phone_and_validates(world, api):
    client = api(world.wjl_admin)
    data = {
        "name": "市星城公证处",
        "credit_code": credit_code(4004),
        "kind": "institution",
        "rank": "municipal",
        "area": world.wjl.pk,
        "contact_phone": "13800009999",
    }
    resp = client.post("/api/v1/units/", data, format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["contact_phone_masked"] == "138****9999" and "contact_phone" not in body
    assert "13800009999" not in resp.content.decode()
    bad = client.post("/api/v1/units/", {**data, "credit_code": "91430100MA4L16JQ9B"}, format="json")
    assert bad.status_code == 400 and "credit_code" in bad.json()
    dup = client.post("/api/v1/units/", data, format="json")
    assert dup.status_code == 400
    assert ResidentUnit.objects.filter(name="市星城公证处").count() == 1


def test_reveal_needs_reason_and_is_audited(world, api):
    client = api(world.wjl_admin)
    url = f"/api/v1/units/{world.minzheng.pk}/reveal-contact-phone/"
    assert client.post(url, {}, format="json").status_code == 400
    resp = client.post(url, {"reason": "核对联系人"}, format="json")
    assert resp.json() == {"contact_phone": "13800001234"}
    assert AuditEntry.objects.filter(action="pii.reveal", reason="核对联系人").count() == 1


def test_error_messages_follow_the_users_language(world, api):
    client = api(world.wjl_admin)
    data = {"name": "坏代码", "credit_code": "91430100MA4L16JQ9B", "kind": "private", "area": world.wjl.pk}
    zh = client.post("/api/v1/units/", data, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = client.post("/api/v1/units/", data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 400
    assert "统一社会信用代码" in str(zh.json()["credit_code"])
    assert "unified social credit code" in str(en.json()["credit_code"])


def test_alliance_members_api(world, api):
    client = api(world.dongfeng_admin)
    resp = client.get(f"/api/v1/alliances/{world.alliance.pk}/members/")
    assert [m["unit"] for m in resp.json()] == [world.minzheng.pk]
    member_id = resp.json()[0]["id"]
    resp = client.post(
        f"/api/v1/alliances/{world.alliance.pk}/end-membership/",
        {"member": member_id, "until": "2026-01-01"},
        format="json",
    )
    assert resp.status_code == 200 and resp.json()["until"] == "2026-01-01"
    assert client.get(f"/api/v1/alliances/{world.alliance.pk}/members/").json() == []


def test_token_login_and_use(world):
    client = APIClient()
    resp = client.post("/api/v1/auth/token/", {"username": "wjl_admin", "password": PASSWORD}, format="json")
    assert resp.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {resp.json()['token']}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "wjl_admin" and me["roles"][0]["kind"] == "community_admin"
    assert APIClient().get("/api/v1/areas/").status_code in (401, 403)


def test_schema_and_docs_are_served(world, client):
    client.force_login(world.city_admin)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/areas/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_moving_an_org_or_changing_a_convener_is_refused_not_ignored(world, api):
    client = api(world.city_admin)
    url = f"/api/v1/party-orgs/{world.wjl_branch.pk}/"
    same = client.patch(url, {"area": world.wjl_compound.pk, "secretary": "书记甲"}, format="json")
    assert same.status_code == 200 and same.json()["secretary"] == "书记甲"
    moved = client.patch(url, {"area": world.jsh.pk}, format="json")
    assert moved.status_code == 400 and "area" in moved.json()
    world.wjl_branch.refresh_from_db()
    assert world.wjl_branch.area == world.wjl_compound
    resp = client.patch(
        f"/api/v1/alliances/{world.alliance.pk}/", {"convener": world.wjl_committee.pk}, format="json"
    )
    assert resp.status_code == 400 and "convener" in resp.json()
