from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path("c/", views.channel_index, name="index"),
    path("c/<uslug:slug>", views.channel_detail, name="detail"),
]
