"""Channels in the REST API: the directory, a channel and its items, creating, editing and
deleting topic channels, filing items, subscriptions. The same forms, services and access
layer as the /c/ pages: ChannelForm validates, `channel_may_file` / `channel_may_manage`
decide, `Item.objects.visible_to` lists."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from fieldcast.api.auth import WRITE_AUTH, api_user, api_viewer
from fieldcast.api.pagination import Key, Page, keyset_page
from fieldcast.api.schemas import CURSOR_DESCRIPTION, LIMIT_DESCRIPTION, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from fieldcast.api.throttling import limit_write
from fieldcast.community.api_support import (
    ITEM_READ_ERRORS,
    AuthorOut,
    ItemCardOut,
    item_cards_page,
    item_or_404,
    member_ref,
    no_nul,
    open_item,
)
from fieldcast.items.access import Access
from fieldcast.items.models import Item

from .forms import ChannelForm
from .models import Channel, ChannelItem
from .querysets import SORTS
from .selectors import channel_directory
from .services import (
    channel_add_item,
    channel_create,
    channel_delete,
    channel_may_file,
    channel_may_manage,
    channel_remove_item,
    channel_set_flags,
    channel_update,
)
from .subscriptions import subscription_add, subscription_remove

router = Router(tags=["Channels"])


# --- Schemas -------------------------------------------------------------------------------


class ChannelOut(Schema):
    slug: str = Field(
        ..., description="The channel's address: /c/<slug>. Unicode letters are kept.", examples=["syria"]
    )
    name: str = Field(..., examples=["Syria"])
    kind: Literal["personal", "topic", "editorial"] = Field(
        ..., description="personal: a member's own; topic: made by a member; editorial: staff's (Featured, Must See)."
    )
    url: str = Field(..., description="The channel's page on the site.", examples=["/c/syria"])
    description: str = Field(..., description="Markdown, as written.")
    description_html: str = Field(..., description="The description rendered and sanitised.")
    is_current_event: bool = Field(..., description="A developing story, listed first.")
    is_featured: bool = Field(..., description="Shown in the directory's featured block.")
    owner: AuthorOut | None = Field(None, description="Null for editorial channels and deleted accounts.")
    created_at: datetime.datetime
    subscribers_count: int = Field(..., examples=[120])
    items_count: int = Field(..., description="Listed items in the channel (ready, public, not moderated).")
    banner_url: str | None = Field(None, description="The 4:1 banner picture, if any.")
    is_subscribed: bool = Field(..., description="Whether you subscribe to it (false for anonymous callers).")


class ChannelDetailOut(ChannelOut):
    may_file: bool = Field(..., description="Whether you may add items to it and take them out.")
    may_manage: bool = Field(..., description="Whether you may edit or delete it (its owner and staff).")


class ChannelPage(Page):
    items: list[ChannelOut]


class ChannelItemPage(Page):
    items: list[ItemCardOut]


class ChannelIn(Schema):
    name: str = Field(..., max_length=100, description="Unique among topic channels.", examples=["Siege of Mariupol"])
    slug: str = Field(
        "", max_length=80, description="The address /c/<slug>; empty: made from the name.", examples=["mariupol"]
    )
    description: str = Field("", max_length=5000, description="Markdown: what the channel follows.")


class ChannelPatch(Schema):
    name: str | None = Field(None, max_length=100)
    slug: str | None = Field(None, max_length=80, description="A new address (the old one stops working).")
    description: str | None = Field(None, max_length=5000)
    is_featured: bool | None = Field(None, description="Staff only.")
    is_current_event: bool | None = Field(None, description="Staff only.")


class FileIn(Schema):
    item: str = Field(..., max_length=20, description="The public id of the item to add.", examples=["k3Jd9aQ2"])


class FiledOut(Schema):
    channel: str = Field(..., description="The channel's slug.")
    item: str = Field(..., description="The item's public id.")
    added: bool = Field(..., description="False when the item was already in the channel.")


class SubscriptionOut(Schema):
    channel: str
    subscribed: bool
    subscribers_count: int


# --- Helpers --------------------------------------------------------------------------------

# Current events first, as in the directory, then the chosen order; the primary key last.
DIRECTORY_KEYS: dict[str, tuple[Key, ...]] = {
    "name": (Key("is_current_event"), Key("name_key", descending=False), Key("pk", descending=False)),
    "new": (Key("is_current_event"), Key("created_at"), Key("pk")),
    "subscribers": (
        Key("is_current_event"),
        Key("subscribers_count"),
        Key("name_key", descending=False),
        Key("pk", descending=False),
    ),
    "items": (
        Key("is_current_event"),
        Key("items_count"),
        Key("name_key", descending=False),
        Key("pk", descending=False),
    ),
}
assert set(DIRECTORY_KEYS) == set(SORTS)  # noqa: S101 (the API offers the directory's sorts)


def channel_out(channel: Channel, *, schema: type[ChannelOut] = ChannelOut, **extra: Any) -> Any:
    return schema(
        slug=channel.slug,
        name=channel.name,
        kind=channel.kind,  # type: ignore[arg-type]
        url=channel.get_absolute_url(),
        description=channel.description,
        description_html=channel.description_html,
        is_current_event=channel.is_current_event,
        is_featured=channel.is_featured,
        owner=member_ref(channel.owner) if channel.owner_id else None,
        created_at=channel.created_at,
        subscribers_count=channel.subscribers_count,
        items_count=getattr(channel, "items_count", 0),
        banner_url=channel.banner_url or None,
        is_subscribed=bool(getattr(channel, "is_subscribed", False)),
        **extra,
    )


def _channels_for(request: HttpRequest) -> Any:
    """Channels with what their answer needs for this caller, in one query."""
    return Channel.objects.select_related("owner").with_item_counts().with_subscribed(api_viewer(request).user)


def _channel(slug: str, queryset: Any = None) -> Channel:
    no_nul(slug, "There is no channel with this slug.")
    channel = (queryset if queryset is not None else Channel.objects.select_related("owner")).filter(slug=slug).first()
    if channel is None:
        raise Http404("There is no channel with this slug.")
    return channel  # type: ignore[no-any-return]


def _form_errors(form: ChannelForm) -> ValidationError:
    """The form's messages, field by field (the API's 422 names each field)."""
    return ValidationError(
        {field: [e["message"] for e in errors] for field, errors in form.errors.get_json_data().items()}
    )


def _detail(request: HttpRequest, slug: str) -> ChannelDetailOut:
    channel = _channel(slug, _channels_for(request))
    user = api_viewer(request).user
    return channel_out(  # type: ignore[no-any-return]
        channel,
        schema=ChannelDetailOut,
        may_file=channel_may_file(channel=channel, user=user),
        may_manage=channel_may_manage(channel=channel, user=user),
    )


# --- Reads ----------------------------------------------------------------------------------


@router.get("/channels", response={200: ChannelPage, **LIST_ERRORS}, summary="List channels")
def channel_list(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="Words the name or description must contain (any script)."),
    sort: Literal["name", "new", "subscribers", "items"] = Query(
        "name", description="Order after current events, which always come first."
    ),
    featured: bool | None = Query(None, description="Only featured channels (true) or only the others (false)."),
    current_event: bool | None = Query(None, description="Only current events (true) or only the others (false)."),
    kind: Literal["topic", "editorial"] | None = Query(None, description="Only topic or only editorial channels."),
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> ChannelPage:
    """The channel directory (topic and editorial channels, as on /c/): current events first,
    then by name, newest, most subscribers or most listed items. Members' personal channels
    are reached through their items and profiles."""
    qs = channel_directory(query=q.replace("\x00", ""), sort=sort).with_subscribed(api_viewer(request).user)
    if featured is not None:
        qs = qs.filter(is_featured=featured)
    if current_event is not None:
        qs = qs.filter(is_current_event=current_event)
    if kind is not None:
        qs = qs.filter(kind=kind)
    rows, next_cursor = keyset_page(qs, DIRECTORY_KEYS[sort], cursor=cursor, limit=limit, tag=f"channels-{sort}")
    return ChannelPage(items=[channel_out(c) for c in rows], next_cursor=next_cursor)


@router.get("/channels/{slug}", response={200: ChannelDetailOut, **READ_ERRORS}, summary="A channel")
def channel_detail(request: HttpRequest, slug: str) -> ChannelDetailOut:
    """One channel (any kind), with what you may do with it."""
    return _detail(request, slug)


@router.get("/channels/{slug}/items", response={200: ChannelItemPage, **READ_ERRORS}, summary="A channel's items")
def channel_items(
    request: HttpRequest,
    slug: str,
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> ChannelItemPage:
    """The items filed in the channel that you may see listed, most recently filed first
    (private, unfinished, held and removed items never appear; under Safe Mode MA items
    come shielded, or not at all where the site hides them)."""
    channel = _channel(slug)
    qs = (
        Item.objects.visible_to(api_viewer(request))
        .filter(channel_links__channel=channel)
        .annotate(filed_at=F("channel_links__added_at"))
    )
    cards, next_cursor = item_cards_page(
        request, qs, (Key("filed_at"), Key("pk")), cursor=cursor, limit=limit, tag="channel-items"
    )
    return ChannelItemPage(items=cards, next_cursor=next_cursor)


@router.get(
    "/items/{public_id}/channels", response={200: list[ChannelOut], **ITEM_READ_ERRORS}, summary="An item's channels"
)
def item_channels(request: HttpRequest, public_id: str) -> list[ChannelOut]:
    """The channels the item is filed in ("Part of channel(s)" on its page), current events first."""
    item = open_item(request, public_id, interstitial_ok=True).item
    rows = _channels_for(request).filter(item_links__item=item).order_by("-is_current_event", "name")
    return [channel_out(c) for c in rows]


# --- Writes ---------------------------------------------------------------------------------


@router.post("/channels", auth=WRITE_AUTH, response={201: ChannelDetailOut, **WRITE_ERRORS}, summary="Create a channel")
def channel_new(request: HttpRequest, payload: ChannelIn) -> Status[ChannelDetailOut]:
    """Create a topic channel that you own (the form at /c/new). The name must be unique
    among topic and editorial channels ("Syria" and "SYRIA" are one); the address is made
    from the name when not given."""
    limit_write(request, "channel")
    form = ChannelForm(data=payload.dict())
    if not form.is_valid():
        raise _form_errors(form)
    data = form.cleaned_data
    channel = channel_create(
        owner=api_user(request), name=data["name"], slug=data["slug"], description=data["description"]
    )
    return Status(201, _detail(request, channel.slug))


@router.patch(
    "/channels/{slug}", auth=WRITE_AUTH, response={200: ChannelDetailOut, **WRITE_ERRORS}, summary="Edit a channel"
)
def channel_edit(request: HttpRequest, slug: str, payload: ChannelPatch) -> ChannelDetailOut:
    """Change a topic channel's name, address or description (its owner and staff), and
    for staff whether it is featured or a current event. Fields left out stay as they are."""
    limit_write(request, "channel")
    user = api_user(request)
    channel = _channel(slug)
    changes = payload.dict(exclude_unset=True)
    texts = {k: v for k, v in changes.items() if k in ("name", "slug", "description") and v is not None}
    flags = {k: v for k, v in changes.items() if k in ("is_featured", "is_current_event") and v is not None}
    if texts and not channel_may_manage(channel=channel, user=user):
        raise HttpError(403, "Only the channel's owner and staff can edit it.")
    with transaction.atomic():
        if texts:
            form = ChannelForm(data={**ChannelForm.initial_for(channel), **texts}, channel=channel)
            if not form.is_valid():
                raise _form_errors(form)
            data = form.cleaned_data
            channel = channel_update(
                channel=channel, editor=user, name=data["name"], slug=data["slug"], description=data["description"]
            )
        if flags:
            channel_set_flags(
                channel=channel,
                actor=user,
                is_featured=flags.get("is_featured", channel.is_featured),
                is_current_event=flags.get("is_current_event", channel.is_current_event),
            )
    return _detail(request, channel.slug)


@router.delete("/channels/{slug}", auth=WRITE_AUTH, response={204: None, **WRITE_ERRORS}, summary="Delete a channel")
def channel_remove(request: HttpRequest, slug: str) -> Status[None]:
    """Delete a topic channel for good (its owner and staff). Its items stay; each counts
    one channel fewer. Personal channels cannot be deleted."""
    limit_write(request, "channel")
    channel_delete(channel=_channel(slug), actor=api_user(request))
    return Status(204, None)


@router.post(
    "/channels/{slug}/items",
    auth=WRITE_AUTH,
    response={200: FiledOut, 201: FiledOut, **ITEM_READ_ERRORS, **WRITE_ERRORS},
    summary="Add an item to a channel",
)
def channel_file(request: HttpRequest, slug: str, payload: FileIn) -> Status[FiledOut]:
    """File an item in the channel: 201 when added, 200 when it was there already. Who may:
    the owner of a personal channel; a topic channel's owner, accepted curators and staff;
    staff for editorial ones. Removed and held items cannot be filed."""
    limit_write(request, "curate")
    channel = _channel(slug)
    result = item_or_404(request, payload.item)
    if result.access not in (Access.SHOW, Access.INTERSTITIAL):
        raise HttpError(403, "This item was removed or is under review: it cannot be added to channels.")
    added = channel_add_item(channel=channel, item=result.item, actor=api_user(request))
    return Status((201 if added else 200), FiledOut(channel=channel.slug, item=result.item.public_id, added=added))


@router.delete(
    "/channels/{slug}/items/{public_id}",
    auth=WRITE_AUTH,
    response={204: None, **WRITE_ERRORS},
    summary="Take an item out of a channel",
)
def channel_unfile(request: HttpRequest, slug: str, public_id: str) -> Status[None]:
    """Take an item out of the channel (whoever may add items to it)."""
    limit_write(request, "curate")
    channel = _channel(slug)
    user = api_user(request)
    if not channel_may_file(channel=channel, user=user):
        raise HttpError(403, f"You cannot remove items from the channel “{channel.name}”.")
    no_nul(public_id, "This item is not in this channel.")
    link = ChannelItem.objects.select_related("item").filter(channel=channel, item__public_id=public_id).first()
    if link is None:
        raise Http404("This item is not in this channel.")
    channel_remove_item(channel=channel, item=link.item, actor=user)
    return Status(204, None)


def _subscription(request: HttpRequest, slug: str, *, subscribe: bool) -> SubscriptionOut:
    limit_write(request, "subscribe")
    channel = _channel(slug)
    user = api_user(request)
    if subscribe:
        subscription_add(user=user, channel=channel)
    else:
        subscription_remove(user=user, channel=channel)
    channel.refresh_from_db(fields=["subscribers_count"])
    return SubscriptionOut(channel=channel.slug, subscribed=subscribe, subscribers_count=channel.subscribers_count)


@router.post(
    "/channels/{slug}/subscription",
    auth=WRITE_AUTH,
    response={200: SubscriptionOut, **WRITE_ERRORS},
    summary="Subscribe to a channel",
)
def channel_subscribe(request: HttpRequest, slug: str) -> SubscriptionOut:
    """Follow the channel (a member's personal channel: follow the member); new listed items
    filed there reach you as notifications. Subscribing twice changes nothing."""
    return _subscription(request, slug, subscribe=True)


@router.delete(
    "/channels/{slug}/subscription",
    auth=WRITE_AUTH,
    response={200: SubscriptionOut, **WRITE_ERRORS},
    summary="Unsubscribe from a channel",
)
def channel_unsubscribe(request: HttpRequest, slug: str) -> SubscriptionOut:
    """Stop following the channel; unsubscribing when not subscribed changes nothing."""
    return _subscription(request, slug, subscribe=False)
