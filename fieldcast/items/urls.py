from django.urls import path

from . import views

app_name = "items"
urlpatterns = [
    path("new", views.item_new, name="new"),
    path("new/preview", views.body_preview, name="preview"),
    path("v/<pid:public_id>", views.item_detail, name="detail_short"),
    path("v/<pid:public_id>/", views.item_detail),
    path("v/<pid:public_id>/<uslug:slug>", views.item_detail, name="detail"),
    path("v/<pid:public_id>/-/edit", views.item_edit, name="edit"),
    path("v/<pid:public_id>/-/delete", views.item_delete_view, name="delete"),
    path("v/<pid:public_id>/-/unlock", views.item_unlock, name="unlock"),
    path("tag/<str:key>", views.tag_detail, name="tag"),
]
