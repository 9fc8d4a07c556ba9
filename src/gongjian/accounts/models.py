"""Users and the roles they hold on a node of the map or on a unit.

Accounts sit on the ground floor, under the map: a role points at the map's area or unit through a
string reference (``"orgs.Area"``), so this module imports no domain app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.core.levels import Level

if TYPE_CHECKING:
    from .scope import Scope


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    #: The care mode (关怀版): larger type, higher contrast, bigger targets, on every page.
    care_mode = models.BooleanField(_("care mode"), default=False)
    #: What the user may see and change, kept on the object for the request by ``scope_for``.
    _gongjian_scope: Scope

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleKind(models.TextChoices):
    CITY_ADMIN = "city_admin", pgettext_lazy("status", "City administrator")
    DISTRICT_ADMIN = "district_admin", pgettext_lazy("status", "District administrator")
    STREET_ADMIN = "street_admin", pgettext_lazy("status", "Street administrator")
    COMMUNITY_ADMIN = "community_admin", pgettext_lazy("status", "Community administrator")
    UNIT_LIAISON = "unit_liaison", pgettext_lazy("status", "Unit liaison")
    MEMBER = "member", pgettext_lazy("status", "Party member")
    RESIDENT = "resident", pgettext_lazy("status", "Resident")


#: The level of the map each administrator role is held on.
ADMIN_LEVELS: dict[str, int] = {
    RoleKind.CITY_ADMIN: Level.CITY,
    RoleKind.DISTRICT_ADMIN: Level.DISTRICT,
    RoleKind.STREET_ADMIN: Level.STREET,
    RoleKind.COMMUNITY_ADMIN: Level.COMMUNITY,
}


class Role(models.Model):
    """A role held by a user: on an area (administrators, members, residents) or on a unit (liaison)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=20, choices=RoleKind.choices)
    area = models.ForeignKey("orgs.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgs.ResidentUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="unit_liaison") & Q(unit__isnull=False) & Q(area__isnull=True))
                | (~Q(kind="unit_liaison") & Q(unit__isnull=True) & Q(area__isnull=False)),
                name="role_holds_area_or_unit",
            )
        ]

    def __str__(self) -> str:
        where = self.unit if self.unit_id else self.area
        return f"{self.get_kind_display()} · {where}"


class ApiToken(models.Model):
    """A named API token of one user: several per user, each with an expiry, revocable on its own.

    Only a SHA-256 digest of the key is kept (the key is shown once, when it is made); ``prefix``
    (its first 8 characters) tells the tokens apart on the page."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(pgettext_lazy("field", "Name"), max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(pgettext_lazy("field", "Created"), auto_now_add=True)
    #: None only for a token made before tokens had expiry dates (carried over by the migration).
    expires_at = models.DateTimeField(pgettext_lazy("field", "Expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(pgettext_lazy("field", "Last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(pgettext_lazy("field", "Revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], condition=Q(revoked_at__isnull=True), name="api_token_name_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
