"""Writes about accounts: users, roles, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Protocol, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.core.audit import audit_record
from gongjian.core.auditread import EXPORT_LIMIT, AuditFilters, audit_rows_csv, audit_rows_xlsx
from gongjian.core.events import Event
from gongjian.core.notify import announce

from . import selectors
from .actor import Actor, person
from .models import ADMIN_LEVELS, ApiToken, Role, RoleKind, User
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


#: The most tokens one person holds at a time (revoke one to make another).
TOKEN_LIMIT = 20


@dataclass(frozen=True)
class NewToken:
    """A token just made: the row, and its key (shown this once, never stored)."""

    token: ApiToken
    key: str


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _token_max_days() -> int:
    return int(getattr(settings, "GONGJIAN_TOKEN_MAX_DAYS", 365))


@transaction.atomic
def token_create(*, actor: Actor, name: str, expires_on: dt.date | None) -> NewToken:
    """A new named token of the actor, valid to the end of ``expires_on`` (from tomorrow up to
    ``GONGJIAN_TOKEN_MAX_DAYS`` ahead, 365 by default). Their other tokens keep working. The key is
    returned once; only its digest is kept."""
    user = person(actor)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if not name:
        errors["name"] = _("Give the token a name (what uses it).")
    elif len(name) > 60:
        errors["name"] = _("At most 60 characters.")
    elif ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        errors["name"] = _("You already have a token of this name.")
    if expires_on is None:
        errors["expires_on"] = _("Choose until when the token works.")
    elif expires_on <= today:
        errors["expires_on"] = _("Choose a day after today.")
    elif expires_on > today + dt.timedelta(days=_token_max_days()):
        errors["expires_on"] = _("A token works for at most %(days)s days.") % {"days": _token_max_days()}
    if errors:
        raise ValidationError(errors)
    assert expires_on is not None
    active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if active.count() >= TOKEN_LIMIT:
        raise ValidationError(
            _("You have %(count)s tokens; revoke one you no longer use first.") % {"count": TOKEN_LIMIT}
        )
    key = secrets.token_hex(20)
    end = timezone.make_aware(dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time.min))
    token = ApiToken.objects.create(
        user=user, name=name, digest=token_digest(key), prefix=key[:8], expires_at=end
    )
    audit_record(
        actor=actor,
        action=Event.TOKEN_CREATE,
        obj=token,
        object_label=str(token),
        changes={"name": name, "expires_on": expires_on.isoformat()},
    )
    return NewToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Stop one of the actor's tokens at once (it stays listed, marked revoked)."""
    user = person(actor)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != user.pk:
        raise PermissionDenied(_("This is not your token."))
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action=Event.TOKEN_REVOKE, obj=token, object_label=str(token))
    return token


#: How often a token's "last used" time is written (not on every request).
TOUCH_SECONDS = 60


def token_authenticate(*, key: str) -> ApiToken | None:
    """The live token with this key (not revoked, not expired, its user active), its "last used"
    time brought up to date (at most once a minute); None otherwise."""
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(key), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


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


#: Recovery codes made with a second factor (each works once).
RECOVERY_CODES = 10


@dataclass(frozen=True)
class SecondFactor:
    device: Any
    recovery_codes: list[str]


def otp_device_pending(*, actor: Actor) -> Any:
    """The actor's authenticator being set up (made once, kept until confirmed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = person(actor)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def otp_confirm(*, actor: Actor, code: str) -> SecondFactor:
    """Confirm the pending authenticator with a code it shows; makes ``RECOVERY_CODES`` one-time
    recovery codes (returned once). A wrong code is refused and nothing changes."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    user = person(actor)
    device = otp_device_pending(actor=actor)
    if not (code or "").strip().isdigit() or not device.verify_token(code.strip()):
        raise ValidationError({"code": _("That code is not right; enter the 6 digits the app shows now.")})
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    for value in codes:
        static.token_set.create(token=value)
    audit_record(actor=actor, action=Event.OTP_ENABLE, object_type="accounts.user", object_id=str(user.pk))
    return SecondFactor(device=device, recovery_codes=codes)
