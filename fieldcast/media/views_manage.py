"""The uploader's side of files: the status of fresh uploads, an item's files (order,
remove, add, thumbnail), live processing partials for the item page, and "My uploads".

Who sees what: an item's files only through `item_get_editable` (its author or staff);
assets that belong to no item yet only to their owner. htmx partials answer 404 rather
than redirecting to the login page, so an expired session never swaps a login form into
the page; they answer 286 (htmx: stop polling) once nothing is pending.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from fieldcast.core.ratelimit import limit_writes
from fieldcast.items.access import Access, decide, item_get_editable
from fieldcast.items.models import Item
from fieldcast.items.selectors import item_list_page

from .access import rendition_url
from .models import MediaAsset
from .services.attach import (
    MAX_ASSETS_PER_ITEM,
    assets_for_attach,
    item_attach_assets,
    item_choose_thumbnail,
    item_order_assets,
    item_remove_asset,
)

# htmx stops polling when a poll is answered with this status (and still swaps the content).
STOP_POLLING = 286
PENDING = (MediaAsset.Status.PENDING, MediaAsset.Status.PROCESSING)
# Renditions a row's picture may come from, best first.
PREVIEW_PROFILES = ("thumb", "poster", "image-640", "image-1280")


def parse_ids(raw: str, *, limit: int = MAX_ASSETS_PER_ITEM) -> list[str]:
    """Comma-separated public ids, deduplicated, in order, at most `limit`."""
    ids = [part.strip() for part in raw.split(",")]
    return list(dict.fromkeys(pid for pid in ids if pid.isascii() and pid.isalnum() and len(pid) <= 10))[:limit]


def asset_state_text(asset: MediaAsset) -> str:
    """One line a person reads: 'Processing 40% (ladder)', 'Ready', or why it failed."""
    # The template escapes (it is also included in pages); JSON carries plain text.
    return html.unescape(render_to_string("media/_asset_state.txt", {"asset": asset})).strip()


# --- status of fresh uploads (the upload widget polls this) ---------------------------------


@require_GET
def assets_status(request: HttpRequest) -> JsonResponse:
    """GET /uploads/assets/status?ids=a,b: the state of the member's own assets (others' ids
    are simply absent from the answer)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Log in to see your uploads."}, status=403)
    ids = parse_ids(request.GET.get("ids", ""))
    found = MediaAsset.objects.filter(owner=request.user, public_id__in=ids) if ids else MediaAsset.objects.none()
    answer = {
        asset.public_id: {
            "status": asset.status,
            "kind": asset.kind,
            "step": asset.step,
            "progress": asset.progress,
            "playable": asset.playable,
            "done": asset.status not in PENDING,
            "failure_reason": asset.failure_reason,
            "name": asset.original_name,
            "attached": asset.item_id is not None,
            "label": asset_state_text(asset),
        }
        for asset in found
    }
    response = JsonResponse({"assets": answer})
    response["Cache-Control"] = "no-store"
    return response


# --- an item's files ----------------------------------------------------------------------------


@dataclass
class FileRow:
    """One of an item's files as the files page shows it."""

    asset: MediaAsset
    preview_url: str | None = None
    sprite_vtt_url: str | None = None
    is_main: bool = False
    is_thumbnail: bool = False
    urls: dict[str, str] = field(default_factory=dict)


def _file_rows(item: Item, *, show_pictures: bool) -> list[FileRow]:
    assets = list(MediaAsset.objects.filter(item=item).prefetch_related("renditions").order_by("position", "id"))
    rows = []
    main_seen = False
    for asset in assets:
        row = FileRow(asset=asset, is_thumbnail=item.thumbnail_asset_id == asset.pk)
        if asset.kind == MediaAsset.Kind.VIDEO and asset.status != MediaAsset.Status.FAILED and not main_seen:
            row.is_main = main_seen = True
        if show_pictures:
            by_profile = {r.profile: r for r in asset.renditions.all()}
            for profile in PREVIEW_PROFILES:
                if profile in by_profile:
                    row.preview_url = rendition_url(by_profile[profile], asset.public_id)
                    break
            if "sprite-vtt" in by_profile:
                row.sprite_vtt_url = rendition_url(by_profile["sprite-vtt"], asset.public_id)
        rows.append(row)
    return rows


