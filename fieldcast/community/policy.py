"""Who may comment, reply, edit, delete and vote: one place for every rule, each with
the sentence a member reads when it says no. Views show these reasons; services enforce them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.dateformat import format as date_format

from fieldcast.accounts.models import Block
from fieldcast.items.models import CommentsMode

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.items.models import Item

    from .models import Comment

EDIT_WINDOW = datetime.timedelta(minutes=15)


class CommentNotAllowed(Exception):
    """A rule refused the write; `str(exc)` is the sentence to show the member."""


def _when(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "M-d-Y H:i")


def is_suspended(user: Any) -> bool:
    until = getattr(user, "suspended_until", None)
    return until is not None and until > timezone.now()


def may_moderate(user: Any) -> bool:
    """Staff and moderators delete any comment."""
    return bool(user is not None and user.is_authenticated and (user.is_staff or user.is_moderator))


def comments_closed_reason(item: Item) -> str | None:
    """Why nobody may comment on this item, or None when comments are open to someone."""
    if item.comments_locked:
        return "Comments on this item are locked by the moderators."
    if item.comments_mode == CommentsMode.OFF:
        return "The uploader turned comments off for this item."
    return None


def comment_refusal(item: Item, user: User) -> str | None:
    """Why this member may not comment on this item now, or None when they may."""
    closed = comments_closed_reason(item)
    if closed:
        return closed
    if is_suspended(user):
        return f"Your account is suspended until {_when(user.suspended_until)}: you cannot comment until then."  # type: ignore[arg-type]
    if item.comments_mode == CommentsMode.ESTABLISHED and item.author_id != user.pk and not user.is_staff:
        allowed_from = user.date_joined + datetime.timedelta(days=item.comments_min_days)
        if allowed_from > timezone.now():
            days = item.comments_min_days
            return (
                f"The uploader accepts comments only from members registered for at least {days} "
                f"day{'s' if days != 1 else ''}. You can comment here from {_when(allowed_from)}."
            )
    return None


def blocks_between(a_id: int | None, b_id: int | None) -> bool:
    """True when either member blocked the other."""
    if a_id is None or b_id is None or a_id == b_id:
        return False
    return Block.objects.filter(blocker_id__in=[a_id, b_id], blocked_id__in=[a_id, b_id]).exists()


def reply_refusal(parent: Comment, user: User) -> str | None:
    """Why this member may not answer this comment (beyond the item's rules), or None."""
    if parent.is_deleted:
        return "This comment was deleted: it can no longer be answered."
    if parent.author_id and Block.objects.filter(blocker_id=parent.author_id, blocked_id=user.pk).exists():
        return "You cannot reply to this member: they blocked you."
    return None


def edit_refusal(comment: Comment, user: User, *, now: datetime.datetime | None = None) -> str | None:
    if comment.author_id != user.pk:
        return "Only the author can edit a comment."
    if comment.is_deleted:
        return "This comment was deleted."
    if comment.item.comments_locked:
        return "Comments on this item are locked by the moderators."
    if is_suspended(user):
        return f"Your account is suspended until {_when(user.suspended_until)}: you cannot edit comments until then."  # type: ignore[arg-type]
    if not edit_window_open(comment, now=now):
        return "Comments can be edited for 15 minutes after posting; this one can no longer be changed."
    return None


def edit_window_open(comment: Comment, *, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) < comment.created_at + EDIT_WINDOW


def delete_refusal(comment: Comment, user: User) -> str | None:
    if comment.is_deleted:
        return "This comment was already deleted."
    if comment.author_id == user.pk or may_moderate(user):
        return None
    return "Only the author or a moderator can delete a comment."


def vote_refusal(comment: Comment, user: User) -> str | None:
    if comment.is_deleted:
        return "This comment was deleted."
    if comment.author_id == user.pk:
        return "You cannot vote on your own comment."
    if comment.item.comments_locked:
        return "Comments on this item are locked by the moderators."
    if is_suspended(user):
        return f"Your account is suspended until {_when(user.suspended_until)}: you cannot vote until then."  # type: ignore[arg-type]
    return None
