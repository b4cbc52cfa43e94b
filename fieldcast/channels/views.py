from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from fieldcast.items.selectors import channel_item_page

from .models import Channel


def channel_detail(request: HttpRequest, slug: str) -> HttpResponse:
    channel = get_object_or_404(Channel.objects.select_related("owner"), slug=slug)
    if channel.kind == Channel.Kind.PERSONAL and channel.owner is not None:
        return redirect(channel.get_absolute_url(), permanent=True)
    page = channel_item_page(channel, request.viewer, cursor=request.GET.get("after"))  # type: ignore[attr-defined]
    return render(request, "channels/channel_detail.html", {"channel": channel, "page": page})


def channel_index(request: HttpRequest) -> HttpResponse:
    channels = Channel.objects.exclude(kind=Channel.Kind.PERSONAL).order_by("-is_current_event", "kind", "name")
    return render(request, "channels/channel_index.html", {"channels": channels})
