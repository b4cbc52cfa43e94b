from django.conf import settings
from django.db import models
from django.utils import timezone


class Comment(models.Model):
    """A member's comment on an item: Markdown, rendered and sanitised on save.

    `parent` is the comment it answers; `root` the top-level comment of its thread
    (None for a top-level comment), so that a page of threads loads in one query.
    A deleted comment that still has replies stays as a "[deleted]" placeholder
    (`is_deleted`, body cleared); one without replies is gone. `score` is the net
    sum of its CommentVotes, moved only with F() updates.
    """

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    root = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.CASCADE, related_name="thread"
    )
    body = models.TextField(max_length=10_000)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    deleted_by_moderator = models.BooleanField(default=False, editable=False)
    score = models.IntegerField(default=0, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["item", "created_at", "id"], name="comment_item_order"),
            models.Index(fields=["author", "-created_at", "-id"], name="comment_author_recent"),
            # Top-level comments of an item, best first (the item page's default order).
            models.Index(
                fields=["item", "-score", "-created_at", "-id"],
                name="comment_item_best",
                condition=models.Q(parent__isnull=True),
            ),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.item_id}"

    @property
    def thread_id(self) -> int:
        return self.root_id or self.pk


class VoteValue(models.IntegerChoices):
    UP = 1, "Up"
    DOWN = -1, "Down"


class ItemVote(models.Model):
    """One member's up or down vote on an item (changeable). `Item.vote_score` is the net sum."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="item_votes")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="itemvote_one_per_user"),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="itemvote_value_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} on {self.item_id}"


class Favorite(models.Model):
    """An item a member keeps. `Item.favorites_count` counts the rows."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="favorites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="favorite_one_per_user")]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="favorite_user_recent")]

    def __str__(self) -> str:
        return f"{self.user_id} favorites {self.item_id}"


class CommentVote(models.Model):
    """One member's up or down vote on a comment (changeable). `Comment.score` is the net sum."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_votes")
    value = models.SmallIntegerField(choices=VoteValue.choices)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="commentvote_one_per_user"),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="commentvote_value_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.value:+d} on comment {self.comment_id}"


class CommentMention(models.Model):
    """A member linked with @username in a comment: what "Replies to me" lists beside replies."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_mentions")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "comment"], name="commentmention_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} mentioned in comment {self.comment_id}"
