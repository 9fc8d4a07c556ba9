"""Reads about accounts; each takes the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Role


def role_list(*, actor: Any) -> QuerySet[Role]:
    """The actor's own active roles."""
    return Role.objects.filter(user=actor, active=True).select_related("area", "unit").order_by("kind")
