"""`{% load social %}{% channel_timeline channel %}`: a current-event channel's timeline,
for pages whose view does not build it (the tag reads the viewer from the context)."""

from __future__ import annotations

from typing import Any

from django import template

from fieldcast.items.selectors import channel_timeline as timeline_for

register = template.Library()


@register.inclusion_tag("community/_timeline.html", takes_context=True)
def channel_timeline(context: template.Context, channel: Any) -> dict[str, Any]:
    return {"timeline": timeline_for(channel, context["viewer"])}
