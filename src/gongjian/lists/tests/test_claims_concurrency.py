"""Quantities and capacities are never over-claimed, even under 100 concurrent claims-and-accepts.

The racing tests need PostgreSQL (row locks; SQLite serialises every writer, so a race there
proves nothing): 100 real threads, released together by a barrier, each claims one unit of the
demand (or resource) and has the owner accept it at once, on its own connection. The server's
``max_connections`` (100 by default, shared with the rest of the suite) is kept by letting at most
``CONNECTIONS`` threads hold a connection at a time; the rest wait at the semaphore and race in as
others finish. The sequential refusals are checked on every database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongjian.accounts.models import User
from gongjian.core.models import AuditEntry
from gongjian.core.synthetic import credit_code
from gongjian.lists.models import Claim, ClaimStatus, Demand, Project, Resource
from gongjian.lists.services import claims as s
from gongjian.orgs import services as org_services
from gongjian.orgs.models import PartyOrg, ResidentUnit
from gongjian.testing import World

Outcome = tuple[str, Any]
THREADS = 100
CONNECTIONS = 16
K = 7


def _race(work: Callable[[int], Any], n: int = THREADS) -> list[Outcome]:
    """Run ``work(i)`` in ``n`` threads started together (at most ``CONNECTIONS`` on the database
    at once), each on its own connection closed when it ends. Returns ("ok", result) or
    ("refused", ValidationError) per thread; anything else is ("error", exc) and fails the test."""
    barrier = threading.Barrier(n, timeout=60)
    gate = threading.BoundedSemaphore(CONNECTIONS)
    outcomes: list[Outcome] = [("error", "did not finish")] * n

    def run(i: int) -> None:
        barrier.wait()
        with gate:
            try:
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
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes


def _units(world: World, n: int) -> list[ResidentUnit]:
    return [
        org_services.unit_create(
            actor=world.superuser,
            name=f"认领单位{i:03d}",
            credit_code=credit_code(5000 + i),
            kind="private",
            area=world.wjl,
        )
        for i in range(n)
    ]


def _check(outcomes: list[Outcome]) -> None:
    errors = [o for o in outcomes if o[0] == "error"]
    assert not errors, errors[:3]
    ok = [r for kind, r in outcomes if kind == "ok"]
    refused = [exc for kind, exc in outcomes if kind == "refused"]
    assert len(ok) == K and len(refused) == THREADS - K
    for exc in refused:  # a clear message about what is left, on the quantity
        assert "quantity" in exc.message_dict, exc


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_claims_on_a_demand_accept_exactly_k(on_postgres: None, world: World) -> None:
    units = _units(world, THREADS)
    demand = s.demand_raise(
        actor=world.wjl_admin,
        owner_org=world.wjl_committee,
        name="并发认领",
        category="volunteers",
        quantity=K,
    )
    demand = s.demand_publish(actor=world.wjl_admin, demand=demand)

    def claim_and_accept(i: int) -> Claim:
        root = User.objects.get(pk=world.superuser.pk)  # each thread its own objects
        owner = User.objects.get(pk=world.wjl_admin.pk)
        claim = s.demand_claim(
            actor=root, demand=Demand(pk=demand.pk), unit=ResidentUnit.objects.get(pk=units[i].pk)
        )
        return s.claim_accept(actor=owner, claim=claim)

    outcomes = _race(claim_and_accept)
    _check(outcomes)
    demand.refresh_from_db()
    assert demand.claimed == K
    accepted = Claim.objects.filter(demand=demand, status=ClaimStatus.ACCEPTED)
    assert accepted.count() == K
    assert Project.objects.filter(demand=demand).count() == K
    assert AuditEntry.objects.filter(action="claim.accept").count() == K


@pytest.mark.django_db(transaction=True)
def test_100_concurrent_claims_on_a_resource_accept_its_capacity(on_postgres: None, world: World) -> None:
    orgs = [
        org_services.party_org_create(
            actor=world.superuser,
            name=f"第{i:03d}社区党委",
            kind="committee",
            code=f"PO-RACE-{i}",
            area=world.wjl,
        )
        for i in range(THREADS)
    ]
    resource = s.resource_create(
        actor=world.liaison,
        provider_unit=world.minzheng,
        name="并发场地",
        kind="venue",
        category="venue",
        capacity=K,
    )
    resource = s.resource_publish(actor=world.liaison, resource=resource)

    def claim_and_accept(i: int) -> Claim:
        admin = User.objects.get(pk=world.wjl_admin.pk)
        provider = User.objects.get(pk=world.liaison.pk)
        org = PartyOrg.objects.select_related("area").get(pk=orgs[i].pk)
        claim = s.resource_claim(actor=admin, resource=Resource(pk=resource.pk), org=org)
        return s.claim_accept(actor=provider, claim=claim)

    outcomes = _race(claim_and_accept)
    _check(outcomes)
    resource.refresh_from_db()
    assert resource.claimed == K and resource.status == "used_up"
    assert Claim.objects.filter(resource=resource, status=ClaimStatus.ACCEPTED).count() == K


@pytest.mark.django_db
def test_the_k_plus_first_is_refused_on_every_database(world: World) -> None:
    """The same rule without a race, on every database (SQLite included)."""
    units = _units(world, K + 1)
    demand = s.demand_raise(
        actor=world.wjl_admin,
        owner_org=world.wjl_committee,
        name="顺序认领",
        category="volunteers",
        quantity=K,
    )
    demand = s.demand_publish(actor=world.wjl_admin, demand=demand)
    waiting = [s.demand_claim(actor=world.superuser, demand=demand, unit=u) for u in units]
    for claim in waiting[:K]:
        s.claim_accept(actor=world.wjl_admin, claim=claim)
    with pytest.raises(ValidationError) as exc:
        s.claim_accept(actor=world.wjl_admin, claim=waiting[K])
    assert "quantity" in exc.value.message_dict
    demand.refresh_from_db()
    assert demand.claimed == K
    assert Claim.objects.get(pk=waiting[K].pk).status == ClaimStatus.PENDING
