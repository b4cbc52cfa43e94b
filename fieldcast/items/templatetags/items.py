from __future__ import annotations

from typing import Any

from django import template
from django.utils.dateformat import format as date_format

from fieldcast.items.models import DatePrecision, Item

register = template.Library()


@register.filter
def shielded(item: Item, viewer: Any) -> bool:
    """True when a card must show the Safe Mode placeholder instead of the thumbnail."""
    if item.rating != "MA" or viewer is None:
        return False
    if viewer.is_authenticated and item.author_id == viewer.user_id:
        return False
    return not viewer.may_see_ma(item.public_id)


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
