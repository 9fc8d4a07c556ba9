"""Recommendations inside the lists' demand and resource pages (one ``{% include %}`` line there):
the context comes from these inclusion tags, so the lists' views stay as they are."""

from __future__ import annotations

import logging
from typing import Any

from django import template

from gongjian.cobuild.models import JointMeeting
from gongjian.lists.models import Demand, Resource

from .. import selectors, services

register = template.Library()
log = logging.getLogger(__name__)


def _rows(context: template.Context, suggestions: list[Any]) -> list[tuple[Any, list[str]]]:
    actor = context["request"].user
    return [
        (s, services.recommendation_claim_sides(actor=actor, demand=s.demand, resource=s.resource))
        for s in suggestions
    ]


@register.inclusion_tag("matching/_recommendations.html", takes_context=True)
def recommendations(context: template.Context, obj: Demand | Resource) -> dict[str, Any]:
    """Top-5 resources for a demand, or top-5 demands for a resource, with one-click claims."""
    request = context.get("request")
    out: dict[str, Any] = {"rows": [], "for_demand": isinstance(obj, Demand), "shown": False}
    if request is None or not request.user.is_authenticated:
        return out
    try:
        if isinstance(obj, Demand):
            found = selectors.demand_recommendations(actor=request.user, demand=obj)
        else:
            found = selectors.resource_recommendations(actor=request.user, resource=obj)
        out["rows"] = _rows(context, found)
    except Exception:  # a recommendation must never break the page it sits on
        log.exception("matching: recommendations failed for %s %s", type(obj).__name__, obj.pk)
        return out
    out["shown"] = True
    out["next"] = request.get_full_path()
    out["csrf_token"] = context.get("csrf_token")
    return out


@register.inclusion_tag("matching/_session_link.html", takes_context=True)
def session_link(context: template.Context, meeting: JointMeeting) -> dict[str, Any]:
    """A button to the meeting's claiming session, for who may run it (one line in the meeting page)."""
    request = context.get("request")
    allowed = request is not None and services.session_allowed(actor=request.user, meeting=meeting)
    return {"meeting": meeting, "allowed": allowed}
