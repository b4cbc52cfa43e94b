from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "fieldcast.items"
    label = "items"
