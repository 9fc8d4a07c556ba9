from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    """Registers the ``gongjian match`` command and the liaison's recommended demands on the home
    page (``inbox.py``); the engine itself needs no Django."""

    name = "gongjian.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        from . import inbox  # the models are loaded only now

        inbox.register()
