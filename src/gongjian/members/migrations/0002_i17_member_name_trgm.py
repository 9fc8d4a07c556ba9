"""Search without a scan (issue 17): on PostgreSQL, trigram GIN indexes (``pg_trgm``) on the
members' search key and pinyin initials serve ``name_search_q``'s ``LIKE '%…%'`` of three or more
characters from the index instead of reading every member of the city. Names are not sealed (they
are shown on every list); the key is the same lower-cased simplified form the column already holds.
SQLite has no trigram index: it keeps its plain indexes (a scoped list is searched within the scope).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

INDEXES = (
    ("members_member_name_key_trgm", "name_key"),
    ("members_member_initials_trgm", "initials"),
)


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON members_member USING gin ({column} gin_trgm_ops)"
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
