"""Who hears about a new comment: the author of the comment it answers ("reply") and
the members it mentions ("mention"). Run from a task, after the comment is committed."""

from __future__ import annotations

from fieldcast.accounts.models import User
from fieldcast.notifications.models import Kind, Notification
from fieldcast.notifications.services import notify

from .models import Comment
from .policy import blocks_between


def comment_notify(*, comment_id: int, mention_ids: list[int], reply: bool) -> int:
    """Tell the parent's author and the mentioned members; safe to run twice (a member
    already told about this comment is not told again). How many were told."""
    comment = Comment.objects.select_related("author", "item", "parent__author").filter(pk=comment_id).first()
    if comment is None or comment.is_deleted or comment.author is None:
        return 0
    actor = comment.author
    recipients: list[tuple[User, str]] = []
    if reply and comment.parent is not None and comment.parent.author is not None:
        recipients.append((comment.parent.author, Kind.REPLY))
    told_reply = {user.pk for user, _ in recipients}
    mentioned = User.objects.filter(pk__in=mention_ids, comment_mentions__comment=comment).exclude(pk__in=told_reply)
    recipients += [(user, Kind.MENTION) for user in mentioned]
    already = set(
        Notification.objects.filter(comment=comment, recipient__in=[u for u, _ in recipients]).values_list(
            "recipient_id", flat=True
        )
    )
    sent = 0
    for recipient, kind in recipients:
        # notify() skips a recipient who blocked the actor; a member who blocked the
        # recipient does not reach them either.
        if recipient.pk in already or blocks_between(actor.pk, recipient.pk):
            continue
        if notify(recipient=recipient, kind=kind, actor=actor, item=comment.item, comment=comment) is not None:
            sent += 1
    return sent
