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


# --- check --deploy: the settings a real deployment needs (README "Deployment") ---------------------

#: What ``check --deploy`` may still say on a correct deployment, each explained in the README.
EXPLAINED = {
    "security.W005": "HSTS for subdomains: set GONGJIAN_HSTS_SUBDOMAINS=1 only when every subdomain is on HTTPS",
    "security.W021": "HSTS preload: a decision for the domain's owner, not the platform",
    "drf_spectacular.W001": "two choice sets share a name in the API schema: naming only",
}


def deploy_problems(conf: Any) -> list[Any]:
    """The platform's own deployment checks on a settings object (the gaps ``check --deploy`` of
    Django does not see): production mode, PostgreSQL, a shared cache, a broker, the proxy header,
    real host names, idle sessions that end."""
    found: list[Any] = []
    if not getattr(conf, "PRODUCTION", False):
        found.append(
            checks.Warning(
                "GONGJIAN_PRODUCTION is not set: keys may come from var/, cookies are not HTTPS-only.",
                hint="Set GONGJIAN_PRODUCTION=1 (README, Deployment).",
                id="gongjian.W101",
            )
        )
    if getattr(conf, "DEBUG", False):
        found.append(
            checks.Error("GONGJIAN_DEBUG is on: error pages show settings and data.", id="gongjian.E102")
        )
    engine = conf.DATABASES["default"]["ENGINE"]
    if "sqlite" in engine:
        found.append(
            checks.Warning(
                "The database is SQLite: one writer at a time, no pg_stat; fine for a trial, not a city.",
                hint="Set DATABASE_URL=postgres://… (README, Deployment).",
                id="gongjian.W103",
            )
        )
    cache = conf.CACHES["default"]["BACKEND"]
    if "locmem" in cache:
        found.append(
            checks.Warning(
                "The cache is per process: the look-up, login and API limits are counted in each worker apart.",
                hint="Set REDIS_URL so every worker counts against one limit.",
                id="gongjian.W104",
            )
        )
    if str(getattr(conf, "CELERY_BROKER_URL", "")).startswith("filesystem://"):
        found.append(
            checks.Warning(
                "No broker: long work runs in the one worker started beside the server.",
                hint="Set CELERY_BROKER_URL (Redis or RabbitMQ) and run workers (README, Deployment).",
                id="gongjian.W105",
            )
        )
    if getattr(conf, "SECURE_SSL_REDIRECT", False) and not getattr(conf, "SECURE_PROXY_SSL_HEADER", None):
        found.append(
            checks.Warning(
                "HTTPS redirect is on but GONGJIAN_PROXY_SSL_HEADER is not set: behind a TLS proxy every "
                "request looks like HTTP and redirects forever.",
                hint="Set GONGJIAN_PROXY_SSL_HEADER='X-Forwarded-Proto: https' (the proxy must set it).",
                id="gongjian.W106",
            )
        )
    local = {"127.0.0.1", "localhost", "testserver", "*"}
    if not set(conf.ALLOWED_HOSTS) - local or "*" in conf.ALLOWED_HOSTS:
        found.append(
            checks.Warning(
                "GONGJIAN_ALLOWED_HOSTS names no real host (or allows any).",
                hint="Set GONGJIAN_ALLOWED_HOSTS to the site's host names.",
                id="gongjian.W107",
            )
        )
    idle = int(getattr(conf, "GONGJIAN_IDLE_MINUTES", 0))
    if idle <= 0 or idle > 120:
        found.append(
            checks.Warning(
                f"Sessions end after {idle} idle minutes: graded protection expects a short idle timeout.",
                hint="Set GONGJIAN_IDLE_MINUTES between 1 and 120 (30 by default).",
                id="gongjian.W108",
            )
        )
    return found


@checks.register(checks.Tags.security, deploy=True)
def deployment(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.conf import settings

    return deploy_problems(settings)
