"""Reads about accounts; each takes the actor, except ``nearest_administrators``, which the system
uses to address notifications."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from .actor import Actor, person
from .models import ADMIN_LEVELS, Role, RoleKind, User


def role_list(*, actor: Actor) -> QuerySet[Role]:
    """The actor's own active roles."""
    return (
        Role.objects.filter(user=person(actor), active=True).select_related("area", "unit").order_by("kind")
    )


def token_exists(*, actor: Actor) -> bool:
    """Whether the actor has an API token (the key itself is shown only when it is made)."""
    return actor.is_authenticated and Token.objects.filter(user_id=actor.pk).exists()


def nearest_administrators(*, area_path: str, unit_id: int | None = None) -> list[User]:
    """Who is told about a record (a reminder, a meeting): the liaisons of ``unit_id`` when the
    record belongs to a resident unit and it has any; else the administrators of the nearest node
    at or above ``area_path`` that has any (the community's, else the street's, the district's, the
    city's). Only active roles of active accounts; the nearest level only, so a city's
    administrators are not sent every reminder of every community (they see the counts on pages).
    """
    if unit_id is not None:
        liaisons = list(
            User.objects.filter(
                roles__kind=RoleKind.UNIT_LIAISON, roles__unit_id=unit_id, roles__active=True, is_active=True
            )
            .distinct()
            .order_by("pk")
        )
        if liaisons:
            return liaisons
    # The map's Area, reached through the role's reference (accounts imports no domain app).
    area_model: Any = Role._meta.get_field("area").related_model
    step: int = area_model.steplen
    prefixes = [area_path[:i] for i in range(step, len(area_path) + 1, step)]
    roles = (
        Role.objects.filter(
            kind__in=list(ADMIN_LEVELS),
            active=True,
            user__is_active=True,
            area__path__in=prefixes,
        )
        .select_related("user", "area")
        .order_by("pk")
    )
    by_depth: dict[int, dict[int, User]] = {}
    for role in roles:
        assert role.area is not None
        by_depth.setdefault(len(role.area.path), {})[role.user_id] = role.user
    if not by_depth:
        return []
    return list(by_depth[max(by_depth)].values())
