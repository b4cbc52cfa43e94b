from django.contrib import admin

from fieldcast.core.markdown import render_markdown

from .models import Item, ItemTag, Tag


class ItemTagInline(admin.TabularInline):
    model = ItemTag
    extra = 0
    autocomplete_fields = ["tag"]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["title", "public_id", "author", "rating", "lifecycle", "visibility", "moderation", "added_at"]
    list_filter = ["rating", "lifecycle", "visibility", "moderation"]
    search_fields = ["title", "public_id", "author__username"]
    date_hierarchy = "added_at"
    raw_id_fields = ["author", "update_of", "place"]
    readonly_fields = [
        "public_id", "plays_count", "embed_plays_count", "views_count", "comments_count", "vote_score",
        "favorites_count", "shares_count", "updates_count", "channels_count",
    ]  # fmt: skip
    inlines = [ItemTagInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]
