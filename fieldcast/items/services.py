"""Writes to items. Views and the API call these; they trust validated input."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction

from fieldcast.channels.announce import item_announce_when_listed
from fieldcast.community.services_social import NOT_A_FOLLOW_UP, FollowUpState, follow_up_moved, follow_up_state
from fieldcast.core import pagecache
from fieldcast.core.markdown import render_markdown
from fieldcast.core.text import clean_line, normalize_key, unicode_slug
from fieldcast.geo.services import pin_validate, place_resolve
from fieldcast.geo.tasks import extract_item_places

from .models import ContentFlag, DatePrecision, Item, ItemTag, Lifecycle, Tag

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


def _content_flags(values: Sequence[str]) -> list[str]:
    """Known flags, each once, in the order of ContentFlag (forms validate the input)."""
    chosen = set(values)
    return [flag.value for flag in ContentFlag if flag.value in chosen]


@transaction.atomic
def item_create(
    *,
    author: User,
    title: str,
    rating: str,
    content_flags: Sequence[str] = (),
    content_warning: str = "",
    body: str = "",
    occurred_on: datetime.date | None = None,
    occurred_precision: str = DatePrecision.UNKNOWN,
    occurred_time: datetime.time | None = None,
    occurred_tz: str = "",
    source: str = "",
    location_label: str = "",
    pin_latitude: float | None = None,
    pin_longitude: float | None = None,
    tags: Sequence[str] = (),
    channels: Sequence[Channel] = (),
    visibility: str = "public",
    embeddable: bool = True,
    comments_mode: str = "open",
    comments_min_days: int = 7,
    update_of: Item | None = None,
    assets: Sequence[MediaAsset] = (),
    lifecycle: str | None = None,
) -> Item:
    """Create an item. With files it is `processing` until one video is playable or
    one image is ready; without files it is a text report, ready at once."""
    from fieldcast.channels.services import channel_add_item
    from fieldcast.media.services.attach import item_attach_assets
    from fieldcast.moderation.holds import new_item_moderation

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
        content_flags=_content_flags(content_flags),
        content_warning=clean_line(content_warning),
        source=clean_line(source),
        location_label=location_label,
        place=place_resolve(location_label) if location_label else None,
        **pin_validate(pin_latitude, pin_longitude),
        visibility=visibility,
        embeddable=embeddable,
        comments_mode=comments_mode,
        comments_min_days=comments_min_days,
        update_of=update_of,
        lifecycle=lifecycle,
        **_occurred_fields(occurred_on, occurred_precision, occurred_time, occurred_tz),
        **new_item_moderation(author),  # "hold new uploads for review" (moderation.holds)
    )
    item.full_clean(exclude=["public_id"])
    item.save()
    item_set_tags(item=item, names=tags)
    for channel in channels:
        channel_add_item(channel=channel, item=item, actor=author)
    if update_of is not None:  # counted once listed; its original's fans are told then
        follow_up_moved(before=NOT_A_FOLLOW_UP, after=follow_up_state(item), update_id=item.pk)
    item_announce_when_listed(item_id=item.pk)  # subscribers of its channels and author, once listed
    if assets:
        item_attach_assets(item=item, assets=assets)
        item.refresh_from_db()
    _search_index(item)
    transaction.on_commit(functools.partial(extract_item_places.enqueue, item.pk))  # places in the text
    pagecache.lists_changed()
    if update_of is not None:
        pagecache.item_changed(update_of.public_id)  # its list of follow-ups
    return item


def _search_index(item: Item) -> None:
    """The item's search document follows its title, body, tags, channels and place."""
    from fieldcast.discovery.search import search_index_item

    search_index_item(item_id=item.pk)


