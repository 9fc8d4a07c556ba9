"""What waits for a person: the engine of the home page's list and of ``/api/v1/inbox/``.

Like the figures' registry, this module knows no domain app. Each app declares what waits for a
person in its own ``inbox.py`` (providers: reads that go through the app's scope and take the actor)
and registers them from its ``AppConfig.ready()``::

    from gongjian.web import inbox

    def ready(self) -> None:
        from . import inbox as waiting

        inbox.register(*waiting.PROVIDERS)

A provider is called with an :class:`InboxContext` (the actor, their scope, the kinds of role they
hold, today and now, read once per page) and returns the :class:`InboxItem` rows that wait for the
actor: one per kind with its count, counted with an aggregate, never one row per record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import pgettext

from gongjian.accounts.actor import Actor, is_person
from gongjian.accounts.models import ADMIN_LEVELS, Role, RoleKind
from gongjian.accounts.scope import Scope, scope_for
from gongjian.core.levels import Level
from gongjian.core.selectors import job_list

#: Who an item is for: the sections of the home page, in their order.
ADMIN = "admin"
LIAISON = "liaison"
MEMBER = "member"
RESIDENT = "resident"
AUDIENCES = (ADMIN, LIAISON, MEMBER, RESIDENT)

#: Urgency: how soon an item must be acted on (higher first).
NORMAL = 0
SOON = 1
OVERDUE = 2


@dataclass(frozen=True)
class InboxItem:
    """One kind of waiting work: how many, since when, until when, and where to act on it."""

    kind: str  # a stable id, "<app>.<what>": "lists.claims_to_accept"
    audience: str  # ADMIN, LIAISON, MEMBER or RESIDENT
    title: str  # what waits, in the page's language
    count: int
    url: str  # one click to act
    action: str  # the action's label
    oldest: dt.date | None = None
    due: dt.date | None = None
    overdue: bool = False
    urgency: int = NORMAL
    #: Waiting on the actor (False: news for them, such as a decision on their claim).
    actionable: bool = True
    #: A line under the title saying where the rows come from (e.g. recommended by matching).
    note: str = ""
    #: The kind of another app's item this one stands in for when both are there (an app above
    #: may refine what an app below offers, e.g. recommendations instead of the plain list).
    replaces: str = ""

    def sort_key(self) -> tuple[Any, ...]:
        """Most urgent first, then the earliest due, then the oldest."""
        return (
            -self.urgency,
            self.due or dt.date.max,
            self.oldest or dt.date.max,
            self.kind,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "audience": self.audience,
            "title": self.title,
            "count": self.count,
            "url": self.url,
            "action": self.action,
            "oldest": self.oldest,
            "due": self.due,
            "overdue": self.overdue,
            "urgency": self.urgency,
            "actionable": self.actionable,
            "note": self.note,
        }


@dataclass
class InboxContext:
    """What every provider reads of the actor, read once per page."""

    actor: Actor
    scope: Scope
    roles: frozenset[str]
    today: dt.date
    now: dt.datetime
    #: The signed-in user's id (0 for nobody).
    user_id: int = 0
    #: Paths of the communities where the actor holds a member's or resident's role.
    home_paths: tuple[str, ...] = ()
    cache: dict[str, Any] = field(default_factory=dict)

    def territorial_q(self, org: str) -> Q:
        """Rows whose Party organisation (at ``org``) is a territorial one (no unit) inside the
        administrator's subtrees: what an administrator decides for the area."""
        if self.scope.everything:
            return Q()
        return Q(**{f"{org}__unit__isnull": True}) & self.scope.area_q(f"{org}__area__")

    @property
    def is_admin(self) -> bool:
        return bool(self.roles & set(ADMIN_LEVELS)) or self.scope.everything

    @property
    def is_liaison(self) -> bool:
        return RoleKind.UNIT_LIAISON in self.roles and bool(self.scope.unit_ids)

    @property
    def is_member(self) -> bool:
        return RoleKind.MEMBER in self.roles

    @property
    def is_resident(self) -> bool:
        return RoleKind.RESIDENT in self.roles or RoleKind.MEMBER in self.roles


Provider = Callable[[InboxContext], Iterable[InboxItem]]

_providers: list[Provider] = []


def register(*providers: Provider) -> None:
    """Add providers (once each: registering again is harmless)."""
    for provider in providers:
        if provider not in _providers:
            _providers.append(provider)


def providers() -> list[Provider]:
    return list(_providers)


