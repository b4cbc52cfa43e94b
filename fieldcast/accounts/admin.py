from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from fieldcast.channels.services import channel_ensure_personal
from fieldcast.core.markdown import render_markdown

from .models import Block, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "is_staff", "safe_mode", "is_demo", "date_joined", "deleted_at"]
    list_filter = [*DjangoUserAdmin.list_filter, "safe_mode", "is_demo", "trusted_by_moderator"]
    readonly_fields = ["is_demo", "deleted_at", "avatar_key"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        (
            "Fieldcast",
            {
                "fields": [
                    "display_name",
                    "bio",
                    "avatar_key",
                    "favorites_public",
                    "date_of_birth",
                    "adult_confirmed_at",
                    "safe_mode",
                    "trusted_by_moderator",
                    "suspended_until",
                    "is_demo",
                    "deleted_at",
                ]
            },
        ),
    ]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # The bio shows as its rendered, sanitised HTML: keep it in step with edits here.
        obj.bio_html = render_markdown(obj.bio) if obj.bio.strip() else ""
        super().save_model(request, obj, form, change)
        if obj.deleted_at is None:
            channel_ensure_personal(user=obj)


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    raw_id_fields = ["blocker", "blocked"]
    search_fields = ["blocker__username", "blocked__username"]
