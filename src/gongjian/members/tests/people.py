"""A member for the ledgers' tests, made through the service by the superuser: directly managed
by 王家垅社区's committee and living in its building unless told otherwise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongjian.core.synthetic import id_number
from gongjian.members import services
from gongjian.members.models import Category, Member
from gongjian.testing import World


def ledger_member(world: World, n: int, name: str, *, birth: dt.date, **kw: Any) -> Member:
    """Member ``name`` with the ID number ``id_number(n, birth=birth)`` (generated, never printed)."""
    args: dict[str, Any] = {
        "org": world.wjl_committee,
        "residence": world.wjl_building,
        "joined_on": dt.date(2001, 7, 1),
        "categories": [Category.DIRECT],
    }
    args.update(kw)
    return services.member_create(
        actor=world.superuser, name=name, id_number=id_number(n, birth=birth), **args
    )
