"""Votes and favorites on the item page (htmx, with a plain POST fallback), and the
favorites pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from fieldcast.accounts.models import User
from fieldcast.core.ratelimit import limit_writes
from fieldcast.items.access import ItemAccess, item_get_for_viewer
from fieldcast.items.models import Item

from .selectors_social import favorite_item_page, favorites_visible_to, item_social_state
from .services_social import item_favorite_set, item_vote_set

VOTE_SAID = {1: "You voted this item up.", -1: "You voted this item down.", 0: "Your vote is withdrawn."}
FAVORITE_SAID = {True: "Kept in your favorites.", False: "Removed from your favorites."}


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(
        choices=[("1", "Up"), ("-1", "Down"), ("0", "No vote")],
        coerce=int,
        error_messages={"required": "Choose up or down.", "invalid_choice": "Choose up or down."},
    )


class FavoriteForm(forms.Form):
    favorite = forms.TypedChoiceField(
        choices=[("1", "Keep"), ("0", "Remove")],
        coerce=lambda v: v == "1",
        error_messages={"required": "Say whether to keep it.", "invalid_choice": "Say whether to keep it."},
    )


def _votes_per_minute() -> int:
    """Votes and favorites share VOTE_RATE_LIMIT_PER_MINUTE (read per request: tests change it)."""
    return int(settings.VOTE_RATE_LIMIT_PER_MINUTE)


def _social_item(request: HttpRequest, public_id: str) -> ItemAccess:
    return item_get_for_viewer(request.viewer, public_id)  # type: ignore[attr-defined]


def _to_login(request: HttpRequest, item: Item) -> HttpResponse:
    """Guests log in first, and come back to the item."""
    response = redirect_to_login(item.get_absolute_url())
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(response["Location"])
    return response


def _answer(request: HttpRequest, item: Item, *, said: str = "", error: str = "") -> HttpResponse:
    """htmx: the vote-and-favorite block afresh (and the counts in the social line);
    a plain POST: back to the item, with the message."""
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "item": item,
            "social": item_social_state(item, request.viewer, fresh=True),  # type: ignore[attr-defined]
            "social_said": said,
            "social_error": error,
            "oob": True,
        }
        return render(request, "community/_vote_favorite.html", context)
    if error:
        messages.error(request, error)
    elif said:
        messages.success(request, said)
    return redirect(f"{item.get_absolute_url()}#social")


def _may_act(request: HttpRequest, result: ItemAccess) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return _to_login(request, result.item)
    if not result.shows_content:
        return _answer(request, result.item, error="You can vote on and keep only items you can see.")
    return None


def _social_set(
    request: HttpRequest,
    public_id: str,
    *,
    form_class: type[forms.Form],
    field: str,
    service: Callable[..., Any],
    said: Mapping[Any, str],
) -> HttpResponse:
    """The body of the vote and favorite buttons: the form's `field` is also the service's
    keyword, and what the service returns picks the message in `said`."""
    result = _social_item(request, public_id)
    refused = _may_act(request, result)
    if refused is not None:
        return refused
    form = form_class(request.POST)
    if not form.is_valid():
        return _answer(request, result.item, error=str(form.errors[field][0]))
    try:
        outcome = service(item=result.item, user=request.user, **{field: form.cleaned_data[field]})
    except PermissionDenied as exc:
        return _answer(request, result.item, error=str(exc))
    return _answer(request, result.item, said=said[outcome])


@require_POST
@limit_writes("item-vote", per_minute=_votes_per_minute)
def item_vote(request: HttpRequest, public_id: str) -> HttpResponse:
    return _social_set(request, public_id, form_class=VoteForm, field="value", service=item_vote_set, said=VOTE_SAID)


@require_POST
@limit_writes("favorite", per_minute=_votes_per_minute)
def item_favorite(request: HttpRequest, public_id: str) -> HttpResponse:
    return _social_set(
        request, public_id, form_class=FavoriteForm, field="favorite", service=item_favorite_set, said=FAVORITE_SAID
    )


def _favorites_page(request: HttpRequest, member: User) -> HttpResponse:
    viewer = request.viewer  # type: ignore[attr-defined]
    is_self = viewer.user_id == member.pk
    context = {"member": member, "is_self": is_self, "is_public": bool(getattr(member, "favorites_public", False))}
    if not favorites_visible_to(member, viewer):
        return render(request, "community/favorites.html", {**context, "private": True}, status=403)
    context["page"] = favorite_item_page(member, viewer, cursor=request.GET.get("after"))
    return render(request, "community/favorites.html", context)


def member_favorites(request: HttpRequest, username: str) -> HttpResponse:
    """/u/<username>/favorites: public only where the member made their favorites public."""
    member = get_object_or_404(User, username=username, is_active=True)
    return _favorites_page(request, member)


@login_required
def my_favorites(request: HttpRequest) -> HttpResponse:
    return _favorites_page(request, request.user)  # type: ignore[arg-type]
