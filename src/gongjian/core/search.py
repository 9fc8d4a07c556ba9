"""Query helpers for names that match across scripts and by pinyin initials."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q
from django.db.models.lookups import Contains

from .text import is_initials_query, search_key

#: The SQL function (PostgreSQL) that lists a text's two-character pieces; a GIN index over it
#: serves ``LIKE '%李娜%'`` of two characters, which trigrams cannot (see ``members`` migration 0004).
BIGRAMS_FUNCTION = "gongjian_bigrams"


class BigramContains(Contains):
    """``contains`` that a bigram index serves: on PostgreSQL a two-character value is looked up as
    ``gongjian_bigrams(column) @> ARRAY[value]`` (the same rows: the column holds the value exactly
    when the value is one of its two-character pieces), longer values stay ``LIKE`` (served by the
    trigram index); on SQLite it is ``contains``. Only for columns with such an index."""

    lookup_name = "bigram_contains"

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return str(connection.operators["contains"] % rhs)  # the SQL of ``contains``

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        if isinstance(self.rhs, str) and len(self.rhs) == 2:
            lhs_sql, lhs_params = self.process_lhs(compiler, connection)
            return f"{BIGRAMS_FUNCTION}({lhs_sql}) @> ARRAY[%s]::text[]", (*lhs_params, self.rhs)
        return self.as_sql(compiler, connection)


CharField.register_lookup(BigramContains)


def name_search_q(query: str, prefix: str = "", *, bigram_indexed: bool = False) -> Q:
    """Rows whose name contains the query in either script, or whose pinyin initials contain it.

    ``长沙``, ``長沙`` and ``cs`` all find 长沙市; ``wjl`` finds 王家垅社区. ``bigram_indexed``: the
    table has bigram indexes on its search key and initials (members), so two characters are
    looked up through them on PostgreSQL.
    """
    key = search_key(query)
    if not key:
        return Q()
    lookup = "bigram_contains" if bigram_indexed else "contains"
    q = Q(**{f"{prefix}name_key__{lookup}": key})
    if is_initials_query(query):
        q |= Q(**{f"{prefix}initials__{lookup}": key})
    return q
