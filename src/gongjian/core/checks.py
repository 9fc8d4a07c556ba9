"""``gongjian check --database default``: warns when PostgreSQL's planner statistics of a table are
missing or stale (issue 17: after a bulk load without ``ANALYZE`` the root ledger took 16 s).

Every bulk loader refreshes them itself (``core.bulkwrite.refresh_statistics``); this check finds a
table loaded another way (a restore, a script) before autovacuum came round to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import checks
from django.db import connections
from django.utils.translation import gettext as _

#: Tables smaller than this plan well enough without statistics.
MIN_ROWS = 1000
#: Statistics are stale when more than this share of the rows changed since the last ANALYZE.
STALE_SHARE = 0.2


@dataclass(frozen=True)
class TableStats:
    name: str
    rows: int  # rows now (as counted by the statistics collector)
    changed: int  # rows inserted, updated or deleted since the last ANALYZE
    analyzed: bool  # ANALYZE (by hand or autovacuum) ever ran on the table


def stale_tables(tables: Iterable[TableStats]) -> list[TableStats]:
    """Tables whose planner statistics are missing or stale: at least ``MIN_ROWS`` rows, and never
    analysed or changed by more than ``STALE_SHARE`` since."""
    out = []
    for t in tables:
        if max(t.rows, t.changed) < MIN_ROWS:
            continue
        if not t.analyzed or t.changed > STALE_SHARE * max(t.rows, 1):
            out.append(t)
    return out


def _read(alias: str) -> list[TableStats]:
    with connections[alias].cursor() as cur:
        cur.execute(
            "SELECT relname, n_live_tup, n_mod_since_analyze,"
            " (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"
            " FROM pg_stat_user_tables ORDER BY relname"
        )
        return [TableStats(name, rows, changed, analyzed) for name, rows, changed, analyzed in cur.fetchall()]


@checks.register(checks.Tags.database)
def planner_statistics(
    app_configs: Any = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[Any]:
    found: list[Any] = []
    for alias in databases or ():
        if connections[alias].vendor != "postgresql":
            continue
        for t in stale_tables(_read(alias)):
            found.append(
                checks.Warning(
                    _(
                        "The planner statistics of the table %(table)s are stale (%(changed)s of %(rows)s rows changed since the last ANALYZE)."
                    )
                    % {"table": t.name, "changed": t.changed, "rows": t.rows},
                    hint=_("Run ANALYZE on the database (gongjian dbshell, then ANALYZE;)."),
                    id="gongjian.W017",
                )
            )
    return found
