"""What the community side of the API (channels, comments, votes, favorites, reports,
moderation) shares: the item card of its lists, opening an item through the access layer,
and the error answers of item sub-resources."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Schema
from ninja.errors import HttpError

from fieldcast.api.auth import AnonymousAuth, SiteSessionAuth, TokenAuth, api_viewer
from fieldcast.api.pagination import Key, keyset_page
from fieldcast.api.schemas import ErrorOut
from fieldcast.items.access import Access, ItemAccess, item_get_for_viewer
from fieldcast.items.api_access import NOT_FOUND, item_for_reader
from fieldcast.items.api_schemas import AuthorOut, ItemCardOut, author_out, item_card
from fieldcast.items.selectors import _with_tags as with_card_media  # the cards' prefetches, shared with the pages

# Writes a guest may make too (reports): a write-scope token, the session with CSRF, or nobody.
WRITE_OR_GUEST_AUTH: list[Any] = [TokenAuth(write=True), SiteSessionAuth(), AnonymousAuth()]
# The player's beacons: they trust only their signed token, like the site's /events/ views.
BEACON_AUTH: list[Any] = [TokenAuth(), AnonymousAuth()]

# Errors of an operation on something that belongs to an item (its comments, its vote):
# 410 removed by moderators, 451 disabled after a copyright notice.
ITEM_READ_ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    410: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
    451: ErrorOut,
}
ITEM_WRITE_ERRORS: dict[int, type[Schema]] = {**ITEM_READ_ERRORS, 400: ErrorOut, 409: ErrorOut}

# Ids in paths and bodies stay within the database's bigint: larger ones are refused (422).
MAX_ID = 2**63 - 1


def no_nul(value: str, message: str) -> None:
    """Text from a path that the database cannot hold (a NUL) names nothing here: 404."""
    if "\x00" in value:
        raise Http404(message)


VoteChoice = Literal["up", "down", "none"]
VOTE_VALUES: dict[str, int] = {"up": 1, "down": -1, "none": 0}
VOTE_NAMES: dict[int, VoteChoice] = {1: "up", -1: "down", 0: "none"}


def open_item(request: HttpRequest, public_id: str, *, interstitial_ok: bool = False, doing: str = "") -> ItemAccess:
    """The item as the items API decides (items.api_access.item_for_reader: unknown, private
    or unfinished → 404; removed → 410 with the moderators' reason; disabled → 451; held →
    403), and an MA item behind Safe Mode → 403 unless `interstitial_ok` (what its page
    lists anyway, such as its channels). `doing` completes the Safe Mode refusal."""
    no_nul(public_id, NOT_FOUND)
    result = item_for_reader(request, public_id)
    if result.access is Access.INTERSTITIAL and not interstitial_ok:
        what = f": you cannot {doing} while it is" if doing else ""
        raise HttpError(
            403,
            f"This item is rated MA and Safe Mode is on for you{what}. Members of 18 and over turn Safe "
            "Mode off on the site (/safe-mode); a token then follows their setting.",
        )
    return result


def item_or_404(request: HttpRequest, public_id: str) -> ItemAccess:
    """The item in whatever state the viewer may open it (any Access), else 404."""
    no_nul(public_id, NOT_FOUND)
    try:
        return item_get_for_viewer(api_viewer(request), public_id)
    except Http404 as exc:
        raise Http404(NOT_FOUND) from exc


# --- Item cards and members ------------------------------------------------------------------
# The card is the items API's own (items.api_schemas), so that every list of items in the API
# has one shape.


def member_ref(user: Any) -> AuthorOut | None:
    """A member as comments and channels name them; None for a deleted account (the site
    shows "[deleted account]")."""
    if user is None or not user.is_active or getattr(user, "deleted_at", None) is not None:
        return None
    return author_out(user)


def item_cards_page(
    request: HttpRequest, queryset: Any, keys: Sequence[Key], *, cursor: str | None, limit: int, tag: str
) -> tuple[list[ItemCardOut], str | None]:
    """A keyset page of item cards: 4 queries whatever the page size (items with authors
    and places, tags, assets, renditions). `queryset` comes from the access layer."""
    viewer = api_viewer(request)
    rows, next_cursor = keyset_page(with_card_media(queryset), keys, cursor=cursor, limit=limit, tag=tag)
    return [item_card(item, viewer) for item in rows], next_cursor
