"""Media URLs: issued only through the access layer, signed and short-lived.

A URL is /m/<token>/<name>. The token names an asset and a scope (a set of files
of that asset); <name> is a file inside the scope, so that relative references
inside HLS playlists ("720/index.m3u8", "seg_3.m4s") and the sprite's WebVTT
("sprite.jpg#xywh=...") resolve under the same token. The serving view checks
the signature, the age, the scope, and the item's moderation state again, so a
removal holds at once.

Tokens of an MA item's files are checked against who asks, too (views_serve and
`ma_fetch_allowed`): a URL copied out of an adult's page does not open for a
visitor in Safe Mode, and stops working for everyone after MEDIA_URL_TTL_S. The
token says how it was issued (`via`): on a page to this viewer (the default),
on a card under the `show` policy (stills only), or inside an embed unlocked by
its URL grant, where the browser sends no cookies to check.
"""

from __future__ import annotations

import datetime
import posixpath
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import MediaAsset, Rendition
from .paths import asset_dir

if TYPE_CHECKING:
    from fieldcast.items.models import Item
    from fieldcast.moderation.viewer import Viewer

TOKEN_SALT = "fieldcast.media-url"  # noqa: S105 (a signing namespace, not a secret)

# Scope → which files of an asset's folder (assets/<public_id>/) a token opens.
SCOPES = {
    "hls": lambda name: name.startswith("hls/") and name.rsplit(".", 1)[-1] in {"m3u8", "m4s", "mp4"},
    "mp4": lambda name: name == "video.mp4",
    "poster": lambda name: name in {"poster.jpg", "thumb.jpg"},
    "preview": lambda name: name in {"sprite.jpg", "sprite.vtt"},
    "image": lambda name: name.startswith("image-") and name.rsplit(".", 1)[-1] in {"jpg", "webp"},
    "original": lambda name: name.startswith("original"),
}

# Rendition profile → the scope of files its URL opens.
PROFILE_SCOPES = {"hls": "hls", "mp4": "mp4", "poster": "poster", "thumb": "poster", "sprite-vtt": "preview"}

# How a token was issued (its third element; absent for the default).
VIA_PAGE = ""  # on a page, to a viewer the access layer cleared: the asker is checked again
VIA_CARD = "card"  # a list's thumbnail (the `show` policy): stills only
VIA_EMBED = "embed"  # an embed unlocked by its signed URL grant (no cookies inside iframes)
VIAS = {VIA_PAGE, VIA_CARD, VIA_EMBED}
STILL_SCOPES = {"poster", "image"}


# Tokens carry the start of the current window of this many seconds, not the second they
# were made: the same file gets the same URL for a while, so answers that carry URLs (pages,
# API details) stay byte-identical and their ETags keep matching. A URL lives between
# MEDIA_URL_TTL_S - MEDIA_URL_WINDOW_S and MEDIA_URL_TTL_S.
MEDIA_URL_WINDOW_S = 300


def _window_start() -> int:
    return int(time.time()) // MEDIA_URL_WINDOW_S * MEDIA_URL_WINDOW_S


class _WindowSigner(signing.TimestampSigner):
    def timestamp(self) -> str:
        return signing.b62_encode(_window_start())


def media_urls_expire_at() -> datetime.datetime:
    """When URLs issued now stop working."""
    return datetime.datetime.fromtimestamp(_window_start() + settings.MEDIA_URL_TTL_S, tz=datetime.UTC)


def sign(asset_public_id: str, scope: str, via: str = VIA_PAGE) -> str:
    value = [asset_public_id, scope, via] if via else [asset_public_id, scope]
    return _WindowSigner(salt=TOKEN_SALT).sign_object(value, compress=False)