class AttachForm(forms.Form):
    assets = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, user: object, item: Item, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user
        self.item = item

    def clean_assets(self) -> list[MediaAsset]:
        ids = parse_ids(self.cleaned_data.get("assets", ""), limit=MAX_ASSETS_PER_ITEM + 1)
        if not ids:
            raise ValidationError("Choose files to add first, and wait until they are uploaded.")
        return assets_for_attach(owner=self.user, public_ids=ids, item=self.item)  # type: ignore[arg-type]


class ThumbnailForm(forms.Form):
    time = forms.FloatField(
        required=False,
        min_value=0,
        error_messages={"invalid": "Enter the time in seconds, e.g. 12.5."},
    )


def _files_url(item: Item, anchor: str = "") -> str:
    url = reverse("media:item_files", kwargs={"public_id": item.public_id})
    return f"{url}#{anchor}" if anchor else url


def _item_asset(item: Item, asset_public_id: str) -> MediaAsset:
    asset = MediaAsset.objects.filter(item=item, public_id=asset_public_id).first()
    if asset is None:
        raise Http404("This item has no such file.")
    return asset


@login_required
@limit_writes("files")
def item_files(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET: the item's files in order, with their controls. POST: attach new uploads."""
    viewer = request.viewer  # type: ignore[attr-defined]
    item = item_get_editable(viewer, public_id)
    form = AttachForm(request.POST if request.method == "POST" else None, user=request.user, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            item_attach_assets(item=item, assets=form.cleaned_data["assets"])
        except ValidationError as exc:
            form.add_error("assets", exc)
        else:
            count = len(form.cleaned_data["assets"])
            messages.success(request, f"{count} file{'s' if count != 1 else ''} added to the item.")
            return redirect(_files_url(item))
    # Pictures only where the item page itself would show them (Safe Mode holds for staff too).
    show_pictures = decide(item, viewer) is Access.SHOW
    rows = _file_rows(item, show_pictures=show_pictures)
    return render(
        request,
        "media/item_files.html",
        {"item": item, "rows": rows, "form": form, "show_pictures": show_pictures, "max_files": MAX_ASSETS_PER_ITEM},
    )


@login_required
@require_POST
@limit_writes("files")
def item_files_order(request: HttpRequest, public_id: str) -> HttpResponse:
    """Move one file up or down (`asset`, `move`), or set the whole order (`order`: ids)."""
    item = item_get_editable(request.viewer, public_id)  # type: ignore[attr-defined]
    ids = list(MediaAsset.objects.filter(item=item).order_by("position", "id").values_list("public_id", flat=True))
    if "order" in request.POST:
        wanted = [pid for pid in parse_ids(request.POST["order"], limit=len(ids)) if pid in ids]
        item_order_assets(item=item, public_ids=wanted)
        messages.success(request, "The new order is saved.")
        return redirect(_files_url(item))
    asset_id = request.POST.get("asset", "")
    move = request.POST.get("move", "")
    if asset_id not in ids or move not in {"up", "down"}:
        messages.error(request, "That file could not be moved: reload the page and try again.")
        return redirect(_files_url(item))
    index = ids.index(asset_id)
    target = index - 1 if move == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
        item_order_assets(item=item, public_ids=ids)
        messages.success(request, f"File moved {move}: it is now number {target + 1} of {len(ids)}.")
    else:
        messages.info(request, f"That file is already the {'first' if move == 'up' else 'last'}.")
    return redirect(_files_url(item, f"file-{asset_id}"))


@login_required
@limit_writes("files")
def item_file_remove(request: HttpRequest, public_id: str, asset_id: str) -> HttpResponse:
    """GET: ask first. POST: remove the file from the item for good."""
    item = item_get_editable(request.viewer, public_id)  # type: ignore[attr-defined]
    asset = _item_asset(item, asset_id)
    if request.method == "POST":
        name = asset.original_name or "The file"
        item_remove_asset(item=item, asset=asset)
        messages.success(request, f"“{name}” was removed from the item.")
        return redirect(_files_url(item))
    return render(request, "media/item_file_remove.html", {"item": item, "asset": asset})


@login_required
@require_POST
@limit_writes("files")
def item_file_thumbnail(request: HttpRequest, public_id: str, asset_id: str) -> HttpResponse:
    """Use an image, or a video's frame at `time` seconds, as the item's thumbnail."""
    item = item_get_editable(request.viewer, public_id)  # type: ignore[attr-defined]
    asset = _item_asset(item, asset_id)
    form = ThumbnailForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["time"]))
        return redirect(_files_url(item, f"file-{asset.public_id}"))
    time = form.cleaned_data["time"] if asset.kind == MediaAsset.Kind.VIDEO else None
    try:
        item_choose_thumbnail(item=item, asset=asset, time=time)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_files_url(item, f"file-{asset.public_id}"))
    if time is not None:
        messages.success(request, f"The frame at {time:g} s will be the thumbnail in a few seconds.")
    else:
        messages.success(request, f"“{asset.original_name or 'This file'}” is the thumbnail now.")
    return redirect(_files_url(item, f"file-{asset.public_id}"))


