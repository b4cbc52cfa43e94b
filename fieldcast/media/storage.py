"""Object storage: media in a private S3-compatible bucket (STORAGE_BACKEND=s3).

Workers read originals from the bucket and write renditions to it through Django's storage
API (`MediaS3Storage`, django-storages; `media/paths.py` downloads and uploads around ffmpeg).
Web processes never stream media bytes from it: once the `/m/<token>/<name>` view has checked
the token, the item's state and Safe Mode, `remote_response` answers

- a **302 redirect to a presigned GET URL** of the object for binary files (segments, init
  segments, MP4, pictures, originals), with the content type and, for downloads, the
  attachment disposition fixed inside the signature; each URL is short-lived
  (`S3_URL_TTL_S`), so a removal or a Safe Mode refusal holds for every later fetch;
- **the bytes themselves for the small text files** (HLS playlists and the sprite's WebVTT),
  read from the bucket, so that their relative references ("720/index.m3u8",
  "seg_00003.m4s", "sprite.jpg#xywh=...") resolve under the same `/m/<token>/` and each
  file is checked and redirected on its own.

Presigned URLs are made here (AWS Signature Version 4, query string) rather than by boto3:
they are dated at the start of a window of `S3_URL_TTL_S // 2` seconds, so the same file gets
the same URL for a while and browsers reuse their cached copy of posters, avatars and
banners; every URL still has at least half the TTL left when issued. Signing costs a few
microseconds and no request to the store. `S3_PUBLIC_ENDPOINT_URL` is the address browsers
use when it differs from the one the servers use (`S3_ENDPOINT_URL`, e.g. a compose network).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponse, HttpResponseRedirect
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Files served by the app itself on object storage: small, and their relative references
# must resolve under the /m/ token. Anything else is redirected to the store.
TEXT_SUFFIXES = (".m3u8", ".vtt")
TEXT_MAX_BYTES = 2 * 1024 * 1024
_ALGORITHM = "AWS4-HMAC-SHA256"
_UNRESERVED = "-_.~"


class MediaS3Storage(S3Storage):
    """django-storages' S3 backend with Fieldcast's settings. The bucket stays private: objects
    are written without an ACL (the bucket's policy decides; see docs/deployment.md), and
    `url()` is a presigned URL, as every media URL is."""

    def __init__(self, **options: object) -> None:
        defaults: dict[str, object] = {
            "bucket_name": settings.S3_BUCKET,
            "access_key": settings.S3_ACCESS_KEY_ID,
            "secret_key": settings.S3_SECRET_ACCESS_KEY,
            "region_name": settings.S3_REGION,
            "endpoint_url": settings.S3_ENDPOINT_URL or None,
            "addressing_style": settings.S3_ADDRESSING_STYLE,
            "signature_version": "s3v4",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": settings.S3_URL_TTL_S,
            # Steps write fixed names again after a crash; never "name_abc123.m4s".
            "file_overwrite": True,
        }
        super().__init__(**{**defaults, **options})

    def url(self, name: str, parameters: dict[str, str] | None = None, expire: int | None = None, http_method=None):  # type: ignore[no-untyped-def, override]
        return presigned_url(self._normalize_name(clean_name(name)), params=parameters or {})

    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix/` (a folder) in batches of 1,000; how many."""
        client = self.connection.meta.client
        key = self._normalize_name(clean_name(prefix)).rstrip("/") + "/"
        deleted = 0
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket_name, Prefix=key):
            objects = [{"Key": obj["Key"]} for obj in page.get("Contents", [])]
            if objects:
                client.delete_objects(Bucket=self.bucket_name, Delete={"Objects": objects, "Quiet": True})
                deleted += len(objects)
        return deleted

    def read_small(self, name: str, limit: int) -> bytes | None:
        """The object's bytes (None when missing); ValueError past `limit` bytes."""
        from botocore.exceptions import ClientError

        try:
            obj = self.bucket.Object(self._normalize_name(clean_name(name))).get()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404", "NotFound"}:
                return None
            raise
        if int(obj.get("ContentLength", 0)) > limit:
            obj["Body"].close()
            raise ValueError(f"{name} is larger than {limit} bytes")
        return bytes(obj["Body"].read())


def is_remote() -> bool:
    """Whether media lives in object storage (STORAGE_BACKEND=s3)."""
    return isinstance(default_storage, MediaS3Storage)


# --- presigned URLs (AWS Signature Version 4, query string) ------------------------------------


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str  # with the port when it is not the scheme's default
    path_prefix: str  # "/bucket" (path style) or "" (virtual-hosted style)


