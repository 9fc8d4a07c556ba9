"""Breadcrumbs: the trail of links above a page's title (``includes/breadcrumb.html`` draws them)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: One breadcrumb: ``{"label": …, "url": … or None}`` (no link for the page itself).
Crumb = dict[str, Any]


def crumb(label: Any, url: str | None = None) -> Crumb:
    """One breadcrumb, linked to ``url`` when given."""
    return {"label": label, "url": url}


def crumbs(*steps: tuple[Any, str | None]) -> list[Crumb]:
    """Breadcrumbs from ``(label, url)`` pairs."""
    return [crumb(label, url) for label, url in steps]


def trail(base: Iterable[Crumb], here: tuple[Any, str] | None = None, last: Any = None) -> list[Crumb]:
    """``base``, then the object ``here`` (label, url: linked only when a ``last`` step follows it),
    then ``last`` (the step's own page, unlinked)."""
    out = list(base)
    if here is not None:
        label, url = here
        out.append(crumb(label, url if last else None))
    if last:
        out.append(crumb(last))
    return out
