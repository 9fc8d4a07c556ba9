"""Incremental figures, kept in the same transaction as the writes they count (see tally_core)."""

from __future__ import annotations

from django.db import models


class Contribution(models.Model):
    """Which node counts one subject of one source on which days (the last computed state, so a
    change applies only the difference)."""

    source = models.CharField(max_length=48)
    subject = models.BigIntegerField()
    path = models.CharField(max_length=255)
    up = models.BooleanField(default=True)
    since = models.DateField()
    until = models.DateField(null=True)
    weight = models.FloatField(default=1.0)

    class Meta:
        indexes = [models.Index(fields=["source", "subject"], name="stats_contrib_subject")]

    def __str__(self) -> str:
        return f"{self.source} #{self.subject} @ {self.path} [{self.since}, {self.until})"


class Tally(models.Model):
    """The change of one figure at one node: on a day, in a month, or in a year."""

    path = models.CharField(max_length=255)
    grain = models.CharField(max_length=1)  # d, m, y
    day = models.DateField()
    indicator = models.CharField(max_length=48)
    value = models.FloatField(default=0.0)

    class Meta:
        db_table = "stats_tally"  # named in the raw statements of stats.tally
        constraints = [
            models.UniqueConstraint(fields=["path", "grain", "day", "indicator"], name="stats_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} @ {self.path} {self.grain}:{self.day} {self.value:+g}"


class Version(models.Model):
    """One row counting the commits that changed a kept figure: what a cached figures page is keyed
    by, so it is never served after the figures it shows have changed (see ``stats.tally``)."""

    number = models.BigIntegerField(default=0)

    class Meta:
        db_table = "stats_version"  # named in the raw statements of stats.tally

    def __str__(self) -> str:
        return f"figures version {self.number}"


class PrintedReport(models.Model):
    """The report for the level above as first printed for a node and a date: its figures (the
    snapshot) and their fingerprint. A reprint shows these numbers; where the live figures now
    differ, it notes each difference and the audited corrections behind it (issue 20)."""

    path = models.CharField(max_length=255)
    code = models.CharField(max_length=40)
    date = models.DateField()
    #: {"value": {id: v}, "before": {id: v}, "before_date": iso, "children": [{"code", "name", "values"}]}
    figures = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    printed_at = models.DateTimeField()
    printed_by = models.CharField(max_length=150, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["path", "date"], name="stats_printed_report_key")]

    def __str__(self) -> str:
        return f"{self.code} {self.date.isoformat()} · {self.fingerprint[:12]}"


class QualityCount(models.Model):
    """How many records a data-quality check (``quality.*``) finds under a node of the map, as last
    counted (``gongjian quality``, nightly in ``gongjian daily``): the home reads these cheaply."""

    path = models.CharField(max_length=255)
    check_id = models.CharField(max_length=48)
    count = models.PositiveIntegerField(default=0)
    counted_on = models.DateField()
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["path", "check_id"], name="stats_quality_key")]

    def __str__(self) -> str:
        return f"{self.check_id} @ {self.path}: {self.count} ({self.counted_on})"
