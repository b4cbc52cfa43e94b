from django.contrib import admin, messages

from .models import Channel, ChannelItem, Curator, Subscription
from .services import channel_delete
from .subscriptions import channel_recount_subscribers


class ChannelItemInline(admin.TabularInline):
    model = ChannelItem
    extra = 0
    raw_id_fields = ["item", "added_by"]
    readonly_fields = ["added_at"]


class CuratorInline(admin.TabularInline):
    model = Curator
    extra = 0
    raw_id_fields = ["user", "invited_by"]
    readonly_fields = ["invited_at", "responded_at"]


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    """Staff curate topic and editorial channels here (Featured, Must See), and mark
    current events and featured channels (also possible from the channel's page)."""

    list_display = ["name", "slug", "kind", "is_current_event", "is_featured", "subscribers_count", "owner"]
    list_editable = ["is_current_event", "is_featured"]
    list_filter = ["kind", "is_current_event", "is_featured"]
    search_fields = ["name", "slug", "name_key"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["owner"]
    readonly_fields = ["subscribers_count", "banner"]
    inlines = [CuratorInline, ChannelItemInline]
    actions = ["recount_subscribers"]

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        channel_delete(channel=obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for channel in queryset:
            channel_delete(channel=channel)

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        if formset.model is not ChannelItem:
            return super().save_formset(request, form, formset, change)
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
        return None

    @admin.action(description="Recount subscribers of the selected channels")
    def recount_subscribers(self, request, queryset):  # type: ignore[no-untyped-def]
        for channel in queryset:
            channel_recount_subscribers(channel=channel)
        self.message_user(request, f"Recounted {queryset.count()} channel(s).", messages.SUCCESS)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "channel", "created_at"]
    raw_id_fields = ["user", "channel"]
    search_fields = ["user__username", "channel__name"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # members subscribe themselves; the counter moves with the services

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
