"""Template context: the navigation of the modules, present and to come."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name or None while the module is still to come, label, icon)
MODULES: list[tuple[str | None, Any, str]] = [
    ("home", _("Overview"), "bi-house"),
    ("orgs:tree", _("Map"), "bi-diagram-3"),
    ("orgs:unit_list", _("Resident units"), "bi-building"),
    ("orgs:alliance_list", _("Alliances"), "bi-people"),
    (None, _("Member ledgers"), "bi-journal-text"),
    (None, _("Co-building"), "bi-link-45deg"),
    (None, _("Three lists"), "bi-card-checklist"),
    (None, _("Service"), "bi-heart"),
    (None, _("Figures"), "bi-bar-chart"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    items = []
    path = request.path
    for name, label, icon in MODULES:
        url = None
        if name:
            try:
                url = reverse(name)
            except NoReverseMatch:
                url = None
        active = bool(url) and (path == url if url == "/" else path.startswith(url or "\0"))
        items.append({"url": url, "label": label, "icon": icon, "active": active})
    return {"nav_modules": items}
