"""Writes about accounts: users, roles, API tokens."""

from __future__ import annotations

from typing import Any, Protocol, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from gongjian.core.audit import audit_record
from gongjian.core.auditread import EXPORT_LIMIT, AuditFilters, audit_rows_csv, audit_rows_xlsx
from gongjian.core.events import Event
from gongjian.core.notify import announce

from . import selectors
from .actor import Actor, person
from .models import ADMIN_LEVELS, Role, RoleKind, User
from .scope import forget_scope, scope_for


class MapArea(Protocol):
    """What a role grant reads of the map's area (``orgs.Area``; accounts does not import the map)."""

    @property
    def path(self) -> str: ...
    @property
    def level(self) -> int: ...


class MapUnit(Protocol):
    """What a role grant reads of a resident unit (``orgs.ResidentUnit``): the area it sits in."""

    @property
    def area(self) -> MapArea: ...


@transaction.atomic
def user_create(
    *, actor: Actor | None, username: str, password: str, display_name: str = "", is_superuser: bool = False
) -> User:
    """A new account. Only a platform administrator (or the system, actor=None) creates superusers."""
    if is_superuser and actor is not None and not scope_for(actor).everything:
        raise PermissionDenied(_("Only a platform administrator may create another platform administrator."))
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("The user name %(name)s is taken.") % {"name": username}})
    user = User(
        username=username, display_name=display_name, is_superuser=is_superuser, is_staff=is_superuser
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(actor=actor, action=Event.USER_CREATE, obj=user, changes={"username": username})
    return user


@transaction.atomic
def role_grant(
    *, actor: Actor | None, user: User, kind: str, area: MapArea | None = None, unit: MapUnit | None = None
) -> Role:
    """Grant a role. Administrators grant roles inside their own subtree; never above it."""
    if kind not in RoleKind.values:
        raise ValidationError({"kind": _("Unknown role.")})
    if kind == RoleKind.UNIT_LIAISON:
        if unit is None:
            raise ValidationError({"unit": _("A unit liaison holds the role on a unit.")})
        where_path = unit.area.path
    else:
        if area is None:
            raise ValidationError({"area": _("This role is held on an area.")})
        if kind in ADMIN_LEVELS and area.level != ADMIN_LEVELS[kind]:
            raise ValidationError({"area": _("This role is held on an area of another level.")})
        where_path = area.path
    if actor is not None:
        scope = scope_for(actor)
        if not scope.covers_path(where_path):
            raise PermissionDenied(_("You may grant roles only inside your own area."))
        at_own_level = not scope.everything and area is not None and area.path in scope.area_paths
        if at_own_level and kind in ADMIN_LEVELS:
            raise PermissionDenied(_("You may not grant a role at your own level."))
    # The foreign keys check at run time that these are the map's Area and ResidentUnit.
    role = Role(user=user, kind=kind, area=cast(Any, area), unit=cast(Any, unit))
    role.full_clean()
    role.save()
    forget_scope(user)
    audit_record(actor=actor, action=Event.ROLE_GRANT, obj=role, changes={"user": user.pk, "kind": kind})
    if actor is not None:  # granted by a person; the system's set-up hands over the account itself
        where = str(getattr(unit if unit is not None else area, "name", ""))
        label = role.get_kind_display()
        announce(
            Event.ROLE_GRANT,
            actor=actor,
            recipients=[user],
            title=lambda: f"{Event.ROLE_GRANT.label}：{label}",
            body=where,
            url="/",
        )
    return role


@transaction.atomic
def user_set_care_mode(*, actor: Actor, on: bool) -> None:
    """Switch the care mode (关怀版) of the actor's pages on or off; it stays so on every device."""
    user = person(actor)
    if user.care_mode == on:
        return
    user.care_mode = on
    user.save(update_fields=["care_mode"])
    audit_record(
        actor=actor,
        action=Event.USER_CARE_MODE,
        object_type="accounts.user",
        object_id=str(user.pk),
        changes={"care_mode": on},
    )


@transaction.atomic
def token_rotate(*, actor: Actor) -> Token:
    """Replace the actor's API token with a new one (the old one stops working)."""
    user = person(actor)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit_record(
        actor=actor, action=Event.TOKEN_ROTATE, object_type="accounts.token", object_id=str(actor.pk)
    )
    return token


@transaction.atomic
def token_revoke(*, actor: Actor) -> None:
    deleted, _count = Token.objects.filter(user=person(actor)).delete()
    if deleted:
        audit_record(
            actor=actor, action=Event.TOKEN_REVOKE, object_type="accounts.token", object_id=str(actor.pk)
        )


#: The formats an audit export is written in.
EXPORT_FORMATS = ("xlsx", "csv")


def audit_export(*, actor: Actor, filters: AuditFilters, fmt: str = "xlsx") -> bytes:
    """The entries the actor may read under ``filters``, as a workbook or CSV file. The export is
    itself an entry (``audit.export``, with the filters and the count), written before the file is
    handed over; more than ``EXPORT_LIMIT`` entries are refused with a request to narrow the dates."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError({"format": _("Choose xlsx or csv.")})
    entries = selectors.audit_entry_list(actor=actor, filters=filters)
    count = entries.count()
    if count > EXPORT_LIMIT:
        raise ValidationError(
            _("%(count)s entries are more than one export holds (%(limit)s); choose a shorter period.")
            % {"count": count, "limit": EXPORT_LIMIT}
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=Event.AUDIT_EXPORT,
            object_type="core.auditentry",
            changes={
                "entries": count,
                "format": fmt,
                "filters": {k: v for k, v in vars(filters).items() if v not in ("", None, False)},
            },
        )
    rows = entries.iterator(chunk_size=2000)
    return audit_rows_xlsx(rows) if fmt == "xlsx" else audit_rows_csv(rows)
