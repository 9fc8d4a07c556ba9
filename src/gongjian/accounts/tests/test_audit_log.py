"""Issue 19, defect 3: the audit log is readable in the product, each administrator seeing their own
area's entries (the platform's administrators all), with filters, an export that is itself recorded,
and the same through the API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from gongjian.core.audit import audit_verify
from gongjian.core.models import AuditEntry
from gongjian.orgs import services as org_services
from gongjian.testing import World

PAGE = "/accounts/audit/"
API = "/api/v1/audit/"


def _browser(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _api(user: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(user)
    return client


@pytest.fixture
def changes(world: World) -> dict[str, AuditEntry]:
    """One change in 王家垅 (东风路街道) and one in 尖山湖 (another street)."""
    org_services.area_update(actor=world.wjl_admin, area=world.wjl, kind_label="老旧社区")
    wjl = AuditEntry.objects.latest("seq")
    org_services.area_update(actor=world.jsh_admin, area=world.jsh, kind_label="新建社区")
    jsh = AuditEntry.objects.latest("seq")
    return {"wjl": wjl, "jsh": jsh}


def test_each_entry_knows_where_on_the_map_it_happened(world: World, changes: dict[str, AuditEntry]) -> None:
    assert changes["wjl"].area_path == world.wjl.path
    assert changes["jsh"].area_path == world.jsh.path
    # the place is outside the chain: the log still verifies
    assert audit_verify().ok


def test_a_street_reads_its_own_area_and_the_platform_reads_everything(
    world: World, changes: dict[str, AuditEntry]
) -> None:
    street = _browser(world.dongfeng_admin).get(PAGE)
    assert street.status_code == 200
    seqs = {entry.seq for entry, _label in street.context["entries"]}
    assert changes["wjl"].seq in seqs and changes["jsh"].seq not in seqs
    assert f'data-seq="{changes["wjl"].seq}"' in street.content.decode()
    root = _api(world.superuser).get(API)
    assert root.status_code == 200
    api_seqs = {row["seq"] for row in root.json()["results"]}
    assert {changes["wjl"].seq, changes["jsh"].seq} <= api_seqs
    neighbour = _api(world.jsh_admin).get(API)
    assert changes["wjl"].seq not in {row["seq"] for row in neighbour.json()["results"]}


def test_members_residents_and_liaisons_may_not_read_the_log(
    world: World, changes: dict[str, AuditEntry]
) -> None:
    for user in (world.member, world.resident, world.liaison):
        page = _browser(user).get(PAGE)
        assert page.status_code == 403
        api = _api(user).get(API)
        assert api.status_code == 403 and "审计" in api.json()["detail"]


def test_filters_narrow_the_log_and_a_bad_filter_says_why(
    world: World, changes: dict[str, AuditEntry]
) -> None:
    client = _api(world.superuser)
    by_who = client.get(API, {"who": "jsh_admin", "action": "area.update"}).json()["results"]
    assert [row["seq"] for row in by_who] == [changes["jsh"].seq]
    assert by_who[0]["action_label"]  # the event's label, in the reader's language
    by_object = client.get(API, {"object_type": "orgs.area", "object_id": str(world.wjl.pk)}).json()[
        "results"
    ]
    assert changes["wjl"].seq in {row["seq"] for row in by_object}
    assert all(row["object_id"] == str(world.wjl.pk) for row in by_object)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert client.get(API, {"since": tomorrow.isoformat()}).json()["results"] == []
    assert client.get(API, {"pii_only": "true"}).json()["results"] == []
    bad = client.get(API, {"since": "2026-12-31", "until": "2026-01-01"})
    assert bad.status_code == 400 and "结束" in str(bad.json())
    page = _browser(world.superuser).get(PAGE, {"since": "2026-12-31", "until": "2026-01-01"})
    assert page.status_code == 200 and "结束" in page.content.decode()


def test_the_export_is_itself_recorded_and_holds_what_the_reader_may_read(
    world: World, changes: dict[str, AuditEntry]
) -> None:
    client = _browser(world.dongfeng_admin)
    response = client.post(f"{PAGE}export/?action=area.update", {"format": "xlsx"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    export = AuditEntry.objects.latest("seq")
    assert export.action == "audit.export" and export.actor == world.dongfeng_admin
    assert export.changes["filters"] == {"event": "area.update"} and export.changes["entries"] >= 1
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    seqs = {int(str(row[0]).split(".")[0]) for row in rows[1:]}
    assert changes["wjl"].seq in seqs and changes["jsh"].seq not in seqs
    csv = _api(world.superuser).post(f"{API}export/?fmt=csv&who=jsh_admin&action=area.update")
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "新建社区" in text and "老旧社区" not in text
    assert AuditEntry.objects.latest("seq").changes["format"] == "csv"
    assert audit_verify().ok


def test_an_unknown_format_is_refused_and_nothing_is_recorded(world: World) -> None:
    before = AuditEntry.objects.count()
    refused = _api(world.superuser).post(f"{API}export/?fmt=pdf")
    assert refused.status_code == 400
    assert AuditEntry.objects.count() == before
