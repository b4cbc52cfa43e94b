from django.contrib import admin

from fieldcast.community.services_social import NOT_A_FOLLOW_UP, follow_up_state
from fieldcast.core.markdown import render_markdown

from .models import Item, ItemTag, Tag
from .services import item_after_state_change, item_delete


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
        # The form may list or unlist the item (lifecycle, visibility, moderation) or re-point
        # it at another original: follow up as the services do.
        stored = Item.objects.select_for_update().filter(pk=obj.pk).first() if change else None
        before = follow_up_state(stored) if stored is not None else NOT_A_FOLLOW_UP
        super().save_model(request, obj, form, change)
        item_after_state_change(obj, before)

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        item_delete(item=obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for item in queryset:
            item_delete(item=item)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["name", "key"]
