"""Comments in the REST API: an item's threads, one comment, posting, replying, editing,
deleting and voting. The same forms, policy, services and selectors as the comments on the
item page (community.policy says no, with the sentence a member reads)."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from fieldcast.api.auth import WRITE_AUTH, api_user, api_viewer
from fieldcast.api.pagination import Key, Page, keyset_page
from fieldcast.api.schemas import CURSOR_DESCRIPTION
from fieldcast.api.throttling import limit_write
from fieldcast.items.models import Item

from .api_support import (
    ITEM_READ_ERRORS,
    ITEM_WRITE_ERRORS,
    MAX_ID,
    VOTE_NAMES,
    VOTE_VALUES,
    AuthorOut,
    VoteChoice,
    item_or_404,
    member_ref,
    open_item,
)
from .forms import MAX_COMMENT_LENGTH, CommentEditForm, CommentForm
from .models import Comment
from .policy import CommentNotAllowed, delete_refusal, edit_refusal
from .selectors import CommentNode, comment_in_context, comment_node, comment_threads, top_comments
from .services import comment_create, comment_edit, comment_remove, comment_vote_set

router = Router(tags=["Comments, votes and favorites"])


# --- Schemas -------------------------------------------------------------------------------


class CommentOut(Schema):
    id: int = Field(..., description="The comment's number (its permalink uses it).", examples=[4211])
    item: str = Field(..., description="The public id of the item it is on.", examples=["k3Jd9aQ2"])
    parent: int | None = Field(None, description="The comment it answers; null for a top-level comment.")
    thread: int = Field(..., description="The top-level comment of its thread.")
    depth: int = Field(..., description="0 for a top-level comment, 1 for a reply, and so on.")
    state: Literal["visible", "deleted", "removed", "hidden"] = Field(
        ...,
        description=(
            "visible; deleted by its author or removed by a moderator (kept as a placeholder because "
            "it has replies: no author, no text); hidden: written by a member you blocked."
        ),
    )
    author: AuthorOut | None = Field(None, description="Null for placeholders and deleted accounts.")
    reply_to: str | None = Field(
        None, description="Whom it answers, when shown flat under a deep thread (past six levels)."
    )
    body_html: str = Field(..., description="The comment rendered from Markdown and sanitised; '' for placeholders.")
    created_at: datetime.datetime
    edited_at: datetime.datetime | None = None
    score: int = Field(..., description="Up votes minus down votes.", examples=[3])
    my_vote: VoteChoice = Field("none", description="Your vote on it.")
    can_reply: bool
    can_edit: bool = Field(..., description="Yours, and within 15 minutes of posting.")
    can_delete: bool = Field(..., description="Yours, or you moderate.")
    can_vote: bool
    url: str = Field(..., description="Its permalink on the site.", examples=["/v/k3Jd9aQ2/-/comments/4211"])
    replies: list[CommentOut] = Field(default_factory=list, description="The answers to it, oldest first.")


CommentOut.model_rebuild()


class CommentThreadPage(Page):
    items: list[CommentOut] = Field(..., description="Top-level comments in the chosen order, each with its replies.")
    sort: Literal["best", "newest", "oldest"]
    comments_count: int = Field(..., description="The item's comments, replies included (deleted ones not).")
    closed_reason: str | None = Field(None, description="Why nobody may comment on the item, if so.")
    may_comment: bool = Field(..., description="Whether you may post a comment now.")
    refusal: str | None = Field(None, description="Why you may not comment (suspended, account too new, closed).")


class CommentIn(Schema):
    # The length is checked by the site's CommentForm (its message names the limit).
    body: str = Field(
        ...,
        description=f"Markdown, at most {MAX_COMMENT_LENGTH:,} characters; @username mentions a member.",
        examples=["Filmed from the north bridge, I think."],
    )
    parent: int | None = Field(
        None, ge=1, le=MAX_ID, description="The comment to answer (on the same item); omit to post at the top."
    )


class CommentEditIn(Schema):
    body: str = Field(..., description=f"The corrected text (Markdown, at most {MAX_COMMENT_LENGTH:,} characters).")


class CommentRemovedOut(Schema):
    id: int
    placeholder: bool = Field(..., description="True when it stays as '[deleted]' because it has replies.")
    removed_ids: list[int] = Field(
        ..., description="Comments that disappeared (it, and placeholders left without replies)."
    )


class VoteIn(Schema):
    vote: VoteChoice = Field(
        ..., description="The vote you want to have: up, down, or none to withdraw it.", examples=["up"]
    )


class CommentVoteOut(Schema):
    id: int
    my_vote: VoteChoice
    score: int


# --- Helpers --------------------------------------------------------------------------------

# A comment's number in a path: within the database's bigint (else 422, never a 500).
CommentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The comment's number.")]

THREAD_KEYS: dict[str, tuple[Key, ...]] = {
    "best": (Key("score"), Key("created_at"), Key("pk")),
    "newest": (Key("created_at"), Key("pk")),
    "oldest": (Key("created_at", descending=False), Key("pk", descending=False)),
}


def _comment_limit() -> int:
    return int(settings.COMMENT_RATE_LIMIT_PER_MINUTE)


def _vote_limit() -> int:
    return int(settings.VOTE_RATE_LIMIT_PER_MINUTE)


def comment_out(node: CommentNode, item: Item) -> CommentOut:
    c = node.comment
    if c.is_deleted:
        state, author, body = ("removed" if c.deleted_by_moderator else "deleted"), None, ""
    elif node.hidden:
        state, author, body = "hidden", None, ""
    else:
        state, author, body = "visible", member_ref(c.author), c.body_html
    return CommentOut(
        id=c.pk,
        item=item.public_id,
        parent=c.parent_id,
        thread=c.thread_id,
        depth=node.depth,
        state=state,  # type: ignore[arg-type]
        author=author,
        reply_to=node.reply_to or None,
        body_html=body,
        created_at=c.created_at,
        edited_at=c.edited_at,
        score=c.score,
        my_vote=VOTE_NAMES.get(node.my_vote, "none"),
        can_reply=node.can_reply,
        can_edit=node.can_edit,
        can_delete=node.can_delete,
        can_vote=node.can_vote,
        url=f"/v/{item.public_id}/-/comments/{c.pk}",
        replies=[comment_out(child, item) for child in node.children],
    )


def _comment(request: HttpRequest, comment_id: int) -> tuple[Comment, Item, bool]:
    """The comment, its item (through the access layer) and whether the item's content shows."""
    comment = Comment.objects.select_related("author", "item").filter(pk=comment_id).first()
    if comment is None:
        raise Http404("There is no comment with this number: it was deleted, or never existed.")
    try:
        result = item_or_404(request, comment.item.public_id)
    except Http404 as exc:
        raise Http404("There is no comment with this number, or its item is not visible to you.") from exc
    comment.item = result.item
    return comment, result.item, result.shows_content


