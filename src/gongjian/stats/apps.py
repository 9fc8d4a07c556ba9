from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "gongjian.stats"
    label = "stats"
