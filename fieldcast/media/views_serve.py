from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from fieldcast.accounts.tokens import token_find
from fieldcast.items.models import Moderation, Rating
from fieldcast.moderation.viewer import Viewer, viewer_for_user

from .access import ma_fetch_allowed, storage_name_for, unsign
from .models import MediaAsset
from .serving import serve_file


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _fetching_viewer(request: HttpRequest) -> Viewer:
    """Who fetches: the page's viewer (cookies), or for API clients the owner of the token
    they send, so that a URL the API issued to a member out of Safe Mode opens for that
    member's program, and for nobody else, as a page's URL does."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        token = token_find(value.strip())
        if token is not None:
            return viewer_for_user(token.user)
    return request.viewer  # type: ignore[attr-defined, no-any-return]


@require_safe
def serve(request: HttpRequest, token: str, name: str) -> HttpResponse | StreamingHttpResponse:
    """A media file behind a signed, short-lived URL issued by the access layer."""
    try:
        asset_public_id, scope, via = unsign(token)
    except signing.SignatureExpired:
        return _text("This media link has expired: reload the page.", 410)
    except signing.BadSignature:
        return _text("This media link is not valid.", 403)
    asset = MediaAsset.objects.select_related("item").filter(public_id=asset_public_id).first()
    if asset is None:
        return _text("This media file does not exist (any more).", 404)
    item = asset.item
    # Removal holds at once, even for links issued before it.
    if item is not None and item.moderation in (Moderation.REMOVED, Moderation.DISABLED):
        return _text("This item was removed.", 410)
    # Safe Mode holds for links copied out of someone else's page (checked as of now:
    # a rating changed to MA after the link was issued counts too).
    if item is not None and item.rating == Rating.MA and not ma_fetch_allowed(_fetching_viewer(request), item, via):
        return _text("This file belongs to an item rated MA: open the item's page and confirm your age.", 403)
    storage_name = storage_name_for(asset_public_id, scope, name)
    if storage_name is None:
        return _text("This media link does not open that file.", 403)
    download = asset.original_name if scope == "original" else None
    return serve_file(request, storage_name, download_name=download)
