from django.urls import path

from . import views_serve

app_name = "media"
urlpatterns = [
    path("m/<str:token>/<path:name>", views_serve.serve, name="serve"),
]
