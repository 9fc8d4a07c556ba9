"""Raw bulk writes for the few paths that write tens of thousands of rows at once (the ledger import,
the kept figures): prepared tuples, never model instances, in the fastest way each database offers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows: COPY on PostgreSQL, executemany elsewhere."""
    cols = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            raw = cur.cursor
            with raw.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        cur.executemany(f"INSERT INTO {quote(table)} ({cols}) VALUES ({marks})", list(rows))  # noqa: S608


def ids_in(qs: QuerySet[Any], field: str, ids: Iterable[int]) -> QuerySet[Any]:
    """``qs`` narrowed to rows whose integer column ``field`` (``pk`` or a local field such as
    ``member_id``) is one of ``ids``: one array parameter on PostgreSQL, integer literals elsewhere;
    the ORM's ``__in`` prepares every value on its own, which costs more than the query for
    thousands."""
    model: type[Model] = qs.model
    column = str(model._meta.pk.column if field == "pk" else model._meta.get_field(field).column)  # type: ignore[union-attr]
    values = [int(i) for i in ids]
    if not values:
        return qs.none()
    name = f"{quote(model._meta.db_table)}.{quote(column)}"
    if connection.vendor == "postgresql":  # one array parameter: nothing to parse per value
        return qs.extra(where=[f"{name} = ANY(%s::bigint[])"], params=[values])  # noqa: S610
    return qs.extra(where=[f"{name} IN ({','.join(map(str, values))})"])  # noqa: S610 - integers only


def refresh_statistics(models: Iterable[type[Model]] = ()) -> None:
    """Let PostgreSQL's planner see what a bulk write added (``ANALYZE`` of the models' tables, or of
    every table when none are named), as autovacuum would a minute later: without it the first
    reads after loading the demo or a city's ledger plan for empty tables and take minutes. Run it
    after the write's commit. SQLite keeps no statistics unless asked and plans without them; a
    no-op there."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(quote(m._meta.db_table) for m in models)
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {tables}" if tables else "ANALYZE")
