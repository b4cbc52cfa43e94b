from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from fieldcast.items.models import Moderation

from .access import storage_name_for, unsign
from .models import MediaAsset
from .serving import serve_file


@require_safe
def serve(request: HttpRequest, token: str, name: str) -> HttpResponse | StreamingHttpResponse:
    """A media file behind a signed, short-lived URL issued by the access layer."""
    try:
        asset_public_id, scope = unsign(token)
    except signing.SignatureExpired:
        return HttpResponse("This media link has expired: reload the page.", status=410, content_type="text/plain")
    except signing.BadSignature:
        return HttpResponse("This media link is not valid.", status=403, content_type="text/plain")
    asset = MediaAsset.objects.select_related("item").filter(public_id=asset_public_id).first()
    if asset is None:
        return HttpResponse("This media file does not exist (any more).", status=404, content_type="text/plain")
    item = asset.item
    # Removal holds at once, even for links issued before it.
    if item is not None and item.moderation in (Moderation.REMOVED, Moderation.DISABLED):
        return HttpResponse("This item was removed.", status=410, content_type="text/plain")
    storage_name = storage_name_for(asset_public_id, scope, name)
    if storage_name is None:
        return HttpResponse("This media link does not open that file.", status=403, content_type="text/plain")
    download = asset.original_name if scope == "original" else None
    return serve_file(request, storage_name, download_name=download)
