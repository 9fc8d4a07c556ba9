"""Service (志愿服务): teams, volunteers, activities with attendance, service hours and points.

Only *verified* hours count anywhere: an attendance's computed hours become a ``ServiceHours`` row
when the organiser verifies them, and hours a member logs for work outside an activity stay
``pending`` until their community's administrator verifies them. Points (积分) are entries under a
rule: automatic from verified hours, or claimed with evidence and approved.

Volunteers who are not Party members (``Volunteer``) take part without any Party data; their phone
is sealed like a member's and shown masked, and a volunteer number (志愿者编号) stands in for an ID
number.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.core import pii
from gongjian.members.models import Member
from gongjian.orgs.models import Area, Dated, PartyOrg, ResidentUnit, SearchableName

VOLUNTEER_PHONE_PURPOSE = "service.volunteer.phone"


def _new_secret() -> str:
    return secrets.token_hex(16)


class Volunteer(SearchableName):
    """A person who serves without being a Party member (or whose Party data stays elsewhere): a
    name, a sealed phone and a volunteer number (志愿者编号), registered by the administrators of
    ``area``. No ID number, no Party data."""

    name = models.CharField(pgettext_lazy("person", "name"), max_length=120)  # 姓名, not 名称

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("area")
    )
    volunteer_no = models.CharField(_("volunteer number"), max_length=40, blank=True, db_index=True)
    phone_sealed = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        verbose_name=_("account"),
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def set_phone(self, phone: str) -> None:
        phone = (phone or "").strip()
        self.phone_sealed = pii.seal(phone, purpose=VOLUNTEER_PHONE_PURPOSE)
        self.phone_index = pii.blind_index(phone, purpose=VOLUNTEER_PHONE_PURPOSE)
        self.phone_masked = pii.mask_phone(phone)

    def phone_clear(self) -> str:
        """Only services call this, and they audit the read."""
        return pii.unseal(self.phone_sealed, purpose=VOLUNTEER_PHONE_PURPOSE)


class ServiceTeam(SearchableName):
    """A standing service team (服务队, e.g. 党员360服务队) in ``area``, organised by a Party
    organisation (``org``) or a resident unit (``unit``). ``active`` is the current status; the
    periods it was active are ``TeamPeriod`` rows (history kept)."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="service_teams", verbose_name=_("area")
    )
    org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_teams",
        verbose_name=_("organising Party organisation"),
    )
    unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_teams",
        verbose_name=_("organising unit"),
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service team")
        verbose_name_plural = _("service teams")

    @property
    def leader(self) -> TeamMembership | None:
        return self.memberships.filter(until__isnull=True, leader=True).first()


class TeamPeriod(Dated):
    """A period in which a team was active: ``since`` (founded or re-activated) until ``until``
    (stood down; open while active)."""

    team = models.ForeignKey(ServiceTeam, on_delete=models.PROTECT, related_name="periods")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team"], condition=Q(until__isnull=True), name="one_open_team_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.since}–{self.until or ''}"


class TeamMembership(Dated):
    """A person on a team from ``since`` until ``until``: a Party member from the ledgers (also a
    co-managed unit member) or a volunteer — exactly one of the two. ``leader`` marks the leader."""

    team = models.ForeignKey(ServiceTeam, on_delete=models.PROTECT, related_name="memberships")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="team_memberships"
    )
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="team_memberships"
    )
    leader = models.BooleanField(_("leader"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, volunteer__isnull=True)
                | Q(member__isnull=True, volunteer__isnull=False),
                name="team_membership_one_person",
            ),
            models.UniqueConstraint(
                fields=["team", "member"], condition=Q(until__isnull=True), name="one_open_team_member"
            ),
            models.UniqueConstraint(
                fields=["team", "volunteer"], condition=Q(until__isnull=True), name="one_open_team_volunteer"
            ),
        ]

    @property
    def person(self) -> Member | Volunteer:
        return self.member or self.volunteer  # type: ignore[return-value]

    def __str__(self) -> str:
        return f"{self.team} · {self.person}"


class DutyKind(models.TextChoices):
    PATROL = "patrol", pgettext_lazy("status", "Patrol")
    DOOR_TO_DOOR = "door_to_door", pgettext_lazy("status", "Door-to-door help")
    OTHER = "other", pgettext_lazy("status", "Other")


