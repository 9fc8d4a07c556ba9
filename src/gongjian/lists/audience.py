"""Who hears of the lists' events: the owner of a demand or resource, the claimant's side."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from gongjian.accounts.selectors import nearest_administrators
from gongjian.core.pii import mask_name
from gongjian.orgs.models import Area, PartyOrg

from .models import Claim, Demand, Project, Resource


def org_people(org: PartyOrg) -> list[Any]:
    """The liaisons of an organisation's unit, else the administrators of its area (nearest level)."""
    return nearest_administrators(area_path=org.area.path, unit_id=org.unit_id)


def owner_people(target: Demand | Resource) -> list[Any]:
    """Who decides on claims of a demand (its list's keepers) or a resource (its provider)."""
    if isinstance(target, Demand):
        return org_people(target.owner_org)
    if target.provider_member is not None and target.provider_member.user is not None:
        return [target.provider_member.user]
    if target.provider_org is not None:
        return org_people(target.provider_org)
    return nearest_administrators(area_path=target.area.path, unit_id=target.provider_unit_id)


def claimant_people(claim: Claim) -> list[Any]:
    """The claimant's side: the unit's liaisons, the organisation's administrators, the member."""
    if claim.claimant_member is not None:
        return [claim.claimant_member.user] if claim.claimant_member.user is not None else []
    if claim.claimant_org is not None:
        return org_people(claim.claimant_org)
    if claim.claimant_unit is not None:
        return nearest_administrators(area_path=claim.claimant_unit.area.path, unit_id=claim.claimant_unit_id)
    return []


def claim_url(claim: Claim) -> str:
    return reverse("lists:claim_detail", args=[claim.pk])


def claim_subject(claim: Claim) -> str:
    target = claim.demand if claim.demand is not None else claim.resource
    return target.name if target is not None else ""


def claimant_name(claim: Claim) -> str:
    for side in (claim.claimant_unit, claim.claimant_org):
        if side is not None:
            return side.name
    return mask_name(claim.claimant_member.name) if claim.claimant_member is not None else ""


def project_people(project: Project) -> list[Any]:
    """Both sides of a project: the lead unit or organisation, and the owner of its demand or
    resource (the acting person is left out by ``announce``)."""
    people: list[Any] = []
    if project.lead_org is not None:
        people += org_people(project.lead_org)
    elif project.lead_unit is not None:
        people += nearest_administrators(area_path=project.lead_unit.area.path, unit_id=project.lead_unit_id)
    target = project.demand if project.demand is not None else project.resource
    if target is not None:
        people += owner_people(target)
    return people


def project_url(project: Project) -> str:
    return reverse("lists:project_detail", args=[project.pk])


def raiser_people(demand: Demand) -> list[Any]:
    """Who raised a demand: the person, and the liaisons of the unit it was raised for."""
    people: list[Any] = [demand.raised_by] if demand.raised_by is not None else []
    if demand.raised_by_unit is not None:
        people += nearest_administrators(
            area_path=demand.raised_by_unit.area.path, unit_id=demand.raised_by_unit_id
        )
    return people


def demand_url(demand: Demand) -> str:
    return reverse("lists:demand_detail", args=[demand.pk])


def above_people(area: Area) -> list[Any]:
    """The administrators of the level above an area (the review team of a project's reports)."""
    above = area.path[: -area.steplen] if len(area.path) > area.steplen else ""
    return nearest_administrators(area_path=above) if above else []
