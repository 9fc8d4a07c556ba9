"""What waits in the three lists (registered into ``gongjian.web.inbox`` from ``apps.py``).

Administrators: claims on their lists' demands and their organisations' resources to accept or
decline, demands raised on their lists to review. Unit liaisons: claims on their unit's resources,
published demands in their unit's reach it has not claimed yet (the matching app's recommendations
for the unit's resources stand in for them when there are any: ``matching/inbox.py``), recent
decisions on their claims.
Members and residents: their micro-wishes and demands still open, their own claims' decisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlencode

from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import pgettext

from gongjian.orgs.models import ResidentUnit
from gongjian.web import inbox
from gongjian.web.inbox import ADMIN, LIAISON, MEMBER, RESIDENT, InboxContext, InboxItem, item, paths_q

from .models import Claim, ClaimStatus, Demand, DemandKind, DemandStatus, ProjectStatus
from .selectors.claims import unit_reach_paths
from .selectors.projects import milestone_due_list

#: How long a decision on one's claim stays on the home page.
DECISION_DAYS = 14
#: Milestones due within this many days wait on the home page (as ``gongjian daily`` reminds them).
MILESTONE_DAYS = 7

OPEN_DEMAND = (DemandStatus.RAISED, DemandStatus.PUBLISHED, DemandStatus.CLAIMED, DemandStatus.IN_PROGRESS)


def _url(name: str, **query: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


def _owned_claims_q(ctx: InboxContext) -> Q:
    """Pending claims the actor decides as an administrator: on their territorial lists' demands
    and on their territorial organisations' resources."""
    if ctx.scope.everything:
        return Q()
    return ctx.territorial_q("demand__owner_org") | ctx.territorial_q("resource__provider_org")


def _milestones(ctx: InboxContext, audience: str, side: Q) -> Iterator[InboxItem]:
    """Unfinished milestones of the projects on the person's side, due within a week or overdue."""
    due = milestone_due_list(actor=ctx.actor, today=ctx.today, days=MILESTONE_DAYS)
    yield from item(
        kind="lists.milestones_due",
        audience=audience,
        title=pgettext("inbox", "Project milestones due or overdue"),
        action=pgettext("inbox", "Update"),
        url=_url("lists:project_list", status=ProjectStatus.IN_PROGRESS),
        rows=due.filter(pk__in=due.filter(side).values("pk")),
        since="due_on",
        due="due_on",
        today=ctx.today,
        soon_days=MILESTONE_DAYS,
    )


def admin_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_admin:
        return
    yield from item(
        kind="lists.claims_to_accept",
        audience=ADMIN,
        title=pgettext("inbox", "Claims to accept or decline"),
        action=pgettext("inbox", "Decide"),
        url=_url("lists:claim_list", status=ClaimStatus.PENDING),
        rows=Claim.objects.filter(_owned_claims_q(ctx), status=ClaimStatus.PENDING),
        since="claimed_at",
        today=ctx.today,
    )
    demand_q = ctx.territorial_q("owner_org")
    yield from item(
        kind="lists.demands_to_review",
        audience=ADMIN,
        title=pgettext("inbox", "Demands to review and publish"),
        action=pgettext("inbox", "Review"),
        url=_url("lists:demand_list", status=DemandStatus.RAISED),
        rows=Demand.objects.filter(demand_q, status=DemandStatus.RAISED),
        since="raised_at",
        due="deadline",
        today=ctx.today,
    )
    yield from _milestones(
        ctx,
        ADMIN,
        ctx.territorial_q("project__demand__owner_org") | ctx.territorial_q("project__lead_org"),
    )


