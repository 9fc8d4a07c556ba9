from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from gongjian.core.audit import audit_verify
from gongjian.core.models import AppendOnlyError, AuditEntry
from gongjian.orgs import services


def test_every_write_is_in_the_chain_and_it_verifies(world):
    before = AuditEntry.objects.count()
    services.area_update(actor=world.wjl_admin, area=world.wjl, kind_label="老旧社区")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "area.update"
    assert entry.actor == world.wjl_admin
    assert entry.changes == {"kind_label": ["社区", "老旧社区"]}
    verdict = audit_verify()
    assert verdict.ok, verdict.problem
    assert verdict.entries == before + 1


def test_entries_cannot_be_changed_or_deleted_through_the_orm(world):
    entry = AuditEntry.objects.first()
    entry.reason = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_verify_command_fails_on_an_edited_entry(world):
    target = AuditEntry.objects.order_by("seq")[3]
    _raw(f"UPDATE {AuditEntry._meta.db_table} SET object_label = %s WHERE id = %s", ["forged", target.pk])
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify", stdout=out, stderr=out)
    assert exc.value.code == 1
    assert f"#{target.seq}" in out.getvalue()


def test_verify_fails_on_a_deleted_entry_in_the_middle_and_at_the_end(world):
    entries = list(AuditEntry.objects.order_by("seq"))
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entries[-1].pk])
    verdict = audit_verify()
    assert not verdict.ok
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE id = %s", [entries[2].pk])
    verdict = audit_verify()
    assert not verdict.ok and verdict.seq == entries[2].seq


def test_verify_command_passes_on_an_intact_log(world):
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "OK" in out.getvalue()
