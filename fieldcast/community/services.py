"""Writes to comments: post, reply, edit, delete, vote. Each checks its rule in
community.policy and raises CommentNotAllowed with the sentence to show.

`Item.comments_count` counts the comments that are not deleted; it moves with
`item_counter_add` in the same transaction as the rows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fieldcast.core import pagecache
from fieldcast.items.counters import item_counter_add

from .mentions import render_comment
from .models import Comment, CommentMention, CommentVote
from .policy import (
    CommentNotAllowed,
    comment_refusal,
    delete_refusal,
    edit_refusal,
    may_moderate,
    reply_refusal,
    vote_refusal,
)

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.items.models import Item

__all__ = [
    "CommentNotAllowed",
    "RemoveOutcome",
    "comment_create",
    "comment_delete",
    "comment_edit",
    "comment_remove",
    "comment_vote",
    "comment_vote_set",
]


@transaction.atomic
def comment_create(*, item: Item, author: User, body: str, parent: Comment | None = None) -> Comment:
    """Post a comment, or a reply to `parent`, under the item's comment policy."""
    refusal = comment_refusal(item, author)
    if parent is not None:
        # The lock keeps a concurrent delete from removing the parent under the new reply.
        parent = Comment.objects.select_for_update().get(pk=parent.pk)
        if parent.item_id != item.pk:
            raise CommentNotAllowed("That comment belongs to another item.")
        refusal = refusal or reply_refusal(parent, author)
    if refusal:
        raise CommentNotAllowed(refusal)
    body_html, mentioned = render_comment(body, author_id=author.pk)
    comment = Comment.objects.create(
        item=item,
        author=author,
        parent=parent,
        root_id=parent.thread_id if parent is not None else None,
        body=body,
        body_html=body_html,
    )
    CommentMention.objects.bulk_create([CommentMention(comment=comment, user=user) for user in mentioned])
    item_counter_add(item_id=item.pk, field="comments_count", delta=1)
    pagecache.item_changed(item.public_id)  # cached guest pages show it from the next request
    _notify_after_commit(comment.pk, mention_ids=[u.pk for u in mentioned], reply=parent is not None)
    return comment


@transaction.atomic
def comment_edit(*, comment: Comment, editor: User, body: str) -> Comment:
    """The author's correction within the edit window; newly mentioned members are told."""
    comment = Comment.objects.select_for_update(of=("self",)).select_related("item", "author").get(pk=comment.pk)
    refusal = edit_refusal(comment, editor)
    if refusal:
        raise CommentNotAllowed(refusal)
    if body == comment.body:
        return comment
    body_html, mentioned = render_comment(body, author_id=editor.pk)
    comment.body = body
    comment.body_html = body_html
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    pagecache.item_changed(comment.item.public_id)
    before = set(CommentMention.objects.filter(comment=comment).values_list("user_id", flat=True))
    after = {u.pk for u in mentioned}
    CommentMention.objects.filter(comment=comment, user_id__in=before - after).delete()
    CommentMention.objects.bulk_create([CommentMention(comment=comment, user_id=pk) for pk in after - before])
    if after - before:
        _notify_after_commit(comment.pk, mention_ids=sorted(after - before), reply=False)
    return comment


@dataclass
class RemoveOutcome:
    """What a delete left: a "[deleted]" placeholder (the comment had replies), or
    nothing; `gone_ids` are the rows that disappeared (the comment and any
    placeholders left without replies)."""

    placeholder: bool
    gone_ids: list[int] = field(default_factory=list)


@transaction.atomic
def comment_remove(*, comment: Comment, actor: User) -> RemoveOutcome:
    """Delete a comment as its author or a moderator: with replies it stays as "[deleted]"
    (its text cleared), without them it disappears."""
    comment = Comment.objects.select_for_update(of=("self",)).select_related("item").get(pk=comment.pk)
    refusal = delete_refusal(comment, actor)
    if refusal:
        raise CommentNotAllowed(refusal)
    item_counter_add(item_id=comment.item_id, field="comments_count", delta=-1)
    pagecache.item_changed(comment.item.public_id)
    if Comment.objects.filter(parent=comment).exists():
        comment.is_deleted = True
        comment.deleted_by_moderator = comment.author_id != actor.pk and may_moderate(actor)
        comment.body = ""
        comment.body_html = ""
        comment.save(update_fields=["is_deleted", "deleted_by_moderator", "body", "body_html"])
        CommentMention.objects.filter(comment=comment).delete()
        return RemoveOutcome(placeholder=True)
    parent_id = comment.parent_id
    gone = [comment.pk]
    comment.delete()
    gone += _prune_placeholders(parent_id)
    return RemoveOutcome(placeholder=False, gone_ids=gone)


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    """Delete a comment and all its replies for good (the admin, account deletion),
    keeping the item's count true."""
    removed = _live_thread_size(comment)
    item_id, parent_id = comment.item_id, comment.parent_id
    comment.delete()
    item_counter_add(item_id=item_id, field="comments_count", delta=-removed)
    pagecache.item_changed(item_id=item_id)
    _prune_placeholders(parent_id)


