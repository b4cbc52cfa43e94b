"""Reads of comments, each a fixed number of queries whatever the number of comments.

The item page shows a page of threads: top-level comments in the chosen order, each
with all its replies (oldest first under their parent), loaded in one query through
`Comment.root`. Replies three levels deep and more start collapsed ("N more replies");
past MAX_NEST levels they are shown flat, each saying whom it answers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fieldcast.accounts.models import Block
from fieldcast.core.pagination import KeysetPage, keyset_paginate
from fieldcast.items.models import Item

from .models import Comment, CommentMention, CommentVote
from .policy import EDIT_WINDOW, comment_refusal, comments_closed_reason, may_moderate

if TYPE_CHECKING:
    from fieldcast.moderation.viewer import Viewer

SORTS = {
    "best": ("-score", "-created_at", "-id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
}
SORT_LABELS = {"best": "Best", "newest": "Newest", "oldest": "Oldest"}
DEFAULT_SORT = "best"
THREADS_PER_PAGE = 20
COLLAPSE_DEPTH = 3  # replies at this depth (a reply to a reply to a reply) start collapsed
MAX_NEST = 6  # deeper replies are shown flat under the comment at this depth
MAX_ROWS = 2000  # comments loaded for one page of threads


@dataclass
class CommentNode:
    """One comment as a viewer sees it, with the replies shown under it."""

    comment: Comment
    depth: int = 0
    children: list[CommentNode] = field(default_factory=list)
    reply_to: str = ""  # whom it answers, when shown flat away from its parent
    section: CommentSection | None = None

    @property
    def pk(self) -> int:
        return self.comment.pk

    @property
    def hidden(self) -> bool:
        """Written by a member the viewer blocked: a placeholder instead of the text."""
        return bool(getattr(self.comment, "author_blocked", False)) and not self.comment.is_deleted

    @property
    def my_vote(self) -> int:
        return int(getattr(self.comment, "my_vote", 0) or 0)

    @property
    def descendant_count(self) -> int:
        return sum(1 + child.descendant_count for child in self.children)

    @property
    def collapsed(self) -> bool:
        """Its replies start folded away ("N more replies")."""
        return bool(self.children) and self.depth + 1 == COLLAPSE_DEPTH and not self._expand_all

    @property
    def _expand_all(self) -> bool:
        return self.section is not None and self.section.expand_all

    def _viewer_id(self) -> int | None:
        return self.section.viewer_id if self.section else None

    @property
    def is_mine(self) -> bool:
        viewer_id = self._viewer_id()
        return viewer_id is not None and self.comment.author_id == viewer_id

    @property
    def can_edit(self) -> bool:
        if not self.is_mine or self.comment.is_deleted or self.section is None:
            return False
        return self.section.now < self.comment.created_at + EDIT_WINDOW and not self.section.item.comments_locked

    @property
    def can_delete(self) -> bool:
        if self.comment.is_deleted or self.section is None:
            return False
        return self.is_mine or self.section.may_moderate

    @property
    def can_reply(self) -> bool:
        if self.section is None or self._viewer_id() is None or self.section.refusal:
            return False
        return not self.comment.is_deleted and not getattr(self.comment, "blocks_viewer", False)

    @property
    def can_vote(self) -> bool:
        if self.section is None or self._viewer_id() is None or self.comment.is_deleted or self.is_mine:
            return False
        return not self.section.item.comments_locked

    @property
    def is_focus(self) -> bool:
        return self.section is not None and self.section.focus_id == self.comment.pk


@dataclass
class CommentSection:
    """What the comments part of a page shows to one viewer."""

    item: Item
    threads: list[CommentNode]
    viewer_id: int | None
    sort: str = DEFAULT_SORT
    page: int = 1
    has_next: bool = False
    closed_reason: str | None = None  # comments closed for everybody, and why
    refusal: str | None = None  # why this viewer may not comment (closed, suspended, too new)
    may_moderate: bool = False
    expand_all: bool = False
    focus_id: int | None = None
    now: datetime.datetime = field(default_factory=timezone.now)

    @property
    def sorts(self) -> list[tuple[str, str]]:
        return list(SORT_LABELS.items())

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.has_next else None


def for_viewer(queryset: QuerySet[Comment], viewer: Viewer) -> QuerySet[Comment]:
    """Comments with what this viewer needs beside each: their vote, and blocks either way."""
    queryset = queryset.select_related("author")
    if not viewer.is_authenticated:
        return queryset
    user_id: int = viewer.user.pk
    return queryset.annotate(
        my_vote=Coalesce(
            Subquery(CommentVote.objects.filter(comment=OuterRef("pk"), user_id=user_id).values("value")[:1]),
            Value(0),
            output_field=IntegerField(),
        ),
        author_blocked=Exists(Block.objects.filter(blocker_id=user_id, blocked_id=OuterRef("author_id"))),
        blocks_viewer=Exists(Block.objects.filter(blocker_id=OuterRef("author_id"), blocked_id=user_id)),
    )


def _section(item: Item, viewer: Viewer, **fields: Any) -> CommentSection:
    user = viewer.user if viewer.is_authenticated else None
    return CommentSection(
        item=item,
        threads=[],
        viewer_id=viewer.user_id,
        closed_reason=comments_closed_reason(item),
        refusal=comment_refusal(item, user) if user is not None else None,
        may_moderate=may_moderate(user),
        **fields,
    )


def comment_section(item: Item, viewer: Viewer, *, sort: str = DEFAULT_SORT, page: int = 1) -> CommentSection:
    """A page of threads of the item's comments (one query; one more for a member who
    is not staff, to know whether they moderate)."""
    sort = sort if sort in SORTS else DEFAULT_SORT
    page = max(1, page)
    section = _section(item, viewer, sort=sort, page=page)
    if item.comments_count == 0 and page == 1:
        return section
    order = SORTS[sort]
    start = (page - 1) * THREADS_PER_PAGE
    top_ids = (
        Comment.objects.filter(item=item, parent__isnull=True)
        .order_by(*order)
        .values("pk")[start : start + THREADS_PER_PAGE + 1]
    )
    rows = list(
        for_viewer(Comment.objects.filter(Q(pk__in=top_ids) | Q(root_id__in=top_ids)), viewer).order_by(
            F("root_id").asc(nulls_first=True), "created_at", "id"
        )[:MAX_ROWS]
    )
    tops = sorted((c for c in rows if c.parent_id is None), key=_sort_key(sort))
    section.has_next = len(tops) > THREADS_PER_PAGE
    section.threads = _build_threads(tops[:THREADS_PER_PAGE], rows, section)
    return section


def top_comments(item: Item, viewer: Viewer) -> QuerySet[Comment]:
    """The item's top-level comments with the viewer's annotations (for a keyset page of
    threads: the API pages on these, then `comment_threads` adds their replies)."""
    return for_viewer(Comment.objects.filter(item=item, parent__isnull=True), viewer)


def comment_threads(item: Item, viewer: Viewer, tops: list[Comment], *, sort: str = DEFAULT_SORT) -> CommentSection:
    """`tops` (a page of top-level comments, in order) with all their replies: one query
    for the replies, none when there are no threads."""
    section = _section(item, viewer, sort=sort if sort in SORTS else DEFAULT_SORT)
    if not tops:
        return section
    replies = list(
        for_viewer(Comment.objects.filter(root_id__in=[c.pk for c in tops]), viewer).order_by("created_at", "id")[
            :MAX_ROWS
        ]
    )
    section.threads = _build_threads(tops, [*tops, *replies], section)
    return section


def comment_in_context(item: Item, viewer: Viewer, comment_id: int) -> CommentSection | None:
    """The whole thread of one comment, every reply shown, the comment marked (None
    when the item has no such comment)."""
    target = Comment.objects.filter(item=item, pk=comment_id).values_list("pk", "root_id").first()
    if target is None:
        return None
    thread_id = target[1] or target[0]
    section = _section(item, viewer, expand_all=True, focus_id=comment_id)
    rows = list(
        for_viewer(Comment.objects.filter(Q(pk=thread_id) | Q(root_id=thread_id)), viewer).order_by(
            F("root_id").asc(nulls_first=True), "created_at", "id"
        )[:MAX_ROWS]
    )
    tops = [c for c in rows if c.pk == thread_id]
    section.threads = _build_threads(tops, rows, section)
    return section


def comment_node(comment: Comment, viewer: Viewer, *, depth: int = 0) -> CommentNode:
    """One comment on its own (a fresh post, an edit), for an htmx fragment."""
    row = for_viewer(Comment.objects.filter(pk=comment.pk), viewer).get()
    row.item = comment.item
    section = _section(comment.item, viewer)
    return CommentNode(comment=row, depth=depth, section=section)


def _sort_key(sort: str) -> Any:
    if sort == "best":
        return lambda c: (-c.score, -c.created_at.timestamp(), -c.pk)
    if sort == "newest":
        return lambda c: (-c.created_at.timestamp(), -c.pk)
    return lambda c: (c.created_at, c.pk)


def _build_threads(tops: list[Comment], rows: list[Comment], section: CommentSection) -> list[CommentNode]:
    by_parent: dict[int, list[Comment]] = {}
    authors: dict[int, str] = {}
    for comment in rows:
        comment.item = section.item  # every row is of this item: no query per comment
        authors[comment.pk] = comment.author.username if comment.author else ""
        if comment.parent_id is not None:
            by_parent.setdefault(comment.parent_id, []).append(comment)

    def build(comment: Comment, depth: int) -> CommentNode:
        node = CommentNode(comment=comment, depth=depth, section=section)
        if depth < MAX_NEST:
            node.children = [build(child, depth + 1) for child in by_parent.get(comment.pk, [])]
        else:
            node.children = [
                CommentNode(
                    comment=c,
                    depth=depth + 1,
                    section=section,
                    reply_to="" if c.parent_id == comment.pk else authors.get(c.parent_id or 0, ""),
                )
                for c in sorted(_descendants(comment.pk, by_parent), key=lambda c: (c.created_at, c.pk))
            ]
        return node

    return [build(top, 0) for top in tops]


def _descendants(pk: int, by_parent: dict[int, list[Comment]]) -> list[Comment]:
    found: list[Comment] = []
    frontier = [pk]
    while frontier:
        children = [c for p in frontier for c in by_parent.get(p, [])]
        found += children
        frontier = [c.pk for c in children]
    return found


# --- A member's comments, and the replies and mentions they received ------------------


def member_comments_page(viewer: Viewer, *, cursor: str | None, size: int) -> KeysetPage[Comment]:
    """The viewer's own comments, newest first, on items they can still open."""
    qs = (
        Comment.objects.filter(author_id=viewer.user_id, is_deleted=False)
        .filter(item__in=Item.objects.openable_by(viewer))
        .select_related("item", "parent__author")
    )
    return keyset_paginate(qs, keys=("created_at", "id"), cursor=cursor, size=size)


def member_replies_page(viewer: Viewer, *, cursor: str | None, size: int) -> KeysetPage[Comment]:
    """Replies to the viewer's comments and comments mentioning them, newest first: not
    their own, not from members they blocked, on items they can open."""
    user_id: int = viewer.user.pk
    mentioning = CommentMention.objects.filter(user_id=user_id).values("comment_id")
    qs = (
        Comment.objects.filter(Q(parent__author_id=user_id) | Q(pk__in=mentioning), is_deleted=False)
        .exclude(author_id=user_id)
        .exclude(author_id__in=Block.objects.filter(blocker_id=user_id).values("blocked_id"))
        .filter(item__in=Item.objects.openable_by(viewer))
        .select_related("item", "author", "parent")
    )
    return keyset_paginate(qs, keys=("created_at", "id"), cursor=cursor, size=size)
