from django.urls import path

from . import views

app_name = "player"
urlpatterns = [
    path("events/play", views.play, name="play"),
    path("events/view", views.view, name="view"),
    path("events/share", views.share, name="share"),
]
