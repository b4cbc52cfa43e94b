"""The item access layer as the REST API answers it: the same decisions as the item page
(items.access), turned into statuses an API client can act on.

- unknown, private (to others) and unfinished items: 404, whoever asks;
- removed: 410 with the moderators' public reason; disabled (copyright notice): 451;
  held for review: 403 (the page shows a notice instead of the item);
- changes: the author and staff (`item_get_editable`); anyone else who can open the item
  gets 403, everyone else 404, so a private item's existence never leaks.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja.errors import HttpError

from fieldcast.api.auth import api_viewer

from .access import Access, ItemAccess, item_get_editable, item_get_for_viewer
from .models import Item

NOT_FOUND = "There is no item with this public id, or it is not visible to you."


def item_for_reader(request: HttpRequest, public_id: str) -> ItemAccess:
    """The item and what the caller may see of it (SHOW or INTERSTITIAL), else the error."""
    if "\x00" in public_id:  # PostgreSQL refuses NUL in a query: no item has one
        raise Http404(NOT_FOUND)
    try:
        result = item_get_for_viewer(api_viewer(request), public_id)
    except Http404:
        raise Http404(NOT_FOUND) from None
    item = result.item
    if result.access is Access.REMOVED:
        reason = f": {item.moderation_reason}" if item.moderation_reason else "."
        raise HttpError(410, f"This item was removed by the moderators{reason}")
    if result.access is Access.DISABLED:
        reason = f" {item.moderation_reason}" if item.moderation_reason else ""
        raise HttpError(451, f"This item is unavailable while a copyright notice is reviewed.{reason}")
    if result.access is Access.HELD:
        raise PermissionDenied(
            "This item is being reviewed by the moderators; it will be back if it follows the terms."
        )
    return result


def item_for_editor(request: HttpRequest, public_id: str) -> Item:
    """The item if the caller may change it (its author, or staff), else 403/404/410."""
    if "\x00" in public_id:
        raise Http404(NOT_FOUND)
    viewer = api_viewer(request)
    try:
        return item_get_editable(viewer, public_id)
    except Http404:
        pass
    row = Item.objects.filter(public_id=public_id).values("author_id", "moderation").first()
    if row is not None and viewer.is_authenticated and row["author_id"] == viewer.user_id:
        raise HttpError(410, "This item was removed by moderators and can no longer be changed.")
    if row is not None and Item.objects.openable_by(viewer).filter(public_id=public_id).exists():
        raise PermissionDenied("Only the item's author and staff may change it.")
    raise Http404(NOT_FOUND)
