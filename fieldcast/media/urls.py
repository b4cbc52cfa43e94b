from django.urls import path

from . import tus, views_serve

app_name = "media"
urlpatterns = [
    path("m/<str:token>/<path:name>", views_serve.serve, name="serve"),
    path("uploads/", tus.uploads, name="tus_create"),
    path("uploads/<str:upload_id>", tus.upload, name="tus_upload"),
]