def _find(node: CommentNode, comment_id: int) -> CommentNode | None:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.pk == comment_id:
            return current
        stack.extend(current.children)
    return None


def _form_errors(form: CommentForm | CommentEditForm) -> ValidationError:
    return ValidationError(
        {field: [e["message"] for e in errors] for field, errors in form.errors.get_json_data().items()}
    )


# --- Reads ----------------------------------------------------------------------------------


@router.get(
    "/items/{public_id}/comments",
    response={200: CommentThreadPage, **ITEM_READ_ERRORS},
    summary="An item's comments, threaded",
)
def comment_list(
    request: HttpRequest,
    public_id: str,
    sort: Literal["best", "newest", "oldest"] = Query("best", description="best: score, then newest."),
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description="Threads per page, 1 to 100."),
) -> CommentThreadPage:
    """The item's comments as its page shows them: a page of top-level comments in the chosen
    order, each with all its replies (oldest first under their parent). Comments of an item
    whose content you may not see (MA under Safe Mode, removed, held) are not shown."""
    item = open_item(request, public_id, doing="read its comments").item
    viewer = api_viewer(request)
    tops, next_cursor = keyset_page(
        top_comments(item, viewer), THREAD_KEYS[sort], cursor=cursor, limit=limit, tag=f"threads-{sort}"
    )
    section = comment_threads(item, viewer, tops, sort=sort)
    return CommentThreadPage(
        items=[comment_out(node, item) for node in section.threads],
        next_cursor=next_cursor,
        sort=sort,
        comments_count=item.comments_count,
        closed_reason=section.closed_reason,
        may_comment=viewer.is_authenticated and section.refusal is None,
        refusal=section.refusal,
    )


@router.get("/comments/{comment_id}", response={200: CommentOut, **ITEM_READ_ERRORS}, summary="One comment")
def comment_detail(request: HttpRequest, comment_id: CommentId) -> CommentOut:
    """One comment with every reply under it (its permalink page shows it in its thread)."""
    comment, item, shows = _comment(request, comment_id)
    if not shows:
        open_item(request, item.public_id, doing="read its comments")  # raises the item's refusal
    section = comment_in_context(item, api_viewer(request), comment.pk)
    node = None
    for thread in section.threads if section is not None else []:
        node = _find(thread, comment.pk) or node
    if node is None:
        raise Http404("There is no comment with this number: it was deleted, or never existed.")
    return comment_out(node, item)


# --- Writes ---------------------------------------------------------------------------------


