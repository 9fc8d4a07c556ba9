"""The three lists (三张清单) and two-way claiming (双向认领): demands, resources, claims from both
sides, and the projects formed from accepted claims with their milestones, evidence, quarterly
reports, year-end rating and residents' satisfaction.

Each row keeps the invariants of one row; workflow steps, permissions and quantities across rows
(never over-claiming) are in ``services/``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.core import pii
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit, SearchableName

# --- demands ----------------------------------------------------------------------------------


class DemandKind(models.TextChoices):
    GENERAL = "general", pgettext_lazy("status", "Demand")
    MICRO_WISH = "micro_wish", pgettext_lazy("status", "Micro-wish (微心愿)")


class Category(models.TextChoices):
    """What is needed or offered; shared by demands and resources so they can be matched."""

    VOLUNTEERS = "volunteers", pgettext_lazy("status", "Volunteers and service (志愿服务)")
    EXPERTISE = "expertise", pgettext_lazy("status", "Expertise, lectures and training (人才智力)")
    VENUE = "venue", pgettext_lazy("status", "Venue (阵地场所)")
    GOODS = "goods", pgettext_lazy("status", "Goods and equipment (物资设备)")
    FUNDS = "funds", pgettext_lazy("status", "Funds (资金)")
    HOUSING = "housing", pgettext_lazy("status", "Housing (住房)")
    HEALTH = "health", pgettext_lazy("status", "Health care (医疗健康)")
    ORDER = "order", pgettext_lazy("status", "Order and safety (治安秩序)")
    OTHER = "other", pgettext_lazy("status", "Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", pgettext_lazy("status", "Normal")
    URGENT = "urgent", pgettext_lazy("status", "Urgent")
    CRITICAL = "critical", pgettext_lazy("status", "Critical")


class DemandSource(models.TextChoices):
    """Where a demand came from (sources seen in practice)."""

    SURVEY = "survey", pgettext_lazy("status", "Residents' survey")
    RESIDENT = "resident", pgettext_lazy("status", "Raised by a resident")
    COMMUNITY = "community", pgettext_lazy("status", "The community itself")
    STREET = "street", pgettext_lazy("status", "The street committee")
    MEMBER_REPORT = "member_report", pgettext_lazy("status", "In-service members' reports")
    UNIT_REPORT = "unit_report", pgettext_lazy("status", "Member units' reports")
    MEETING = "meeting", pgettext_lazy("status", "A joint meeting")


class DemandStatus(models.TextChoices):
    RAISED = "raised", pgettext_lazy("status", "Raised")
    REJECTED = "rejected", pgettext_lazy("status", "Rejected")
    PUBLISHED = "published", pgettext_lazy("status", "Published")
    CLAIMED = "claimed", pgettext_lazy("status", "Claimed")
    IN_PROGRESS = "in_progress", pgettext_lazy("status", "In progress")
    DONE = "done", pgettext_lazy("status", "Done")
    EVALUATED = "evaluated", pgettext_lazy("status", "Evaluated")
    CLOSED = "closed", pgettext_lazy("status", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")
    EXPIRED = "expired", pgettext_lazy("status", "Expired")


#: Statuses in which a demand still takes claims.
DEMAND_CLAIMABLE = [DemandStatus.PUBLISHED, DemandStatus.CLAIMED, DemandStatus.IN_PROGRESS]

MICRO_WISH_PURPOSE = "lists.micro_wish.requester"


class Demand(SearchableName):
    """An entry of the demand list (需求清单), owned by the territorial Party organisation whose
    list it is on (``owner_org``, on ``area``). A micro-wish keeps its requester sealed: only the
    wish and ``requester_first_name`` are ever public."""

    kind = models.CharField(_("kind"), max_length=12, choices=DemandKind.choices, default=DemandKind.GENERAL)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    measure = models.CharField(_("measure (人, 场, 张…)"), max_length=20, blank=True)
    claimed = models.PositiveIntegerField(_("claimed"), default=0, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="demands", verbose_name=_("area"))
    owner_org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="demands", verbose_name=_("list kept by")
    )
    raised_by_unit = models.ForeignKey(
        ResidentUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="demands_raised"
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    source = models.CharField(_("source"), max_length=16, choices=DemandSource.choices, default="community")
    status = models.CharField(_("status"), max_length=12, choices=DemandStatus.choices, default="raised")
    requester_first_name = models.CharField(_("requester (first name only)"), max_length=20, blank=True)
    requester_sealed = models.TextField(blank=True, editable=False)
    reject_reason = models.CharField(_("reason"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meeting = models.ForeignKey(
        "cobuild.JointMeeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands",
        verbose_name=_("raised or assigned at joint meeting"),
    )
    raised_at = models.DateTimeField(_("raised at"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    first_claimed_at = models.DateTimeField(_("first claimed at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    #: when the demand left the list for good: closed, withdrawn, expired or rejected (figures on a
    #: past date count a demand open until then)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering = ["-raised_at"]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            models.Index(fields=["kind", "raised_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(claimed__lte=F("quantity")), name="demand_never_over_claimed"),
        ]

    def set_requester(self, name_and_contact: str) -> None:
        """Seal who made a micro-wish (name, contact, address): confidential, never listed."""
        self.requester_sealed = pii.seal(name_and_contact.strip(), purpose=MICRO_WISH_PURPOSE)

    @property
    def remaining(self) -> int:
        return self.quantity - self.claimed


# --- resources --------------------------------------------------------------------------------


class ResourceKind(models.TextChoices):
    VENUE = "venue", pgettext_lazy("status", "Venue (阵地)")
    PEOPLE = "people", pgettext_lazy("status", "People and expertise (人才)")
    SERVICE = "service", pgettext_lazy("status", "Service")
    EQUIPMENT = "equipment", pgettext_lazy("status", "Equipment")
    FUNDS = "funds", pgettext_lazy("status", "Funds")


class ResourceStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("status", "Draft")
    PUBLISHED = "published", pgettext_lazy("status", "Published")
    USED_UP = "used_up", pgettext_lazy("status", "Used up")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")
    EXPIRED = "expired", pgettext_lazy("status", "Expired")


class Resource(SearchableName):
    """An entry of the resource list (资源清单): what a unit, a street or community department or a
    member offers, with a capacity that claims can never exceed."""

    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), default=1, validators=[MinValueValidator(1)])
    measure = models.CharField(_("measure (人, 场, 次…)"), max_length=20, blank=True)
    claimed = models.PositiveIntegerField(_("claimed"), default=0, editable=False)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="resources", verbose_name=_("where it is")
    )
    provider_unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("offered by unit"),
    )
    provider_org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("offered by organisation"),
    )
    provider_member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("offered by member"),
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    radius_km = models.DecimalField(
        _("service radius (km)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    service_areas = models.ManyToManyField(
        Area, blank=True, related_name="resources_serving", verbose_name=_("areas served")
    )
    status = models.CharField(_("status"), max_length=10, choices=ResourceStatus.choices, default="draft")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    #: when the resource left the list: used up, withdrawn or expired (figures on a past date count
    #: it open until then)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(claimed__lte=F("capacity")), name="resource_never_over_claimed"
            ),
            models.CheckConstraint(
                condition=Q(provider_unit__isnull=False)
                | Q(provider_org__isnull=False)
                | Q(provider_member__isnull=False),
                name="resource_has_provider",
            ),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_until__isnull=True)
                | Q(available_until__gte=F("available_from")),
                name="resource_window_order",
            ),
        ]

    @property
    def remaining(self) -> int:
        return self.capacity - self.claimed


# --- claims -----------------------------------------------------------------------------------


class ClaimStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("status", "Waiting for the owner")
    ACCEPTED = "accepted", pgettext_lazy("status", "Accepted")
    DECLINED = "declined", pgettext_lazy("status", "Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")


class Claim(models.Model):
    """A claim (认领) from either side: a unit, organisation or member claims a demand, or a
    community (organisation) claims a resource. At a joint meeting it is recorded against it; a
    meeting's assignment (交办) of an unclaimed demand is a claim marked ``assigned``."""

    demand = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    claimant_unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("unit"),
    )
    claimant_org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("organisation"),
    )
    claimant_member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("member"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1, validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default="pending")
    assigned = models.BooleanField(_("assigned by a joint meeting (交办)"), default=False)
    meeting = models.ForeignKey(
        "cobuild.JointMeeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("claimed at joint meeting"),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-claimed_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(demand__isnull=False) & Q(resource__isnull=True))
                | (Q(demand__isnull=True) & Q(resource__isnull=False)),
                name="claim_one_side",
            ),
            models.CheckConstraint(
                condition=Q(claimant_unit__isnull=False)
                | Q(claimant_org__isnull=False)
                | Q(claimant_member__isnull=False),
                name="claim_has_claimant",
            ),
        ]

    def __str__(self) -> str:
        target = self.demand or self.resource
        return f"{target} ← {self.claimant_unit or self.claimant_org or self.claimant_member}"


