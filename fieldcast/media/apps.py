from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "fieldcast.media"
    label = "media"
