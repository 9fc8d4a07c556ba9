"""Appraisal campaigns (评比表彰), their criteria and entries, the public notice's objections, and
the honours awarded.

A campaign is organised at a node of the map (its ``area``: a city, district, street or community)
for one kind of candidate inside that node's subtree. Its score is a weighted sum of criteria: a
catalogue figure on the campaign's date (``figures_on``), or an item a panel scores with evidence.
Each entry keeps the parts it was scored from (:class:`EntryPart`: the value, the weight, the date),
so a ranking can be read back and redone exactly as it was published.

    draft → scored → notice (公示) → awarded
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.core.levels import Level
from gongjian.orgs.models import Area, PartyOrg, ResidentUnit


class CandidateKind(models.TextChoices):
    AREA = "area", pgettext_lazy("status", "Areas (streets, communities, compounds …)")
    ORG = "org", pgettext_lazy("status", "Party organisations")
    UNIT = "unit", pgettext_lazy("status", "Resident units")
    MEMBER = "member", pgettext_lazy("status", "Party members")
    TEAM = "team", pgettext_lazy("status", "Service teams")


#: Candidates who are persons: their names are masked on the public list and its objections.
PERSON_KINDS = (CandidateKind.MEMBER,)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("status", "Draft")
    SCORED = "scored", pgettext_lazy("status", "In review")
    NOTICE = "notice", pgettext_lazy("status", "Public notice")
    AWARDED = "awarded", pgettext_lazy("status", "Awarded")


#: A campaign whose list the public reads (the notice, then the honours).
PUBLIC_STATUSES = (CampaignStatus.NOTICE, CampaignStatus.AWARDED)


class CriterionKind(models.TextChoices):
    FIGURE = "figure", pgettext_lazy("status", "A figure from the catalogue")
    PANEL = "panel", pgettext_lazy("status", "Scored by the panel, with evidence")


class Campaign(models.Model):
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("organised at")
    )
    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(_("year"))
    honour = models.CharField(_("honour awarded"), max_length=60)
    candidate_kind = models.CharField(_("kind of candidate"), max_length=10, choices=CandidateKind.choices)
    candidate_level = models.PositiveSmallIntegerField(
        _("level of the candidate areas"), choices=Level.choices, null=True, blank=True
    )
    how_many = models.PositiveSmallIntegerField(_("how many"))
    negative = models.BooleanField(_("negative list (such as 十差)"), default=False)
    by_nomination = models.BooleanField(_("only nominated candidates"), default=False)
    #: The figures are read over ``figures_from``–``figures_on`` (both included) when given,
    #: else on ``figures_on`` (see ``scoring.period_reads``).
    figures_from = models.DateField(pgettext_lazy("field", "figures from"), null=True, blank=True)
    figures_on = models.DateField(_("figures on"))
    nominations_until = models.DateField(_("nominations until"), null=True, blank=True)
    review_until = models.DateField(_("review until"), null=True, blank=True)
    notice_until = models.DateField(_("public notice until"), null=True, blank=True)
    award_on = models.DateField(_("award on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    scored_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    awarded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-year", "name", "pk"]
        verbose_name = _("appraisal campaign")
        verbose_name_plural = _("appraisal campaigns")

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class Criterion(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="criteria")
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices)
    indicator = models.CharField(_("figure"), max_length=60, blank=True)
    label = models.CharField(_("item"), max_length=120)
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=3)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["campaign", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="panel", indicator="") | (Q(kind="figure") & ~Q(indicator="")),
                name="honours_criterion_figure_named",
            )
        ]

    def __str__(self) -> str:
        return self.label


class Entry(models.Model):
    """A candidate in a campaign (one of ``area``, ``org``, ``unit``), with its score and place."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="entries")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "service.ServiceTeam", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The node the candidate sits at (itself for an area): scope and figures read it.
    home = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("candidate"), max_length=120)
    nominated = models.BooleanField(_("nominated"), default=False)
    nomination = models.CharField(_("nomination"), max_length=500, blank=True)
    computed = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    adjustment = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal(0))
    adjust_reason = models.CharField(_("reason for the adjustment"), max_length=500, blank=True)
    score = models.DecimalField(_("score"), max_digits=14, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(_("place on the list"), null=True, blank=True)
    listed = models.BooleanField(_("on the list"), default=False)
    #: Taken off the list by an objection upheld (the answer says why).
    excluded = models.BooleanField(_("taken off by an objection"), default=False)

    class Meta:
        ordering = ["campaign", "rank", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "area"], name="honours_entry_area_once"),
            models.UniqueConstraint(fields=["campaign", "org"], name="honours_entry_org_once"),
            models.UniqueConstraint(fields=["campaign", "unit"], name="honours_entry_unit_once"),
            models.UniqueConstraint(fields=["campaign", "member"], name="honours_entry_member_once"),
            models.UniqueConstraint(fields=["campaign", "team"], name="honours_entry_team_once"),
        ]

    def __str__(self) -> str:
        return self.name


class EntryPart(models.Model):
    """One criterion of one entry: the value it was scored from and what it added (weight × value).
    A figure's part names the date it was read on; a panel's part its evidence."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="parts")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="parts")
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    points = models.DecimalField(_("points"), max_digits=14, decimal_places=4, default=Decimal(0))
    figures_from = models.DateField(null=True, blank=True)
    figures_on = models.DateField(null=True, blank=True)
    #: The catalogue's readings the value was computed from ({"YYYY-MM-DD": value}, and for a ratio
    #: over a period its parts), so the part can be checked and redone as it was.
    readings = models.JSONField(default=dict, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["entry", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "criterion"], name="honours_part_once"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value}"


class Objection(models.Model):
    """An objection filed during the public notice: open to anyone, answered by the organiser."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="objections")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="objections")
    text = models.CharField(_("objection"), max_length=1000)
    signed = models.CharField(_("signed (optional)"), max_length=60, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    filed_at = models.DateTimeField()
    answer = models.CharField(_("answer"), max_length=1000, blank=True)
    upheld = models.BooleanField(_("upheld"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "filed_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Honour(models.Model):
    """An honour (or a place on a negative list) held by an area, organisation or unit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="honours")
    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="honour")
    name = models.CharField(_("honour"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    negative = models.BooleanField(_("negative list"), default=False)
    holder = models.CharField(_("holder"), max_length=120)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="honours")  # where it counts
    holder_area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    holder_org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    holder_unit = models.ForeignKey(
        ResidentUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    holder_member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    holder_team = models.ForeignKey(
        "service.ServiceTeam", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rank = models.PositiveIntegerField(_("place on the list"))
    awarded_at = models.DateTimeField(pgettext_lazy("field", "awarded"))
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "name", "rank", "pk"]
        indexes = [models.Index(fields=["awarded_at"])]

    def __str__(self) -> str:
        return f"{self.year} {self.name} {self.holder}"
