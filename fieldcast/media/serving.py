"""Serving local media files with HTTP Range, safe content types and cache headers.

In production nginx can send the bytes (X-Accel-Redirect, MEDIA_ACCEL_REDIRECT_PREFIX)
or, with object storage, the store sends them behind presigned URLs (media/storage.py);
see docs/deployment.md.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

from fieldcast.media import storage as media_storage

CONTENT_TYPES = {
    "m3u8": "application/vnd.apple.mpegurl",
    "m4s": "video/iso.segment",
    "mp4": "video/mp4",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "vtt": "text/vtt; charset=utf-8",
}
# Anything else (originals of any kind) is a download, never rendered by the browser:
# uploaded files are never served as HTML or SVG from our origin.
FALLBACK_TYPE = "application/octet-stream"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def content_type_for(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), FALLBACK_TYPE)


def _file_chunks(handle, remaining: int):  # type: ignore[no-untyped-def]
    try:
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def serve_file(
    request: HttpRequest, storage_name: str, *, download_name: str | None = None
) -> HttpResponse | StreamingHttpResponse:
    """The file's bytes (or the requested byte range) with headers that keep it inert; on
    object storage a redirect to a presigned URL instead (media/storage.py)."""
    content_type = content_type_for(storage_name)
    # A playlist grows while its video is transcoded (EVENT playlists, playable after the first
    # segments) and players reload it at the same address: a cached copy would stall them.
    playlist = storage_name.endswith(".m3u8")
    headers = {
        "Accept-Ranges": "bytes",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-cache" if playlist else f"private, max-age={settings.MEDIA_URL_TTL_S}",
        "Cross-Origin-Resource-Policy": "same-site",
    }
    attachment = None
    if content_type == FALLBACK_TYPE or download_name:
        attachment = (download_name or storage_name.rsplit("/", 1)[-1]).replace('"', "").replace("\\", "")
        headers["Content-Disposition"] = f'attachment; filename="{attachment}"'
    if media_storage.is_remote():
        return media_storage.remote_response(
            storage_name, content_type=content_type, headers=headers, attachment=attachment
        )
    if not default_storage.exists(storage_name):
        return HttpResponse("This media file does not exist (any more).", status=404, content_type="text/plain")
    size = default_storage.size(storage_name)
    response: HttpResponse | StreamingHttpResponse
    accel = settings.MEDIA_ACCEL_REDIRECT_PREFIX
    if accel:
        response = HttpResponse(content_type=content_type, headers=headers)
        response["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{storage_name}"
        return response

    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:  # suffix range: the last N bytes
            start = max(size - int(last), 0)
            end = size - 1
        if start >= size or start > end:
            return HttpResponse(status=416, headers={"Content-Range": f"bytes */{size}", **headers})
        handle = default_storage.open(storage_name, "rb")
        handle.seek(start)
        length = end - start + 1
        response = StreamingHttpResponse(_file_chunks(handle, length), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    else:
        response = FileResponse(default_storage.open(storage_name, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    for key, value in headers.items():
        response[key] = value
    return response