def _live_thread_size(comment: Comment) -> int:
    """How many comments that are not deleted are in the subtree of `comment`."""
    size = 0 if comment.is_deleted else 1
    frontier = [comment.pk]
    while frontier:
        rows = list(Comment.objects.filter(parent_id__in=frontier).values_list("pk", "is_deleted"))
        frontier = [pk for pk, _ in rows]
        size += sum(1 for _, deleted in rows if not deleted)
    return size


def _prune_placeholders(parent_id: int | None) -> list[int]:
    """Remove "[deleted]" ancestors that no longer have any reply; their ids."""
    gone: list[int] = []
    while parent_id is not None:
        parent = Comment.objects.select_for_update().filter(pk=parent_id).first()
        if parent is None or not parent.is_deleted or Comment.objects.filter(parent_id=parent_id).exists():
            break
        gone.append(parent.pk)
        parent_id = parent.parent_id
        parent.delete()
    return gone


@transaction.atomic
def comment_vote(*, comment: Comment, user: User, value: int) -> tuple[int, int]:
    """Vote +1 or -1; the same vote again takes it back, the other one replaces it.
    Returns the member's vote now (1, -1 or 0) and the comment's score."""
    if value not in (1, -1):
        raise ValueError(f"A comment vote is +1 or -1, not {value!r}")
    comment = Comment.objects.select_related("item").get(pk=comment.pk)
    refusal = vote_refusal(comment, user)
    if refusal:
        raise CommentNotAllowed(refusal)
    existing = CommentVote.objects.select_for_update().filter(comment=comment, user=user).first()
    if existing is None:
        try:
            with transaction.atomic():
                CommentVote.objects.create(comment=comment, user=user, value=value)
            delta, now = value, value
        except IntegrityError:  # the same member's concurrent vote won the race: apply this one on top
            existing = CommentVote.objects.select_for_update().get(comment=comment, user=user)
    if existing is not None:
        if existing.value == value:
            existing.delete()
            delta, now = -value, 0
        else:
            delta, now = value - existing.value, value
            existing.value = value
            existing.save(update_fields=["value", "updated_at"])
    Comment.objects.filter(pk=comment.pk).update(score=F("score") + delta)
    pagecache.item_changed(comment.item.public_id)  # scores order the threads
    score = Comment.objects.values_list("score", flat=True).get(pk=comment.pk)
    return now, score


@transaction.atomic
def comment_vote_set(*, comment: Comment, user: User, value: int) -> tuple[int, int]:
    """Make `user`'s vote on `comment` `value` (+1, -1, or 0 for none), whatever it was:
    asking for the vote one already has changes nothing (the API's PUT-like vote; the
    site's buttons toggle through `comment_vote`). Returns the vote now and the score."""
    if value not in (1, -1, 0):
        raise ValueError(f"A comment vote is +1, -1 or 0, not {value!r}")
    comment = Comment.objects.select_related("item").get(pk=comment.pk)
    refusal = vote_refusal(comment, user)
    if refusal:
        raise CommentNotAllowed(refusal)
    existing = CommentVote.objects.select_for_update().filter(comment=comment, user=user).first()
    previous = existing.value if existing is not None else 0
    if previous == value:
        return value, Comment.objects.values_list("score", flat=True).get(pk=comment.pk)
    if existing is not None:
        # Our vote is being replaced or withdrawn; the lock keeps twins out until commit.
        if value == 0:
            existing.delete()
        else:
            existing.value = value
            existing.save(update_fields=["value", "updated_at"])
        delta = value - previous
    else:
        try:
            with transaction.atomic():  # a savepoint: a concurrent twin may insert first
                CommentVote.objects.create(comment=comment, user=user, value=value)
            delta = value
        except IntegrityError:  # the twin's vote is committed: it asked for the same or another state
            twin = CommentVote.objects.select_for_update().get(comment=comment, user=user)
            delta = value - twin.value
            twin.value = value
            twin.save(update_fields=["value", "updated_at"])
    Comment.objects.filter(pk=comment.pk).update(score=F("score") + delta)
    pagecache.item_changed(comment.item.public_id)  # scores order the threads
    return value, Comment.objects.values_list("score", flat=True).get(pk=comment.pk)


def _notify_after_commit(comment_id: int, *, mention_ids: list[int], reply: bool) -> None:
    """Notifications go out from a task once the comment is committed."""
    if not mention_ids and not reply:
        return
    from .tasks import notify_comment

    transaction.on_commit(functools.partial(notify_comment.enqueue, comment_id, mention_ids, reply))
