from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "fieldcast.pages"
    label = "pages"