@transaction.atomic
def item_update(
    *,
    item: Item,
    editor: User,
    title: str,
    rating: str,
    body: str,
    occurred_on: datetime.date | None,
    content_flags: Sequence[str] = (),
    content_warning: str = "",
    occurred_precision: str,
    occurred_time: datetime.time | None = None,
    occurred_tz: str = "",
    source: str,
    location_label: str,
    tags: Sequence[str],
    channels: Sequence[Channel],
    visibility: str,
    pin_latitude: float | None = None,  # the whole form is saved: no pin given clears the pin
    pin_longitude: float | None = None,
    embeddable: bool = True,
    comments_mode: str | None = None,
    comments_min_days: int | None = None,
    assets: Sequence[MediaAsset] = (),
) -> Item:
    """Save the owner's changes; `assets` are new uploads to attach after the others."""
    from fieldcast.channels.services import channels_set_for_item
    from fieldcast.media.services.attach import item_attach_assets

    item = Item.objects.select_for_update().get(pk=item.pk)
    follow_up_before = follow_up_state(item)
    item.title = clean_line(title)
    item.slug = unicode_slug(item.title)
    item.rating = rating
    item.content_flags = _content_flags(content_flags)
    item.content_warning = clean_line(content_warning)
    item.body = body
    item.body_html = render_markdown(body)
    for name, value in _occurred_fields(occurred_on, occurred_precision, occurred_time, occurred_tz).items():
        setattr(item, name, value)
    item.source = clean_line(source)
    new_label = clean_line(location_label)
    if new_label != item.location_label:
        item.location_label = new_label
        item.place = place_resolve(new_label) if new_label else None
    for name, value in pin_validate(pin_latitude, pin_longitude).items():
        setattr(item, name, value)
    item.visibility = visibility
    item.embeddable = embeddable
    if comments_mode is not None:  # the uploader's comment policy (None: unchanged)
        item.comments_mode = comments_mode
    if comments_min_days is not None:
        item.comments_min_days = comments_min_days
    item.full_clean(exclude=["public_id"])
    item.save(
        update_fields=[
            "title", "slug", "rating", "content_flags", "content_warning", "body", "body_html", "occurred_on",
            "occurred_precision", "occurred_time", "occurred_tz", "source", "location_label", "place",
            "pin_latitude", "pin_longitude", "visibility",
            "embeddable",
            "comments_mode", "comments_min_days", "updated_at",
        ]
    )  # fmt: skip
    item_after_state_change(item, follow_up_before)
    item_set_tags(item=item, names=tags)
    channels_set_for_item(item=item, channels=channels, actor=editor)
    if assets:
        item_attach_assets(item=item, assets=assets)
        item.refresh_from_db()
    _search_index(item)
    transaction.on_commit(functools.partial(extract_item_places.enqueue, item.pk))  # places in the text
    return item


def item_after_state_change(item: Item, follow_up_before: FollowUpState) -> None:
    """What follows any change that may list or unlist an item: its original's count of
    updates, and (once listed) word to the subscribers of its channels and author."""
    follow_up_moved(before=follow_up_before, after=follow_up_state(item), update_id=item.pk)
    item_announce_when_listed(item_id=item.pk)
    # Cached guest pages: any page may show the item (cards, related items, follow-ups).
    pagecache.item_visibility_changed(item.public_id)


@transaction.atomic
def item_set_moderation(*, item_id: int, moderation: str, reason: str = "") -> Item:
    """Hold, remove, disable or restore an item (the moderation app's actions go through
    here, so an item leaving or re-entering the lists moves what depends on that)."""
    item = Item.objects.select_for_update().get(pk=item_id)
    follow_up_before = follow_up_state(item)
    item.moderation, item.moderation_reason = moderation, reason[:500]
    item.save(update_fields=["moderation", "moderation_reason", "updated_at"])
    item_after_state_change(item, follow_up_before)
    return item


@transaction.atomic
def item_delete(*, item: Item) -> None:
    """Delete an item for good (its author's choice). Follow-ups stay, unlinked."""
    locked = Item.objects.select_for_update().filter(pk=item.pk).first()
    if locked is None:
        return
    follow_up_moved(before=follow_up_state(locked), after=NOT_A_FOLLOW_UP)
    from fieldcast.media.models import MediaAsset
    from fieldcast.media.tasks_files import delete_asset_files

    # The files (original, renditions) go too, once the rows are gone for good.
    asset_ids = list(MediaAsset.objects.filter(item=locked).values_list("public_id", flat=True))
    item_public_id = locked.public_id
    locked.delete()
    transaction.on_commit(lambda: [delete_asset_files.enqueue(public_id) for public_id in asset_ids])
    pagecache.item_visibility_changed(item_public_id)


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
    pagecache.item_changed(item.public_id)  # a file became playable, ready or failed
    follow_up_before = follow_up_state(item)
    assets = list(MediaAsset.objects.filter(item_id=item_id).values_list("status", "playable", "failure_reason"))
    reason = ""
    if not assets:
        if item.lifecycle != Lifecycle.READY:
            item.lifecycle, item.failure_reason = Lifecycle.READY, ""
            item.save(update_fields=["lifecycle", "failure_reason", "updated_at"])
            item_after_state_change(item, follow_up_before)
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
        item_after_state_change(item, follow_up_before)
