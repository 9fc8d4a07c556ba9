"""What an actor may see and change, decided by the server from the actor's roles.

Every selector and service takes the actor and asks this module. Administrators see and change
the subtree of the area they hold a role on; a unit liaison sees and changes their own unit and its
Party organisations; members and residents see nothing of the map's administration; superusers see
everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from .actor import Actor
from .models import ADMIN_LEVELS, Role, RoleKind


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    area_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    area_ids: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.area_paths or self.unit_ids)

    def area_q(self, prefix: str = "") -> Q:
        """Rows whose area (at ``prefix``) is inside one of the actor's subtrees."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        for path in self.area_paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    def rows_q(self, area_prefix: str = "", unit_field: str | None = None) -> Q:
        """Rows inside the scope: by their area, or (for liaisons) by their unit in ``unit_field``."""
        if self.everything:
            return Q()
        q = self.area_q(area_prefix)
        if unit_field is not None and self.unit_ids:
            q |= Q(**{f"{unit_field}__in": sorted(self.unit_ids)})
        return q

    def covers_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.area_paths)

    def covers_unit(self, unit_id: int | None) -> bool:
        return unit_id is not None and unit_id in self.unit_ids


def _minimal(paths: list[str]) -> tuple[str, ...]:
    """Drop paths that sit inside another path of the list."""
    out: list[str] = []
    for p in sorted(set(paths)):
        if not any(p.startswith(o) for o in out):
            out.append(p)
    return tuple(out)


def scope_for(actor: Actor | None) -> Scope:
    """The scope of an actor, cached on the user object for the request."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Scope()
    cached: Scope | None = getattr(actor, "_gongjian_scope", None)
    if cached is not None:
        return cached
    if actor.is_superuser:
        scope = Scope(everything=True)
    else:
        paths: list[str] = []
        area_ids: list[int] = []
        units: set[int] = set()
        for role in Role.objects.filter(user=actor, active=True).select_related("area"):
            if role.kind in ADMIN_LEVELS and role.area is not None:
                paths.append(role.area.path)
                area_ids.append(role.area.pk)
            elif role.kind == RoleKind.UNIT_LIAISON and role.unit_id is not None:
                units.add(role.unit_id)
        scope = Scope(area_paths=_minimal(paths), unit_ids=frozenset(units), area_ids=tuple(area_ids))
    actor._gongjian_scope = scope
    return scope


def forget_scope(actor: Actor) -> None:
    """Drop the cached scope (and what is kept beside it: whether it covers the whole map, see
    ``members.selectors``) after the actor's roles change."""
    for name in ("_gongjian_scope", "_gongjian_whole_map"):
        if hasattr(actor, name):
            delattr(actor, name)
