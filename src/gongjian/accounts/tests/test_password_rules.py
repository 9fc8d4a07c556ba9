"""Issue 19: password rules (length ≥ 10, not a common password, not like the user name)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from gongjian.testing import World


@pytest.mark.parametrize("password", ["Short1!", "password1234", "wjl_admin_2018"])
def test_weak_passwords_are_refused(world: World, password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, user=world.wjl_admin)


def test_a_long_uncommon_password_passes(world: World) -> None:
    validate_password("湘江北去橘子洲头2018", user=world.wjl_admin)
