"""The map of the network: the area tree, Party organisations, resident units, alliances.

Each row keeps the invariants of one row (search keys, code formats); everything that involves
an actor, a permission or other rows is in ``services.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError
from treebeard.mp_tree import MP_Node, MP_NodeManager

from gongjian.core import pii
from gongjian.core.levels import Level as Level  # the map's levels live on the ground floor
from gongjian.core.text import initials, search_key


class SearchableName(models.Model):
    """A name that matches across scripts (长沙/長沙) and by pinyin initials (wjl → 王家垅)."""

    name = models.CharField(_("name"), max_length=120)
    name_key = models.CharField(max_length=120, db_index=True, editable=False)
    initials = models.CharField(max_length=120, db_index=True, editable=False)

    class Meta:
        abstract = True

    def fill_search_keys(self) -> None:
        self.name = self.name.strip()
        self.name_key = search_key(self.name)[:120]
        self.initials = initials(self.name)[:120]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_search_keys()
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_key", "initials"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.name


class Dated(models.Model):
    """Rows that exist from ``since`` until ``until`` (exclusive); history is never deleted.

    No start is ever invented: a row saved without ``since`` counts from the day it was recorded and
    says so (``since_known`` false, shown "登记于 2026-12-07（开始日期不详）"). Giving the real start of
    such a row later, or any earlier start, is a correction of the past (see the services).
    """

    since = models.DateField(_("since"), blank=True)  # blank: the day of recording, marked unknown
    since_known = models.BooleanField(
        _("start date known"),
        default=True,
        db_default=True,  # rows written in bulk (COPY, raw inserts) give their start
        help_text=_("False when the start was left blank: the row counts from the day it was recorded."),
    )
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.since is None:
            self.since, self.since_known = timezone.localdate(), False
        elif not self.since_known and self.pk is not None:
            stored = type(self)._default_manager.filter(pk=self.pk).values_list("since", flat=True).first()
            if stored is not None and stored != self.since:
                self.since_known = True  # someone gave the real start
        if kwargs.get("update_fields") is not None and "since" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "since_known"}
        super().save(*args, **kwargs)

    def set_start(self, since: dt.date | None) -> None:
        """The start given, or (left blank) the day of recording, marked unknown."""
        for name, value in self.start_of(since).items():
            setattr(self, name, value)

    @staticmethod
    def start_of(since: dt.date | None) -> dict[str, Any]:
        """Field values for a row built without ``save()`` (bulk writes): the start given, or the day
        of recording marked unknown."""
        if since is None:
            return {"since": timezone.localdate(), "since_known": False}
        return {"since": since, "since_known": True}

    @staticmethod
    def on(date: dt.date, prefix: str = "") -> Q:
        """Rows in force on ``date``."""
        return Q(**{f"{prefix}since__lte": date}) & (
            Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gt": date})
        )


class Area(MP_Node, SearchableName, Dated):
    """A node of the territorial tree. Subtree = one range scan on ``path``."""

    code = models.CharField(_("division code"), max_length=40, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    kind_label = models.CharField(
        _("kind"),
        max_length=20,
        blank=True,
        help_text=_("e.g. 区, 县, 县级市, 街道, 镇, 社区, 村, 小区, 庭院"),
    )
    old_compound = models.BooleanField(_("old residential compound"), default=False)

    objects = MP_NodeManager()  # type: ignore[django-manager-missing]

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        # the roots (``get_root_nodes``: depth 1), asked on every scoped page, without a scan
        indexes = [models.Index(fields=["depth"], name="orgs_area_depth")]

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)


class PartyOrgKind(models.TextChoices):
    COMMITTEE = "committee", pgettext_lazy("status", "Party committee (党委)")
    WORKING_COMMITTEE = "working_committee", pgettext_lazy("status", "Working committee (党工委)")
    GENERAL_BRANCH = "general_branch", pgettext_lazy("status", "General branch (党总支)")
    BRANCH = "branch", pgettext_lazy("status", "Branch (党支部)")
    JOINT_BRANCH = "joint_branch", pgettext_lazy("status", "Joint branch (联合党支部)")
    GROUP = "group", pgettext_lazy("status", "Party group (党小组)")


class UnitKind(models.TextChoices):
    ORGAN = "organ", pgettext_lazy("status", "Government organ (机关)")
    INSTITUTION = "institution", pgettext_lazy("status", "Public institution (事业单位)")
    SOE = "soe", pgettext_lazy("status", "State-owned enterprise (国企)")
    UNIVERSITY = "university", pgettext_lazy("status", "University (高校)")
    HOSPITAL = "hospital", pgettext_lazy("status", "Hospital (医院)")
    PRIVATE = "private", pgettext_lazy("status", "Private enterprise (非公企业)")
    SOCIAL = "social", pgettext_lazy("status", "Social organisation (社会组织)")

    @classmethod
    def two_new(cls) -> set[str]:
        """The "两新" organisations: new economic and new social organisations."""
        return {cls.PRIVATE, cls.SOCIAL}


class UnitRank(models.TextChoices):
    CENTRAL = "central", pgettext_lazy("status", "Central (中央)")
    PROVINCIAL = "provincial", pgettext_lazy("status", "Provincial (省)")
    MUNICIPAL = "municipal", pgettext_lazy("status", "Municipal (市)")
    DISTRICT = "district", pgettext_lazy("status", "District (区)")
    NONE = "none", pgettext_lazy("status", "No rank")


def validate_credit_code(value: str) -> None:
    """Unified social credit code (GB 32100-2015): 18 characters with a check character."""
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("%(code)s is not a valid unified social credit code (18 characters with a check character)."),
            params={"code": value},
            code="credit_code",
        ) from exc


class ResidentUnit(SearchableName, Dated):
    """An office, university, hospital, firm or social organisation sitting in an area (驻区单位)."""

    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    rank = models.CharField(_("administrative rank"), max_length=20, choices=UnitRank.choices, default="none")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="units", verbose_name=_("area"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone_sealed = models.TextField(blank=True, editable=False)
    contact_phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    contact_phone_masked = models.CharField(_("contact phone"), max_length=20, blank=True, editable=False)
    incubator = models.BooleanField(_("incubation base (孵化基地)"), default=False)
    hosted_firms = models.PositiveIntegerField(_("registered firms hosted"), default=0)

    PHONE_PURPOSE = "unit.contact_phone"

    class Meta:
        verbose_name = _("resident unit")
        verbose_name_plural = _("resident units")
        constraints = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | (Q(lat__gte=-90) & Q(lat__lte=90)), name="unit_lat_range"
            ),
            models.CheckConstraint(
                condition=Q(lng__isnull=True) | (Q(lng__gte=-180) & Q(lng__lte=180)), name="unit_lng_range"
            ),
        ]

    def set_contact_phone(self, phone: str) -> None:
        phone = (phone or "").strip()
        self.contact_phone_sealed = pii.seal(phone, purpose=self.PHONE_PURPOSE)
        self.contact_phone_index = pii.blind_index(phone, purpose=self.PHONE_PURPOSE)
        self.contact_phone_masked = pii.mask_phone(phone)

    def contact_phone_clear(self) -> str:
        """The clear phone number. Only services call this, and they audit the read."""
        return pii.unseal(self.contact_phone_sealed, purpose=self.PHONE_PURPOSE)

    @property
    def is_two_new(self) -> bool:
        return self.kind in UnitKind.two_new()


class PartyOrg(SearchableName, Dated):
    """A Party organisation. Territorial ones sit on an area; unit ones belong to a unit (and sit
    on the unit's area, kept equal by the services)."""

    code = models.CharField(_("organisation code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PartyOrgKind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("area")
    )
    unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_orgs",
        verbose_name=_("resident unit"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("higher organisation"),
    )
    secretary = models.CharField(_("secretary"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("Party organisation")
        verbose_name_plural = _("Party organisations")

    @property
    def is_territorial(self) -> bool:
        return self.unit_id is None


class AllianceLevel(models.TextChoices):
    CITY = "city", pgettext_lazy("status", "City")
    DISTRICT = "district", pgettext_lazy("status", "District")
    STREET = "street", pgettext_lazy("status", "Street")
    COMMUNITY = "community", pgettext_lazy("status", "Community")


class Alliance(SearchableName, Dated):
    """A regional Party-building alliance / joint-meeting membership, convened by a Party organisation."""

    level = models.CharField(_("level"), max_length=20, choices=AllianceLevel.choices)
    convener = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="alliances", verbose_name=_("convening organisation")
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="alliances", verbose_name=_("area"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")


class AllianceMember(Dated):
    """A resident unit's membership of an alliance, with its one representative."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="members")
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, related_name="alliance_memberships")
    representative = models.CharField(_("representative"), max_length=60, blank=True)
    representative_title = models.CharField(_("representative's title"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("alliance member unit")
        verbose_name_plural = _("alliance member units")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "unit"], condition=Q(until__isnull=True), name="one_open_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.unit}"
