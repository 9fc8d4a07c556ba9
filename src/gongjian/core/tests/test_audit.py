from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from gongjian.core import audit
from gongjian.core.audit import audit_checkpoint, audit_verify
from gongjian.core.models import AppendOnlyError, AuditEntry, AuditHead
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


# --- issue 19, defect 2: the tail cannot be cut unseen ------------------------------------------


def _cut_tail_and_roll_back_head(keep: int) -> None:
    """What the attacker did: delete the newest entries and set the head to an earlier entry."""
    last_kept = AuditEntry.objects.get(seq=keep)
    _raw(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq > %s", [keep])
    _raw(f"UPDATE {AuditHead._meta.db_table} SET seq = %s, hash = %s WHERE id = 1", [keep, last_kept.hash])


def test_tail_truncation_with_the_head_rolled_back_is_caught_by_the_head_mac(world):
    total = AuditEntry.objects.count()
    assert audit_verify().ok
    _cut_tail_and_roll_back_head(total - 3)
    verdict = audit_verify()
    assert not verdict.ok and "head" in verdict.problem


def test_tail_truncation_with_a_forged_head_mac_is_caught_by_the_checkpoint(world):
    total = AuditEntry.objects.count()
    assert audit_checkpoint() == total
    services.area_update(actor=world.wjl_admin, area=world.wjl, kind_label="老旧社区")
    assert audit_verify().ok
    keep = total - 2
    # someone who holds the key can even re-sign the head: the checkpoint outside still says more
    _cut_tail_and_roll_back_head(keep)
    head = AuditHead.objects.get(id=1)
    _raw(
        f"UPDATE {AuditHead._meta.db_table} SET mac = %s WHERE id = 1",
        [audit._head_mac(head.seq, head.hash)],
    )
    verdict = audit_verify()
    assert not verdict.ok and verdict.seq == keep + 1
    assert f"entries {keep + 1} to {total} are missing" in verdict.problem
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("audit", "verify", stdout=out, stderr=out)
    assert f"#{keep + 1}" in out.getvalue()


def test_checkpoints_are_appended_signed_and_a_forged_one_is_reported(world, settings, tmp_path):
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    services.area_update(actor=world.wjl_admin, area=world.wjl, kind_label="老旧社区")
    call_command("audit", "checkpoint", stdout=out)
    lines = audit.checkpoint_path().read_text().splitlines()
    assert len(lines) == 2 and audit_verify().ok
    with audit.checkpoint_path().open("a") as f:
        f.write('{"seq": 1, "hash": "00", "at": "2026-01-01T00:00:00", "mac": "forged"}\n')
    verdict = audit_verify()
    assert not verdict.ok and "not signed" in verdict.problem


def test_the_daily_run_writes_a_checkpoint(world):
    from gongjian.core.daily import run_daily

    outcomes = {o.name: o for o in run_daily()}
    assert outcomes["gongjian.core.audit.audit_checkpoint"].count == AuditEntry.objects.count()
    assert audit.checkpoint_path().exists()


def test_a_wrong_key_is_reported_as_a_wrong_key_not_as_an_altered_entry(world, settings):
    import base64

    settings.GONGJIAN_PII_KEY = base64.urlsafe_b64encode(b"\x01" * 32).decode()
    verdict = audit_verify()
    assert not verdict.ok and verdict.problem.startswith("wrong key") and verdict.seq == 1
