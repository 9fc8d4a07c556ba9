"""Reads about accounts; each takes the actor."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from .models import Role


def role_list(*, actor: Any) -> QuerySet[Role]:
    """The actor's own active roles."""
    return Role.objects.filter(user=actor, active=True).select_related("area", "unit").order_by("kind")


def token_exists(*, actor: Any) -> bool:
    """Whether the actor has an API token (the key itself is shown only when it is made)."""
    return Token.objects.filter(user_id=actor.pk).exists()
