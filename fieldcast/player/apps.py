from django.apps import AppConfig


class PlayerConfig(AppConfig):
    name = "fieldcast.player"
    label = "player"
