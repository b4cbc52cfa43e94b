"""Reads for votes, favorites and favorites pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, Subquery

from fieldcast.core.pagination import KeysetPage
from fieldcast.items.models import Item
from fieldcast.items.selectors import item_list_page

from .models import Favorite, ItemVote

if TYPE_CHECKING:
    from fieldcast.moderation.viewer import Viewer


@dataclass(frozen=True)
class SocialState:
    """The item's net vote score and favorites, and what this viewer gave it."""

    score: int
    favorites: int
    my_vote: int = 0
    is_favorite: bool = False

    @property
    def voted_up(self) -> bool:
        return self.my_vote > 0

    @property
    def voted_down(self) -> bool:
        return self.my_vote < 0


def item_social_state(item: Item, viewer: Viewer, *, fresh: bool = False) -> SocialState:
    """The vote and favorite line of `item` for `viewer`: no query for guests (the item row
    has the counts), one for members (their vote and favorite, with counts read afresh)."""
    if not viewer.is_authenticated:
        if fresh:
            score, favorites = Item.objects.filter(pk=item.pk).values_list("vote_score", "favorites_count").get()
            return SocialState(score=score, favorites=favorites)
        return SocialState(score=item.vote_score, favorites=item.favorites_count)
    user_id: int = viewer.user_id  # type: ignore[assignment]  # authenticated: a member's id
    row = (
        Item.objects.filter(pk=item.pk)
        .annotate(
            my_vote=Subquery(ItemVote.objects.filter(item=OuterRef("pk"), user_id=user_id).values("value")[:1]),
            my_favorite=Exists(Favorite.objects.filter(item=OuterRef("pk"), user_id=user_id)),
        )
        .values_list("vote_score", "favorites_count", "my_vote", "my_favorite")
        .first()
    )
    if row is None:  # deleted meanwhile
        return SocialState(score=item.vote_score, favorites=item.favorites_count)
    score, favorites, my_vote, my_favorite = row
    return SocialState(score=score, favorites=favorites, my_vote=my_vote or 0, is_favorite=bool(my_favorite))


def favorites_visible_to(member: Any, viewer: Viewer) -> bool:
    """A member's favorites are theirs to see, and everyone's once they made them public."""
    return viewer.user_id == member.pk or bool(getattr(member, "favorites_public", False))


def favorite_items(member: Any, viewer: Viewer) -> Any:
    """`member`'s favorites as `viewer` may list them (the access layer's list rules: an item
    that became private, removed, or MA under Safe Mode with `hide`, drops out), annotated
    with `favorited_at`, when the member kept it."""
    return (
        Item.objects.visible_to(viewer).filter(favorites__user=member).annotate(favorited_at=F("favorites__created_at"))
    )


def favorite_item_page(member: Any, viewer: Viewer, *, cursor: str | None) -> KeysetPage[Item]:
    """`member`'s favorites (favorite_items), most recently kept first."""
    return item_list_page(favorite_items(member, viewer), cursor=cursor, keys=("favorited_at", "id"))
