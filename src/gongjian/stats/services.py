"""Writes of the figures engine: a printed report is kept with its figures and fingerprint."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongjian.accounts.actor import Actor
from gongjian.core.audit import audit_record
from gongjian.core.events import Event

from . import reports, selectors
from .models import PrintedReport
from .registry import MapArea


def report_print(*, actor: Actor, area: MapArea, date: dt.date) -> reports.Report:
    """The report for the level above, as printed. A past date's report is kept the first time it is
    printed (its figures and their fingerprint, audited as ``figures.print``); every later print
    shows those figures, with a note for each one the live records now count differently and the
    audited corrections behind it. Today's figures may still change: today's report is not kept."""
    live = reports.report_for(actor=actor, area=area, date=date)
    if date >= timezone.localdate():
        return live
    kept = selectors.printed_report_get(actor=actor, area=area, date=date)
    if kept is None:
        kept = _keep(actor, area, date, live)
    return reports.reprint(
        live,
        figures=kept.figures,
        fingerprint=kept.fingerprint,
        printed_at=kept.printed_at,
        printed_by=kept.printed_by,
    )


def _keep(actor: Actor, area: MapArea, date: dt.date, live: reports.Report) -> PrintedReport:
    snapshot = reports.report_snapshot(live)
    try:
        with transaction.atomic():
            kept = PrintedReport.objects.create(
                path=area.path,
                code=area.code,
                date=date,
                figures=snapshot,
                fingerprint=reports.report_fingerprint(area.code, date, snapshot),
                printed_at=timezone.now(),
                printed_by=str(actor.get_username())[:150] if actor.is_authenticated else "",
            )
            audit_record(
                actor=actor,
                action=Event.FIGURES_PRINT,
                obj=kept,
                changes={"path": area.path, "date": date.isoformat(), "fingerprint": kept.fingerprint},
            )
    except IntegrityError:  # printed at the same moment by someone else: theirs is the kept one
        kept = PrintedReport.objects.get(path=area.path, date=date)
    return kept
