from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "fieldcast.community"
    label = "community"
