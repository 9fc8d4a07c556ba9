"""Fixtures the co-building tests share."""

from __future__ import annotations

import pytest

from gongjian.orgs.models import PartyOrg
from gongjian.testing import World

from .fixtures_meetings import Clock


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def street_org(world: World) -> PartyOrg:
    return PartyOrg.objects.get(code="PO-DFL")
