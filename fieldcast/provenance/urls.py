from django.urls import path

from . import views

app_name = "provenance"

urlpatterns = [
    path("v/<pid:public_id>/-/provenance", views.panel, name="panel"),
    path("v/<pid:public_id>/-/verification", views.verification_edit, name="verification"),
    path("files/<str:asset_id>/metadata", views.metadata_publish, name="metadata_publish"),
    path("provenance/check", views.upload_check, name="upload_check"),
    path("moderation/copies", views.clusters, name="clusters"),
    path("moderation/copies/act", views.clusters_act, name="clusters_act"),
]
