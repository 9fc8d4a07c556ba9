from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "gongjian.demo"
    label = "demo"
