"""Query helpers for names that match across scripts and by pinyin initials."""

from __future__ import annotations

from django.db.models import Q

from .text import is_initials_query, search_key


def name_search_q(query: str, prefix: str = "") -> Q:
    """Rows whose name contains the query in either script, or whose pinyin initials contain it.

    ``长沙``, ``長沙`` and ``cs`` all find 长沙市; ``wjl`` finds 王家垅社区.
    """
    key = search_key(query)
    if not key:
        return Q()
    q = Q(**{f"{prefix}name_key__contains": key})
    if is_initials_query(query):
        q |= Q(**{f"{prefix}initials__contains": key})
    return q