@functools.cache
def _endpoint(url: str, bucket: str, region: str, style: str) -> Endpoint:
    parts = urlsplit(url or f"https://s3.{region}.amazonaws.com")
    if style == "virtual":
        return Endpoint(parts.scheme, f"{bucket}.{parts.netloc}", parts.path.rstrip("/"))
    return Endpoint(parts.scheme, parts.netloc, f"{parts.path.rstrip('/')}/{quote(bucket, safe=_UNRESERVED)}")


@functools.lru_cache(maxsize=8)
def _signing_key(secret: str, datestamp: str, region: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (datestamp, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe=_UNRESERVED)}={quote(v, safe=_UNRESERVED)}" for k, v in sorted(pairs))


def presign(
    key: str,
    *,
    endpoint_url: str,
    bucket: str,
    region: str,
    access_key: str,
    secret_key: str,
    expires_in: int,
    signed_at: datetime.datetime,
    addressing_style: str = "path",
    params: dict[str, str] | None = None,
    method: str = "GET",
) -> str:
    """A presigned URL for `key` (SigV4, UNSIGNED-PAYLOAD, only the host header signed), as
    boto3's generate_presigned_url makes it for the same time and parameters."""
    endpoint = _endpoint(endpoint_url, bucket, region, addressing_style)
    amz_date = signed_at.strftime("%Y%m%dT%H%M%SZ")
    datestamp = amz_date[:8]
    scope = f"{datestamp}/{region}/s3/aws4_request"
    canonical_uri = f"{endpoint.path_prefix}/{quote(key, safe='/' + _UNRESERVED)}"
    query = _query(
        [
            ("X-Amz-Algorithm", _ALGORITHM),
            ("X-Amz-Credential", f"{access_key}/{scope}"),
            ("X-Amz-Date", amz_date),
            ("X-Amz-Expires", str(expires_in)),
            ("X-Amz-SignedHeaders", "host"),
            *(params or {}).items(),
        ]
    )
    canonical_request = "\n".join([method, canonical_uri, query, f"host:{endpoint.host}\n", "host", "UNSIGNED-PAYLOAD"])
    to_sign = "\n".join([_ALGORITHM, amz_date, scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    signature = hmac.new(_signing_key(secret_key, datestamp, region), to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{endpoint.scheme}://{endpoint.host}{canonical_uri}?{query}&X-Amz-Signature={signature}"


def url_window() -> tuple[datetime.datetime, int]:
    """(when URLs issued now are dated, how many seconds from now they stay valid)."""
    ttl = settings.S3_URL_TTL_S
    window = max(ttl // 2, 1)
    now = int(time.time())
    start = now // window * window
    return datetime.datetime.fromtimestamp(start, tz=datetime.UTC), start + ttl - now


def presigned_url(name: str, *, params: dict[str, str]) -> str:
    """A presigned GET URL of the stored file `name` (a storage name, e.g. assets/.../video.mp4)
    for browsers: the public endpoint, dated at the current window's start."""
    signed_at, _ = url_window()
    return presign(
        name,
        endpoint_url=settings.S3_PUBLIC_ENDPOINT_URL,
        bucket=settings.S3_BUCKET,
        region=settings.S3_REGION,
        access_key=settings.S3_ACCESS_KEY_ID,
        secret_key=settings.S3_SECRET_ACCESS_KEY,
        expires_in=settings.S3_URL_TTL_S,
        signed_at=signed_at,
        addressing_style=settings.S3_ADDRESSING_STYLE,
        params=params,
    )


# --- answering a media request -----------------------------------------------------------------


def _content_disposition(filename: str) -> str:
    """An attachment header for any file name: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def remote_response(
    storage_name: str, *, content_type: str, headers: dict[str, str], attachment: str | None = None
) -> HttpResponse:
    """The answer to a checked request for a file in the bucket: the bytes of a small text
    file, else a redirect to a presigned URL whose response carries `content_type`, the
    attachment disposition when given, and a cache lifetime that ends before the URL does."""
    if storage_name.endswith(TEXT_SUFFIXES):
        data = default_storage.read_small(storage_name, TEXT_MAX_BYTES)  # type: ignore[attr-defined]
        if data is None:
            return HttpResponse("This media file does not exist (any more).", status=404, content_type="text/plain")
        response = HttpResponse(data, content_type=content_type)
        for key, value in headers.items():
            response[key] = value
        return response
    _, valid_s = url_window()
    # A fixed lifetime (every URL of a window has at least half the TTL left), so the URL, and
    # the browser's cached copy behind it, stay the same for the whole window.
    params = {
        "response-content-type": content_type,
        "response-cache-control": f"private, max-age={settings.S3_URL_TTL_S // 2}",
    }
    if attachment is not None:
        params["response-content-disposition"] = _content_disposition(attachment)
    response = HttpResponseRedirect(presigned_url(storage_name, params=params))
    # The redirect may be reused while its target is valid (minus a margin for slow clocks).
    response["Cache-Control"] = f"private, max-age={max(valid_s - 30, 0)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
