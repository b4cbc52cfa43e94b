"""Attaching uploaded assets to items: order, removal, thumbnail choice.

The item's lifecycle follows its assets (items.services.item_refresh_lifecycle):
processing until one video is playable or one image is ready.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from fieldcast.media.models import MediaAsset

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.items.models import Item

MAX_ASSETS_PER_ITEM = 20


def assets_for_attach(*, owner: User, public_ids: Sequence[str], item: Item | None = None) -> list[MediaAsset]:
    """The member's uploaded assets with these ids, in this order, or a ValidationError
    that names the file that cannot be attached and why."""
    ids = list(dict.fromkeys(pid for pid in public_ids if pid))
    if len(ids) > MAX_ASSETS_PER_ITEM:
        raise ValidationError(f"An item can hold at most {MAX_ASSETS_PER_ITEM} files; remove some.")
    found = {a.public_id: a for a in MediaAsset.objects.filter(public_id__in=ids, owner=owner)}
    assets = []
    for pid in ids:
        asset = found.get(pid)
        if asset is None:
            raise ValidationError("One of the files is not an upload of yours (or has expired): upload it again.")
        if asset.item_id is not None and (item is None or asset.item_id != item.pk):
            raise ValidationError(f"“{asset.original_name}” is already attached to another item.")
        if asset.status == MediaAsset.Status.FAILED:
            raise ValidationError(f"“{asset.original_name}” could not be processed: {asset.failure_reason}")
        assets.append(asset)
    return assets


@transaction.atomic
def item_attach_assets(*, item: Item, assets: Sequence[MediaAsset]) -> None:
    """Attach assets after the item's existing ones, in the given order."""
    from fieldcast.items.services import item_refresh_lifecycle

    highest = MediaAsset.objects.filter(item=item).aggregate(m=Max("position"))["m"]
    start = 0 if highest is None else highest + 1
    for offset, asset in enumerate(a for a in assets if a.item_id != item.pk):
        MediaAsset.objects.filter(pk=asset.pk, item__isnull=True).update(item=item, position=start + offset)
    item_refresh_lifecycle(item_id=item.pk)


@transaction.atomic
def item_order_assets(*, item: Item, public_ids: Sequence[str]) -> None:
    """Put the item's assets in this order (ids not listed keep their place after them)."""
    assets = list(MediaAsset.objects.filter(item=item).order_by("position", "id"))
    rank = {pid: n for n, pid in enumerate(public_ids)}
    assets.sort(key=lambda a: (rank.get(a.public_id, len(rank)), a.position, a.pk))
    for position, asset in enumerate(assets):
        if asset.position != position:
            MediaAsset.objects.filter(pk=asset.pk).update(position=position)


@transaction.atomic
def item_remove_asset(*, item: Item, asset: MediaAsset) -> None:
    """Remove a file from the item for good; its files are deleted after the commit."""
    from fieldcast.items.models import Item as ItemModel
    from fieldcast.items.services import item_refresh_lifecycle

    if asset.item_id != item.pk:
        raise ValidationError("This file does not belong to this item.")
    public_id = asset.public_id
    if item.thumbnail_asset_id == asset.pk:
        ItemModel.objects.filter(pk=item.pk).update(thumbnail_asset=None, thumbnail_time=None)
    asset.delete()
    transaction.on_commit(lambda: _delete_files_later(public_id))
    item_refresh_lifecycle(item_id=item.pk)


def _delete_files_later(public_id: str) -> None:
    from fieldcast.media.tasks_files import delete_asset_files

    delete_asset_files.enqueue(public_id)


@transaction.atomic
def item_choose_thumbnail(*, item: Item, asset: MediaAsset, time: float | None = None) -> None:
    """Use a frame of a video (at `time` seconds) or an image as the item's thumbnail."""
    from fieldcast.items.models import Item as ItemModel

    if asset.item_id != item.pk:
        raise ValidationError("This file does not belong to this item.")
    if asset.kind == MediaAsset.Kind.VIDEO:
        if time is not None and asset.duration is not None and not 0 <= time <= asset.duration:
            raise ValidationError(f"Choose a time between 0 and {asset.duration:.0f} seconds.")
    else:
        time = None
    ItemModel.objects.filter(pk=item.pk).update(thumbnail_asset=asset, thumbnail_time=time)
    if time is not None:
        asset_pk = asset.pk
        transaction.on_commit(lambda: _make_thumbnail_later(asset_pk, time))


def _make_thumbnail_later(asset_id: int, time: float) -> None:
    from fieldcast.media.tasks_files import make_thumbnail

    make_thumbnail.enqueue(asset_id, time)
