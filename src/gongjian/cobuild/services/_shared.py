"""Small helpers the agreement and the seat services share: the date of a change, clean text,
and the scope checks (who covers an area, who sits above it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.orgs.models import Area


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _text(value: Any) -> str:
    return str(value or "").strip()


# --- permissions ----------------------------------------------------------------------------------


def _covers(actor: Actor, area: Area) -> bool:
    return scope_for(actor).covers_path(area.path)


def _above(actor: Actor, area: Area) -> bool:
    """Whether the actor administers a level above ``area`` (strictly): the approver of its seats."""
    scope = scope_for(actor)
    if scope.everything:
        return True
    return any(area.path.startswith(p) and len(p) < len(area.path) for p in scope.area_paths)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
