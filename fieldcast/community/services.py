from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from fieldcast.core.markdown import render_markdown
from fieldcast.items.counters import item_counter_add

from .models import Comment

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.items.models import Item


@transaction.atomic
def comment_create(*, item: Item, author: User, body: str, parent: Comment | None = None) -> Comment:
    comment = Comment.objects.create(
        item=item, author=author, parent=parent, body=body, body_html=render_markdown(body)
    )
    item_counter_add(item_id=item.pk, field="comments_count", delta=1)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment) -> None:
    """Delete a comment and its replies for good, keeping the item's count true."""
    removed = _thread_size(comment)
    item_id = comment.item_id
    comment.delete()
    item_counter_add(item_id=item_id, field="comments_count", delta=-removed)


def _thread_size(comment: Comment) -> int:
    size, frontier = 1, [comment.pk]
    while frontier:
        frontier = list(Comment.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        size += len(frontier)
    return size