# --- projects ---------------------------------------------------------------------------------


class ProjectStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", pgettext_lazy("status", "In progress")
    DONE = "done", pgettext_lazy("status", "Done")
    EVALUATED = "evaluated", pgettext_lazy("status", "Evaluated")
    CLOSED = "closed", pgettext_lazy("status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", pgettext_lazy("status", "Excellent")
    FAIR = "fair", pgettext_lazy("status", "Fair")
    POOR = "poor", pgettext_lazy("status", "Poor")


class Project(SearchableName):
    """A co-building project (项目清单) formed from an accepted claim, linked to the demand and/or
    the resource it came from. ``percent`` is rolled up from the milestones by the services."""

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="project")
    demand = models.ForeignKey(
        Demand,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("demand"),
    )
    resource = models.ForeignKey(
        Resource,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("resource"),
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="projects", verbose_name=_("area"))
    lead_unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects_led",
        verbose_name=_("lead unit"),
    )
    lead_org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects_led",
        verbose_name=_("lead organisation"),
    )
    partners = models.ManyToManyField(
        ResidentUnit, blank=True, related_name="projects_joined", verbose_name=_("partner units")
    )
    plan = models.TextField(_("plan"), blank=True)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default="in_progress"
    )
    percent = models.PositiveSmallIntegerField(
        _("percent done"), default=0, validators=[MaxValueValidator(100)], editable=False
    )
    beneficiaries = models.PositiveIntegerField(_("beneficiaries"), default=0)
    hours = models.DecimalField(_("service hours"), max_digits=10, decimal_places=1, default=0)
    meeting = models.ForeignKey(
        "cobuild.JointMeeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("claimed at joint meeting"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    rating = models.CharField(_("year-end rating"), max_length=10, choices=Rating.choices, blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    public = models.BooleanField(_("shown on the public board"), default=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-claimed_at"]
        indexes = [models.Index(fields=["status", "claimed_at"]), models.Index(fields=["completed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(demand__isnull=False) | Q(resource__isnull=False), name="project_has_origin"
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="project_percent_max"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def days_to_claim(self) -> float | None:
        """Days from the publication of the demand (or resource) to the accepted claim."""
        return _days(self.published_at, self.claimed_at)

    @property
    def days_to_complete(self) -> float | None:
        """Days from the publication to the completion (from the claim when never published)."""
        return _days(self.published_at or self.claimed_at, self.completed_at)


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max((end - start).total_seconds(), 0) / 86400, 1)


class Milestone(models.Model):
    """A step of a project, weighted; the project's percent is the weighted mean of its steps."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("milestone"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MinValueValidator(1)])
    due_on = models.DateField(_("due on"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(
        _("percent done"), default=0, validators=[MaxValueValidator(100)]
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="milestone_percent_max")]

    def __str__(self) -> str:
        return self.title


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.project_id}/{filename}"


class Evidence(models.Model):
    """A photo or file showing what a project did."""

    class Kind(models.TextChoices):
        PHOTO = "photo", pgettext_lazy("status", "Photo")
        FILE = "file", pgettext_lazy("status", "File")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="evidence")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    public = models.BooleanField(_("shown on the public board"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.caption or str(self.file.name)


class ProgressReport(models.Model):
    """The owner's quarterly progress report on a project (季度进展)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    inspected = models.BooleanField(_("inspected by the review team"), default=False)
    inspected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "quarter"], name="one_report_a_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="quarter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}Q{self.quarter}"


class Satisfaction(models.Model):
    """A resident's rating of a finished project, from the public board: one per resident."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="satisfaction")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    at = models.DateTimeField(_("rated at"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("residents' rating")
        verbose_name_plural = _("residents' ratings")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="one_rating_per_resident"),
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.score}"
