from django.urls import path

from . import views_social

app_name = "social"
urlpatterns = [
    path("v/<pid:public_id>/-/vote", views_social.item_vote, name="vote"),
    path("v/<pid:public_id>/-/favorite", views_social.item_favorite, name="favorite"),
    path("u/<str:username>/favorites", views_social.member_favorites, name="member_favorites"),
    path("me/favorites", views_social.my_favorites, name="my_favorites"),
]
