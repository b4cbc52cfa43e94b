"""The tus 1.0.0 server (https://tus.io/protocols/resumable-upload): core, creation,
termination, expiration and checksum (sha1).

POST /uploads/ creates an upload and answers its Location, /uploads/<id>; HEAD there tells
the offset to resume from; each PATCH appends bytes at that offset; DELETE abandons it;
OPTIONS /uploads/ lists what the server supports. The PATCH that brings the last byte
records a MediaAsset and enqueues its processing, and answers the asset's public id in
`Fieldcast-Asset` so the upload page can attach it to the item form.

Who may upload: members, by their session or by a personal API token with the write scope
(`Authorization: Bearer <token>`, made at /me/tokens). Browser clients (tus-js-client) on the
session must send the value of the `csrftoken` cookie in the `X-CSRFToken` header, as every
other unsafe request of the site does; requests with a token need no CSRF token (a browser
never adds an Authorization header by itself, so a forged cross-site request cannot carry it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils.http import http_date
from django.views.decorators.csrf import csrf_exempt

from fieldcast.accounts.models import User
from fieldcast.accounts.tokens import token_find, user_from_bearer
from fieldcast.core.ratelimit import client_key, hit
from fieldcast.core.text import clean_line
from fieldcast.media.models import Upload
from fieldcast.media.services import uploads as services

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration,checksum"
CHECKSUM_ALGORITHMS = ("sha1",)
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
ASSET_HEADER = "Fieldcast-Asset"
FILENAME_MAX = 255


def _response(status: int, message: str = "", headers: dict[str, str] | None = None, **kwargs: str) -> HttpResponse:
    body = f"{message}\n" if message else ""
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8", **kwargs)
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _options() -> HttpResponse:
    return _response(
        204,
        headers={
            "Tus-Version": TUS_VERSION,
            "Tus-Extension": TUS_EXTENSIONS,
            "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
            "Tus-Max-Size": str(settings.UPLOAD_MAX_BYTES),
        },
    )


def _csrf_refused(request: HttpRequest) -> bool:
    """Django's own CSRF check (token, Origin, Referer), with our answer instead of its HTML page."""
    check = CsrfViewMiddleware(lambda r: HttpResponse())
    return check.process_view(request, lambda r: HttpResponse(), (), {}) is not None


def _is_bearer(request: HttpRequest) -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def _token_refusal(request: HttpRequest) -> HttpResponse | None:
    """Sign the request in as the owner of its write token; the refusal when there is none."""
    header = request.headers.get("Authorization", "")
    user = user_from_bearer(header)
    if user is None:
        known = token_find(header.partition(" ")[2].strip())
        if known is not None:  # active, but read-only
            return _response(403, "This API token is read-only: uploads need a token with the write scope.")
        return _response(
            401,
            "This API token is unknown, revoked or expired: make one at /me/tokens.",
            {"WWW-Authenticate": 'Bearer realm="fieldcast"'},
        )
    request.user = user
    return None


TusView = Callable[..., HttpResponse]


def tus_endpoint(view: TusView) -> TusView:
    """What every tus request goes through: method override, OPTIONS, the protocol version,
    a member's session and the CSRF check; every answer carries Tus-Resumable."""

    @csrf_exempt  # checked below, so that a refusal still speaks tus
    @wraps(view)
    def wrapper(request: HttpRequest, *args: str, **kwargs: str) -> HttpResponse:
        override = request.headers.get("X-HTTP-Method-Override", "").upper()
        if request.method == "POST" and override in {"PATCH", "DELETE", "HEAD"}:
            request.method = override  # for clients whose environment cannot send PATCH
        if request.method == "OPTIONS":
            return _options()
        if request.headers.get("Tus-Resumable") != TUS_VERSION:
            return _response(
                412,
                f"This server speaks tus {TUS_VERSION}: send the header Tus-Resumable: {TUS_VERSION}.",
                {"Tus-Version": TUS_VERSION},
            )
        by_token = _is_bearer(request)
        if by_token:
            refused = _token_refusal(request)
            if refused is not None:
                return refused
        elif not request.user.is_authenticated:
            return _response(403, "Log in to upload files, or send Authorization: Bearer <write token>.")
        if request.method not in {"GET", "HEAD"} and not by_token and _csrf_refused(request):
            return _response(
                403,
                "The CSRF check failed: send the value of the csrftoken cookie in the X-CSRFToken header.",
            )
        response = view(request, *args, **kwargs)
        if request.method == "HEAD":
            response.content = b""
        return response

    return wrapper


@tus_endpoint
def uploads(request: HttpRequest) -> HttpResponse:
    """POST /uploads/: the creation extension."""
    if request.method != "POST":
        return _response(405, "Create an upload with POST.", {"Allow": "POST, OPTIONS"})
    member = _member(request)
    wait = hit("uploads", client_key(request), limit=settings.UPLOAD_RATE_LIMIT_PER_MINUTE)
    if wait is not None:
        return _response(429, f"Too many new uploads; try again in {wait} seconds.", {"Retry-After": str(wait)})
    if "Upload-Defer-Length" in request.headers:
        return _response(400, "Send Upload-Length: this server needs the file's size up front.")
    length = _int_header(request, "Upload-Length")
    if length is None:
        return _response(400, "Upload-Length is required: the file's size in bytes.")
    if length == 0:
        return _response(400, "The file is empty.")
    if length > settings.UPLOAD_MAX_BYTES:
        return _response(413, f"The file is larger than the maximum of {_size_text(settings.UPLOAD_MAX_BYTES)}.")
    if _content_length(request):
        return _response(400, "Send the file's bytes with PATCH requests (creation-with-upload is not supported).")
    try:
        metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    except ValueError as exc:
        return _response(400, str(exc))
    upload = services.upload_create(
        owner=member,
        length=length,
        filename=clean_filename(metadata.get("filename") or metadata.get("name") or ""),
        filetype=clean_line(metadata.get("filetype") or metadata.get("type") or "")[:100],
    )
    location = reverse("media:tus_upload", kwargs={"upload_id": str(upload.pk)})
    return _response(201, headers={"Location": location, "Upload-Offset": "0", **_expires(upload)})


