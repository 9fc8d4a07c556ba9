"""What waits in appraisals (registered into ``gongjian.web.inbox`` from ``apps.py``): for the
administrators over a campaign's organiser, objections to answer, and lists whose notice has ended
and wait for the award."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import pgettext

from gongjian.web import inbox
from gongjian.web.inbox import ADMIN, InboxContext, InboxItem, item

from .models import Campaign, CampaignStatus, Objection


def admin_items(ctx: InboxContext) -> Iterator[InboxItem]:
    if not ctx.is_admin:
        return
    yield from item(
        kind="honours.objections",
        audience=ADMIN,
        title=pgettext("inbox", "Objections to a published list to answer"),
        action=pgettext("inbox", "Answer"),
        url=reverse("honours:home"),
        rows=Objection.objects.filter(ctx.scope.area_q("campaign__area__"), answered_at__isnull=True),
        since="filed_at",
        today=ctx.today,
    )
    yield from item(
        kind="honours.to_award",
        audience=ADMIN,
        title=pgettext("inbox", "Lists whose public notice has ended, to award"),
        action=pgettext("inbox", "Award"),
        url=reverse("honours:home"),
        rows=Campaign.objects.filter(
            ctx.scope.area_q("area__"), status=CampaignStatus.NOTICE, notice_until__lt=ctx.today
        ),
        since="published_at",
        today=ctx.today,
    )


PROVIDERS = (admin_items,)


def register() -> None:
    inbox.register(*PROVIDERS)
