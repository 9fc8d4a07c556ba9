"""Keyset paging (issue 17): the next page of a list read from the last row shown, not by an OFFSET.

A list ordered by fields that end with the primary key (``name_key, pk``) has one place for each
row; a cursor names a row (``after=<id>``: the rows that follow it; ``before=<id>``: those that
precede it), and the rows beyond it are a range of the order's index: page 500 costs what page 1
costs, where an OFFSET reads and drops the 24,950 rows before it. Pages (``web.pages``) and the API
(``core.api.BoundedPagination``) share this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet

#: The query parameters of a cursor: the rows after the row with this id, or before it.
SIDES = ("after", "before")

#: A cursor: its side (``after`` / ``before``) and the id of the row it names.
Cursor = tuple[str, int]


class InvalidCursor(ValueError):
    """A cursor that is not a row's id, or names no row of the table."""


def parse_cursor(params: Mapping[str, Any]) -> Cursor | None:
    """The cursor among ``params`` (a request's query), None without one; InvalidCursor when the
    value is not a whole number."""
    for side in SIDES:
        raw = params.get(side, "")
        if raw:
            if not (isinstance(raw, str) and raw.isascii() and raw.isdigit()) or len(raw) > 18:
                raise InvalidCursor(side)
            return side, int(raw)
    return None


def order_keys(rows: QuerySet[Any]) -> list[tuple[str, bool]]:
    """The fields ``rows`` are ordered by, each with whether it is descending. The last must be the
    primary key: the order is then total and a cursor names one place in it."""
    keys = []
    for raw in rows.query.order_by:
        if not isinstance(raw, str) or raw.startswith("?"):
            raise ValueError(f"keyset paging needs field names in the order, not {raw!r}")
        keys.append((raw.lstrip("-"), raw.startswith("-")))
    if not keys or keys[-1][0] not in {"pk", "id"}:
        raise ValueError("keyset paging needs an order that ends with the primary key")
    return keys


def rows_beyond(rows: QuerySet[Any], cursor: Cursor) -> QuerySet[Any]:
    """The rows of ``rows`` strictly after the cursor's row in the list's order (``after``), or
    strictly before it, nearest first (``before``: the list's order reversed). InvalidCursor when
    the cursor names no row of the table (the row's place is read by its primary key)."""
    side, pk = cursor
    keys = order_keys(rows)
    names = [name for name, _desc in keys]
    anchor = rows.model._base_manager.filter(pk=pk).values_list(*names).first()
    if anchor is None:
        raise InvalidCursor(side)
    forward = side == "after"
    # (k1, …, pk) beyond (v1, …, id), lexicographically; plus a bound on k1 alone that an index serves
    beyond = Q(pk__in=[])
    for i, (name, desc) in enumerate(keys):
        step = dict(zip(names[:i], anchor[:i], strict=True))
        step[f"{name}__{'lt' if desc == forward else 'gt'}"] = anchor[i]
        beyond |= Q(**step)
    first, desc = keys[0]
    bound = Q(**{f"{first}__{'lte' if desc == forward else 'gte'}": anchor[0]})
    chosen = rows.filter(bound & beyond)
    return chosen if forward else chosen.reverse()
