"""Template helpers about the signed-in user's roles and scope (``{% load roles %}``).

They were in ``core``'s ``ui`` library; they read accounts, so they live here (core imports no app).
"""

from __future__ import annotations

from typing import Any

from django import template

from gongjian.accounts.scope import scope_for
from gongjian.accounts.selectors import role_list

register = template.Library()


@register.simple_tag
def user_roles(user: Any) -> Any:
    """The signed-in user's active roles (empty for anyone else)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return role_list(actor=user)


@register.simple_tag
def has_map_scope(user: Any) -> bool:
    """Whether the map's pages have anything for this user (a presentation choice only: the
    selectors decide what each page shows)."""
    return not scope_for(user).empty
