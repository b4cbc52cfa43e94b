from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fieldcast.core"
    label = "core"
