"""Small builders for the engine's tests (no Django)."""

from __future__ import annotations

from typing import Any

from gongjian.matching.engine_data import Demand, Resource

STREET = "430104001"
COMMUNITY = STREET + "001"


def demand(id: str = "d1", title: str = "孩子牙疼", **kw: Any) -> Demand:
    kw.setdefault("area", COMMUNITY)
    return Demand(id=id, title=title, **kw)


def resource(id: str = "r1", title: str = "兒童齲齒檢查", **kw: Any) -> Resource:
    kw.setdefault("area", COMMUNITY)
    kw.setdefault("capacity", 10)
    return Resource(id=id, title=title, **kw)
