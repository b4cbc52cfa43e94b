from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "fieldcast.moderation"
    label = "moderation"
