"""Member ledgers (党员台账): members, dated category relations, co-management, dual reporting,
mobile members and stations, transfers, household plaques.

Personal data (ID number, phone) is stored sealed (AES-GCM), with a keyed blind index for
look-ups and a masked copy for display; the clear value is read only through a service that
requires a reason and writes the read to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from gongjian.core import pii
from gongjian.orgs.models import Area, Dated, PartyOrg, ResidentUnit, SearchableName

ID_PURPOSE = "member.id_number"
PHONE_PURPOSE = "member.phone"
MOBILE_CONTACT_PURPOSE = "mobile.contact"


class Gender(models.TextChoices):
    MALE = "M", pgettext_lazy("status", "Male")
    FEMALE = "F", pgettext_lazy("status", "Female")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", pgettext_lazy("status", "Postgraduate (研究生)")
    BACHELOR = "bachelor", pgettext_lazy("status", "Bachelor (大学本科)")
    COLLEGE = "college", pgettext_lazy("status", "College (大学专科)")
    SECONDARY = "secondary", pgettext_lazy("status", "Secondary vocational (中专)")
    HIGH_SCHOOL = "high_school", pgettext_lazy("status", "High school (高中)")
    BELOW = "below", pgettext_lazy("status", "Junior high or below (初中及以下)")


class Standing(models.TextChoices):
    FULL = "full", pgettext_lazy("status", "Full member (正式党员)")
    PROBATIONARY = "probationary", pgettext_lazy("status", "Probationary member (预备党员)")


class MemberStatus(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("status", "Normal (正常)")
    SUSPENDED = "suspended", pgettext_lazy("status", "Membership suspended (停止党籍)")
    EXPELLED = "expelled", pgettext_lazy("status", "Left the Party (出党)")
    DECEASED = "deceased", pgettext_lazy("status", "Deceased (去世)")
    TRANSFERRED_OUT = "transferred_out", pgettext_lazy("status", "Transferred out (转出)")


def parse_id_number(number: str) -> tuple[str, dt.date, str]:
    """The normalised ID number (GB 11643), the birth date and the sex ("M"/"F") it encodes.

    Raises ValidationError with a message in the user's language; the number never appears in it.
    """
    try:
        compact = ric.validate(number)
    except StdnumError as exc:
        raise ValidationError(
            _("The ID number is not valid (18 characters, with a matching check character)."),
            code="id_number",
        ) from exc
    sex = Gender.MALE if int(compact[16]) % 2 else Gender.FEMALE
    return compact, ric.get_birth_date(compact), sex


class Member(SearchableName):
    """A person with Party data. Membership is held by ``org`` (组织关系所在)."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=120)  # 姓名, not 名称

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="member"
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"))
    id_number_sealed = models.TextField(editable=False)
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    phone_sealed = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    joined_on = models.DateField(_("joined the Party on"))
    standing = models.CharField(_("standing"), max_length=20, choices=Standing.choices, default=Standing.FULL)
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.NORMAL
    )
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation holding the membership"),
    )
    residence = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("residence"),
    )
    work_unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_members",
        verbose_name=_("work unit"),
    )
    work_unit_name = models.CharField(_("work unit (not in the system)"), max_length=120, blank=True)
    volunteer_no = models.CharField(_("volunteer number"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Party member")
        verbose_name_plural = _("Party members")
        indexes = [
            models.Index(fields=["status", "org"]),
            # the lists' order: a cursor page starts at its row (issue 17, core.keyset)
            models.Index(fields=["name_key", "id"], name="members_member_name_id"),
        ]

    def set_id_number(self, number: str) -> None:
        compact, _birth, _sex = parse_id_number(number)
        self.id_number_sealed = pii.seal(compact, purpose=ID_PURPOSE)
        self.id_number_index = pii.blind_index(compact, purpose=ID_PURPOSE)
        self.id_number_masked = pii.mask_id_number(compact)

    def set_phone(self, phone: str) -> None:
        phone = (phone or "").strip()
        self.phone_sealed = pii.seal(phone, purpose=PHONE_PURPOSE)
        self.phone_index = pii.blind_index(phone, purpose=PHONE_PURPOSE)
        self.phone_masked = pii.mask_phone(phone)

    def id_number_clear(self) -> str:
        """Only services call this, and they audit the read."""
        return pii.unseal(self.id_number_sealed, purpose=ID_PURPOSE)

    def phone_clear(self) -> str:
        """Only services call this, and they audit the read."""
        return pii.unseal(self.phone_sealed, purpose=PHONE_PURPOSE)

    @property
    def active(self) -> bool:
        return self.status == MemberStatus.NORMAL


class Category(models.TextChoices):
    DIRECT = "direct", pgettext_lazy("status", "Directly managed (直管党员)")
    IN_SERVICE = "in_service", pgettext_lazy("status", "In-service (在职党员)")
    MOBILE = "mobile", pgettext_lazy("status", "Mobile (流动党员)")
    RETIRED = "retired", pgettext_lazy("status", "Retired (离退休党员)")
    HARDSHIP = "hardship", pgettext_lazy("status", "Hardship (困难党员)")
    LOST_CONTACT = "lost_contact", pgettext_lazy("status", "Lost contact (失联党员)")

    @classmethod
    def ledgers(cls) -> list[str]:
        """The four ledgers (四级台账); the other two are flags."""
        return [cls.DIRECT, cls.IN_SERVICE, cls.MOBILE, cls.RETIRED]


class MemberCategory(Dated):
    """A member's place in one ledger (or flag), from ``since`` until ``until``, at ``area``: the node
    whose ledger lists them. A person can hold several at once; history is never deleted."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="categories")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="member_categories")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "category"], condition=Q(until__isnull=True), name="one_open_category"
            )
        ]
        indexes = [models.Index(fields=["category", "since"])]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_category_display()}"


class CoManagement(Dated):
    """A resident unit's member who joined a community's co-management (队伍共管)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="co_managements")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="co_managed")
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, related_name="co_managed_members")

    class Meta:
        verbose_name = _("co-managed member")
        verbose_name_plural = _("co-managed members")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "community"], condition=Q(until__isnull=True), name="one_open_co_management"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.community}"


class ReportStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("status", "Waiting for the community")
    CONFIRMED = "confirmed", pgettext_lazy("status", "Confirmed")
    DECLINED = "declined", pgettext_lazy("status", "Declined")


class UnitReport(Dated):
    """A unit's Party organisation registers with the community it sits in (单位报到)."""

    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="unit_reports")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="unit_reports")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit report")
        verbose_name_plural = _("unit reports")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "community"], condition=Q(until__isnull=True), name="one_open_unit_report"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org} → {self.community}"


class MemberReport(Dated):
    """An in-service member registers with the community where they live (个人报到)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="reports")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="member_reports")
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    preferences = models.CharField(_("service preferences"), max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    confirmed_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("member report")
        verbose_name_plural = _("member reports")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(until__isnull=True), name="one_open_member_report"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.community}"


class ContactKind(models.TextChoices):
    CONTACT = "contact", pgettext_lazy("status", "Contact with the community")
    ACTIVITY = "activity", pgettext_lazy("status", "Activity")


class ReportContact(models.Model):
    """What a reported member did for the community: fed back to the employer each quarter."""

    report = models.ForeignKey(MemberReport, on_delete=models.PROTECT, related_name="contacts")
    on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    description = models.CharField(_("description"), max_length=200)

    class Meta:
        ordering = ["on"]

    def __str__(self) -> str:
        return f"{self.report} · {self.on}"


class Station(SearchableName):
    """A station (驿站) in a community that receives mobile members."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="stations")
    org = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="stations"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("station for mobile members")
        verbose_name_plural = _("stations for mobile members")


class MobileRecord(Dated):
    """A member away from home (流动党员): ``since``/``until`` are the dates away."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="mobile_records")
    destination = models.CharField(_("destination"), max_length=120)
    destination_area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    card_no = models.CharField(_("activity card number"), max_length=40, blank=True)
    contact_sealed = models.TextField(blank=True, editable=False)
    contact_masked = models.CharField(_("contact"), max_length=20, blank=True, editable=False)
    last_report_back = models.DateField(_("last reported back"), null=True, blank=True)

    class Meta:
        verbose_name = _("mobile member record")
        verbose_name_plural = _("mobile member records")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(until__isnull=True), name="one_open_mobile_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.destination}"

    def set_contact(self, phone: str) -> None:
        phone = (phone or "").strip()
        self.contact_sealed = pii.seal(phone, purpose=MOBILE_CONTACT_PURPOSE)
        self.contact_masked = pii.mask_phone(phone)


class StationCheckIn(models.Model):
    """A mobile member signing in at a station."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="check_ins")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="check_ins")
    at = models.DateTimeField()
    purpose = models.CharField(_("purpose"), max_length=120, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.member} @ {self.station}"


class TransferStatus(models.TextChoices):
    ISSUED = "issued", pgettext_lazy("status", "Letter issued")
    RECEIVED = "received", pgettext_lazy("status", "Received")
    REJECTED = "rejected", pgettext_lazy("status", "Rejected")
    EXPIRED = "expired", pgettext_lazy("status", "Expired")


class Transfer(models.Model):
    """Moving a membership between organisations (组织关系转接)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers")
    from_org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="transfers_out")
    to_org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="transfers_in")
    letter_no = models.CharField(_("letter number"), max_length=40, unique=True)
    valid_days = models.PositiveSmallIntegerField(_("valid for (days)"), default=30)
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(max_length=10, choices=TransferStatus.choices, default=TransferStatus.ISSUED)
    closed_on = models.DateField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(status="issued"), name="one_open_transfer")
        ]

    def __str__(self) -> str:
        return f"{self.letter_no}: {self.member}"

    @property
    def expires_on(self) -> dt.date:
        return self.issued_on + dt.timedelta(days=self.valid_days)


class Household(Dated):
    """A household with a "Party-member household" plaque (党员家庭户), awarded by the street;
    ``since`` is the award date, ``until`` when the plaque was withdrawn."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="households")
    address = models.CharField(_("door (门牌)"), max_length=120)
    members = models.ManyToManyField(Member, related_name="households")
    plaque_no = models.CharField(_("plaque number"), max_length=40, blank=True)
    awarded_by = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="plaques_awarded", verbose_name=_("awarded by")
    )

    class Meta:
        verbose_name = _("Party-member household")
        verbose_name_plural = _("Party-member households")

    def __str__(self) -> str:
        return f"{self.area} {self.address}"


class Neighbour(models.Model):
    """One of the 1-9 neighbouring households a plaqued household looks after (联户)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="neighbours")
    address = models.CharField(_("door (门牌)"), max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "address"], name="one_neighbour_per_door")
        ]

    def __str__(self) -> str:
        return self.address


def member_summary(member: Member) -> dict[str, Any]:
    """What an audit entry records of a member: never a clear ID or phone number."""
    return {"name": member.name, "id_number": member.id_number_masked, "org": member.org_id}
