from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """Registers the ``gongjian match`` command; the engine itself needs no Django."""

    name = "gongjian.matching"
    label = "matching"
    verbose_name = _("Matching")
