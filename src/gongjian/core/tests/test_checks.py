"""The planner statistics check (issue 17): a large table never analysed, or changed by more than a
fifth since, is reported; small tables and fresh statistics are not."""

from __future__ import annotations

import pytest
from django.core import checks

from gongjian.core.checks import TableStats, planner_statistics, stale_tables


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
