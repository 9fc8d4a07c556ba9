from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gongjian.stats import registry


class HonoursConfig(AppConfig):
    name = "gongjian.honours"
    label = "honours"
    verbose_name = _("Appraisals and honours")

    def ready(self) -> None:
        from . import figures, holders, inbox  # the models are loaded only now

        inbox.register()
        holders.register()
        registry.register(*figures.FIGURES)
