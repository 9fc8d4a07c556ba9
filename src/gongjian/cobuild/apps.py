from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gongjian.stats import registry


class CobuildConfig(AppConfig):
    name = "gongjian.cobuild"
    label = "cobuild"
    verbose_name = _("Co-building")

    def ready(self) -> None:
        from . import figures, inbox, quality  # the models are loaded only now

        inbox.register()

        registry.register(*figures.FIGURES, *quality.CHECKS)
