"""The honours on a holder's page (an area, organisation or unit), registered into
:mod:`gongjian.web.holders`: each with its year, source campaign and certificate, newest first, so
a move from a negative list to a positive one reads down the panel."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.accounts.actor import Actor
from gongjian.web import holders
from gongjian.web.holders import Panel, PanelRow

from . import selectors


def honour_panels(kind: str, obj: Any, actor: Actor) -> list[Panel]:
    if kind not in selectors.HOLDER_FIELDS:
        return []  # a meeting holds no honour
    rows = []
    for honour in selectors.honours_of(kind=kind, obj=obj):
        links: list[tuple[str, str]] = [(_("Campaign"), reverse("honours:notice", args=[honour.campaign_id]))]
        if not honour.negative:
            links.append((_("Honour certificate (PDF)"), reverse("honours:certificate", args=[honour.pk])))
        rows.append(
            PanelRow(
                label=f"{honour.year} {honour.name}",
                detail=_("%(campaign)s · place %(rank)d")
                % {"campaign": honour.campaign.name, "rank": honour.rank},
                url=reverse("honours:notice", args=[honour.campaign_id]),
                badge="negative" if honour.negative else "positive",
                links=tuple(links),
            )
        )
    return [Panel(key="honours", title=_("Honours and appraisals"), rows=rows, empty=_("No honour yet."))]


def register() -> None:
    holders.register(honour_panels)
