from __future__ import annotations

from typing import Any

from django import template
from django.utils.dateformat import format as date_format

from fieldcast.items.access import may_see_thumbnail
from fieldcast.items.models import ContentFlag, DatePrecision, Item, Rating
from fieldcast.items.selectors import CARD_IMAGE_PROFILES
from fieldcast.media.access import VIA_CARD, VIA_PAGE, rendition_url

register = template.Library()

_FLAG_LABELS = dict(ContentFlag.choices)


@register.filter
def shielded(item: Item, viewer: Any) -> bool:
    """True when a card must show the Safe Mode placeholder instead of the thumbnail."""
    if item.rating != Rating.MA:
        return False
    if viewer is None:
        return True  # no viewer known (a template rendered outside a request): shield
    return not may_see_thumbnail(viewer, item)


@register.filter
def card_image_url(item: Item, viewer: Any) -> str | None:
    """The thumbnail for a card: never issued where Safe Mode shields the item. An MA
    item's card URL opens its stills only, for whoever the list may show them to."""
    if shielded(item, viewer):
        return None
    via = VIA_CARD if item.rating == Rating.MA else VIA_PAGE
    assets = sorted(getattr(item, "card_assets", []), key=lambda a: a.pk != item.thumbnail_asset_id)
    for asset in assets:
        by_profile = {r.profile: r for r in asset.renditions.all()}
        for profile in CARD_IMAGE_PROFILES:
            if profile in by_profile:
                return rendition_url(by_profile[profile], asset.public_id, via=via)
    return None


@register.filter
def content_flag_labels(item: Item) -> list[str]:
    """The labels of the item's content flags, in the order of the form."""
    flags = set(item.content_flags or [])
    return [label for value, label in _FLAG_LABELS.items() if value in flags]


@register.filter
def occurred(item: Item) -> str:
    """The occurred-on date as precisely as it is known (reference style: Oct-19-2013)."""
    if item.occurred_on is None or item.occurred_precision == DatePrecision.UNKNOWN:
        return "Unknown"
    if item.occurred_precision == DatePrecision.YEAR:
        return str(item.occurred_on.year)
    if item.occurred_precision == DatePrecision.MONTH:
        return date_format(item.occurred_on, "M-Y")
    text = date_format(item.occurred_on, "M-d-Y")
    if item.occurred_time is not None:
        text += " " + item.occurred_time.strftime("%H:%M")
        if item.occurred_tz:
            text += f" ({item.occurred_tz})"
    return text


@register.simple_tag
def item_state(item: Item) -> str:
    """A short label for an item that is not simply listed (owner and staff views)."""
    if item.moderation != "ok":
        return item.get_moderation_display()
    if item.lifecycle != "ready":
        return item.get_lifecycle_display()
    if item.visibility != "public":
        return item.get_visibility_display().split(":")[0]
    return ""


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    """`urls|get_item:"sprite-vtt"`: dictionary keys with dashes."""
    return mapping.get(key) if mapping else None
