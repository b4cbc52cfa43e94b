from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fieldcast.demo"
    label = "demo"
    verbose_name = "Demo content"
