"""Who sees which appeals, and the filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from gongjian.appeals import selectors
from gongjian.appeals.tests.fixtures import build_appeals


@pytest.fixture
def appeals(world):
    return build_appeals(world)


def _seen(user) -> set[str]:
    return set(selectors.appeal_list(actor=user).values_list("title", flat=True))


def test_scope_by_role(world, appeals):
    titles = {key: a.title for key, a in appeals.items()}
    everything = set(titles.values())
    assert _seen(world.superuser) == everything
    assert _seen(world.city_admin) == everything
    wjl = {titles["wjl_assigned"], titles["wjl_overdue"], titles["wjl_online"]}
    assert _seen(world.kaifu_admin) == wjl
    assert _seen(world.dongfeng_admin) == wjl
    assert _seen(world.wjl_admin) == wjl
    assert _seen(world.jsh_admin) == {titles["jsh_closed"]}
    # the liaison of 省民政厅: what is assigned to its Party committee
    assert _seen(world.liaison) == {titles["wjl_assigned"]}
    # the resident: their own; a member: none
    assert _seen(world.resident) == {titles["wjl_online"]}
    assert _seen(world.member) == set()


def test_get_outside_the_scope_is_404(world, appeals):
    with pytest.raises(Http404):
        selectors.appeal_get(actor=world.jsh_admin, pk=appeals["wjl_assigned"].pk)
    with pytest.raises(Http404):
        selectors.appeal_get(actor=world.resident, pk=appeals["wjl_assigned"].pk)
    with pytest.raises(Http404):
        selectors.appeal_events(actor=world.member, appeal=appeals["wjl_online"])
    assert selectors.appeal_get(actor=world.resident, pk=appeals["wjl_online"].pk)
    events = selectors.appeal_events(actor=world.jsh_admin, appeal=appeals["jsh_closed"])
    assert [e.kind for e in events] == [
        "registered",
        "assigned",
        "answered",
        "solved",
        "closed",
        "called_back",
    ]


def test_filters(world, appeals):
    actor = world.city_admin

    def titles(**kw):
        return set(selectors.appeal_list(actor=actor, **kw).values_list("title", flat=True))

    assert titles(overdue=True) == {appeals["wjl_overdue"].title}
    assert appeals["wjl_overdue"].title not in titles(overdue=False)
    assert titles(status="closed") == {appeals["jsh_closed"].title}
    assert titles(kind="emergency") == {appeals["wjl_overdue"].title}
    assert titles(within=world.jsh) == {appeals["jsh_closed"].title}
    assert titles(open_only=True) == titles() - {appeals["jsh_closed"].title}
    today = timezone.localdate()
    assert titles(registered_from=today) == {appeals["wjl_online"].title}
    assert titles(registered_to=today - dt.timedelta(days=20)) == {appeals["jsh_closed"].title}
    assert titles(q=appeals["jsh_closed"].number) == {appeals["jsh_closed"].title}
    assert titles(q="路灯") == {appeals["wjl_assigned"].title}
    assert titles(mine=True) == set()
    assert set(selectors.appeal_list(actor=world.resident, mine=True).values_list("pk", flat=True)) == {
        appeals["wjl_online"].pk
    }


def test_counts(world, appeals):
    counts = selectors.appeal_counts(actor=world.city_admin)
    assert counts["total"] == 4
    assert counts["open"] == 3
    assert counts["overdue"] == 1
    assert counts["closed"] == 1
    assert counts["registered"] == 2


def test_choices(world):
    areas = set(selectors.area_choices(actor=world.wjl_admin).values_list("name", flat=True))
    assert areas == {"王家垅社区", "30号庭院", "1栋"}
    # a resident picks their own community; a member too; a liaison nowhere
    assert set(selectors.area_choices(actor=world.resident).values_list("name", flat=True)) == {"王家垅社区"}
    assert set(selectors.area_choices(actor=world.member).values_list("name", flat=True)) == {"王家垅社区"}
    assert not selectors.area_choices(actor=world.liaison).exists()
    orgs = set(selectors.org_choices(actor=world.wjl_admin).values_list("name", flat=True))
    assert orgs == {"王家垅社区党委", "30号庭院党支部", "省民政厅机关党委"}
    assert not selectors.org_choices(actor=world.resident).exists()
