from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "fieldcast.notifications"
    label = "notifications"
