from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "fieldcast.discovery"
    label = "discovery"
