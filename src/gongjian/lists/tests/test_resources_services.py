"""Services of resources: offered by each kind of provider, checked, expired."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongjian.lists.models import ResourceStatus
from gongjian.lists.services import claims as s
from gongjian.lists.tests.fixtures_claims import ListsClaims, build_lists_claims
from gongjian.testing import World


@pytest.fixture
def lc(world: World) -> ListsClaims:
    return build_lists_claims(world)


# --- resources -------------------------------------------------------------------------------


def test_resources_by_each_provider_and_their_checks(world: World, lc: ListsClaims) -> None:
    mine = s.resource_create(
        actor=world.member, as_member=True, name="书法课", kind="people", category="expertise"
    )
    assert mine.provider_member == lc.member and mine.area == world.wjl
    with pytest.raises(PermissionDenied):
        s.resource_create(actor=world.resident, as_member=True, name="x", kind="people", category="expertise")
    with pytest.raises(PermissionDenied):
        s.resource_create(
            actor=world.liaison, provider_unit=world.jsh_firm, name="x", kind="venue", category="venue"
        )
    with pytest.raises(ValidationError):
        s.resource_create(
            actor=world.liaison,
            provider_unit=world.minzheng,
            name="x",
            kind="venue",
            category="venue",
            available_from=timezone.localdate() + dt.timedelta(days=5),
            available_until=timezone.localdate() + dt.timedelta(days=1),
        )
    with pytest.raises(PermissionDenied):
        s.resource_publish(actor=world.wjl_admin, resource=mine)
    assert s.resource_publish(actor=world.member, resource=mine).status == ResourceStatus.PUBLISHED
    assert s.resource_withdraw(actor=world.member, resource=mine, reason="时间冲突").status == "withdrawn"


def test_resources_expire_after_their_window(world: World) -> None:
    resource = s.resource_create(
        actor=world.liaison,
        provider_unit=world.minzheng,
        name="会议室",
        kind="venue",
        category="venue",
        available_until=timezone.localdate() + dt.timedelta(days=1),
    )
    s.resource_publish(actor=world.liaison, resource=resource)
    later = timezone.localdate() + dt.timedelta(days=2)
    assert s.resources_expire(today=later) == 1
    assert s.resources_expire(today=later) == 0
    resource.refresh_from_db()
    assert resource.status == ResourceStatus.EXPIRED
