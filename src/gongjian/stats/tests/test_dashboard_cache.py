"""The rendered dashboard is cached until a figure changes: a write commits, the next page shows it;
a write rolled back leaves the cached page in use; the transaction that wrote never reads a cached
page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from gongjian.core.synthetic import id_number
from gongjian.members import services as member_services
from gongjian.members.models import Category
from gongjian.stats import selectors, tally
from gongjian.testing import World, build_world


def _direct_members_shown(client: Client, world: World) -> int:
    body = client.get(reverse("stats:dashboard", args=[world.wjl.code])).content.decode()
    found = re.search(r'data-indicator="members.direct">.*?figure-link[^>]*>([^<]*)<', body, re.S)
    assert found is not None
    return int(found.group(1).strip().replace(",", ""))


def _add_member(world: World, n: int) -> None:
    member_services.member_create(
        actor=world.superuser,
        name=f"缓{n}",
        id_number=id_number(900 + n),
        org=world.wjl_committee,
        joined_on=dt.date(2005, 7, 1),
        residence=world.wjl_building,
        categories=[Category.DIRECT],
    )


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_shows_on_the_next_page_and_a_rolled_back_one_keeps_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = build_world()
    built: list[Any] = []
    real = selectors.dashboard

    def counting(**kwargs: Any) -> selectors.Dashboard:
        built.append(kwargs["area"])
        return real(**kwargs)

    monkeypatch.setattr(selectors, "dashboard", counting)
    client = Client()
    client.force_login(world.wjl_admin)

    first = _direct_members_shown(client, world)
    assert _direct_members_shown(client, world) == first
    assert len(built) == 1, "the second page comes from the cache"

    _add_member(world, 1)  # commits on its own: the figures' version moves on
    assert _direct_members_shown(client, world) == first + 1
    assert len(built) == 2

    with pytest.raises(RuntimeError), transaction.atomic():
        _add_member(world, 2)
        raise RuntimeError("rolled back")
    assert _direct_members_shown(client, world) == first + 1
    assert len(built) == 2, "nothing changed: the cached page is still the right one"


@pytest.mark.django_db(transaction=True)
def test_the_transaction_that_changed_figures_reads_them_fresh() -> None:
    world = build_world()
    before = tally.version()
    assert before is not None
    with transaction.atomic():
        _add_member(world, 3)
        assert tally.version() is None, "a page read inside the writing transaction is not cached"
    after = tally.version()
    assert after is not None and after > before
