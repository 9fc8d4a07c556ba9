"""Two staff close the same appeal at the same moment: exactly one succeeds (PostgreSQL: row locks;
SQLite serialises every writer, so a race there proves nothing)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongjian.appeals import services as s
from gongjian.appeals.models import Appeal, AppealEvent
from gongjian.core.synthetic import fake_phone
from gongjian.testing import World


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_closes_exactly_one_succeeds(on_postgres: None, world: World) -> None:
    staff = world.wjl_admin
    appeal = s.appeal_register(
        actor=staff,
        area=world.wjl,
        channel="hotline",
        kind="general",
        title="并发办结",
        resident_name="居民辛",
        phone=fake_phone(11),
    )
    s.appeal_assign(actor=staff, appeal=appeal, org=world.wjl_branch)
    s.appeal_answer(actor=staff, appeal=appeal, answer="收到")
    s.appeal_solve(actor=staff, appeal=appeal)
    closers = [world.wjl_admin, world.dongfeng_admin, world.kaifu_admin, world.city_admin]
    barrier = threading.Barrier(len(closers), timeout=30)
    outcomes: list[Any] = [None] * len(closers)

    def run(i: int) -> None:
        barrier.wait()
        try:
            s.appeal_close(actor=closers[i], appeal=appeal)
            outcomes[i] = "ok"
        except ValidationError as exc:
            outcomes[i] = exc
        except Exception as exc:  # pragma: no cover - fails the test below
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(closers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert all(isinstance(o, ValidationError) for o in outcomes if o != "ok"), outcomes
    assert AppealEvent.objects.filter(appeal=appeal, kind="closed").count() == 1
    assert Appeal.objects.get(pk=appeal.pk).status == "closed"
