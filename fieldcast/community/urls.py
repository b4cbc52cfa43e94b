from django.urls import path

from . import views

app_name = "community"
urlpatterns = [
    # GET: the comments (any order, any page); POST: a new comment or reply.
    path("v/<pid:public_id>/-/comments", views.comments, name="comment_post"),
    path("v/<pid:public_id>/-/comments/<int:comment_id>", views.comment_detail, name="comment_detail"),
    path("v/<pid:public_id>/-/comments/<int:comment_id>/reply", views.comment_reply_form, name="comment_reply"),
    path("v/<pid:public_id>/-/comments/<int:comment_id>/edit", views.comment_edit_view, name="comment_edit"),
    path("v/<pid:public_id>/-/comments/<int:comment_id>/delete", views.comment_delete_view, name="comment_delete"),
    path("v/<pid:public_id>/-/comments/<int:comment_id>/vote", views.comment_vote_view, name="comment_vote"),
    path("me/comments", views.my_comments, name="my_comments"),
    path("me/replies", views.my_replies, name="my_replies"),
]
