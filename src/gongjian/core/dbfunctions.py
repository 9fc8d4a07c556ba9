"""Database functions the ORM lacks, written for both SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from django.db.models import DateField, Expression, Func


class AddDays(Func):
    """``date + days`` as a date (e.g. a letter's expiry: ``issued_on + valid_days``), so a filter
    on it runs in SQL. ``days`` is an integer expression (a column or a value)."""

    arity = 2
    output_field = DateField()

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        date_expr, days_expr = self.get_source_expressions()
        assert isinstance(date_expr, Expression) and isinstance(days_expr, Expression)
        date_sql, date_params = compiler.compile(date_expr)
        days_sql, days_params = compiler.compile(days_expr)
        return date_sql, days_sql, [*date_params, *days_params]

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        date_sql, days_sql, params = self._parts(compiler, connection)
        return f"date({date_sql}, '+' || ({days_sql}) || ' days')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        date_sql, days_sql, params = self._parts(compiler, connection)
        return f"(({date_sql})::date + ({days_sql})::integer)", params

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra_context: Any) -> Any:
        raise NotImplementedError(f"AddDays is written for SQLite and PostgreSQL, not {connection.vendor}")
