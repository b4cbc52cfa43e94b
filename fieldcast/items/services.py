"""Writes to items. Views and the API call these; they trust validated input."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction

from fieldcast.core.markdown import render_markdown
from fieldcast.core.text import clean_line, normalize_key, unicode_slug
from fieldcast.geo.services import place_resolve

from .counters import item_counter_add
from .models import DatePrecision, Item, ItemTag, Lifecycle, Tag

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.channels.models import Channel
    from fieldcast.media.models import MediaAsset

MAX_TAGS = 20
MAX_TAG_LENGTH = 50


def tags_parse(raw: str | Iterable[str]) -> list[str]:
    """Split, clean and deduplicate tags by their key, keeping the first spelling."""
    parts = raw.split(",") if isinstance(raw, str) else list(raw)
    seen: set[str] = set()
    names: list[str] = []
    for part in parts:
        name = clean_line(part).lstrip("#").strip()
        key = normalize_key(name)
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return names


def _tags_get_or_create(names: Sequence[str]) -> list[Tag]:
    """Tags for `names` in order, deduplicated by key (the first spelling wins)."""
    names = tags_parse(names)
    keys = [normalize_key(name) for name in names]
    existing = {t.key: t for t in Tag.objects.filter(key__in=keys)}
    tags = []
    for key, name in zip(keys, names, strict=True):
        tag = existing.get(key)
        if tag is None:
            tag, _ = Tag.objects.get_or_create(key=key, defaults={"name": name})
        tags.append(tag)
    return tags


def item_set_tags(*, item: Item, names: Sequence[str]) -> None:
    tags = _tags_get_or_create(names)
    ItemTag.objects.filter(item=item).delete()
    ItemTag.objects.bulk_create(ItemTag(item=item, tag=tag, position=i) for i, tag in enumerate(tags))


def _occurred_fields(
    occurred_on: datetime.date | None, precision: str, time: datetime.time | None, tz: str
) -> dict[str, object]:
    if occurred_on is None or precision == DatePrecision.UNKNOWN:
        return {
            "occurred_on": None,
            "occurred_precision": DatePrecision.UNKNOWN,
            "occurred_time": None,
            "occurred_tz": "",
        }
    if precision == DatePrecision.MONTH:
        occurred_on = occurred_on.replace(day=1)
    elif precision == DatePrecision.YEAR:
        occurred_on = occurred_on.replace(month=1, day=1)
    keep_time = precision == DatePrecision.DAY and time is not None
    return {
        "occurred_on": occurred_on,
        "occurred_precision": precision,
        "occurred_time": time if keep_time else None,
        "occurred_tz": tz if keep_time else "",
    }


@transaction.atomic
def item_create(
    *,
    author: User,
    title: str,
    rating: str,
    body: str = "",
    occurred_on: datetime.date | None = None,
    occurred_precision: str = DatePrecision.UNKNOWN,
    occurred_time: datetime.time | None = None,
    occurred_tz: str = "",
    source: str = "",
    location_label: str = "",
    tags: Sequence[str] = (),
    channels: Sequence[Channel] = (),
    visibility: str = "public",
    embeddable: bool = True,
    update_of: Item | None = None,
    assets: Sequence[MediaAsset] = (),
    lifecycle: str | None = None,
) -> Item:
    """Create an item. With files it is `processing` until one video is playable or
    one image is ready; without files it is a text report, ready at once."""
    from fieldcast.channels.services import channel_add_item
    from fieldcast.media.services.attach import item_attach_assets

    if lifecycle is None:
        lifecycle = Lifecycle.PROCESSING if assets else Lifecycle.READY

    title = clean_line(title)
    location_label = clean_line(location_label)
    item = Item(
        author=author,
        title=title,
        slug=unicode_slug(title),
        body=body,
        body_html=render_markdown(body),
        rating=rating,
        source=clean_line(source),
        location_label=location_label,
        place=place_resolve(location_label) if location_label else None,
        visibility=visibility,
        embeddable=embeddable,
        update_of=update_of,
        lifecycle=lifecycle,
        **_occurred_fields(occurred_on, occurred_precision, occurred_time, occurred_tz),
    )
    item.full_clean(exclude=["public_id"])
    item.save()
    item_set_tags(item=item, names=tags)
    for channel in channels:
        channel_add_item(channel=channel, item=item, actor=author)
    if update_of is not None:
        item_counter_add(item_id=update_of.pk, field="updates_count", delta=1)
    if assets:
        item_attach_assets(item=item, assets=assets)
        item.refresh_from_db()
    return item


@transaction.atomic
def item_update(
    *,
    item: Item,
    editor: User,
    title: str,
    rating: str,
    body: str,
    occurred_on: datetime.date | None,
    occurred_precision: str,
    occurred_time: datetime.time | None = None,
    occurred_tz: str = "",
    source: str,
    location_label: str,
    tags: Sequence[str],
    channels: Sequence[Channel],
    visibility: str,
    embeddable: bool = True,
    assets: Sequence[MediaAsset] = (),
) -> Item:
    """Save the owner's changes; `assets` are new uploads to attach after the others."""
    from fieldcast.channels.services import channels_set_for_item
    from fieldcast.media.services.attach import item_attach_assets

    item = Item.objects.select_for_update().get(pk=item.pk)
    item.title = clean_line(title)
    item.slug = unicode_slug(item.title)
    item.rating = rating
    item.body = body
    item.body_html = render_markdown(body)
    for name, value in _occurred_fields(occurred_on, occurred_precision, occurred_time, occurred_tz).items():
        setattr(item, name, value)
    item.source = clean_line(source)
    new_label = clean_line(location_label)
    if new_label != item.location_label:
        item.location_label = new_label
        item.place = place_resolve(new_label) if new_label else None
    item.visibility = visibility
    item.embeddable = embeddable
    item.full_clean(exclude=["public_id"])
    item.save(
        update_fields=[
            "title", "slug", "rating", "body", "body_html", "occurred_on", "occurred_precision",
            "occurred_time", "occurred_tz", "source", "location_label", "place", "visibility", "embeddable",
            "updated_at",
        ]
    )  # fmt: skip
    item_set_tags(item=item, names=tags)
    channels_set_for_item(item=item, channels=channels, actor=editor)
    if assets:
        item_attach_assets(item=item, assets=assets)
        item.refresh_from_db()
    return item


