from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "fieldcast.channels"
    # "channels" would clash with the Django Channels package's label.
    label = "fcchannels"
    verbose_name = "Channels"
