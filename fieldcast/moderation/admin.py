"""Moderation in the admin: the audit log is read-only; everything else is viewable, and
changes go through the moderation pages (which log them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Appeal,
    Case,
    CopyrightNotice,
    CopyrightNoticeItem,
    CounterNotice,
    ModerationAction,
    Report,
    SiteModerationSettings,
)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """View only: changes made here would skip the audit log."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "target_kind", "target_label", "moderator", "reason")
    list_filter = ("kind", "target_kind")
    search_fields = ("target_label", "reason")
    date_hierarchy = "created_at"


class ReportInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Report
    extra = 0
    can_delete = False
    fields = ("created_at", "reason", "reporter", "reporter_trusted", "timestamp_s", "details", "status")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("target_label", "kind", "status", "reports_count", "last_reported_at", "resolution")
    list_filter = ("status", "kind")
    inlines = [ReportInline]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("action", "appellant", "status", "created_at", "decided_by")
    list_filter = ("status",)


class NoticeItemInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CopyrightNoticeItem
    extra = 0
    can_delete = False
    fields = ("item", "status", "resolved_at", "resolved_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CopyrightNotice)
class CopyrightNoticeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "claimant_name", "claimant_email", "created_at")
    inlines = [NoticeItemInline]


@admin.register(CounterNotice)
class CounterNoticeAdmin(ReadOnlyAdmin):
    list_display = ("entry", "full_name", "created_at")


@admin.register(SiteModerationSettings)
class SiteModerationSettingsAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "hold_new_uploads", "updated_at")
