from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fieldcast.core.ratelimit import limit_writes
from fieldcast.items.access import item_get_for_viewer
from fieldcast.items.selectors import item_page_context

from .forms import CommentForm
from .services import comment_create


@login_required
@require_POST
@limit_writes("comment")
def comment_post(request: HttpRequest, public_id: str) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    result = item_get_for_viewer(viewer, public_id)
    if not result.shows_content:
        messages.error(request, "Comments are closed on this item.")
        return redirect(result.item.get_absolute_url())
    form = CommentForm(request.POST)
    if form.is_valid():
        comment = comment_create(item=result.item, author=request.user, body=form.cleaned_data["body"])  # type: ignore[arg-type]
        return redirect(f"{result.item.get_absolute_url()}#comment-{comment.pk}")
    context = item_page_context(result, viewer)
    context["comment_form"] = form
    return render(request, "items/item_detail.html", context, status=400)
