from django.contrib import admin

from .models import Channel, ChannelItem
from .services import channel_delete


class ChannelItemInline(admin.TabularInline):
    model = ChannelItem
    extra = 0
    raw_id_fields = ["item", "added_by"]
    readonly_fields = ["added_at"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Staff curate topic and editorial channels here (Featured, Must See)."""

    list_display = ["name", "slug", "kind", "is_current_event", "owner"]
    list_filter = ["kind", "is_current_event"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["owner"]
    inlines = [ChannelItemInline]

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        channel_delete(channel=obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for channel in queryset:
            channel_delete(channel=channel)

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        # Links go through the services so that each item's channels_count stays true.
        from fieldcast.channels.services import channel_add_item, channel_remove_item

        instances = formset.save(commit=False)
        for link in formset.deleted_objects:
            channel_remove_item(channel=link.channel, item=link.item)
        for link in instances:
            if link.pk is None:
                channel_add_item(channel=form.instance, item=link.item, actor=request.user)
            else:
                link.save()