class StandingDuty(Dated):
    """A team's standing duty: a patrol rota (``weekdays`` as digits 1-7 for Monday-Sunday, a time
    from ``starts`` to ``ends``, a ``route``) or door-to-door help."""

    team = models.ForeignKey(ServiceTeam, on_delete=models.PROTECT, related_name="duties")
    kind = models.CharField(_("kind"), max_length=20, choices=DutyKind.choices)
    weekdays = models.CharField(_("days"), max_length=7, blank=True)
    starts = models.TimeField(_("from"), null=True, blank=True)
    ends = models.TimeField(_("to"), null=True, blank=True)
    route = models.CharField(_("route or households"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("standing duty")
        verbose_name_plural = _("standing duties")

    def __str__(self) -> str:
        return f"{self.team} · {self.get_kind_display()}"


class OrganiserKind(models.TextChoices):
    COMMUNITY = "community", pgettext_lazy("status", "Community")
    TEAM = "team", pgettext_lazy("status", "Service team")
    UNIT = "unit", pgettext_lazy("status", "Resident unit")
    PROJECT = "project", pgettext_lazy("status", "Co-building project")


class Audience(models.TextChoices):
    AREA = "area", pgettext_lazy("status", "Everyone serving in the area")
    TEAM = "team", pgettext_lazy("status", "The team's members only")


class ActivityStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Published")
    CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")


class Activity(models.Model):
    """A service activity (志愿服务活动) at ``area``, organised by exactly one of a community's
    Party organisation (``org``), a ``team``, a ``unit`` or a ``project`` (``organiser_kind`` says
    which). ``signup_limit`` None: no limit. ``sign_in_secret`` keys the rotating QR code."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    organiser_kind = models.CharField(_("organised by"), max_length=20, choices=OrganiserKind.choices)
    org = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="service_activities"
    )
    team = models.ForeignKey(
        ServiceTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    unit = models.ForeignKey(
        ResidentUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="service_activities"
    )
    project = models.ForeignKey(
        "lists.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="service_activities"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="service_activities")
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    signup_limit = models.PositiveIntegerField(_("sign-up limit"), null=True, blank=True)
    audience = models.CharField(_("open to"), max_length=10, choices=Audience.choices, default=Audience.AREA)
    status = models.CharField(_("status"), max_length=10, choices=ActivityStatus.choices, default="open")
    sign_in_secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("service activity")
        verbose_name_plural = _("service activities")
        ordering = ["-starts_at", "pk"]
        indexes = [models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def length_hours(self) -> Decimal:
        seconds = Decimal((self.ends_at - self.starts_at).total_seconds())
        return seconds / Decimal(3600)

    @property
    def organiser_name(self) -> str:
        target: Any = {"community": self.org, "team": self.team, "unit": self.unit, "project": self.project}
        obj = target.get(self.organiser_kind)
        return str(obj) if obj is not None else ""


class AttendanceStatus(models.TextChoices):
    SIGNED_UP = "signed_up", pgettext_lazy("status", "Signed up")
    CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")
    WALK_IN = "walk_in", pgettext_lazy("status", "Came without signing up")


class Method(models.TextChoices):
    QR = "qr", pgettext_lazy("status", "QR code")
    ORGANISER = "organiser", pgettext_lazy("status", "By the organiser")


class Attendance(models.Model):
    """One person at one activity: a sign-up (or a walk-in), sign-in and sign-out times, and the
    hours computed from them (``computed_hours``: quarter hours, rounded down, capped by the
    activity's length). The hours count only once verified: ``hours_record`` then holds them."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="attendances")
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=12, choices=AttendanceStatus.choices)
    signed_up_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("signed out"), null=True, blank=True)
    sign_in_method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    sign_out_method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    computed_hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, volunteer__isnull=True)
                | Q(member__isnull=True, volunteer__isnull=False),
                name="attendance_one_person",
            ),
            models.UniqueConstraint(fields=["activity", "member"], name="one_attendance_per_member"),
            models.UniqueConstraint(fields=["activity", "volunteer"], name="one_attendance_per_volunteer"),
        ]

    @property
    def person(self) -> Member | Volunteer:
        return self.member or self.volunteer  # type: ignore[return-value]

    def __str__(self) -> str:
        return f"{self.activity} · {self.person}"


class HoursSource(models.TextChoices):
    ACTIVITY = "activity", pgettext_lazy("status", "Activity")
    SELF = "self", pgettext_lazy("status", "Logged by the member")


class HoursStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("status", "Waiting for verification")
    VERIFIED = "verified", pgettext_lazy("status", "Verified")
    REJECTED = "rejected", pgettext_lazy("status", "Rejected")


