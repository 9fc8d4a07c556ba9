from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gongjian.stats import registry


class AppealsConfig(AppConfig):
    name = "gongjian.appeals"
    label = "appeals"
    verbose_name = _("Residents' appeals")

    def ready(self) -> None:
        from . import figures, inbox, pick, quality  # the models are loaded only now

        inbox.register()
        pick.register_pickers()

        registry.register(*figures.FIGURES, *quality.CHECKS)
