"""Co-building (共建): pairing agreements, expanded committees and their part-time seats, joint
meetings with their topics, agenda, attendance, pledges, resolutions and action items, and
consultations of residents.

Each row keeps the invariants of one row; everything that involves an actor, a permission, a
workflow step or other rows is in ``services/``.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.orgs.models import Alliance, Area, Dated, PartyOrg, ResidentUnit

# --- agreements -------------------------------------------------------------------------------


class Clause(models.TextChoices):
    """The catalogue of commitments an agreement is made of (domain guide §2)."""

    CONSULT = "consult", pgettext_lazy("status", "Party building discussed together (党建共商)")
    AFFAIRS = "affairs", pgettext_lazy("status", "Affairs managed together (事务共管)")
    RESOURCES = "resources", pgettext_lazy("status", "Resources shared (资源共享)")
    CIVILITY = "civility", pgettext_lazy("status", "Civility built together (文明共创)")
    PROBLEMS = "problems", pgettext_lazy("status", "Problems solved together (难题共解)")
    ACTIVITIES = "activities", pgettext_lazy("status", "Activities run together (活动共办)")
    ORGANISATION = "organisation", pgettext_lazy("status", "Organisations built together (组织共建)")
    TEAMS = "teams", pgettext_lazy("status", "Teams managed together (队伍共管)")
    VENUES = "venues", pgettext_lazy("status", "Venues used together (阵地共用)")
    OTHER = "other", pgettext_lazy("status", "Other commitment")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("status", "Draft")
    SIGNED = "signed", pgettext_lazy("status", "Signed")
    IN_FORCE = "in_force", pgettext_lazy("status", "In force")
    EXPIRED = "expired", pgettext_lazy("status", "Expired")
    ENDED = "ended", pgettext_lazy("status", "Ended")


class Agreement(models.Model):
    """A pairing agreement (结对共建协议) between a territorial (community or street) Party
    organisation and a resident unit's Party organisation.

    ``area`` is the host organisation's area and ``unit`` the guest organisation's unit, both kept
    by the services so that scope is one indexed look-up. In force on a date: signed, the term has
    begun and not run out, and not ended before it (``in_force_on``)."""

    number = models.CharField(_("agreement number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    host_org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="agreements_hosted",
        verbose_name=_("community or street side"),
    )
    unit_org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="agreements_joined", verbose_name=_("unit side")
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="agreements", editable=False)
    unit = models.ForeignKey(
        ResidentUnit, on_delete=models.PROTECT, related_name="agreements", editable=False
    )
    host_liaison = models.CharField(_("liaison, community side"), max_length=60, blank=True)
    host_liaison_title = models.CharField(_("liaison's title, community side"), max_length=60, blank=True)
    unit_liaison = models.CharField(_("liaison, unit side"), max_length=60, blank=True)
    unit_liaison_title = models.CharField(_("liaison's title, unit side"), max_length=60, blank=True)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    yearly_plan = models.TextField(_("yearly plan"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AgreementStatus.choices, default="draft")
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    host_signatory = models.CharField(_("signed for the community side by"), max_length=60, blank=True)
    unit_signatory = models.CharField(_("signed for the unit side by"), max_length=60, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    meeting = models.ForeignKey(
        "JointMeeting",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("signed at joint meeting"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("co-building agreement")
        verbose_name_plural = _("co-building agreements")
        ordering = ["-starts_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_term_order"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_on__isnull=False), name="agreement_signed_has_date"
            ),
        ]
        indexes = [models.Index(fields=["status", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @staticmethod
    def in_force_on(date: dt.date, prefix: str = "") -> Q:
        """Agreements in force on ``date``, from their dates (history stays answerable)."""
        p = prefix
        return (
            Q(**{f"{p}signed_on__isnull": False, f"{p}signed_on__lte": date})
            & Q(**{f"{p}starts_on__lte": date, f"{p}ends_on__gte": date})
            & (Q(**{f"{p}ended_on__isnull": True}) | Q(**{f"{p}ended_on__gt": date}))
        )


class AgreementClause(models.Model):
    """One commitment of an agreement: a catalogue clause with its concrete wording."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="clauses")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("clause"), max_length=20, choices=Clause.choices)
    text = models.TextField(_("commitment"), blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("agreement clause")
        verbose_name_plural = _("agreement clauses")

    def __str__(self) -> str:
        return f"{self.agreement.number} · {self.get_kind_display()}"


class ReviewRating(models.TextChoices):
    GOOD = "good", pgettext_lazy("status", "Good")
    FAIR = "fair", pgettext_lazy("status", "Fair")
    POOR = "poor", pgettext_lazy("status", "Poor")


class AgreementReview(models.Model):
    """The yearly review of an agreement (年度评议)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.CharField(_("rating"), max_length=10, choices=ReviewRating.choices)
    summary = models.TextField(_("summary"))
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("yearly review")
        verbose_name_plural = _("yearly reviews")
        constraints = [models.UniqueConstraint(fields=["agreement", "year"], name="one_review_a_year")]

    def __str__(self) -> str:
        return f"{self.agreement.number} · {self.year}"


# --- expanded committees and part-time seats --------------------------------------------------


class CommitteeKind(models.TextChoices):
    STREET = "street", pgettext_lazy("status", "Street big working committee (街道大工委)")
    COMMUNITY = "community", pgettext_lazy("status", "Community big Party committee (社区大党委)")


class Committee(models.Model):
    """A street working committee or community committee expanded with part-time members."""

    org = models.OneToOneField(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="expanded_committee",
        verbose_name=_("Party organisation"),
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="committees", editable=False)
    kind = models.CharField(_("kind"), max_length=10, choices=CommitteeKind.choices)
    name = models.CharField(_("name"), max_length=120)
    established_on = models.DateField(_("established on"))

    class Meta:
        verbose_name = _("expanded committee")
        verbose_name_plural = _("expanded committees")

    def __str__(self) -> str:
        return self.name


class SeatStep(models.TextChoices):
    """The appointment steps of a part-time seat (Changsha practice), then its end."""

    RECOMMENDED = "recommended", pgettext_lazy("status", "Recommended")
    SCREENED = "screened", pgettext_lazy("status", "Screened")
    APPROVED = "approved", pgettext_lazy("status", "Approved by the level above")
    APPOINTED = "appointed", pgettext_lazy("status", "Appointed")
    ANNOUNCED = "announced", pgettext_lazy("status", "Publicly announced in the unit")
    REJECTED = "rejected", pgettext_lazy("status", "Not approved")
    ENDED = "ended", pgettext_lazy("status", "Ended")


#: Steps in the order they are taken.
SEAT_STEPS = [
    SeatStep.RECOMMENDED,
    SeatStep.SCREENED,
    SeatStep.APPROVED,
    SeatStep.APPOINTED,
    SeatStep.ANNOUNCED,
]


class PartTimeSeat(Dated):
    """A unit leader serving as a part-time member (兼职委员) of an expanded committee.

    ``since``/``until`` are the term (set at appointment); the seat counts from appointment.
    Unpaid; the person's Party membership stays where it is (``member`` only points at it)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="seats")
    person_name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, related_name="part_time_seats")
    unit_title = models.CharField(_("post in the unit"), max_length=60, blank=True)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="part_time_seats"
    )
    duty = models.CharField(_("duty on the committee"), max_length=120, blank=True)
    step = models.CharField(_("step"), max_length=12, choices=SeatStep.choices, default=SeatStep.RECOMMENDED)
    recommended_on = models.DateField(_("recommended on"))
    recommended_by = models.CharField(_("recommended by"), max_length=120, blank=True)
    screened_on = models.DateField(_("screened on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("part-time seat")
        verbose_name_plural = _("part-time seats")
        indexes = [models.Index(fields=["step", "since"])]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_no"], condition=~Q(certificate_no=""), name="unique_seat_certificate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_name} · {self.committee}"

    @property
    def name(self) -> str:
        return self.person_name

    @staticmethod
    def in_force_on(date: dt.date, prefix: str = "") -> Q:
        """Seats appointed and within their term on ``date``."""
        return Q(
            **{f"{prefix}step__in": [SeatStep.APPOINTED, SeatStep.ANNOUNCED, SeatStep.ENDED]}
        ) & Dated.on(date, prefix)


# --- joint meetings ---------------------------------------------------------------------------


class MeetingLevel(models.TextChoices):
    CITY = "city", pgettext_lazy("status", "City")
    DISTRICT = "district", pgettext_lazy("status", "District")
    STREET = "street", pgettext_lazy("status", "Street")
    COMMUNITY = "community", pgettext_lazy("status", "Community")
    COMPOUND = "compound", pgettext_lazy("status", "Compound")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("status", "Planned: collecting topics")
    AGENDA_SENT = "agenda_sent", pgettext_lazy("status", "Agenda sent to the level above")
    HELD = "held", pgettext_lazy("status", "Held")
    CLOSED = "closed", pgettext_lazy("status", "Minutes archived")
    CANCELLED = "cancelled", pgettext_lazy("status", "Cancelled")


def _new_sign_in_secret() -> str:
    return secrets.token_urlsafe(24)


class JointMeeting(models.Model):
    """A joint meeting (联席会议) at some level, convened by a Party organisation.

    Cycle: topics are collected from a week ahead (``topics_open_on``), the agenda goes to the
    level above two days ahead (``agenda_due_on``), items are discussed and decided, and the next
    meeting hears progress on every open action item."""

    TOPIC_DAYS = 7
    AGENDA_DAYS = 2

    title = models.CharField(_("title"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=MeetingLevel.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="joint_meetings", verbose_name=_("area")
    )
    convener_org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        related_name="meetings_convened",
        verbose_name=_("convening organisation"),
    )
    convener = models.CharField(_("convener (召集人)"), max_length=60, blank=True)
    alliance = models.ForeignKey(
        Alliance,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("alliance"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MeetingStatus.choices, default="planned")
    agenda_sent_at = models.DateTimeField(_("agenda sent at"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_at = models.DateTimeField(_("minutes archived at"), null=True, blank=True)
    sign_in_secret = models.CharField(max_length=64, default=_new_sign_in_secret, editable=False)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("previous meeting"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def name(self) -> str:
        return self.title

    @property
    def day(self) -> dt.date:
        """The meeting's day in local time (``starts_at`` is stored in UTC: 07:00 in Changsha is
        23:00 the day before in UTC)."""
        return timezone.localtime(self.starts_at).date()

    @property
    def topics_open_on(self) -> dt.date:
        return self.day - dt.timedelta(days=self.TOPIC_DAYS)

    @property
    def agenda_due_on(self) -> dt.date:
        return self.day - dt.timedelta(days=self.AGENDA_DAYS)


class MeetingUnit(models.Model):
    """A member unit invited to a meeting, with its representative."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, related_name="meetings")
    representative = models.CharField(_("representative"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("meeting member unit")
        verbose_name_plural = _("meeting member units")
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="one_seat_per_unit")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.unit}"


class AgendaSource(models.TextChoices):
    TOPIC = "topic", pgettext_lazy("status", "Topic proposed by a unit")
    CONVENER = "convener", pgettext_lazy("status", "Put by the convener")
    FOLLOW_UP = "follow_up", pgettext_lazy("status", "Progress on an open action item")


class AgendaStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("status", "Proposed")
    ACCEPTED = "accepted", pgettext_lazy("status", "On the agenda")
    DECLINED = "declined", pgettext_lazy("status", "Not taken")


class AgendaItem(models.Model):
    """A topic proposed for a meeting (议题征集) or an item of its agenda."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=AgendaSource.choices, default="topic")
    status = models.CharField(_("status"), max_length=10, choices=AgendaStatus.choices, default="proposed")
    proposed_by_unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_item = models.ForeignKey(
        "ActionItem", null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    outcome = models.TextField(_("discussion and outcome"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """Someone signed in at a meeting: by scanning the meeting's QR code, or entered by staff."""

    class Method(models.TextChoices):
        QR = "qr", pgettext_lazy("status", "QR code")
        STAFF = "staff", pgettext_lazy("status", "Entered by staff")

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    unit = models.ForeignKey(ResidentUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=5, choices=Method.choices)
    at = models.DateTimeField(_("signed in at"))

    class Meta:
        ordering = ["at"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="sign_in_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_name} @ {self.meeting}"


class PledgeKind(models.TextChoices):
    """What a pledge gives, so that figures can count each kind apart (``pledges.*``)."""

    LECTURERS = "lecturers", pgettext_lazy("status", "Lecturers and experts (people)")
    VOLUNTEERS = "volunteers", pgettext_lazy("status", "Volunteers (people)")
    VENUES = "venues", pgettext_lazy("status", "Venues (places)")
    FUNDS = "funds", pgettext_lazy("status", "Funds (yuan)")
    GOODS = "goods", pgettext_lazy("status", "Goods (items)")
    OTHER = "other", pgettext_lazy("status", "Other")


class Pledge(models.Model):
    """A commitment made at a meeting (承诺), with a quantity where it has one ("100+ professors")
    and its kind from the catalogue (blank for a pledge recorded before kinds were kept)."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, related_name="pledges")
    unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("unit"),
    )
    text = models.CharField(_("pledge"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    measure = models.CharField(_("measure (人, 场, 次…)"), max_length=20, blank=True)
    at_least = models.BooleanField(_("at least (…+)"), default=False)
    kind = models.CharField(_("kind"), max_length=12, choices=PledgeKind.choices, blank=True, db_index=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self) -> str:
        return self.text


class Resolution(models.Model):
    """A decision taken at a meeting."""

    meeting = models.ForeignKey(JointMeeting, on_delete=models.PROTECT, related_name="resolutions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="resolutions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("decision"))

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return self.text[:60]


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "Open")
    CLOSED = "closed", pgettext_lazy("status", "Closed")


class ActionItem(models.Model):
    """Something a unit was charged with (交办事项): open until closed with a short report."""

    resolution = models.ForeignKey(Resolution, on_delete=models.PROTECT, related_name="actions")
    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.PROTECT, related_name="actions", editable=False
    )
    title = models.CharField(_("action"), max_length=200)
    owner_unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("owner unit"),
    )
    owner_org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name=_("owner organisation"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=6, choices=ActionStatus.choices, default="open")
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    report = models.TextField(_("closing report"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_unit__isnull=False) | Q(owner_org__isnull=False), name="action_has_owner"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closed_on__isnull=False) & ~Q(report="")),
                name="action_closed_reported",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def name(self) -> str:
        return self.title

    def overdue_on(self, date: dt.date) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < date


# --- consultations ----------------------------------------------------------------------------


class ConsultationKind(models.TextChoices):
    POLL = "poll", pgettext_lazy("status", "Household-by-household poll (征求意见)")
    DELIBERATION = "deliberation", pgettext_lazy("status", "Residents' deliberation (民主议事)")


class Answer(models.TextChoices):
    FOR = "for", pgettext_lazy("status", "In favour")
    AGAINST = "against", pgettext_lazy("status", "Against")
    ABSTAIN = "abstain", pgettext_lazy("status", "No opinion")


class Consultation(models.Model):
    """A question put to the households or residents of an area, and the decision it informed."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("area")
    )
    org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("asked by")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ConsultationKind.choices, default="poll")
    question = models.CharField(_("question"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    asked = models.PositiveIntegerField(_("households or residents asked"), default=0)
    resolution = models.ForeignKey(
        Resolution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("decision it informed"),
    )
    decision = models.TextField(_("decision taken"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="consultation_dates"
            )
        ]

    def __str__(self) -> str:
        return self.question

    @property
    def name(self) -> str:
        return self.question


class ConsultationAnswer(models.Model):
    """One household's or resident's answer. ``respondent`` is the door (门牌) or a label the
    community uses, never an ID or phone number; one answer per respondent."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="answers")
    respondent = models.CharField(_("household or resident"), max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    at = models.DateTimeField(_("answered at"))

    class Meta:
        ordering = ["at"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "respondent"], name="one_answer_per_respondent")
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.respondent}"