@transaction.atomic
def item_delete(*, item: Item) -> None:
    """Delete an item for good (its author's choice). Follow-ups stay, unlinked."""
    if item.update_of_id is not None:
        item_counter_add(item_id=item.update_of_id, field="updates_count", delta=-1)
    item.delete()


@transaction.atomic
def item_refresh_lifecycle(*, item_id: int) -> None:
    """Recompute an item's lifecycle from its media assets (the media pipeline calls this
    whenever an asset becomes playable, ready or failed): ready once any video is playable
    or any image is ready, failed (with the files' reasons) when every file failed,
    processing otherwise. A draft is left as it is; an item whose last file was removed
    becomes a text report (ready), so that no item waits for a file that no longer exists."""
    from fieldcast.media.models import MediaAsset

    item = Item.objects.select_for_update().filter(pk=item_id).first()
    if item is None or item.lifecycle == Lifecycle.DRAFT:
        return
    assets = list(MediaAsset.objects.filter(item_id=item_id).values_list("status", "playable", "failure_reason"))
    reason = ""
    if not assets:
        if item.lifecycle != Lifecycle.READY:
            item.lifecycle, item.failure_reason = Lifecycle.READY, ""
            item.save(update_fields=["lifecycle", "failure_reason", "updated_at"])
        return
    if any(playable or status == MediaAsset.Status.READY for status, playable, _ in assets):
        lifecycle = Lifecycle.READY
    elif all(status == MediaAsset.Status.FAILED for status, _, _ in assets):
        lifecycle = Lifecycle.FAILED
        reason = "; ".join(dict.fromkeys(r for _, _, r in assets if r))[:500]
    else:
        lifecycle = Lifecycle.PROCESSING
    if (item.lifecycle, item.failure_reason) != (lifecycle, reason):
        item.lifecycle, item.failure_reason = lifecycle, reason
        item.save(update_fields=["lifecycle", "failure_reason", "updated_at"])
