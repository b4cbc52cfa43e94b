from django.contrib import admin

from .models import Comment
from .services import comment_delete


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["item", "author", "created_at", "score", "is_deleted"]
    list_filter = ["is_deleted", "deleted_by_moderator"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["item", "author", "parent"]
    # Comments are written through the services (rendering, mentions, counts): here they are read
    # and deleted.
    readonly_fields = [
        "body",
        "body_html",
        "root",
        "score",
        "is_deleted",
        "deleted_by_moderator",
        "created_at",
        "edited_at",
    ]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    # Deletes go through the service so that the item's comment count stays true.
    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        comment_delete(comment=obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for comment in queryset.order_by("-pk"):
            if Comment.objects.filter(pk=comment.pk).exists():  # not gone with its parent
                comment_delete(comment=comment)
