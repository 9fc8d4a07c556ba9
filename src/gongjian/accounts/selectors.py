"""Reads about accounts; each takes the actor, except ``nearest_administrators``, which the system
uses to address notifications."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongjian.core.auditread import AuditFilters, audit_filter
from gongjian.core.models import AuditEntry

from .actor import Actor, person
from .models import ADMIN_LEVELS, ApiToken, Role, RoleKind, User
from .scope import scope_for


def role_list(*, actor: Actor) -> QuerySet[Role]:
    """The actor's own active roles."""
    return (
        Role.objects.filter(user=person(actor), active=True).select_related("area", "unit").order_by("kind")
    )


def token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own API tokens, live and revoked, newest first (never their keys: only digests
    are kept)."""
    return ApiToken.objects.filter(user=person(actor)).order_by("-created_at", "-id")


def token_get(*, actor: Actor, pk: int) -> ApiToken:
    """One of the actor's own tokens (404 for anyone else's)."""
    token = token_list(actor=actor).filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


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


def audit_readable(*, actor: Actor) -> bool:
    """Whether the actor may open the audit log: the platform's administrators (everything) and the
    administrators of an area (their subtree's entries)."""
    scope = scope_for(actor)
    return scope.everything or bool(scope.area_paths)


def audit_entry_list(*, actor: Actor, filters: AuditFilters | None = None) -> QuerySet[AuditEntry]:
    """The entries the actor may read, newest first: every entry for the platform's administrators;
    for an area's administrators the entries placed in their subtrees (``AuditEntry.area_path``)
    and their own. Anyone else is refused (403)."""
    scope = scope_for(actor)
    if not audit_readable(actor=actor):
        raise PermissionDenied(_("Only administrators may read the audit log."))
    entries = AuditEntry.objects.all()
    if not scope.everything:
        q = Q(actor_id=actor.pk)
        for path in scope.area_paths:
            q |= Q(area_path__startswith=path)
        entries = entries.filter(q)
    return audit_filter(entries, filters or AuditFilters()).select_related("actor").order_by("-seq")


def second_factor_exists(*, actor: Actor) -> bool:
    """Whether the actor has a confirmed second factor (an authenticator app)."""
    from django_otp import user_has_device

    return actor.is_authenticated and user_has_device(actor, confirmed=True)


def second_factor_required(*, actor: Actor) -> bool:
    """Whether the actor must have a second factor: the platform's administrators and the city's and
    districts' administrators, where ``GONGJIAN_2FA_REQUIRED`` is on (production)."""
    from django.conf import settings

    if not getattr(settings, "GONGJIAN_2FA_REQUIRED", False) or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return Role.objects.filter(
        user_id=actor.pk, active=True, kind__in=[RoleKind.CITY_ADMIN, RoleKind.DISTRICT_ADMIN]
    ).exists()
