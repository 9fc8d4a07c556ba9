"""The deployment checks (issue 19: ``check --deploy`` says only what README explains) and the planner statistics check (issue 17): a large table never analysed, or changed by more than a
fifth since, is reported; small tables and fresh statistics are not."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.core import checks

from gongjian.core.checks import EXPLAINED, TableStats, deploy_problems, planner_statistics, stale_tables


def test_stale_tables_are_the_large_ones_never_or_long_ago_analysed():
    tables = [
        TableStats("loaded_without_analyze", rows=600_000, changed=600_000, analyzed=False),
        TableStats("fresh", rows=600_000, changed=1_000, analyzed=True),
        TableStats("grew_a_third", rows=300_000, changed=100_000, analyzed=True),
        TableStats("small", rows=200, changed=200, analyzed=False),
    ]
    assert [t.name for t in stale_tables(tables)] == ["loaded_without_analyze", "grew_a_third"]


@pytest.mark.django_db
def test_the_check_is_registered_for_the_database_and_quiet_without_one():
    assert planner_statistics in checks.registry.registry.get_checks(include_deployment_checks=False)
    assert planner_statistics(databases=None) == []


# --- check --deploy (issue 19) -------------------------------------------------------------------


def _conf(**over: object) -> SimpleNamespace:
    good = {
        "PRODUCTION": True,
        "DEBUG": False,
        "DATABASES": {"default": {"ENGINE": "django.db.backends.postgresql"}},
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}},
        "CELERY_BROKER_URL": "redis://redis:6379/1",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "ALLOWED_HOSTS": ["dangjian.example.cn"],
        "GONGJIAN_IDLE_MINUTES": 30,
    }
    good.update(over)
    return SimpleNamespace(**good)


def test_a_complete_deployment_has_no_platform_warning():
    assert deploy_problems(_conf()) == []


def test_each_gap_of_a_deployment_is_named():
    cases = {
        "gongjian.W101": {"PRODUCTION": False},
        "gongjian.E102": {"DEBUG": True},
        "gongjian.W103": {"DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3"}}},
        "gongjian.W104": {
            "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        },
        "gongjian.W105": {"CELERY_BROKER_URL": "filesystem://"},
        "gongjian.W106": {"SECURE_PROXY_SSL_HEADER": None},
        "gongjian.W107": {"ALLOWED_HOSTS": ["*"]},
        "gongjian.W108": {"GONGJIAN_IDLE_MINUTES": 0},
    }
    for check_id, change in cases.items():
        assert [p.id for p in deploy_problems(_conf(**change))] == [check_id], check_id


def test_check_deploy_on_a_production_environment_says_only_what_the_readme_explains(tmp_path):
    """The real command, in production mode with the settings of README "Deployment" (PostgreSQL
    and Redis named, not reached: the deploy checks read settings only)."""
    # the browser tests lift Django's async guard in their worker's environment: not in production
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "GONGJIAN_PRODUCTION": "1",
        "GONGJIAN_VAR_DIR": str(tmp_path),
        "GONGJIAN_SECRET_KEY": "s" * 60 + "-not-a-real-secret-key-for-this-test",
        "GONGJIAN_PII_KEY": "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
        "GONGJIAN_ALLOWED_HOSTS": "dangjian.example.cn",
        "GONGJIAN_PROXY_SSL_HEADER": "X-Forwarded-Proto: https",
        "REDIS_URL": "redis://127.0.0.1:6399/0",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6399/1",
        "DATABASE_URL": "postgres://gongjian@127.0.0.1:5999/gongjian",
    }
    done = subprocess.run(
        [sys.executable, "-m", "gongjian", "check", "--deploy"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert "System check identified" in output, output
    said = set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", output))
    assert said <= set(EXPLAINED), output
    assert "gongjian." not in " ".join(said)
