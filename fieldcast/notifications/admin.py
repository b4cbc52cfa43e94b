from django.contrib import admin

from .models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("kind", "recipient", "actor", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username", "actor__username", "text")
    raw_id_fields = ("recipient", "actor", "item", "comment", "channel")
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_digest", "last_digest_at")
    list_filter = ("email_digest",)
    raw_id_fields = ("user",)