def context_for(actor: Actor, *, now: dt.datetime | None = None) -> InboxContext:
    now = now or timezone.now()
    kinds: set[str] = set()
    homes: set[str] = set()
    if is_person(actor):
        for role in Role.objects.filter(user_id=actor.pk, active=True).select_related("area"):
            kinds.add(role.kind)
            area = role.area
            is_home = role.kind in (RoleKind.MEMBER, RoleKind.RESIDENT)
            if is_home and area is not None and area.level >= Level.COMMUNITY:
                homes.add(area.path[: area.steplen * Level.COMMUNITY])
    return InboxContext(
        actor=actor,
        scope=scope_for(actor),
        roles=frozenset(kinds),
        today=timezone.localdate(now),
        now=now,
        home_paths=tuple(sorted(homes)),
        user_id=actor.pk if is_person(actor) else 0,
    )


def inbox_for(actor: Actor, *, now: dt.datetime | None = None) -> list[InboxItem]:
    """Everything waiting for the actor, most urgent and oldest first (nothing for a visitor)."""
    if not is_person(actor):
        return []
    ctx = context_for(actor, now=now)
    items: list[InboxItem] = []
    for provider in _providers:
        items.extend(i for i in provider(ctx) if i.count > 0)
    replaced = {i.replaces for i in items if i.replaces}
    return sorted((i for i in items if i.kind not in replaced), key=InboxItem.sort_key)


def paths_q(paths: Iterable[str], prefix: str = "area__") -> Q:
    """Rows whose area (at ``prefix``) lies under one of ``paths`` (none for no path)."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def grouped(items: Iterable[InboxItem]) -> list[tuple[str, list[InboxItem]]]:
    """The items by audience, in the home page's order, leaving out empty sections."""
    by: dict[str, list[InboxItem]] = {a: [] for a in AUDIENCES}
    for item in items:
        by.setdefault(item.audience, []).append(item)
    return [(a, rows) for a, rows in by.items() if rows]


@dataclass(frozen=True)
class Tally:
    """How many rows, the oldest and the newest of one date field, in one aggregate query."""

    count: int
    oldest: dt.date | None
    newest: dt.date | None


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    return None


def tally(rows: QuerySet[Any], date_field: str) -> Tally:
    """Count ``rows`` with the earliest and latest ``date_field``: one query."""
    agg = rows.order_by().aggregate(n=Count("pk"), lo=Min(date_field), hi=Max(date_field))
    return Tally(count=agg["n"] or 0, oldest=_as_date(agg["lo"]), newest=_as_date(agg["hi"]))


def item(
    *,
    kind: str,
    audience: str,
    title: str,
    url: str,
    action: str,
    rows: QuerySet[Any],
    since: str,
    due: str | None = None,
    today: dt.date | None = None,
    soon_days: int = 3,
    actionable: bool = True,
    note: str = "",
    replaces: str = "",
) -> Iterator[InboxItem]:
    """One item from a queryset: counted with the oldest ``since``; with ``due`` (a date field),
    the earliest due date, overdue when it has passed and soon within ``soon_days``."""
    aggregates: dict[str, Any] = {"n": Count("pk"), "lo": Min(since)}
    if due is not None:
        aggregates["due"] = Min(due)
    agg = rows.order_by().aggregate(**aggregates)
    if not agg["n"]:
        return
    due_date = _as_date(agg.get("due"))
    today = today or timezone.localdate()
    overdue = due_date is not None and due_date < today
    soon = due_date is not None and not overdue and (due_date - today).days <= soon_days
    yield InboxItem(
        kind=kind,
        audience=audience,
        title=title,
        count=agg["n"],
        url=url,
        action=action,
        oldest=_as_date(agg["lo"]),
        due=due_date,
        overdue=overdue,
        urgency=OVERDUE if overdue else SOON if soon else NORMAL,
        actionable=actionable,
        note=note,
        replaces=replaces,
    )


#: How long a finished import or export stays on its owner's home page.
JOB_DAYS = 7


def jobs_items(ctx: InboxContext) -> Iterator[InboxItem]:
    """The actor's own imports and exports finished lately (one click opens the newest)."""
    rows = job_list(actor=ctx.actor).filter(
        status__in=["done", "failed"], finished_at__gte=ctx.now - dt.timedelta(days=JOB_DAYS)
    )
    agg = rows.order_by().aggregate(n=Count("pk"), lo=Min("finished_at"), newest=Max("pk"))
    if not agg["n"]:
        return
    yield InboxItem(
        kind="core.jobs_finished",
        audience=ADMIN if ctx.is_admin or not ctx.is_liaison else LIAISON,
        title=pgettext("inbox", "Imports and exports finished"),
        count=agg["n"],
        url=reverse("core:job", args=[agg["newest"]]),
        action=pgettext("inbox", "Open"),
        oldest=_as_date(agg["lo"]),
        actionable=False,
    )


register(jobs_items)
