from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path("c/", views.channel_index, name="index"),
    path("c/new", views.channel_new, name="new"),
    path("c/<uslug:slug>", views.channel_detail, name="detail"),
    path("c/<uslug:slug>/edit", views.channel_edit, name="edit"),
    path("c/<uslug:slug>/delete", views.channel_delete_view, name="delete"),
    path("c/<uslug:slug>/marks", views.channel_flags, name="flags"),
    path("c/<uslug:slug>/subscribe", views.channel_subscribe, name="subscribe"),
    path("c/<uslug:slug>/banner/<str:name>", views.channel_banner, name="banner"),
    path("c/<uslug:slug>/curators", views.curators, name="curators"),
    path("c/<uslug:slug>/curators/invitation", views.invitation, name="invitation"),
    path("c/<uslug:slug>/curators/<int:user_id>/remove", views.curator_remove_view, name="curator_remove"),
    path("c/<uslug:slug>/items/<pid:public_id>/remove", views.item_unfile, name="item_remove"),
    path("v/<pid:public_id>/-/channels", views.item_file, name="item_file"),
    path("u/<str:username>/subscribe", views.member_subscribe, name="member_subscribe"),
    path("me/subscriptions", views.my_subscriptions, name="subscriptions"),
    path("me/channels", views.my_channels, name="mine"),
    path("feed", views.feed, name="feed"),
]
