from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gongjian.stats import registry


class ListsConfig(AppConfig):
    name = "gongjian.lists"
    label = "lists"
    verbose_name = _("Three lists")

    def ready(self) -> None:
        from . import figures, inbox  # the models are loaded only now

        inbox.register()

        registry.register(*figures.FIGURES)
