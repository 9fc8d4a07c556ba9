"""A membership moves exactly once, even when two requests race.

The racing tests need PostgreSQL (row locks; SQLite serialises every writer): they run real threads,
each on its own connection, released together by a barrier. The sequential refusals are checked on
every database.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongjian.accounts.models import User
from gongjian.core.models import AuditEntry
from gongjian.core.synthetic import id_number
from gongjian.members import services
from gongjian.members.models import Category, Member, MemberCategory, Transfer, TransferStatus
from gongjian.testing import World

Outcome = tuple[str, Any]


def _member(world: World) -> Member:
    return services.member_create(
        actor=world.wjl_admin,
        name="转接党员",
        id_number=id_number(77, birth=dt.date(1981, 9, 9)),
        org=world.wjl_committee,
        joined_on=dt.date(2004, 7, 1),
        categories=[Category.DIRECT],
    )


def _race(work: Callable[[int], Any], n: int = 2) -> list[Outcome]:
    """Run ``work(i)`` in ``n`` threads that start together; each thread has its own connection,
    closed when it ends. Returns ("ok", result) or ("refused", ValidationError) per thread; any other
    exception is kept as ("error", exc) so the test fails with it."""
    barrier = threading.Barrier(n, timeout=30)
    outcomes: list[Outcome] = [("error", "did not finish")] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            outcomes[i] = ("ok", work(i))
        except ValidationError as exc:
            outcomes[i] = ("refused", exc)
        except Exception as exc:  # reported by the test, which fails
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes


def _kinds(outcomes: list[Outcome]) -> list[str]:
    assert not [o for o in outcomes if o[0] == "error"], outcomes
    return sorted(kind for kind, _ in outcomes)


@pytest.mark.django_db(transaction=True)
def test_concurrent_receives_move_the_membership_once(on_postgres: None, world: World) -> None:
    member = _member(world)
    transfer = services.transfer_issue(
        actor=world.wjl_admin, member=member, to_org=world.jsh_branch, letter_no="L-RACE-1"
    )

    def receive(i: int) -> Transfer:
        actor = User.objects.get(pk=world.jsh_admin.pk)  # each thread its own objects
        return services.transfer_receive(actor=actor, transfer=Transfer(pk=transfer.pk))

    outcomes = _race(receive)
    assert _kinds(outcomes) == ["ok", "refused"]
    refused = next(exc for kind, exc in outcomes if kind == "refused")
    assert "status" in refused.message_dict
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.org == world.jsh_branch and transfer.status == TransferStatus.RECEIVED
    assert AuditEntry.objects.filter(action="transfer.receive").count() == 1
    # The ledger entry moved once too: one closed at 王家垅, one open at the new organisation's area.
    direct = MemberCategory.objects.filter(member=member, category=Category.DIRECT)
    assert direct.count() == 2 and direct.filter(until__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_make_one_transfer(on_postgres: None, world: World) -> None:
    member = _member(world)

    def issue(i: int) -> Transfer:
        actor = User.objects.get(pk=world.wjl_admin.pk)
        return services.transfer_issue(
            actor=actor, member=Member(pk=member.pk), to_org=world.jsh_branch, letter_no=f"L-RACE-{i}"
        )

    outcomes = _race(issue)
    assert _kinds(outcomes) == ["ok", "refused"]
    refused = next(exc for kind, exc in outcomes if kind == "refused")
    assert "member" in refused.message_dict
    assert Transfer.objects.filter(member=member).count() == 1
    assert AuditEntry.objects.filter(action="transfer.issue").count() == 1


@pytest.mark.django_db
def test_a_second_receive_or_issue_is_refused(world: World) -> None:
    """The same rules without a race, on every database (SQLite included)."""
    member = _member(world)
    transfer = services.transfer_issue(
        actor=world.wjl_admin, member=member, to_org=world.jsh_branch, letter_no="L-SEQ-1"
    )
    with pytest.raises(ValidationError) as issued_twice:
        services.transfer_issue(
            actor=world.wjl_admin, member=member, to_org=world.jsh_branch, letter_no="L-SEQ-2"
        )
    assert "member" in issued_twice.value.message_dict
    services.transfer_receive(actor=world.jsh_admin, transfer=transfer)
    with pytest.raises(ValidationError) as received_twice:
        services.transfer_receive(actor=world.jsh_admin, transfer=transfer)
    assert "status" in received_twice.value.message_dict
    member.refresh_from_db()
    assert member.org == world.jsh_branch
    assert Transfer.objects.filter(member=member).count() == 1
    assert AuditEntry.objects.filter(action="transfer.receive").count() == 1
