from django.urls import path

from . import views

app_name = "pages"
urlpatterns = [
    path("terms", views.page, {"slug": "terms"}, name="terms"),
    path("privacy", views.page, {"slug": "privacy"}, name="privacy"),
    path("about/<slug:slug>", views.page, name="page"),
]
