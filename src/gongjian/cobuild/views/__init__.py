"""Views of the co-building app, one module per part: agreements (agreements, committees and
part-time seats) and meetings (joint meetings, resolutions and action items, consultations)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from gongjian.web.crumbs import Crumb, crumb


def home_crumb() -> Crumb:
    """The first breadcrumb of every co-building page: the co-building home."""
    return crumb(_("Co-building"), reverse("cobuild:home"))