def liaison_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_liaison:
        return
    units = sorted(ctx.scope.unit_ids)
    yield from item(
        kind="lists.resource_claims",
        audience=LIAISON,
        title=pgettext("inbox", "Claims on your unit's resources"),
        action=pgettext("inbox", "Decide"),
        url=_url("lists:claim_list", status=ClaimStatus.PENDING),
        rows=Claim.objects.filter(resource__provider_unit_id__in=units, status=ClaimStatus.PENDING),
        since="claimed_at",
        today=ctx.today,
    )
    yield from _milestones(
        ctx,
        LIAISON,
        Q(project__lead_unit_id__in=units)
        | Q(project__lead_org__unit_id__in=units)
        | Q(project__partners__in=units)
        | Q(project__resource__provider_unit_id__in=units)
        | Q(project__demand__owner_org__unit_id__in=units),
    )
    paths: set[str] = set()
    for unit in ResidentUnit.objects.filter(pk__in=units).select_related("area"):
        paths.update(unit_reach_paths(unit, ctx.today))
    open_demands = Demand.objects.filter(
        paths_q(sorted(paths)), status=DemandStatus.PUBLISHED, claimed__lt=F("quantity")
    ).exclude(
        claims__claimant_unit_id__in=units, claims__status__in=[ClaimStatus.PENDING, ClaimStatus.ACCEPTED]
    )
    yield from item(
        kind="lists.demands_in_reach",
        audience=LIAISON,
        title=pgettext("inbox", "Published demands and wishes in your reach"),
        action=pgettext("inbox", "Claim"),
        url=_url("lists:demand_list", status=DemandStatus.PUBLISHED),
        rows=open_demands,
        since="published_at",
        due="deadline",
        today=ctx.today,
        note=pgettext("inbox", "All of them, not yet claimed by your unit (no recommendation for it now)"),
    )
    since = ctx.now - dt.timedelta(days=DECISION_DAYS)
    yield from item(
        kind="lists.claim_decisions",
        audience=LIAISON,
        title=pgettext("inbox", "Decisions on your unit's claims (last 14 days)"),
        action=pgettext("inbox", "See"),
        url=reverse("lists:my_claims"),
        rows=Claim.objects.filter(
            claimant_unit_id__in=units,
            status__in=[ClaimStatus.ACCEPTED, ClaimStatus.DECLINED],
            decided_at__gte=since,
        ),
        since="decided_at",
        today=ctx.today,
        actionable=False,
    )


def person_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not (ctx.is_member or ctx.is_resident):
        return
    audience = MEMBER if ctx.is_member else RESIDENT
    mine = Demand.objects.filter(raised_by_id=ctx.user_id, status__in=OPEN_DEMAND)
    yield from item(
        kind="lists.my_wishes",
        audience=audience,
        title=pgettext("inbox", "Micro-wishes and demands you raised, still open"),
        action=pgettext("inbox", "Follow"),
        url=_url("lists:demand_list", status="open"),
        rows=mine,
        since="raised_at",
        today=ctx.today,
        actionable=False,
    )
    if ctx.is_member:
        yield from item(
            kind="lists.my_claims",
            audience=MEMBER,
            title=pgettext("inbox", "Your claims waiting for the owner"),
            action=pgettext("inbox", "Follow"),
            url=reverse("lists:my_claims"),
            rows=Claim.objects.filter(claimant_member__user_id=ctx.user_id, status=ClaimStatus.PENDING),
            since="claimed_at",
            today=ctx.today,
            actionable=False,
        )
        yield from item(
            kind="lists.wishes_open",
            audience=MEMBER,
            title=pgettext("inbox", "Micro-wishes waiting to be claimed"),
            action=pgettext("inbox", "Claim"),
            url=_url("lists:demand_list", status=DemandStatus.PUBLISHED, kind=DemandKind.MICRO_WISH),
            rows=Demand.objects.filter(
                paths_q(ctx.home_paths),
                kind=DemandKind.MICRO_WISH,
                status=DemandStatus.PUBLISHED,
                claimed__lt=F("quantity"),
            ),
            since="published_at",
            due="deadline",
            today=ctx.today,
        )


PROVIDERS = (admin_items, liaison_items, person_items)


def register() -> None:
    inbox.register(*PROVIDERS)
