from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "fieldcast.geo"
    label = "geo"
