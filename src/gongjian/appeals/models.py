"""Residents' appeals (接诉即办): an appeal registered, assigned to an organisation, answered and
solved within its time limit, closed, and the resident called back for satisfaction.

The row keeps the invariants of one row (times in order, the due time after the registration,
the phone sealed and masked); who may do what, and in which order, is in ``services.py``. Every
step is also an ``AppealEvent`` of the appeal's timeline (who, what, when, with a note).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.core import pii
from gongjian.orgs.models import Area, PartyOrg

from .deadlines import Kind as DeadlineKind
from .deadlines import Schedule as DeadlineSchedule

PHONE_PURPOSE = "appeals.resident_phone"


class Channel(models.TextChoices):
    HOTLINE = "hotline", pgettext_lazy("status", "12345 hotline")
    WALK_IN = "walk_in", pgettext_lazy("status", "Walk-in")
    PHONE = "phone", pgettext_lazy("status", "Phone call to the office")
    ONLINE = "online", pgettext_lazy("status", "Online")
    WECHAT = "wechat", pgettext_lazy("status", "WeChat")
    GRID = "grid", pgettext_lazy("status", "Grid worker")
    LETTER = "letter", pgettext_lazy("status", "Letter (by post)")


class AppealKind(models.TextChoices):
    EMERGENCY = DeadlineKind.EMERGENCY.value, pgettext_lazy("status", "Emergency (2 hours)")
    UTILITIES = DeadlineKind.UTILITIES.value, pgettext_lazy("status", "Water, power, gas, heating (24 hours)")
    GENERAL = DeadlineKind.GENERAL.value, pgettext_lazy("status", "General (7 days)")
    COMPLEX = DeadlineKind.COMPLEX.value, pgettext_lazy("status", "Complex (15 days)")


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("appeal", "Registered")
    ASSIGNED = "assigned", pgettext_lazy("appeal", "Assigned")
    ANSWERED = "answered", pgettext_lazy("appeal", "Answered")
    SOLVED = "solved", pgettext_lazy("appeal", "Solved")
    UNSOLVABLE = "unsolvable", pgettext_lazy("appeal", "Cannot be solved")
    CLOSED = "closed", pgettext_lazy("appeal", "Closed")


#: Statuses in which the appeal is still being handled (not yet closed).
OPEN_STATUSES = (
    AppealStatus.REGISTERED,
    AppealStatus.ASSIGNED,
    AppealStatus.ANSWERED,
    AppealStatus.SOLVED,
    AppealStatus.UNSOLVABLE,
)


class Outcome(models.TextChoices):
    SOLVED = "solved", pgettext_lazy("appeal", "Solved")
    UNSOLVABLE = "unsolvable", pgettext_lazy("appeal", "Cannot be solved")


class CallBackResult(models.TextChoices):
    SATISFIED = "satisfied", pgettext_lazy("status", "Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", pgettext_lazy("status", "Basically satisfied")
    DISSATISFIED = "dissatisfied", pgettext_lazy("status", "Dissatisfied")
    NOT_REACHED = "not_reached", pgettext_lazy("status", "Not reached")


class CallBackChannel(models.TextChoices):
    """How the resident was called back (回访方式)."""

    PHONE = "phone", pgettext_lazy("status", "By phone")
    SMS = "sms", pgettext_lazy("status", "By text message")
    WECHAT = "wechat", pgettext_lazy("status", "By WeChat")
    VISIT = "visit", pgettext_lazy("status", "By a home visit")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", pgettext_lazy("status", "Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", pgettext_lazy("status", "Basically satisfied")
    DISSATISFIED = "dissatisfied", pgettext_lazy("status", "Dissatisfied")


#: Call-back results that count as satisfied in ``appeals.satisfaction_rate``.
SATISFIED_RESULTS = (CallBackResult.SATISFIED, CallBackResult.BASICALLY_SATISFIED)
#: Call-back results where the resident was reached (the rate's denominator).
REACHED_RESULTS = (*SATISFIED_RESULTS, CallBackResult.DISSATISFIED)


class Appeal(models.Model):
    """A resident's appeal (诉求) about a community, compound or building.

    ``due_at`` is computed at registration by ``deadlines.due_at`` from ``registered_at``,
    ``kind`` and ``working_days`` (copied from the setting ``GONGJIAN_APPEALS_WORKING_DAYS``).
    ``solved_at`` is when the handler reported the outcome (``outcome``: solved, or cannot be
    solved with a reason). ``resident`` is the account that raised it online (None when staff
    registered it on the resident's behalf); the resident's phone is sealed, shown masked.
    """

    number = models.CharField(_("number"), max_length=20, unique=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("area"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=AppealKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals_raised",
        verbose_name=_("raised online by"),
    )
    resident_name = models.CharField(_("resident's name"), max_length=60)
    phone_sealed = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("resident's phone"), max_length=20, blank=True, editable=False)
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    working_days = models.BooleanField(_("time limit in working days"), default=False)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppealStatus.choices, default=AppealStatus.REGISTERED
    )
    assigned_org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=_("assigned to"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    solved_at = models.DateTimeField(_("outcome reported at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    callback_result = models.CharField(
        _("call-back result"), max_length=20, choices=CallBackResult.choices, blank=True
    )
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    callback_channel = models.CharField(
        _("call-back channel"), max_length=10, choices=CallBackChannel.choices, blank=True
    )
    callback_solved = models.BooleanField(_("solved, as the resident said on the call-back"), null=True)
    resident_rating = models.CharField(
        _("resident's rating"), max_length=20, choices=Rating.choices, blank=True
    )
    resident_rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-registered_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="appeal_status_due"),
            models.Index(fields=["registered_at"], name="appeal_registered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gt=F("registered_at")), name="appeal_due_after_registered"
            ),
            models.CheckConstraint(
                condition=Q(assigned_at__isnull=True) | Q(assigned_at__gte=F("registered_at")),
                name="appeal_assigned_after_registered",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(answered_at__gte=F("registered_at")),
                name="appeal_answered_after_registered",
            ),
            models.CheckConstraint(
                condition=Q(solved_at__isnull=True) | Q(solved_at__gte=F("answered_at")),
                name="appeal_solved_after_answered",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("solved_at")),
                name="appeal_closed_after_solved",
            ),
            models.CheckConstraint(
                condition=Q(called_back_at__isnull=True) | Q(called_back_at__gte=F("closed_at")),
                name="appeal_called_back_after_closed",
            ),
            models.CheckConstraint(
                condition=Q(resident_rated_at__isnull=True) | Q(resident_rated_at__gte=F("solved_at")),
                name="appeal_rated_after_solved",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(solved_at__isnull=False), name="appeal_outcome_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("appeals:detail", args=[self.pk])

    def set_phone(self, phone: str) -> None:
        phone = (phone or "").strip()
        self.phone_sealed = pii.seal(phone, purpose=PHONE_PURPOSE)
        self.phone_index = pii.blind_index(phone, purpose=PHONE_PURPOSE)
        self.phone_masked = pii.mask_phone(phone)

    def phone_clear(self) -> str:
        """The clear phone number. Only services call this, and they audit the read."""
        return pii.unseal(self.phone_sealed, purpose=PHONE_PURPOSE)

    @property
    def is_open(self) -> bool:
        return self.status != AppealStatus.CLOSED

    def overdue_on(self, now: dt.datetime) -> bool:
        """Due and not answered at ``now`` (an aware datetime)."""
        return self.answered_at is None and self.due_at < now

    @property
    def answered_in_time(self) -> bool | None:
        if self.answered_at is None:
            return None
        return self.answered_at <= self.due_at


class EventKind(models.TextChoices):
    REGISTERED = "registered", pgettext_lazy("appeal", "Registered")
    ASSIGNED = "assigned", pgettext_lazy("appeal", "Assigned")
    REASSIGNED = "reassigned", pgettext_lazy("appeal", "Reassigned")
    ANSWERED = "answered", pgettext_lazy("appeal", "Answered")
    SOLVED = "solved", pgettext_lazy("appeal", "Solved")
    UNSOLVABLE = "unsolvable", pgettext_lazy("appeal", "Reported as unsolvable")
    CLOSED = "closed", pgettext_lazy("appeal", "Closed")
    CALLED_BACK = "called_back", pgettext_lazy("appeal", "Called back")
    RATED = "rated", pgettext_lazy("appeal", "Rated by the resident")
    REOPENED = "reopened", pgettext_lazy("appeal", "Reopened")
    HANDED_OFF = "handed_off", pgettext_lazy("appeal", "Hand-off asked")
    ACCEPTED = "accepted", pgettext_lazy("appeal", "Hand-off accepted")
    RETURNED = "returned", pgettext_lazy("appeal", "Hand-off returned")


class AppealEvent(models.Model):
    """One step of an appeal's timeline: who did what when, with a note (the answer given, the
    reason for a reassignment, the call-back result …). ``org``: the organisation assigned."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("what"), max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    org = models.ForeignKey(PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal.number} {self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class AppealClosure(models.Model):
    """One closure (办结) of an appeal, as it was judged: the unit that closed it, its outcome, the
    limit then in force, the call-back to the resident (by someone who did not handle it: who, how,
    the result, and whether the resident says it was solved: ``callback_solved``), and — when the resident reopened it within
    ``GONGJIAN_APPEALS_REOPEN_DAYS`` — when and why. An appeal closed, reopened and closed again has
    two closures: the first counts as not solved against the unit that closed it (the rates of
    ``rates.py`` count closures, not appeals, for everything judged at closure).

    ``area`` is the appeal's, copied so the figures count a closure in the subtree by one path."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="closures")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by unit"),
    )
    closed_at = models.DateTimeField(_("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_at = models.DateTimeField(_("due at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    callback_result = models.CharField(
        _("call-back result"), max_length=20, choices=CallBackResult.choices, blank=True
    )
    called_back_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    called_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    callback_channel = models.CharField(
        _("call-back channel"), max_length=10, choices=CallBackChannel.choices, blank=True
    )
    callback_solved = models.BooleanField(_("solved, as the resident said on the call-back"), null=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("why it was reopened"), blank=True)

    class Meta:
        verbose_name = _("closure of an appeal")
        verbose_name_plural = _("closures of appeals")
        ordering = ["closed_at", "pk"]
        indexes = [models.Index(fields=["closed_at"], name="appeal_closure_closed")]
        constraints = [
            models.CheckConstraint(
                condition=Q(called_back_at__isnull=True) | Q(called_back_at__gte=F("closed_at")),
                name="appeal_closure_called_back_after",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | Q(reopened_at__gte=F("closed_at")),
                name="appeal_closure_reopened_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal} ({self.closed_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("appeals:detail", args=[self.appeal_id])


class HandoffStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("status", "Waiting for acceptance")
    ACCEPTED = "accepted", pgettext_lazy("status", "Accepted")
    RETURNED = "returned", pgettext_lazy("status", "Returned")
    EXPIRED = "expired", pgettext_lazy("status", "Not accepted in time")


class AppealHandoff(models.Model):
    """A hand-off (转办) of an appeal from the organisation handling it to another, which accepts
    it or returns it with a reason by ``answer_by``; until it accepts, the first organisation still
    owns the appeal (首接负责) and the appeal's clock runs on unchanged. One pending at a time."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="handoffs")
    from_org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed off by")
    )
    to_org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="+", verbose_name=_("handed to")
    )
    reason = models.TextField(_("why it is handed off"))
    asked_at = models.DateTimeField(_("asked at"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_by = models.DateTimeField(_("to be accepted by"))
    status = models.CharField(
        _("status"), max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("why it was returned"), blank=True)

    class Meta:
        verbose_name = _("hand-off of an appeal")
        verbose_name_plural = _("hand-offs of appeals")
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(status="pending"), name="appeal_one_pending_handoff"
            ),
            models.CheckConstraint(
                condition=Q(answer_by__gt=F("asked_at")), name="appeal_handoff_limit_after"
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True) | Q(decided_at__gte=F("asked_at")),
                name="appeal_handoff_decided_after",
            ),
            models.CheckConstraint(condition=~Q(from_org=F("to_org")), name="appeal_handoff_other_org"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal.number} → {self.to_org}"

    def get_absolute_url(self) -> str:
        return reverse("appeals:detail", args=[self.appeal_id])


class WorkingDaySchedule(models.Model):
    """The State Council's schedule of one year (public holidays and swapped working days), loaded
    by a platform administrator for a year the calendar package does not know yet. Dates are kept
    as ISO strings (``YYYY-MM-DD``), sorted."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    holidays = models.JSONField(_("public holidays"), default=list)
    workdays = models.JSONField(_("swapped working days"), default=list)
    source = models.CharField(_("source"), max_length=300)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("working-day schedule")
        verbose_name_plural = _("working-day schedules")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)

    def schedule(self) -> DeadlineSchedule:
        return DeadlineSchedule(
            self.year,
            frozenset(dt.date.fromisoformat(d) for d in self.holidays),
            frozenset(dt.date.fromisoformat(d) for d in self.workdays),
        )
