from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gongjian.stats import registry


class MembersConfig(AppConfig):
    name = "gongjian.members"
    label = "members"
    verbose_name = _("Member ledgers")

    def ready(self) -> None:
        from . import figures, inbox, pick, quality  # the models are loaded only now

        inbox.register()

        registry.register(*figures.FIGURES, *quality.CHECKS)
        pick.register_pickers()
