"""The item page's access decision: one function for the page, the embed, oEmbed,
the API and media URLs."""

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


def _is_author(item: Item, viewer: Viewer) -> bool:
    return viewer.is_authenticated and item.author_id == viewer.user_id


def decide(item: Item, viewer: Viewer) -> Access | None:
    """What `viewer` gets for `item`; None means it does not exist for them (404).

    Staff see every state; moderators (staff or the "moderators" group) see held,
    removed and disabled items as staff do, so that they can review them. Safe Mode
    is everyone's own setting: an MA item shows its interstitial to staff too."""
    is_author = _is_author(item, viewer)
    privileged = viewer.is_staff or is_author
    if item.lifecycle != Lifecycle.READY and not privileged:
        return None
    if item.visibility == Visibility.PRIVATE and not privileged:
        return None
    # Asked only for items under moderation: the group check may cost a query.
    reviewer = item.moderation != Moderation.OK and viewer.is_moderator
    if not reviewer:
        if item.moderation == Moderation.REMOVED:
            return Access.REMOVED
        if item.moderation == Moderation.DISABLED:
            return Access.DISABLED
        if item.moderation == Moderation.HELD and not is_author:
            return Access.HELD
    if not may_see_media(viewer, item):
        return Access.INTERSTITIAL
    return Access.SHOW


def may_see_media(viewer: Viewer, item: Item) -> bool:
    """The rating part of the decision: an MA item's media (player, pictures,
    poster, sprites) only for its author or a viewer out of Safe Mode for it
    (Safe Mode off, or a grant for this item; never a member under 18)."""
    return item.rating != Rating.MA or _is_author(item, viewer) or viewer.may_see_ma(item.public_id)


def may_see_thumbnail(viewer: Viewer, item: Item) -> bool:
    """Whether a list (card) may show this item's real thumbnail to this viewer;
    under the `blur` policy an MA card gets a neutral placeholder instead."""
    return item.rating != Rating.MA or _is_author(item, viewer) or viewer.may_see_ma_thumbnail(item.public_id)


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