class ServiceHours(models.Model):
    """Hours of service by one person on one day at ``area`` (the activity's area, or the community
    a member logged work for). Only ``status == verified`` counts anywhere (indicators, the
    employer's sheet, points). ``attendance`` links the activity's attendance it came from."""

    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="service_hours"
    )
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="service_hours"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="service_hours")
    on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    source = models.CharField(_("source"), max_length=10, choices=HoursSource.choices)
    attendance = models.OneToOneField(
        Attendance, null=True, blank=True, on_delete=models.PROTECT, related_name="hours_record"
    )
    description = models.CharField(_("what was done"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=HoursStatus.choices, default="pending")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("service hours")
        verbose_name_plural = _("service hours")
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["status", "on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, volunteer__isnull=True)
                | Q(member__isnull=True, volunteer__isnull=False),
                name="service_hours_one_person",
            ),
            models.CheckConstraint(condition=Q(hours__gt=0), name="service_hours_positive"),
        ]

    @property
    def person(self) -> Member | Volunteer:
        return self.member or self.volunteer  # type: ignore[return-value]

    def __str__(self) -> str:
        return f"{self.person} · {self.on} · {self.hours}"


class RuleBasis(models.TextChoices):
    PER_HOUR = "per_hour", pgettext_lazy("status", "Per verified hour (automatic)")
    PER_CLAIM = "per_claim", pgettext_lazy("status", "Per claim, with approval")


class CapPeriod(models.TextChoices):
    MONTH = "month", pgettext_lazy("status", "Month")
    QUARTER = "quarter", pgettext_lazy("status", "Quarter")
    YEAR = "year", pgettext_lazy("status", "Year")


class ApproverRole(models.TextChoices):
    COMMUNITY_ADMIN = "community_admin", pgettext_lazy("status", "Community administrator")
    STREET_ADMIN = "street_admin", pgettext_lazy("status", "Street administrator")
    DISTRICT_ADMIN = "district_admin", pgettext_lazy("status", "District administrator")
    CITY_ADMIN = "city_admin", pgettext_lazy("status", "City administrator")


class PointsRule(models.Model):
    """A points rule (积分规则) set at ``area`` and applying to service in its subtree.
    ``points`` per unit (an hour, or one claim); ``deduction`` makes them count negative;
    ``cap`` limits the points (in absolute value) one member gets under the rule per
    ``cap_period``; ``evidence_required`` for claims; ``approver_role`` decides claims (that role
    or a higher administrator over the member's community)."""

    name = models.CharField(_("name"), max_length=120)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="points_rules", verbose_name=_("area")
    )
    basis = models.CharField(_("earned"), max_length=10, choices=RuleBasis.choices)
    points = models.DecimalField(_("points per unit"), max_digits=6, decimal_places=2)
    deduction = models.BooleanField(_("deducts points"), default=False)
    description = models.CharField(_("what earns or costs points"), max_length=300, blank=True)
    cap = models.DecimalField(_("cap per period"), max_digits=8, decimal_places=2, null=True, blank=True)
    cap_period = models.CharField(_("cap period"), max_length=10, choices=CapPeriod.choices, default="year")
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    approver_role = models.CharField(
        _("approved by"), max_length=20, choices=ApproverRole.choices, default=ApproverRole.COMMUNITY_ADMIN
    )
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="points_rule_positive")]

    def __str__(self) -> str:
        return self.name

    def period_bounds(self, on: dt.date) -> tuple[dt.date, dt.date]:
        """The cap period holding ``on``: [start, end)."""
        if self.cap_period == CapPeriod.MONTH:
            start = on.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1)
        elif self.cap_period == CapPeriod.QUARTER:
            start = on.replace(month=3 * ((on.month - 1) // 3) + 1, day=1)
            end = (start + dt.timedelta(days=95)).replace(day=1)
        else:
            start = on.replace(month=1, day=1)
            end = start.replace(year=start.year + 1)
        return start, end


class EntryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("status", "Waiting for approval")
    APPROVED = "approved", pgettext_lazy("status", "Approved")
    REJECTED = "rejected", pgettext_lazy("status", "Rejected")


class PointsEntry(models.Model):
    """Points of one Party member under a rule on a day. ``points`` is signed (negative for a
    deduction) and already capped; ``requested`` what the units would give without the cap. Only
    ``approved`` entries count in the yearly totals. Automatic entries (``hours_record`` set) are
    approved when the hours are verified and follow corrections of them."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="points_entries")
    rule = models.ForeignKey(PointsRule, on_delete=models.PROTECT, related_name="entries")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("date"))
    units = models.DecimalField(_("units"), max_digits=8, decimal_places=2, default=Decimal(1))
    requested = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal(0))
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2, default=Decimal(0))
    hours_record = models.ForeignKey(
        ServiceHours, null=True, blank=True, on_delete=models.PROTECT, related_name="points_entries"
    )
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EntryStatus.choices, default="pending")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "hours_record"],
                condition=Q(hours_record__isnull=False),
                name="one_auto_entry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.rule} · {self.points}"
