"""The levels of the map (city, district, street, community, compound, building).

They live on the ground floor because ``accounts`` needs them too: an administrator's role is held
on an area of one level. The map (``gongjian.orgs.models``) re-exports ``Level`` unchanged, and the
rest of the code keeps importing it from there.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    CITY = 1, _("City")
    DISTRICT = 2, _("District / county")
    STREET = 3, _("Street / town")
    COMMUNITY = 4, _("Community / village")
    COMPOUND = 5, _("Compound / grid")
    BUILDING = 6, _("Building")
