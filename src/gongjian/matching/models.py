"""The claiming session of a joint meeting (issue #6, item 2): its state between requests.

The engine (``engine.py`` and the modules beside it) imports no Django; these tables belong to the
product side only. A session keeps the convener's decisions as rows, so the proposal can always be
recomputed from them:

* ``MatchingPair`` ``accepted``: a pinned pair (kept with its quantity, the rest optimised around it);
* ``dropped``: an excluded pair (never proposed again in this session);
* ``released``: a decision taken back (history is kept, nothing is deleted);
* ``committed``: an accepted pair turned into an accepted claim recorded against the meeting.

The last proposal (pairs with scores and reasons, unallocated demands, shortfalls) is kept as JSON on
the session, and recomputed after every decision (through a task with progress for big runs).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SessionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("status", "In progress")
    COMMITTED = "committed", pgettext_lazy("status", "Committed")


class MatchingSession(models.Model):
    """One claiming session (认领会) of a joint meeting."""

    meeting = models.ForeignKey(
        "cobuild.JointMeeting", on_delete=models.PROTECT, related_name="matching_sessions"
    )
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN)
    proposal = models.JSONField(default=dict, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("claiming session")
        verbose_name_plural = _("claiming sessions")

    def __str__(self) -> str:
        return f"{self.meeting} #{self.pk}"

    @property
    def name(self) -> str:
        return str(self.meeting)


class PairState(models.TextChoices):
    ACCEPTED = "accepted", pgettext_lazy("status", "Accepted")
    DROPPED = "dropped", pgettext_lazy("status", "Dropped")
    RELEASED = "released", pgettext_lazy("status", "Taken back")
    COMMITTED = "committed", pgettext_lazy("status", "Claim recorded")


class MatchingPair(models.Model):
    """A convener's decision on one (demand, resource) pair of a session."""

    session = models.ForeignKey(MatchingSession, on_delete=models.PROTECT, related_name="pairs")
    demand = models.ForeignKey("lists.Demand", on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey("lists.Resource", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=PairState.choices)
    score = models.FloatField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    swapped = models.BooleanField(default=False)
    claim = models.ForeignKey(
        "lists.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["session", "state"]), models.Index(fields=["resource", "state"])]

    def __str__(self) -> str:
        return f"{self.demand_id} ← {self.resource_id} ({self.state})"


class FeedbackOutcome(models.TextChoices):
    CLAIMED = "claimed", pgettext_lazy("status", "Claimed")
    DECLINED = "declined", pgettext_lazy("status", "Not a match")


class RecommendationFeedback(models.Model):
    """What a person did with a recommended pair (issue #23, item 6): claimed it (through the
    confirmation) or said it is not a match. Kept as labels the evaluation can replay
    (``services.feedback_labelled``): a claim the owner accepted or still weighs says "relevant",
    a claim the owner declined and a "not a match" say "not relevant". The score and reasons shown
    at the time are kept, so a later engine can be compared with what people saw."""

    demand = models.ForeignKey("lists.Demand", on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey("lists.Resource", on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10)  # "offer" (the provider) or "community" (the demand's list)
    outcome = models.CharField(max_length=10, choices=FeedbackOutcome.choices)
    score = models.FloatField(null=True, blank=True)  # as shown; None when the pair was not shown
    reasons = models.JSONField(default=list, blank=True)
    claim = models.ForeignKey(
        "lists.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["demand", "resource"]), models.Index(fields=["outcome", "at"])]
        verbose_name = _("recommendation feedback")
        verbose_name_plural = _("recommendation feedback")

    def __str__(self) -> str:
        return f"{self.demand_id} ← {self.resource_id} ({self.outcome})"
