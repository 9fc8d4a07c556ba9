"""The house's front door: the overview page and the navigation of the modules, present and to
come (a template context processor).

Both read several apps (the user's roles, the areas of the map), so they live here, above the apps
and beside ``urls.py``, and not in ``core``, which imports no app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gongjian.accounts.actor import Actor
from gongjian.accounts.scope import scope_for
from gongjian.accounts.selectors import role_list
from gongjian.orgs.models import Area
from gongjian.orgs.selectors import area_roots
from gongjian.service.selectors import my_service
from gongjian.stats.indicators import CATALOGUE
from gongjian.stats.selectors import indicators_for
from gongjian.web import inbox

# (url name or None while the module is still to come, label, icon, needs a role on the map)
MODULES: list[tuple[str | None, Any, str, bool]] = [
    ("home", _("Overview"), "bi-house", False),
    ("orgs:tree", _("Map"), "bi-diagram-3", True),
    ("orgs:unit_list", _("Resident units"), "bi-building", True),
    ("orgs:alliance_list", _("Alliances"), "bi-people", True),
    ("members:home", _("Member ledgers"), "bi-journal-text", True),
    ("cobuild:home", _("Co-building"), "bi-link-45deg", False),
    ("lists:home", _("Three lists"), "bi-card-checklist", False),
    ("service:home", _("Service"), "bi-heart", False),
    ("appeals:home", _("Appeals"), "bi-telephone-inbound", False),
    ("honours:home", _("Honours"), "bi-award", False),
    ("stats:home", _("Figures"), "bi-bar-chart", True),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The modules the user can open (map modules only for roles that reach the map), with the
    one whose address is the longest prefix of the current path marked active."""
    user = getattr(request, "user", None)
    on_map = not scope_for(user).empty
    items = []
    for name, label, icon, needs_map in MODULES:
        if needs_map and not on_map:
            continue
        url = None
        if name:
            try:
                url = reverse(name)
            except NoReverseMatch:
                url = None
        items.append({"url": url, "label": label, "icon": icon, "active": False})
    path = request.path
    matches = [
        i for i in items if i["url"] and (path == i["url"] if i["url"] == "/" else path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_modules": items}


#: The figures on an administrator's home, in this order (those the catalogue holds).
STRIP = (
    "demands.open",
    "projects.claimed",
    "projects.completion_rate",
    "service.hours",
    "appeals.response_rate",
)


def figure_strip(actor: Actor, area: Area) -> list[dict[str, Any]]:
    """Three to five of the node's figures from the kept tallies, each opening its rows."""
    values = indicators_for(actor=actor, area=area, date=timezone.localdate())
    language = get_language() or settings.LANGUAGE_CODE
    cards = []
    for key in STRIP:
        indicator = CATALOGUE.get(key)
        if indicator is None or key not in values:
            continue
        cards.append(
            {
                "id": key,
                "name": indicator.name(language),
                "value": values[key],
                "kind": indicator.kind,
                "url": reverse("stats:rows", args=[area.code, key]) if area.code else None,
            }
        )
    return cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What waits for the signed-in person, by the roles they hold, with the roles and areas; an
    administrator also sees a few figures of their (first) area, linked to its dashboard."""
    actor = request.user
    roots = list(area_roots(actor=actor))
    items = inbox.inbox_for(actor)
    strip_area = roots[0] if roots else None
    service = None
    if any(i.audience in (inbox.MEMBER, inbox.RESIDENT) for i in items) or scope_for(actor).empty:
        mine = my_service(actor=actor)
        if mine["member"] is not None or mine["volunteer"] is not None:
            service = mine
    return render(
        request,
        "core/home.html",
        {
            "roles": role_list(actor=actor),
            "roots": roots,
            "inbox_groups": inbox.grouped(items),
            "inbox_count": sum(i.count for i in items if i.actionable),
            "strip_area": strip_area,
            "figures": figure_strip(actor, strip_area) if strip_area is not None else [],
            "service": service,
        },
    )
