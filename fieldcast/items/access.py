"""The item page's access decision: one function for the page, the embed and the API."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.http import Http404

from fieldcast.moderation.viewer import Viewer

from .models import Item, Lifecycle, Moderation, Rating, Visibility


class Access(enum.Enum):
    SHOW = "show"  # the content, with its media
    INTERSTITIAL = "interstitial"  # MA item under Safe Mode: confirm 18+ first
    REMOVED = "removed"  # a public notice with the moderators' reason, never the media
    DISABLED = "disabled"  # copyright notice pending
    HELD = "held"  # under review


@dataclass(frozen=True)
class ItemAccess:
    item: Item
    access: Access

    @property
    def shows_content(self) -> bool:
        return self.access is Access.SHOW

    @property
    def status_code(self) -> int:
        return {Access.REMOVED: 410, Access.DISABLED: 451}.get(self.access, 200)


def decide(item: Item, viewer: Viewer) -> Access | None:
    """What `viewer` gets for `item`; None means it does not exist for them (404)."""
    is_author = viewer.is_authenticated and item.author_id == viewer.user_id
    privileged = viewer.is_staff or is_author
    if item.lifecycle != Lifecycle.READY and not privileged:
        return None
    if item.visibility == Visibility.PRIVATE and not privileged:
        return None
    if item.moderation == Moderation.REMOVED and not viewer.is_staff:
        return Access.REMOVED
    if item.moderation == Moderation.DISABLED and not viewer.is_staff:
        return Access.DISABLED
    if item.moderation == Moderation.HELD and not privileged:
        return Access.HELD
    if item.rating == Rating.MA and not is_author and not viewer.may_see_ma(item.public_id):
        return Access.INTERSTITIAL
    return Access.SHOW


def item_get_for_viewer(viewer: Viewer, public_id: str) -> ItemAccess:
    """The item with `public_id` and what this viewer may see of it, or Http404."""
    item = (
        Item.objects.select_related("author", "place", "update_of", "update_of__author")
        .filter(public_id=public_id)
        .first()
    )
    if item is None:
        raise Http404("No item has this address.")
    access = decide(item, viewer)
    if access is None:
        raise Http404("No item has this address.")
    return ItemAccess(item=item, access=access)


def item_get_editable(viewer: Viewer, public_id: str) -> Item:
    """The item if this viewer may edit it (its author, or staff), else Http404."""
    item = Item.objects.filter(public_id=public_id).select_related("place", "update_of").first()
    if item is None or not (viewer.is_staff or (viewer.is_authenticated and item.author_id == viewer.user_id)):
        raise Http404("No item you can edit has this address.")
    if item.moderation == Moderation.REMOVED and not viewer.is_staff:
        raise Http404("This item was removed by moderators and can no longer be edited.")
    return item