# --- live processing status -------------------------------------------------------------------


@dataclass
class StatusRow:
    asset: MediaAsset
    reload: bool = False  # playable now, but this page was rendered before it was


def status_rows(assets: Iterable[MediaAsset], playing: set[str]) -> list[StatusRow]:
    """What the processing block shows: files not ready yet, and files that became
    playable since the page was rendered (`playing`: the ones it already plays)."""
    rows = []
    for asset in assets:
        can_show = asset.status == MediaAsset.Status.READY or (
            asset.playable and asset.status != MediaAsset.Status.FAILED
        )
        reload = can_show and asset.public_id not in playing
        if asset.status != MediaAsset.Status.READY or reload:
            rows.append(StatusRow(asset=asset, reload=reload))
    return rows


def _any_pending(assets: Iterable[MediaAsset]) -> bool:
    return any(asset.status in PENDING for asset in assets)


@require_GET
def item_processing(request: HttpRequest, public_id: str) -> HttpResponse:
    """The item page's processing block, for its author and staff (htmx polls it)."""
    item = item_get_editable(request.viewer, public_id)  # type: ignore[attr-defined]
    assets = list(MediaAsset.objects.filter(item=item).order_by("position", "id"))
    playing = set(parse_ids(request.GET.get("playing", "")))
    rows = status_rows(assets, playing)
    pending = _any_pending(assets)
    response = render(
        request, "media/_processing_rows.html", {"item": item, "rows": rows, "pending": pending, "polled": True}
    )
    response["Cache-Control"] = "no-store"
    if not pending:
        response.status_code = STOP_POLLING
    return response


# --- My uploads ---------------------------------------------------------------------------------


@login_required
@require_GET
def my_uploads(request: HttpRequest) -> HttpResponse:
    """The member's items, newest first, each with its files' states; and uploads that
    were never attached to an item (they expire)."""
    viewer = request.viewer  # type: ignore[attr-defined]
    cursor = request.GET.get("after")
    page = item_list_page(Item.objects.authored_by_for(viewer.user_id, viewer), cursor=cursor)
    files: dict[int, list[MediaAsset]] = defaultdict(list)
    for asset in MediaAsset.objects.filter(item__in=[item.pk for item in page.items]).order_by("position", "id"):
        files[asset.item_id].append(asset)  # type: ignore[index]
    entries = [(item, files.get(item.pk, [])) for item in page.items]
    loose: list[MediaAsset] = []
    if not cursor:  # the first page also shows uploads that never made it into an item
        loose = list(MediaAsset.objects.filter(owner_id=viewer.user_id, item__isnull=True).order_by("-id")[:50])
    every_asset = [a for group in files.values() for a in group] + loose
    pending = _any_pending(every_asset)
    context = {
        "page": page,
        "entries": entries,
        "loose": loose,
        "pending": pending,
        "expire_hours": settings.UPLOAD_EXPIRE_HOURS,
    }
    if getattr(request, "htmx", False):
        response = render(request, "media/_my_uploads_list.html", context)
        response["Cache-Control"] = "no-store"
        if not pending:
            response.status_code = STOP_POLLING
        return response
    return render(request, "media/my_uploads.html", context)
