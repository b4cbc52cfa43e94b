from django.contrib import admin

from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["item", "author", "created_at", "is_deleted"]
    list_filter = ["is_deleted"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["item", "author", "parent"]
    readonly_fields = ["body_html"]
