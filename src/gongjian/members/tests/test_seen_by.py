"""Issue 19, defect 3: "who saw whose personal data", per member: for the member themself and for
those who may reveal the numbers, on the page and through the API, exportable (the export recorded)."""

# ruff: noqa: F811 - the ledgers' API fixtures are imported from test_api and taken as arguments

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from python_calamine import CalamineWorkbook

from gongjian.core.models import AuditEntry
from gongjian.members import services
from gongjian.members.tests.test_api import Ledgers, api, ledgers, number  # noqa: F401
from gongjian.testing import World


def _seen(world: World, ledgers: Ledgers) -> None:
    services.member_link_user(actor=world.wjl_admin, member=ledgers.wjl_m, user=world.member)
    services.member_reveal(actor=world.wjl_admin, member=ledgers.wjl_m, field="phone", reason="通知开会")
    services.member_reveal(actor=world.dongfeng_admin, member=ledgers.wjl_m, field="id_number", reason="核对")


def test_the_member_sees_who_saw_their_numbers_and_why(world: World, api: Any, ledgers: Ledgers) -> None:
    _seen(world, ledgers)
    response = api(world.member).get(f"/api/v1/members/{ledgers.wjl_m.pk}/seen-by/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = response.json()
    assert [(r["actor_label"], r["changes"]["field"], r["reason"]) for r in rows] == [
        ("dongfeng_admin", "id_number", "核对"),
        ("wjl_admin", "phone", "通知开会"),
    ]
    assert number(1) not in str(rows)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.member)
    page = client.get(f"/ledgers/members/{ledgers.wjl_m.pk}/seen-by/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "通知开会" in body and "dongfeng_admin" in body


def test_an_administrator_who_may_reveal_sees_it_others_do_not(
    world: World, api: Any, ledgers: Ledgers
) -> None:
    _seen(world, ledgers)
    assert len(api(world.wjl_admin).get(f"/api/v1/members/{ledgers.wjl_m.pk}/seen-by/").json()) == 2
    # another community's administrator does not even see the member
    assert api(world.jsh_admin).get(f"/api/v1/members/{ledgers.wjl_m.pk}/seen-by/").status_code == 404
    # nor does another member see someone else's list
    assert api(world.member).get(f"/api/v1/members/{ledgers.jsh_m.pk}/seen-by/").status_code == 404


def test_the_export_is_recorded_before_it_is_handed_over(world: World, ledgers: Ledgers) -> None:
    _seen(world, ledgers)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.wjl_admin)
    response = client.post(f"/ledgers/members/{ledgers.wjl_m.pk}/seen-by/", {"format": "xlsx"})
    assert response.status_code == 200
    entry = AuditEntry.objects.latest("seq")
    assert entry.action == "audit.export" and entry.object_id == str(ledgers.wjl_m.pk)
    assert entry.changes == {"entries": 2, "format": "xlsx", "report": "seen_by"}
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert [row[8] for row in rows[1:]] == ["核对", "通知开会"]
