"""What waits for a unit liaison from matching (registered into ``gongjian.web.inbox`` from
``apps.py``): the published demands and wishes in the unit's reach that the engine recommends for
the unit's published resources, not yet claimed by the unit. When there are any, they stand in for
the lists' plain "published demands in your reach" (``lists.demands_in_reach``); when there are
none, that list stays, saying so."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F
from django.urls import reverse
from django.utils.translation import pgettext

from gongjian.lists.models import ClaimStatus, Demand, Resource, ResourceStatus
from gongjian.web import inbox
from gongjian.web.inbox import LIAISON, InboxContext, InboxItem, item

from . import selectors


def liaison_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_liaison:
        return
    units = sorted(ctx.scope.unit_ids)
    resources = Resource.objects.filter(
        provider_unit_id__in=units, status=ResourceStatus.PUBLISHED, claimed__lt=F("capacity")
    ).order_by("pk")
    found: set[int] = set()
    for resource in resources:
        for suggestion in selectors.resource_recommendations(actor=ctx.actor, resource=resource):
            found.add(suggestion.demand.pk)
    if not found:
        return
    rows = Demand.objects.filter(pk__in=sorted(found)).exclude(
        claims__claimant_unit_id__in=units, claims__status__in=[ClaimStatus.PENDING, ClaimStatus.ACCEPTED]
    )
    # One click opens the page of all the unit's recommendations, each resource with its demands,
    # their reasons, and a claim through the confirmation.
    yield from item(
        kind="matching.demands_matched",
        audience=LIAISON,
        title=pgettext("inbox", "Demands and wishes in your reach that match your unit's resources"),
        action=pgettext("inbox", "Claim"),
        url=reverse("matching:recommendations"),
        rows=rows,
        since="published_at",
        due="deadline",
        today=ctx.today,
        note=pgettext("inbox", "Recommended by matching for your unit's published resources"),
        replaces="lists.demands_in_reach",
    )


PROVIDERS = (liaison_items,)


def register() -> None:
    inbox.register(*PROVIDERS)
