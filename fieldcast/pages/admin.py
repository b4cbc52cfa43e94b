from django.contrib import admin

from fieldcast.core.markdown import render_markdown

from .models import SitePage


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at", "updated_by"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.body_html = render_markdown(obj.body)
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
