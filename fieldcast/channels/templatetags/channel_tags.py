"""Controls other pages include: the Subscribe button (channels and member profiles) and
'Add to channel' on the item page. Each costs at most one query, none for guests."""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.http import urlencode

from fieldcast.channels.models import Channel, Subscription
from fieldcast.channels.selectors import member_channel_state

register = template.Library()


def subscribe_context(
    request: HttpRequest, *, channel: Channel | None = None, member: Any = None, error: str = ""
) -> dict[str, Any]:
    """What channels/_subscribe_button.html needs for a channel or a member."""
    user = request.user
    if member is None and channel is not None and channel.kind == Channel.Kind.PERSONAL:
        member = channel.owner
    if member is not None:
        if user.is_authenticated and user.pk == member.pk:
            return {"hidden": True, "error": error}
        target = reverse("accounts:profile", kwargs={"username": member.username})
        action = reverse("channels:member_subscribe", kwargs={"username": member.username})
        name = member.username
        if channel is None and user.is_authenticated:
            channel = member_channel_state(member, user)
    elif channel is not None:
        target = channel.get_absolute_url()
        action = reverse("channels:subscribe", kwargs={"slug": channel.slug})
        name = channel.name
    else:
        return {"hidden": True}
    subscribed: bool | None = False
    if user.is_authenticated and channel is not None:
        subscribed = getattr(channel, "is_subscribed", None)
        if subscribed is None:
            subscribed = Subscription.objects.filter(user=user, channel=channel).exists()
    next_url = request.POST.get("next", "") if request.method == "POST" else request.get_full_path()
    return {
        "hidden": False,
        "authenticated": user.is_authenticated,
        "action": action,
        "subscribed": bool(subscribed),
        "count": channel.subscribers_count if channel is not None else None,
        "name": name,
        "dom_id": f"subscribe-{'u' if member is not None else 'c'}-{member.pk if member is not None else channel.pk}",  # type: ignore[union-attr]
        "login_url": f"{reverse('account_login')}?{urlencode({'next': target})}",
        "next": next_url,
        "error": error,
        "csrf_token": get_token(request) if user.is_authenticated else "",
    }


@register.inclusion_tag("channels/_subscribe_button.html", takes_context=True)
def subscribe_button(context: template.Context, channel: Channel | None = None, member: Any = None) -> dict[str, Any]:
    return subscribe_context(context["request"], channel=channel, member=member)


@register.simple_tag(takes_context=True)
def channels_to_file(context: template.Context, item: Any) -> list[Channel]:
    """The channels this member may add `item` to and that do not hold it yet (one query)."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return list(
        Channel.objects.fileable_by(user)
        .exclude(item_links__item=item)
        .select_related("owner")
        .order_by("kind", "name_key")
    )


@register.filter
def plaintext(html_text: str) -> str:
    """Stored, sanitised HTML as plain text (for summaries); autoescaping applies to the result."""
    return html.unescape(strip_tags(html_text or ""))
