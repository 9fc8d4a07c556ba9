"""The typed actor's two helpers: who a row names, and who may be named at all."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from gongjian.accounts.actor import person, signed_in
from gongjian.testing import World


def test_signed_in_names_the_user_and_nobody_else(world: World) -> None:
    assert signed_in(world.wjl_admin) == world.wjl_admin
    assert signed_in(AnonymousUser()) is None
    assert signed_in(None) is None


def test_person_refuses_an_anonymous_visitor(world: World) -> None:
    assert person(world.wjl_admin) == world.wjl_admin
    with pytest.raises(PermissionDenied):
        person(AnonymousUser())
