"""The media part of the REST API: an item's files with their signed URLs, the processing
status of its files, and attaching finished tus uploads to an item.

Uploading itself is the tus endpoint `/uploads/` (media/tus.py), which takes the same
`Authorization: Bearer <write token>`. Every URL comes from media.access after the item
access layer answered SHOW for the caller; MA files under Safe Mode get none.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from fieldcast.api.auth import MEMBER_AUTH, WRITE_AUTH, api_user, api_viewer
from fieldcast.api.schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut
from fieldcast.api.throttling import limit_write
from fieldcast.items.access import Access
from fieldcast.items.api_access import item_for_editor, item_for_reader

from .access import media_for_item, media_urls_expire_at, original_url_for
from .models import MediaAsset, Upload
from .services.attach import item_attach_assets
from .services.uploads import upload_asset
from .views_manage import PENDING, AttachForm, asset_state_text

if TYPE_CHECKING:
    from fieldcast.items.models import Item
    from fieldcast.moderation.viewer import Viewer

router = Router(tags=["Media"])

DETAIL_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 403: ErrorOut, 410: ErrorOut, 451: ErrorOut}
CHANGE_ERRORS: dict[int, type[Schema]] = {**WRITE_ERRORS, 410: ErrorOut}
STATUS_ERRORS: dict[int, type[Schema]] = dict.fromkeys((401, 403, 404, 410, 429), ErrorOut)


class RenditionOut(Schema):
    profile: str = Field(
        ...,
        description="hls (master playlist), hls-<height> (a rung: played through the master), mp4, poster, "
        "thumb, sprite-vtt, image-1280, image-640 ...",
        examples=["hls"],
    )
    content_type: str = Field(..., examples=["application/vnd.apple.mpegurl"])
    width: int | None = None
    height: int | None = None
    bitrate: int | None = Field(None, description="Bits per second.")
    size: int = Field(..., description="Bytes (0 when not recorded, e.g. playlists).")
    url: str | None = Field(None, description="Signed URL of this file; null for rungs (open them via the master).")


class AssetOut(Schema):
    """One file of an item that can be shown: a video (playable) or an image (ready)."""

    public_id: str = Field(..., examples=["Xy12Ab34Cd"])
    kind: Literal["video", "image"]
    position: int = Field(..., description="Order on the item page; the first video is the main player.")
    status: Literal["pending", "processing", "ready"] = Field(
        ..., description="A video plays once `playable`, while the rest of its ladder is still being made."
    )
    playable: bool
    duration: float | None = Field(None, description="Seconds (videos).", examples=[42.5])
    width: int | None = None
    height: int | None = None
    urls: dict[str, str] = Field(
        ...,
        description="Signed, short-lived URLs by profile (hls, mp4, poster, sprite-vtt, image-1280 ...). "
        "Files of MA items also check who fetches them: send your token with the request.",
        examples=[{"hls": "/m/<token>/hls/master.m3u8", "mp4": "/m/<token>/video.mp4"}],
    )
    renditions: list[RenditionOut]
    original_url: str | None = Field(
        None, description="The original upload, with its metadata: for the uploader and staff only."
    )


class ItemMediaOut(Schema):
    item: str = Field(..., description="The item's public id.", examples=["aB3dE5gH7j"])
    expires_at: datetime.datetime = Field(..., description="When these URLs stop working (ask again after).")
    assets: list[AssetOut]


class AssetStatusOut(Schema):
    public_id: str
    name: str = Field(..., description="The file's name as uploaded.", examples=["clip.mp4"])
    kind: Literal["unknown", "video", "image"] = Field(..., description="'unknown' until probed.")
    status: Literal["pending", "processing", "ready", "failed"]
    step: str = Field(..., description="The processing step running now ('' when none).", examples=["ladder"])
    progress: int = Field(..., description="Percent of the current step.", ge=0, le=100)
    playable: bool = Field(..., description="A video can be played (its first segments exist).")
    done: bool = Field(..., description="Nothing more will happen to this file (ready or failed).")
    failure_reason: str = Field(..., description="Why it failed, for the uploader; ''.")
    label: str = Field(..., description="One line a person reads.", examples=["Processing 40% (ladder)"])


class ItemStatusOut(Schema):
    item: str = Field(..., description="The item's public id.")
    lifecycle: Literal["draft", "processing", "ready", "failed"]
    failure_reason: str
    assets: list[AssetStatusOut]


class AttachIn(Schema):
    assets: list[str] = Field(
        default_factory=list,
        description="Public ids of your finished uploads (the Fieldcast-Asset header of the last tus PATCH).",
        examples=[["Xy12Ab34Cd"]],
    )
    uploads: list[str] = Field(
        default_factory=list,
        description="Your finished tus uploads by id or address (/uploads/<id>), attached after `assets`.",
        examples=[["/uploads/0b6f3c1e-8d2a-4f5e-9a7b-1c2d3e4f5a6b"]],
    )


# --- helpers the items API shares -----------------------------------------------------------


def assets_out(item: Item, viewer: Viewer, assets: list[MediaAsset]) -> list[AssetOut]:
    """The shown files of `item` with their URLs. Call only after the access layer answered
    SHOW for `viewer`; `assets` come with their renditions prefetched."""
    out = []
    for media in media_for_item(item, assets):
        asset = media.asset
        out.append(
            AssetOut(
                public_id=asset.public_id,
                kind=asset.kind,  # type: ignore[arg-type]
                position=asset.position,
                status=asset.status,  # type: ignore[arg-type]
                playable=asset.playable,
                duration=asset.duration,
                width=asset.width,
                height=asset.height,
                urls=media.urls,
                renditions=[
                    RenditionOut(
                        profile=r.profile,
                        content_type=r.content_type,
                        width=r.width,
                        height=r.height,
                        bitrate=r.bitrate,
                        size=r.size,
                        url=media.urls.get(r.profile),
                    )
                    for r in sorted(asset.renditions.all(), key=lambda r: r.profile)
                ],
                original_url=original_url_for(viewer, item, asset),
            )
        )
    return out


def media_expiry() -> datetime.datetime:
    return media_urls_expire_at()


def item_assets(item: Item) -> list[MediaAsset]:
    return list(MediaAsset.objects.filter(item=item).prefetch_related("renditions").order_by("position", "id"))


def _upload_id(raw: str) -> uuid.UUID | None:
    text = raw.strip().rstrip("/").rsplit("/", 1)[-1]
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def asset_ids_from_uploads(owner: Any, uploads: list[str]) -> list[str]:
    """The asset public ids of the member's finished tus uploads, in order, or a
    ValidationError on `uploads` that says which one and why."""
    ids = [_upload_id(raw) for raw in uploads]
    if any(pk is None for pk in ids):
        bad = next(raw for raw, pk in zip(uploads, ids, strict=True) if pk is None)
        raise ValidationError({"uploads": f"“{bad[:80]}” is not a tus upload id or /uploads/<id> address."})
    found = {u.pk: u for u in Upload.objects.filter(owner=owner, pk__in=ids).select_related("asset")}
    out = []
    for pk in ids:
        upload = found.get(pk)  # type: ignore[arg-type]
        if upload is None:
            raise ValidationError({"uploads": f"Upload {pk} is not one of yours, or it has expired: upload again."})
        asset = upload_asset(upload) if upload.completed_at is not None else None
        if asset is None:
            raise ValidationError(
                {"uploads": f"Upload {pk} is not finished ({upload.offset} of {upload.length} bytes): resume it first."}
            )
        out.append(asset.public_id)
    return out


def status_out(item: Item) -> ItemStatusOut:
    assets = list(MediaAsset.objects.filter(item=item).order_by("position", "id"))
    return ItemStatusOut(
        item=item.public_id,
        lifecycle=item.lifecycle,  # type: ignore[arg-type]
        failure_reason=item.failure_reason,
        assets=[
            AssetStatusOut(
                public_id=a.public_id,
                name=a.original_name,
                kind=a.kind,  # type: ignore[arg-type]
                status=a.status,  # type: ignore[arg-type]
                step=a.step,
                progress=a.progress,
                playable=a.playable,
                done=a.status not in PENDING,
                failure_reason=a.failure_reason,
                label=asset_state_text(a),
            )
            for a in assets
        ],
    )


# --- operations ---------------------------------------------------------------------------------


@router.get(
    "/items/{public_id}/media",
    response={200: ItemMediaOut, **DETAIL_ERRORS},
    summary="An item's files and their media URLs",
)
def item_media(request: HttpRequest, public_id: str) -> ItemMediaOut:
    """The files of the item that can be shown, in page order, each with signed URLs valid for
    `MEDIA_URL_TTL_S` seconds (`expires_at`). MA items under your Safe Mode answer 403: their
    media is issued only to callers out of Safe Mode (anonymous callers are always in it; a
    token follows its owner's setting). Removed items answer 410, disabled ones 451."""
    result = item_for_reader(request, public_id)
    if result.access is Access.INTERSTITIAL:
        raise PermissionDenied(
            "This item is rated MA and Safe Mode is on for you: its media is withheld. Members of 18 or over "
            "turn Safe Mode off at /safe-mode; a token follows its owner's setting."
        )
    viewer = api_viewer(request)
    return ItemMediaOut(
        item=result.item.public_id,
        expires_at=media_expiry(),
        assets=assets_out(result.item, viewer, item_assets(result.item)),
    )


@router.get(
    "/items/{public_id}/status",
    auth=MEMBER_AUTH,
    response={200: ItemStatusOut, **STATUS_ERRORS},
    summary="Processing status of an item's files",
)
def item_status(request: HttpRequest, public_id: str) -> ItemStatusOut:
    """For the item's author and staff: each file's processing step, progress, whether it
    plays yet, and why it failed. Poll it (an ETag makes an unchanged answer a 304) until
    every file is `done`."""
    return status_out(item_for_editor(request, public_id))


@router.post(
    "/items/{public_id}/media",
    auth=WRITE_AUTH,
    response={200: ItemStatusOut, **CHANGE_ERRORS},
    summary="Attach finished uploads to an item",
)
def item_media_attach(request: HttpRequest, public_id: str, payload: AttachIn) -> ItemStatusOut:
    """Attach your finished tus uploads (by asset public id or by upload id) after the item's
    other files, as the item's "Manage files" page does. Processing started when each upload
    finished; the item is `processing` until one video plays or one image is ready. At most
    20 files per item; a file already attached elsewhere, or one that failed, is refused."""
    item = item_for_editor(request, public_id)
    limit_write(request, "files")
    user = api_user(request)
    ids = [*payload.assets, *asset_ids_from_uploads(user, payload.uploads)]
    form = AttachForm({"assets": ",".join(ids)}, user=user, item=item)
    if not form.is_valid():
        field = "assets" if payload.assets or not payload.uploads else "uploads"
        raise ValidationError(
            {field: [str(m) for m in form.errors.get("assets", [])] or ["These files cannot be attached."]}
        )
    item_attach_assets(item=item, assets=form.cleaned_data["assets"])
    item.refresh_from_db(fields=["lifecycle", "failure_reason"])
    return status_out(item)
