from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("notifications", views.index, name="index"),
    path("notifications/read-all", views.mark_all_read, name="mark_all_read"),
    path("notifications/settings", views.preferences, name="settings"),
    path("notifications/<int:notification_id>/open", views.open_notification, name="open"),
]
