"""What apps above the map show on a record's page (an area, a Party organisation, a resident unit,
a member, a service team).

Like the inbox, this module knows no domain app: an app on a higher floor registers a provider from
its ``AppConfig.ready()`` (``honours`` lists the honours a holder was awarded), and the map's pages
(``orgs``, a floor below it) ask for the panels of the record they show::

    holders.register(provider)            # provider(kind, obj, actor) -> list[Panel]
    holders.panels_for("area", area, actor)

``kind`` is ``"area"``, ``"org"``, ``"unit"``, ``"member"`` (the ledger's page), ``"team"`` (a
service team's page) or ``"meeting"`` (a joint meeting's page: its pledges against what was delivered). A provider returns only what the actor may read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gongjian.accounts.actor import Actor

KINDS = ("area", "org", "unit", "member", "team", "meeting")


@dataclass(frozen=True)
class PanelRow:
    label: str
    detail: str = ""
    url: str = ""
    badge: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (label, url)


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    rows: list[PanelRow] = field(default_factory=list)
    empty: str = ""


Provider = Callable[[str, Any, Actor], list[Panel]]

_providers: list[Provider] = []


def register(*providers: Provider) -> None:
    """Add providers (once each: registering again is harmless)."""
    for provider in providers:
        if provider not in _providers:
            _providers.append(provider)


def panels_for(kind: str, obj: Any, actor: Actor) -> list[Panel]:
    """Every registered app's panels for the record, in registration order."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of record: {kind!r}")
    out: list[Panel] = []
    for provider in _providers:
        out.extend(provider(kind, obj, actor))
    return out
