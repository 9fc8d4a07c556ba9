from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gongjian.stats import registry


class OrgsConfig(AppConfig):
    name = "gongjian.orgs"
    label = "orgs"
    verbose_name = _("Map")

    def ready(self) -> None:
        from . import figures, pick, quality  # the models are loaded only now

        registry.register(*figures.FIGURES, *quality.CHECKS)
        pick.register_pickers()
        registry.register_map(figures.AreaMap())
