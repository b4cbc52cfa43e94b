from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    path("places/suggest", views.suggest, name="suggest"),
]
