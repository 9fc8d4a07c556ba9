"""Search and deep pages without a scan (issue 17).

- Two-character search (李娜, ``ln``): trigrams need three characters, so on PostgreSQL a GIN index
  over each text's two-character pieces (``gongjian_bigrams``, an immutable SQL function) on the
  members' search key and initials serves ``core.search.BigramContains``. SQLite keeps ``LIKE``
  (its plain indexes cannot serve a substring; a scoped list is searched within the scope).
- Keyset paging: the lists order members by ``(name_key, id)``; one index in that order lets a
  cursor page start at its row (``core.keyset``), on both databases.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

FUNCTION = """
CREATE OR REPLACE FUNCTION gongjian_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}')
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""
INDEXES = (
    ("members_member_name_key_bigram", "name_key"),
    ("members_member_initials_bigram", "initials"),
)


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON members_member USING gin (gongjian_bigrams({column}))"
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS gongjian_bigrams(text)")


class Migration(migrations.Migration):
    dependencies = [("members", "0003_i20_start_known")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(fields=["name_key", "id"], name="members_member_name_id"),
        ),
    ]
