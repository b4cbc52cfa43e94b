from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import MediaAsset, Rendition, Upload
from .services.recovery import asset_retry

_RENDITION_FIELDS = ["profile", "path", "content_type", "width", "height", "bitrate", "size", "created_at"]


class RenditionInline(admin.TabularInline):
    model = Rendition
    extra = 0
    can_delete = False
    fields = tuple(_RENDITION_FIELDS)
    readonly_fields = _RENDITION_FIELDS

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(MediaAsset)
class MediaAssetAdmin(admin.ModelAdmin):
    list_display = [
        "public_id", "original_name", "owner", "item", "kind", "status", "step", "progress", "playable",
        "attempts", "failure_reason", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "kind", "playable"]
    search_fields = ["public_id", "original_name", "sha256", "owner__username", "item__public_id"]
    date_hierarchy = "created_at"
    raw_id_fields = ["owner", "item", "upload"]
    readonly_fields = [
        "public_id", "kind", "status", "failure_reason", "original", "size", "sha256", "probe", "duration", "width",
        "height", "step", "progress", "playable", "heartbeat_at", "attempts", "created_at", "processed_at",
    ]  # fmt: skip
    inlines = [RenditionInline]
    actions = ["retry_processing"]

    @admin.action(description="Retry processing")
    def retry_processing(self, request: HttpRequest, queryset: QuerySet[MediaAsset]) -> None:
        retried = busy = 0
        for asset_id in queryset.values_list("pk", flat=True):
            if asset_retry(asset_id=asset_id):
                retried += 1
            else:
                busy += 1
        if retried:
            self.message_user(request, f"{retried} file(s) queued for processing again.", messages.SUCCESS)
        if busy:
            self.message_user(
                request, f"{busy} file(s) are being processed right now: retry them if they stop.", messages.WARNING
            )


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ["id", "filename", "owner", "offset", "length", "created_at", "expires_at", "completed_at"]
    search_fields = ["id", "filename", "owner__username"]
    raw_id_fields = ["owner"]
    readonly_fields = ["id", "offset", "length", "path", "created_at", "updated_at", "completed_at"]
