"""Votes on items and favorites in the REST API (routes on community.api's router): the same
services as the item page's buttons, which take the state asked for rather than a toggle."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Query, Schema
from ninja.errors import HttpError
from pydantic import Field

from fieldcast.accounts.models import User
from fieldcast.api.auth import MEMBER_AUTH, WRITE_AUTH, api_user, api_viewer
from fieldcast.api.pagination import Key, Page
from fieldcast.api.schemas import CURSOR_DESCRIPTION, LIMIT_DESCRIPTION, LIST_ERRORS, ErrorOut
from fieldcast.api.throttling import limit_write
from fieldcast.items.models import Item

from .api import VoteIn, router
from .api_support import (
    ITEM_WRITE_ERRORS,
    VOTE_NAMES,
    VOTE_VALUES,
    ItemCardOut,
    VoteChoice,
    item_cards_page,
    no_nul,
    open_item,
)
from .selectors_social import favorite_items, favorites_visible_to, item_social_state
from .services_social import item_favorite_set, item_vote_set


class SocialOut(Schema):
    item: str = Field(..., description="The item's public id.", examples=["k3Jd9aQ2"])
    my_vote: VoteChoice
    vote_score: int = Field(..., description="Up votes minus down votes.", examples=[4])
    is_favorite: bool
    favorites_count: int = Field(..., examples=[1])


class FavoritePage(Page):
    items: list[ItemCardOut] = Field(..., description="Most recently kept first.")


def _votes_per_minute() -> int:
    return int(settings.VOTE_RATE_LIMIT_PER_MINUTE)


def _social(request: HttpRequest, item: Item) -> SocialOut:
    state = item_social_state(item, api_viewer(request), fresh=True)
    return SocialOut(
        item=item.public_id,
        my_vote=VOTE_NAMES[state.my_vote],
        vote_score=state.score,
        is_favorite=state.is_favorite,
        favorites_count=state.favorites,
    )


def _set(request: HttpRequest, public_id: str, *, doing: str, **change: object) -> SocialOut:
    item = open_item(request, public_id, doing=doing).item
    try:
        if "value" in change:
            item_vote_set(item=item, user=api_user(request), value=change["value"])  # type: ignore[arg-type]
        else:
            item_favorite_set(item=item, user=api_user(request), favorite=bool(change["favorite"]))
    except PermissionDenied as exc:  # suspended
        raise HttpError(403, str(exc)) from exc
    return _social(request, item)


@router.put(
    "/items/{public_id}/vote",
    auth=WRITE_AUTH,
    response={200: SocialOut, **ITEM_WRITE_ERRORS},
    summary="Vote on an item",
)
def item_vote(request: HttpRequest, public_id: str, payload: VoteIn) -> SocialOut:
    """Set your vote on the item: up, down, or none to withdraw it. Asking for the vote you
    already have changes nothing. Only on items whose content you may see."""
    limit_write(request, "item-vote", per_minute=_votes_per_minute)
    return _set(request, public_id, doing="vote on it", value=VOTE_VALUES[payload.vote])


@router.put(
    "/items/{public_id}/favorite",
    auth=WRITE_AUTH,
    response={200: SocialOut, **ITEM_WRITE_ERRORS},
    summary="Keep an item",
)
def item_favorite_put(request: HttpRequest, public_id: str) -> SocialOut:
    """Keep the item in your favorites (keeping it twice changes nothing). You hear of its
    follow-up updates."""
    limit_write(request, "favorite", per_minute=_votes_per_minute)
    return _set(request, public_id, doing="keep it", favorite=True)


@router.delete(
    "/items/{public_id}/favorite",
    auth=WRITE_AUTH,
    response={200: SocialOut, **ITEM_WRITE_ERRORS},
    summary="Stop keeping an item",
)
def item_favorite_delete(request: HttpRequest, public_id: str) -> SocialOut:
    """Take the item out of your favorites."""
    limit_write(request, "favorite", per_minute=_votes_per_minute)
    return _set(request, public_id, doing="change your favorites", favorite=False)


def _favorites(request: HttpRequest, member: User, cursor: str | None, limit: int) -> FavoritePage:
    qs = favorite_items(member, api_viewer(request))
    cards, next_cursor = item_cards_page(
        request, qs, (Key("favorited_at"), Key("pk")), cursor=cursor, limit=limit, tag="favorites"
    )
    return FavoritePage(items=cards, next_cursor=next_cursor)


@router.get("/me/favorites", auth=MEMBER_AUTH, response={200: FavoritePage, **LIST_ERRORS}, summary="Your favorites")
def my_favorites(
    request: HttpRequest,
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> FavoritePage:
    """The items you keep that you may see listed, most recently kept first (an item made
    private or removed drops out)."""
    return _favorites(request, api_user(request), cursor, limit)


@router.get(
    "/users/{username}/favorites",
    response={200: FavoritePage, 403: ErrorOut, 404: ErrorOut, **LIST_ERRORS},
    summary="A member's favorites",
)
def member_favorites(
    request: HttpRequest,
    username: str,
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> FavoritePage:
    """A member's favorites, where they made them public (403 otherwise; always for themselves)."""
    no_nul(username, "There is no member with this username.")
    member = User.objects.filter(username=username, is_active=True, deleted_at__isnull=True).first()
    if member is None:
        raise Http404("There is no member with this username.")
    if not favorites_visible_to(member, api_viewer(request)):
        raise HttpError(403, f"{member.username} keeps their favorites private.")
    return _favorites(request, member, cursor, limit)
