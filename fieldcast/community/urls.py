from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    path("v/<pid:public_id>/-/comments", views.comment_post, name="comment_post"),
]