@tus_endpoint
def upload(request: HttpRequest, upload_id: str) -> HttpResponse:
    """HEAD, PATCH and DELETE /uploads/<id>: core and termination. Only the owner sees it."""
    try:
        pk = uuid.UUID(upload_id)
    except ValueError:
        return _response(404, "No such upload.")
    member = _member(request)
    if request.method == "HEAD":
        return _head(member, pk)
    if request.method == "PATCH":
        return _patch(request, member, pk)
    if request.method == "DELETE":
        try:
            services.upload_terminate(upload_id=pk, owner=member)
        except services.UploadNotFound as exc:
            return _response(404, str(exc))
        except services.UploadConflict as exc:
            return _response(409, str(exc))
        return _response(204)
    return _response(405, "Use HEAD, PATCH or DELETE on an upload.", {"Allow": "HEAD, PATCH, DELETE, OPTIONS"})


def _head(member: User, pk: uuid.UUID) -> HttpResponse:
    found = Upload.objects.filter(pk=pk, owner=member).first()
    if found is None:
        return _response(404)
    headers = {"Upload-Offset": str(found.offset), "Upload-Length": str(found.length), **_expires(found)}
    return _response(200, headers={**headers, **_asset_header(found)})


def _patch(request: HttpRequest, member: User, pk: uuid.UUID) -> HttpResponse:
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != OFFSET_CONTENT_TYPE:
        return _response(415, f"A PATCH must have Content-Type: {OFFSET_CONTENT_TYPE}.")
    offset = _int_header(request, "Upload-Offset")
    if offset is None:
        return _response(400, "Upload-Offset is required: the offset this PATCH's bytes start at.")
    body_length = _content_length(request)
    if body_length is None:
        return _response(411, "Content-Length is required: the number of bytes in this PATCH.")
    checksum = None
    if "Upload-Checksum" in request.headers:
        try:
            checksum = parse_checksum(request.headers["Upload-Checksum"])
        except ValueError as exc:
            return _response(400, str(exc))
    try:
        result = services.upload_append(
            upload_id=pk, owner=member, offset=offset, body=request, body_length=body_length, checksum=checksum
        )
    except services.UploadNotFound as exc:
        return _response(404, str(exc))
    except services.OffsetMismatch as exc:
        return _response(409, str(exc), {"Upload-Offset": str(exc.offset)})
    except services.UploadConflict as exc:
        return _response(409, str(exc))
    except services.BodyTooLarge as exc:
        return _response(413, str(exc))
    except services.ChecksumMismatch as exc:
        return _response(460, str(exc), reason="Checksum Mismatch")
    found = result.upload
    headers = {"Upload-Offset": str(found.offset), **_expires(found), **_asset_header(found)}
    if not result.complete_body:
        kept = "was discarded (unverifiable against Upload-Checksum)" if checksum else "was kept"
        return _response(
            400,
            f"The request body ended after {result.received} of {body_length} bytes; what arrived {kept}. "
            "Resume from Upload-Offset.",
            headers,
        )
    return _response(204, headers=headers)


# --- parsing at the edge ---------------------------------------------------------------------


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated `key base64value` pairs (the value may be absent)."""
    metadata: dict[str, str] = {}
    for pair in header.split(","):
        key, _, encoded = pair.strip().partition(" ")
        if not key:
            continue
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise ValueError(
                f"Upload-Metadata is not valid: the value of {key!r} must be base64-encoded UTF-8 text."
            ) from None
    return metadata


def parse_checksum(header: str) -> tuple[str, bytes]:
    """`Upload-Checksum: sha1 <base64 digest>` -> ("sha1", digest)."""
    algorithm, _, encoded = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise ValueError(f"Unsupported checksum algorithm {algorithm!r}; this server supports sha1.")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise ValueError("Upload-Checksum must be 'sha1 <base64 digest>'.") from None
    if len(digest) != hashlib.new(algorithm).digest_size:
        raise ValueError(f"Upload-Checksum's {algorithm} digest has the wrong length.")
    return algorithm, digest


def clean_filename(raw: str) -> str:
    """The name to show for a file: its last path component, no control characters,
    letters of every script kept, at most 255 characters (the extension survives the cut).
    Display only: files on disk are named by the upload's uuid."""
    name = clean_line(raw.replace("\\", "/").rsplit("/", 1)[-1])
    if name in {".", ".."}:
        return ""
    if len(name) > FILENAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            return stem[: FILENAME_MAX - len(extension) - 1].rstrip() + "." + extension
        return name[:FILENAME_MAX].rstrip()
    return name


def _int_header(request: HttpRequest, name: str) -> int | None:
    raw = request.headers.get(name, "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _content_length(request: HttpRequest) -> int | None:
    raw = str(request.META.get("CONTENT_LENGTH") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 (tus_endpoint let only members through)
    return user


def _expires(found: Upload) -> dict[str, str]:
    if found.completed_at is not None:
        return {}
    return {"Upload-Expires": http_date(found.expires_at.timestamp())}


def _asset_header(found: Upload) -> dict[str, str]:
    if found.completed_at is None:
        return {}
    asset = services.upload_asset(found)
    return {ASSET_HEADER: asset.public_id} if asset is not None else {}


def _size_text(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.3g} GiB"
    return f"{size / 1024**2:.3g} MiB"
