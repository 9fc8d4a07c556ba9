from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "gongjian.stats"
    label = "stats"

    def ready(self) -> None:
        from . import tally

        tally.connect()