@router.post(
    "/items/{public_id}/comments",
    auth=WRITE_AUTH,
    response={201: CommentOut, **ITEM_WRITE_ERRORS},
    summary="Post a comment or a reply",
)
def comment_post(request: HttpRequest, public_id: str, payload: CommentIn) -> Status[CommentOut]:
    """Post a comment on the item, or with `parent` a reply. Refused (403, with the reason)
    when moderators locked the comments, the uploader turned them off or accepts only
    established members, your account is suspended, or the parent's author blocked you."""
    limit_write(request, "comment", per_minute=_comment_limit)
    item = open_item(request, public_id, doing="comment on it").item
    form = CommentForm(data={"body": payload.body, "parent": payload.parent or ""})
    if not form.is_valid():
        raise _form_errors(form)
    parent = None
    if payload.parent is not None:
        parent = Comment.objects.filter(item=item, pk=payload.parent).first()
        if parent is None:
            raise ValidationError({"parent": "The comment you answered was deleted, or is not on this item."})
    try:
        comment = comment_create(item=item, author=api_user(request), body=form.cleaned_data["body"], parent=parent)
    except CommentNotAllowed as exc:
        raise HttpError(403, str(exc)) from exc
    comment.item = item
    node = comment_node(comment, api_viewer(request), depth=1 if comment.parent_id else 0)
    return Status(201, comment_out(node, item))


@router.patch(
    "/comments/{comment_id}", auth=WRITE_AUTH, response={200: CommentOut, **ITEM_WRITE_ERRORS}, summary="Edit a comment"
)
def comment_patch(request: HttpRequest, comment_id: CommentId, payload: CommentEditIn) -> CommentOut:
    """Correct your comment within 15 minutes of posting (it is then marked edited).
    Newly mentioned members are told."""
    limit_write(request, "comment", per_minute=_comment_limit)
    user = api_user(request)
    comment, item, shows = _comment(request, comment_id)
    if comment.author_id != user.pk:
        raise HttpError(403, "Only the author can edit a comment.")
    refusal = edit_refusal(comment, user) or (None if shows else "Comments on this item cannot be changed now.")
    if refusal:
        raise HttpError(403, refusal)
    form = CommentEditForm(data={"body": payload.body}, comment_id=comment.pk)
    if not form.is_valid():
        raise _form_errors(form)
    try:
        comment = comment_edit(comment=comment, editor=user, body=form.cleaned_data["body"])
    except CommentNotAllowed as exc:
        raise HttpError(403, str(exc)) from exc
    comment.item = item
    return comment_out(comment_node(comment, api_viewer(request), depth=1 if comment.parent_id else 0), item)


@router.delete(
    "/comments/{comment_id}",
    auth=WRITE_AUTH,
    response={200: CommentRemovedOut, **ITEM_WRITE_ERRORS},
    summary="Delete a comment",
)
def comment_delete(request: HttpRequest, comment_id: CommentId) -> CommentRemovedOut:
    """Delete your comment, or any comment as a moderator. With replies it stays as a
    '[deleted]' placeholder, its text cleared; without, it disappears."""
    limit_write(request, "comment", per_minute=_comment_limit)
    user = api_user(request)
    comment, _, _ = _comment(request, comment_id)
    if comment.is_deleted:
        raise HttpError(409, "This comment was already deleted.")
    refusal = delete_refusal(comment, user)
    if refusal:
        raise HttpError(403, refusal)
    try:
        outcome = comment_remove(comment=comment, actor=user)
    except CommentNotAllowed as exc:
        raise HttpError(409, str(exc)) from exc
    return CommentRemovedOut(id=comment_id, placeholder=outcome.placeholder, removed_ids=outcome.gone_ids)


@router.post(
    "/comments/{comment_id}/vote",
    auth=WRITE_AUTH,
    response={200: CommentVoteOut, **ITEM_WRITE_ERRORS},
    summary="Vote on a comment",
)
def comment_vote_put(request: HttpRequest, comment_id: CommentId, payload: VoteIn) -> CommentVoteOut:
    """Set your vote on a comment: up, down, or none. Asking for the vote you already have
    changes nothing, so a retried request is harmless. Not on your own comments."""
    limit_write(request, "comment_vote", per_minute=_vote_limit)
    comment, item, _ = _comment(request, comment_id)
    open_item(request, item.public_id, doing="vote on its comments")
    try:
        now, score = comment_vote_set(comment=comment, user=api_user(request), value=VOTE_VALUES[payload.vote])
    except CommentNotAllowed as exc:
        raise HttpError(403, str(exc)) from exc
    return CommentVoteOut(id=comment.pk, my_vote=VOTE_NAMES[now], score=score)


from . import api_social  # noqa: E402, F401  (votes and favorites: routes on this router)