def unsign(token: str) -> tuple[str, str, str]:
    """(asset public id, scope, via), or raises signing.BadSignature / SignatureExpired."""
    value = signing.loads(token, salt=TOKEN_SALT, max_age=settings.MEDIA_URL_TTL_S)
    if not (isinstance(value, list) and len(value) in (2, 3) and value[1] in SCOPES):
        raise signing.BadSignature("Malformed media token")
    via = str(value[2]) if len(value) == 3 else VIA_PAGE
    if via not in VIAS or (via == VIA_CARD and value[1] not in STILL_SCOPES):
        raise signing.BadSignature("Malformed media token")
    return str(value[0]), str(value[1]), via


def storage_name_for(asset_public_id: str, scope: str, name: str) -> str | None:
    """The storage name of `name` inside the scope, or None if it is outside it."""
    normal = posixpath.normpath(name)
    if normal.startswith(("/", "..")) or "\\" in normal or normal != name or not SCOPES[scope](normal):
        return None
    return f"{asset_dir(asset_public_id)}/{normal}"


def rendition_url(rendition: Rendition, asset_public_id: str, *, via: str = VIA_PAGE) -> str | None:
    scope = PROFILE_SCOPES.get(rendition.profile) or ("image" if rendition.profile.startswith("image-") else None)
    if scope is None or (via == VIA_CARD and scope not in STILL_SCOPES):
        return None
    name = rendition.path.removeprefix(asset_dir(asset_public_id) + "/")
    return reverse("media:serve", kwargs={"token": sign(asset_public_id, scope, via), "name": name})


@dataclass
class AssetMedia:
    """What the page may show of one asset: URLs for the player or the image."""

    asset: MediaAsset
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def is_video(self) -> bool:
        return self.asset.kind == MediaAsset.Kind.VIDEO


def media_for_item(item: Item, assets: list[MediaAsset], *, via: str = VIA_PAGE) -> list[AssetMedia]:
    """URLs for an item's assets. Call only after the access layer answered SHOW
    for this viewer (items.access.item_get_for_viewer); `assets` come with their
    renditions prefetched."""
    from fieldcast.items.models import Moderation

    if item.moderation in (Moderation.REMOVED, Moderation.DISABLED):
        return []  # withheld from everyone, staff too: the serving view refuses them
    media = []
    for asset in assets:
        if asset.status == MediaAsset.Status.FAILED or not (asset.playable or asset.status == MediaAsset.Status.READY):
            continue
        urls: dict[str, str] = {}
        for rendition in asset.renditions.all():
            url = rendition_url(rendition, asset.public_id, via=via)
            if url is not None:
                urls[rendition.profile] = url
        media.append(AssetMedia(asset=asset, urls=urls))
    return media


def original_url_for(viewer: Viewer, item: Item, asset: MediaAsset) -> str | None:
    """The original file (with its metadata) is for its uploader and staff only."""
    if not (viewer.is_staff or (viewer.is_authenticated and item.author_id == viewer.user_id)):
        return None
    if not asset.original:
        return None
    name = asset.original.removeprefix(asset_dir(asset.public_id) + "/")
    return reverse("media:serve", kwargs={"token": sign(asset.public_id, "original"), "name": name})


def ma_fetch_allowed(viewer: Viewer, item: Item, via: str) -> bool:
    """Whether the one asking for a file of an MA item may have it (the serving view
    asks on every request for such a file; other ratings need no check).

    Members under 18 never get MA files, whoever's URL they hold. Otherwise a URL
    opens for the item's author, staff and moderators (the files page and the
    review queue issue URLs to them), and: a page's URL for a viewer cleared for
    the item now (Safe Mode off, or a grant); a card's still for whoever the list
    may show it to (the `show` policy); an embed's URL for anyone, since inside
    another site's iframe the browser sends no cookies and the embed's own signed
    grant is what cleared it."""
    from fieldcast.items.access import may_see_media, may_see_thumbnail

    is_author = viewer.is_authenticated and item.author_id == viewer.user_id
    if viewer.is_minor and not is_author:
        return False
    if via == VIA_EMBED:
        return True
    if via == VIA_CARD:
        return may_see_thumbnail(viewer, item) or viewer.is_moderator
    return may_see_media(viewer, item) or viewer.is_moderator
