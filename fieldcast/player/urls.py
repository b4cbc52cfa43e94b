from django.urls import path

from . import views, views_embed

app_name = "player"
urlpatterns = [
    path("events/play", views.play, name="play"),
    path("events/view", views.view, name="view"),
    path("events/share", views.share, name="share"),
    path("embed/<pid:public_id>", views_embed.embed, name="embed"),
    path("v/<pid:public_id>/-/stats", views.stats, name="stats"),
    path("oembed", views_embed.oembed, name="oembed"),
]
