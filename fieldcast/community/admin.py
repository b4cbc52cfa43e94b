from django.contrib import admin

from .models import Comment
from .services import comment_delete


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["item", "author", "created_at", "is_deleted"]
    list_filter = ["is_deleted"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["item", "author", "parent"]
    readonly_fields = ["body_html"]

    # Deletes go through the service so that the item's comment count stays true.
    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        comment_delete(comment=obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for comment in queryset.order_by("-pk"):
            if Comment.objects.filter(pk=comment.pk).exists():  # not gone with its parent
                comment_delete(comment=comment)
