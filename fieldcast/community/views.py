"""Comment pages and endpoints. Every one works as a plain form POST / link; with htmx
the same URLs answer with the fragment that changed (the new comment, the vote buttons)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from fieldcast.core.ratelimit import limit_writes
from fieldcast.items.access import ItemAccess, item_get_for_viewer
from fieldcast.items.models import Item
from fieldcast.items.selectors import item_page_context

from .forms import CommentEditForm, CommentForm
from .models import Comment
from .policy import CommentNotAllowed, delete_refusal, edit_refusal
from .selectors import (
    CommentNode,
    CommentSection,
    comment_in_context,
    comment_node,
    comment_section,
    member_comments_page,
    member_replies_page,
)
from .services import comment_create, comment_edit, comment_remove, comment_vote


def _comment_limit() -> int:
    return int(settings.COMMENT_RATE_LIMIT_PER_MINUTE)


def _vote_limit() -> int:
    return int(settings.VOTE_RATE_LIMIT_PER_MINUTE)


def _open_item(request: HttpRequest, public_id: str) -> ItemAccess:
    return item_get_for_viewer(request.viewer, public_id)  # type: ignore[attr-defined]


def _comment_of(item: Item, comment_id: int) -> Comment:
    comment = Comment.objects.select_related("author").filter(item=item, pk=comment_id).first()
    if comment is None:
        raise Http404("This comment was deleted, or never existed.")
    comment.item = item
    return comment


def _count_trigger(response: HttpResponse, item: Item) -> HttpResponse:
    """Tell the page the new comment count (comments.js updates the headings)."""
    count = Item.objects.values_list("comments_count", flat=True).get(pk=item.pk)
    response["HX-Trigger"] = json.dumps({"fcCommentsCount": {"count": count}})
    return response


def _comment_url(item: Item, comment_id: int) -> str:
    return reverse("community:comment_detail", kwargs={"public_id": item.public_id, "comment_id": comment_id})


def _int(value: str | None, default: int) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


# --- The comments of an item --------------------------------------------------------


@limit_writes("comment", per_minute=_comment_limit)
def comments(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET: the comments, in any order and page (the item page shows the first);
    POST: a new comment or reply."""
    if request.method == "POST":
        return _comment_post(request, public_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "POST"])
    result = _open_item(request, public_id)
    item = result.item
    if not result.shows_content:
        return redirect(item.get_absolute_url())
    viewer = request.viewer  # type: ignore[attr-defined]
    section = comment_section(item, viewer, sort=request.GET.get("sort", ""), page=_int(request.GET.get("page"), 1))
    context = {
        "item": item,
        "comment_section": section,
        "comment_form": CommentForm() if request.user.is_authenticated else None,
    }
    part = request.GET.get("part") if request.htmx else None  # type: ignore[attr-defined]
    template = {"threads": "community/_comment_threads.html", "section": "community/_comments.html"}.get(
        part or "", "community/comments.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _comment_post(request: HttpRequest, public_id: str) -> HttpResponse:
    result = _open_item(request, public_id)
    item = result.item
    if not request.user.is_authenticated:
        if request.htmx:  # type: ignore[attr-defined]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{reverse('account_login')}?next={item.get_absolute_url()}"
            return response
        return redirect_to_login(item.get_absolute_url())
    if not result.shows_content:
        messages.error(request, "Comments are closed on this item.")
        return redirect(item.get_absolute_url())
    viewer = request.viewer  # type: ignore[attr-defined]
    parent_id = _int(request.POST.get("parent"), 0) if request.POST.get("parent") else None
    parent = Comment.objects.filter(item=item, pk=parent_id).first() if parent_id else None
    form = CommentForm(request.POST, parent_id=parent_id)
    if parent_id and parent is None:
        form.add_error(None, "The comment you answered was deleted.")
    if form.is_valid():
        try:
            comment = comment_create(item=item, author=request.user, body=form.cleaned_data["body"], parent=parent)  # type: ignore[arg-type]
        except CommentNotAllowed as exc:
            form.add_error("body", str(exc))
        else:
            return _posted(request, item, comment, form)
    if request.htmx:  # type: ignore[attr-defined]
        response = render(request, "community/_comment_form.html", {"item": item, "form": form, "focus": True})
        response["HX-Retarget"] = f"#{form.html_id}"
        response["HX-Reswap"] = "outerHTML"
        return response
    if parent is not None:
        section = comment_in_context(item, viewer, parent.pk)
        return render(
            request,
            "community/comment_detail.html",
            {"item": item, "comment_section": section, "reply_form": form, "target": parent},
            status=400,
        )
    context = item_page_context(result, viewer)
    context["comment_form"] = form
    return render(request, "items/item_detail.html", context, status=400)


def _posted(request: HttpRequest, item: Item, comment: Comment, form: CommentForm) -> HttpResponse:
    if not request.htmx:  # type: ignore[attr-defined]
        if comment.parent_id:
            return redirect(f"{_comment_url(item, comment.pk)}#comment-{comment.pk}")
        return redirect(f"{item.get_absolute_url()}#comment-{comment.pk}")
    node = comment_node(comment, request.viewer, depth=1 if comment.parent_id else 0)  # type: ignore[attr-defined]
    context = {
        "item": item,
        "node": node,
        "new": True,
        "fresh_form": None if comment.parent_id else CommentForm(),
        "parent_id": comment.parent_id,
    }
    return _count_trigger(render(request, "community/_comment_posted.html", context), item)


# --- One comment ---------------------------------------------------------------------


def _find(section: CommentSection, comment_id: int) -> CommentNode | None:
    stack = list(section.threads)
    while stack:
        node = stack.pop()
        if node.pk == comment_id:
            return node
        stack.extend(node.children)
    return None


def comment_detail(request: HttpRequest, public_id: str, comment_id: int) -> HttpResponse:
    """A comment in context: its whole thread, the comment marked, a reply form under it."""
    result = _open_item(request, public_id)
    item = result.item
    if not result.shows_content:
        return redirect(item.get_absolute_url())
    viewer = request.viewer  # type: ignore[attr-defined]
    section = comment_in_context(item, viewer, comment_id)
    node = _find(section, comment_id) if section is not None else None
    if section is None or node is None:
        raise Http404("This comment was deleted, or never existed.")
    if request.htmx and request.GET.get("part") == "main":  # type: ignore[attr-defined]
        response = render(request, "community/_comment_main.html", {"item": item, "node": node})
    else:
        reply_form = CommentForm(parent_id=comment_id) if node.can_reply else None
        context = {"item": item, "comment_section": section, "reply_form": reply_form, "target": node.comment}
        response = render(request, "community/comment_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def comment_reply_form(request: HttpRequest, public_id: str, comment_id: int) -> HttpResponse:
    """The reply form for one comment: a fragment for htmx, else the comment's page."""
    result = _open_item(request, public_id)
    item = result.item
    if not result.shows_content:
        return redirect(item.get_absolute_url())
    if not request.htmx:  # type: ignore[attr-defined]
        return redirect(f"{_comment_url(item, comment_id)}#reply")
    comment = _comment_of(item, comment_id)
    node = comment_node(comment, request.viewer)  # type: ignore[attr-defined]
    if not node.can_reply:
        reason = (node.section.refusal if node.section else None) or "You cannot reply to this comment."
        if getattr(node.comment, "blocks_viewer", False):
            reason = "You cannot reply to this member: they blocked you."
        return render(request, "community/_notice.html", {"message": reason})
    form = CommentForm(parent_id=comment_id)
    return render(request, "community/_comment_form.html", {"item": item, "form": form, "focus": True})


@login_required
@limit_writes("comment", per_minute=_comment_limit)
def comment_edit_view(request: HttpRequest, public_id: str, comment_id: int) -> HttpResponse:
    result = _open_item(request, public_id)
    item = result.item
    comment = _comment_of(item, comment_id)
    if comment.author_id != request.user.pk:
        raise PermissionDenied("Only the author can edit a comment.")
    back = f"{item.get_absolute_url()}#comment-{comment.pk}"
    refusal = edit_refusal(comment, request.user)  # type: ignore[arg-type]
    if refusal or not result.shows_content:
        refusal = refusal or "Comments on this item cannot be changed now."
        if request.htmx:  # type: ignore[attr-defined]
            node = comment_node(comment, request.viewer)  # type: ignore[attr-defined]
            return render(request, "community/_comment_main.html", {"item": item, "node": node, "error": refusal})
        messages.error(request, refusal)
        return redirect(back)
    if request.method == "POST":
        form = CommentEditForm(request.POST, comment_id=comment.pk)
        if form.is_valid():
            try:
                comment = comment_edit(comment=comment, editor=request.user, body=form.cleaned_data["body"])  # type: ignore[arg-type]
            except CommentNotAllowed as exc:
                form.add_error("body", str(exc))
            else:
                if request.htmx:  # type: ignore[attr-defined]
                    node = comment_node(comment, request.viewer)  # type: ignore[attr-defined]
                    return render(request, "community/_comment_main.html", {"item": item, "node": node})
                messages.success(request, "Your comment is updated.")
                return redirect(back)
    else:
        form = CommentEditForm(initial={"body": comment.body}, comment_id=comment.pk)
    context = {"item": item, "comment": comment, "form": form, "focus": True}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "community/_comment_edit.html", context)
    status = 400 if form.errors else 200
    return render(request, "community/comment_edit.html", context, status=status)


@login_required
@limit_writes("comment", per_minute=_comment_limit)
def comment_delete_view(request: HttpRequest, public_id: str, comment_id: int) -> HttpResponse:
    """GET: "Delete this comment?"; POST: delete it (author or moderator)."""
    result = _open_item(request, public_id)
    item = result.item
    comment = _comment_of(item, comment_id)
    refusal = delete_refusal(comment, request.user)  # type: ignore[arg-type]
    if refusal and not comment.is_deleted:
        raise PermissionDenied(refusal)
    if refusal:
        messages.error(request, refusal)
        return redirect(f"{item.get_absolute_url()}#comments")
    if request.method != "POST":
        context = {"item": item, "comment": comment, "as_moderator": comment.author_id != request.user.pk}
        return render(request, "community/comment_delete.html", context)
    outcome = comment_remove(comment=comment, actor=request.user)  # type: ignore[arg-type]
    if not request.htmx:  # type: ignore[attr-defined]
        messages.success(request, "The comment was deleted.")
        return redirect(f"{item.get_absolute_url()}#comments")
    if outcome.placeholder:
        comment.refresh_from_db()
        node = comment_node(comment, request.viewer)  # type: ignore[attr-defined]
        response = render(request, "community/_comment_main.html", {"item": item, "node": node})
    else:
        response = render(request, "community/_comment_gone.html", {"gone_ids": outcome.gone_ids[1:]})
        response["HX-Retarget"] = f"#comment-{comment_id}"
        response["HX-Reswap"] = "delete"
    return _count_trigger(response, item)


@login_required
@require_POST
@limit_writes("comment_vote", per_minute=_vote_limit)
def comment_vote_view(request: HttpRequest, public_id: str, comment_id: int) -> HttpResponse:
    result = _open_item(request, public_id)
    item = result.item
    if not result.shows_content:
        return redirect(item.get_absolute_url())
    comment = _comment_of(item, comment_id)
    value = request.POST.get("value")
    if value not in ("1", "-1"):
        return HttpResponse("Vote with value 1 or -1.", status=400, content_type="text/plain")
    error = None
    try:
        comment_vote(comment=comment, user=request.user, value=int(value))  # type: ignore[arg-type]
    except CommentNotAllowed as exc:
        error = str(exc)
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        return redirect(f"{item.get_absolute_url()}#comment-{comment.pk}")
    node = comment_node(comment, request.viewer)  # type: ignore[attr-defined]
    return render(request, "community/_comment_votes.html", {"item": item, "node": node, "error": error})


# --- A member's comments and the answers they got --------------------------------------


@login_required
def my_comments(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    page = member_comments_page(viewer, cursor=request.GET.get("after"), size=settings.PAGE_SIZE)
    return render(request, "community/my_comments.html", {"page": page})


@login_required
def my_replies(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    page = member_replies_page(viewer, cursor=request.GET.get("after"), size=settings.PAGE_SIZE)
    return render(request, "community/my_replies.html", {"page": page, "me": request.user})
