from django.apps import AppConfig


class StatsConfig(AppConfig):
    """The figures engine. The apps that own figures register them in their own ``ready()``
    (``gongjian.stats.registry``); the engine reads them on first use, so the order of
    ``INSTALLED_APPS`` does not matter."""

    name = "gongjian.stats"
    label = "stats"

    def ready(self) -> None:
        from gongjian.web import inbox

        from . import inbox as waiting
        from . import tally  # the tally reads the models

        tally.connect()
        inbox.register(*waiting.PROVIDERS)
