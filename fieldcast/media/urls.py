from django.urls import path

from . import tus, views_serve
from . import views_manage as manage

app_name = "media"
urlpatterns = [
    path("m/<str:token>/<path:name>", views_serve.serve, name="serve"),
    path("uploads/assets/status", manage.assets_status, name="assets_status"),
    path("me/uploads", manage.my_uploads, name="my_uploads"),
    path("v/<pid:public_id>/-/files", manage.item_files, name="item_files"),
    path("v/<pid:public_id>/-/files/order", manage.item_files_order, name="item_files_order"),
    path("v/<pid:public_id>/-/files/<pid:asset_id>/remove", manage.item_file_remove, name="item_file_remove"),
    path("v/<pid:public_id>/-/files/<pid:asset_id>/thumbnail", manage.item_file_thumbnail, name="item_file_thumbnail"),
    path("v/<pid:public_id>/-/processing", manage.item_processing, name="item_processing"),
    path("uploads/", tus.uploads, name="tus_create"),
    path("uploads/<str:upload_id>", tus.upload, name="tus_upload"),
]
