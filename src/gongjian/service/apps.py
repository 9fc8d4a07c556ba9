from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gongjian.stats import registry


class ServiceConfig(AppConfig):
    name = "gongjian.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from . import delivery, figures, inbox  # the models are loaded only now

        inbox.register()
        delivery.register()

        registry.register(*figures.FIGURES)
