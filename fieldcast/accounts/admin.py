from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from fieldcast.channels.services import channel_ensure_personal

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "is_staff", "safe_mode", "is_demo", "date_joined"]
    list_filter = [*DjangoUserAdmin.list_filter, "safe_mode", "is_demo"]
    readonly_fields = ["is_demo"]
    fieldsets = [
        *(DjangoUserAdmin.fieldsets or ()),
        (
            "Fieldcast",
            {"fields": ["display_name", "bio", "date_of_birth", "adult_confirmed_at", "safe_mode", "is_demo"]},
        ),
    ]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        channel_ensure_personal(user=obj)
