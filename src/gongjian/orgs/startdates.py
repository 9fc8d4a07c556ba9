"""Undoing the invented start dates of the past: rows saved with the old default 2000-01-01.

Until issue 20, a dated row whose start was left blank was stored as 2000-01-01 and so counted on
every past date. The data migrations of each app call :func:`unknown_starts`: such a row is marked
"start unknown" and, where the audit log says when it was recorded, counts from that day instead.
Where nothing says when it was recorded it keeps its date (it is shown as unknown, not guessed).
Run ``gongjian tally repair`` after migrating (``gongjian daily`` does) to recount the kept figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

#: The default every dated row used to get when its start was left blank.
INVENTED = dt.date(2000, 1, 1)


def unknown_starts(*labels: str) -> Callable[[Any, Any], None]:
    """A ``RunPython`` function for the historical models ``labels`` ("app.model")."""

    def run(apps: Any, schema_editor: Any) -> None:
        entry = apps.get_model("core", "AuditEntry")
        for label in labels:
            model = apps.get_model(label)
            ids = list(model.objects.filter(since=INVENTED).values_list("pk", flat=True))
            if not ids:
                continue
            recorded: dict[str, dt.date] = {}
            rows = (
                entry.objects.filter(object_type=label.lower(), object_id__in=[str(i) for i in ids])
                .order_by("seq")
                .values_list("object_id", "at")
            )
            for object_id, at in rows.iterator(chunk_size=2000):
                day = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
                recorded.setdefault(object_id, day)
            by_day: dict[dt.date, list[int]] = {}
            for pk in ids:
                if (day := recorded.get(str(pk))) is not None:
                    by_day.setdefault(day, []).append(pk)
            for chunk in range(0, len(ids), 500):
                model.objects.filter(pk__in=ids[chunk : chunk + 500]).update(since_known=False)
            for day, pks in by_day.items():
                for chunk in range(0, len(pks), 500):
                    model.objects.filter(pk__in=pks[chunk : chunk + 500]).update(since=day)

    return run


def noop(apps: Any, schema_editor: Any) -> None:
    """Going back keeps the dates (the invented one is not restored)."""
