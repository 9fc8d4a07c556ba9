"""Reads of appraisals, scoped by the actor.

- Administrators read the campaigns organised at a node inside their scope, with every entry and
  its parts (the candidates are inside the organiser's subtree, so a street's campaign shows only
  that street's candidates).
- Anyone, signed in or not, reads a published list (public notice, then the honours awarded) and
  its objections with their answers: names of candidates, scores and their parts, never who
  objected unless they signed, never a person's data.
- Honours are read on their holder's page by whoever may open that page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.orgs.models import Area

from .models import PUBLIC_STATUSES, Campaign, Entry, EntryPart, Honour, Objection


def campaign_list(*, actor: Actor, year: int | None = None) -> QuerySet[Campaign]:
    """Campaigns organised inside the actor's subtrees, newest year first."""
    rows = Campaign.objects.filter(scope_for(actor).area_q("area__")).select_related("area")
    if year is not None:
        rows = rows.filter(year=year)
    return rows


def campaign_get(*, actor: Actor, pk: int) -> Campaign:
    """A campaign the actor manages (404 outside their scope)."""
    found = campaign_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def public_list() -> QuerySet[Campaign]:
    """Lists on public notice or awarded, for anyone."""
    return Campaign.objects.filter(status__in=PUBLIC_STATUSES).select_related("area")


def public_get(*, pk: int) -> Campaign:
    found = public_list().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def entry_rows(*, campaign: Campaign) -> QuerySet[Entry]:
    """The campaign's entries with their parts, by place (unplaced last)."""
    parts = EntryPart.objects.select_related("criterion").order_by("criterion__position", "criterion_id")
    return (
        campaign.entries.select_related("home", "area", "org", "unit")
        .prefetch_related(Prefetch("parts", queryset=parts))
        .order_by(F("rank").asc(nulls_last=True), "name", "pk")
    )


def entry_get(*, campaign: Campaign, pk: int) -> Entry:
    found = campaign.entries.filter(pk=pk).select_related("home", "area", "org", "unit").first()
    if found is None:
        raise Http404
    return found


def objection_list(*, campaign: Campaign) -> QuerySet[Objection]:
    return campaign.objections.select_related("entry").order_by("filed_at", "pk")


def objection_get(*, campaign: Campaign, pk: int) -> Objection:
    found = objection_list(campaign=campaign).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


#: The kinds of record that hold honours, and the honour's field naming each.
HOLDER_FIELDS = {
    "area": "holder_area",
    "org": "holder_org",
    "unit": "holder_unit",
    "member": "holder_member",
    "team": "holder_team",
}


def honours_of(*, kind: str, obj: Any) -> QuerySet[Honour]:
    """The honours (and places on negative lists) an area, organisation or unit holds, newest
    first: its history, a move from a negative list to a positive one included."""
    field = HOLDER_FIELDS[kind]
    return Honour.objects.filter(**{field: obj}).select_related("campaign").order_by("-year", "-awarded_at")


def honour_list(*, actor: Actor, year: int | None = None) -> QuerySet[Honour]:
    """Honours (and places on negative lists) held inside the actor's subtrees, newest first."""
    rows = Honour.objects.filter(scope_for(actor).area_q("area__")).select_related("campaign", "area")
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by("-year", "-awarded_at", "pk")


def public_honours(*, campaign: Campaign) -> QuerySet[Honour]:
    """The honours of a published campaign (none before its award)."""
    return Honour.objects.filter(campaign=campaign).select_related("area").order_by("rank", "pk")


def honour_get(*, actor: Actor, pk: int) -> Honour:
    """An honour for its certificate: public once awarded (the list was published)."""
    found = Honour.objects.select_related("campaign", "campaign__area").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def candidate_areas(*, campaign: Campaign) -> QuerySet[Area]:
    """The areas at the campaign's candidate level inside its organiser's subtree, in force on the
    campaign's date."""
    day = campaign.figures_on
    if campaign.candidate_level is None:
        return Area.objects.none()
    return Area.objects.filter(
        Q(until__isnull=True) | Q(until__gte=day),
        path__startswith=campaign.area.path,
        level=campaign.candidate_level,
        since__lte=day,
    ).order_by("path")
