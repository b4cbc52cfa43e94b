from __future__ import annotations

from django.contrib import admin

from .models import CopyMatch, FileMetadata, Fingerprint, Verification, VerificationChange


@admin.register(Fingerprint)
class FingerprintAdmin(admin.ModelAdmin):
    list_display = ("asset", "frames", "informative", "sample_fps", "algorithm", "seconds_spent", "computed_at")
    readonly_fields = (
        "asset",
        "algorithm",
        "sample_fps",
        "frames",
        "informative",
        "crop",
        "seconds_spent",
        "computed_at",
    )
    exclude = ("hashes", "flat")


@admin.register(CopyMatch)
class CopyMatchAdmin(admin.ModelAdmin):
    list_display = ("asset", "earlier", "kind", "start", "end", "earlier_start", "earlier_end", "frames", "found_at")
    list_filter = ("kind",)
    raw_id_fields = ("asset", "earlier")


@admin.register(FileMetadata)
class FileMetadataAdmin(admin.ModelAdmin):
    list_display = ("asset", "recorded_at", "latitude", "longitude", "make", "model", "published")
    raw_id_fields = ("asset",)


@admin.register(Verification)
class VerificationAdmin(admin.ModelAdmin):
    list_display = ("item", "status", "updated_by", "updated_at")
    list_filter = ("status",)
    raw_id_fields = ("item", "updated_by")


@admin.register(VerificationChange)
class VerificationChangeAdmin(admin.ModelAdmin):
    list_display = ("item", "status", "changed_by", "as_moderator", "created_at")

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
