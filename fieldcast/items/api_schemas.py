"""Schemas of the items part of the REST API (fieldcast/items/api.py), and the functions
that fill them from rows the access layer let through.

What a caller sees follows the item page and the cards: an MA item under Safe Mode keeps
its title, rating, flags and counts, but its article and every media URL are withheld
(`access` = "interstitial", `shielded` on cards).
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field

from fieldcast.api.pagination import Page
from fieldcast.api.schemas import Out
from fieldcast.geo.api import PlaceOut, place_fields
from fieldcast.media.api import AssetOut
from fieldcast.moderation.viewer import Viewer

from .models import Item
from .templatetags.items import card_image_url, shielded

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _iso(pattern: re.Pattern[str], what: str) -> Any:
    """Dates and times as ISO 8601 text only (pydantic alone would read "0" as 1970-01-01)."""

    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"Give the {what}.")
        if isinstance(value, bool | int | float):
            raise ValueError(f"Give the {what}.")
        return value

    return BeforeValidator(check)


IsoDate = Annotated[datetime.date, _iso(_ISO_DATE, "date as YYYY-MM-DD")]
IsoTime = Annotated[datetime.time, _iso(_ISO_TIME, "time as HH:MM")]

RatingValue = Literal["GA", "PG", "MA"]
PrecisionValue = Literal["day", "month", "year", "unknown"]
ContentFlagValue = Literal["graphic_violence", "death_injury", "sexual", "language"]
VisibilityValue = Literal["public", "unlisted", "private"]
CommentsModeValue = Literal["open", "established", "off"]
SortValue = Literal["relevance", "newest", "played", "voted", "occurred"]
DurationValue = Literal["short", "medium", "long", "longer"]


class AuthorOut(Out):
    username: str = Field(..., examples=["amal"])
    name: str = Field(..., description="The display name, else the username.", examples=["Amal Haddad"])
    url: str = Field(..., description="Path of the member's page.", examples=["/u/amal"])


class PinOut(Out):
    latitude: float = Field(..., description="Where exactly it was filmed (decimal degrees).", examples=[34.7331])
    longitude: float = Field(..., examples=[36.7101])


class TagRefOut(Out):
    name: str = Field(..., description="As first spelt.", examples=["Qalamoun"])
    key: str = Field(..., description="Case-folded key: the tag's address.", examples=["qalamoun"])
    url: str = Field(..., examples=["/tag/qalamoun"])


class ChannelRefOut(Out):
    slug: str = Field(..., examples=["syria"])
    name: str = Field(..., examples=["Syria"])
    kind: Literal["personal", "topic", "editorial"]
    is_current_event: bool = Field(..., description="A developing story.")
    url: str = Field(..., examples=["/c/syria"])


class CountsOut(Out):
    plays: int = Field(..., description="Plays started, embeds included.")
    embed_plays: int = Field(..., description="Of those, plays inside embeds on other sites.")
    views: int = Field(..., description="Page views.")
    comments: int
    vote_score: int = Field(..., description="Up votes minus down votes.")
    favorites: int
    shares: int
    updates: int = Field(..., description="Listed follow-up items posted as updates to this one.")
    channels: int = Field(..., description="Channels the item is filed in.")


class ItemRefOut(Out):
    public_id: str = Field(..., examples=["aB3dE5gH7j"])
    title: str
    url: str
    rating: RatingValue


class ItemCardOut(Out):
    """An item in a list: what a card on the site shows."""

    public_id: str = Field(..., description="The item's id in its address /v/<public_id>.", examples=["aB3dE5gH7j"])
    title: str = Field(..., examples=["Shelling of the old market at dawn"])
    slug: str = Field(..., description="Cosmetic part of the address.", examples=["shelling-of-the-old-market-at-dawn"])
    url: str = Field(..., examples=["/v/aB3dE5gH7j/shelling-of-the-old-market-at-dawn"])
    rating: RatingValue = Field(..., description="GA, PG or MA (heavy violence, gore, sexuality).")
    content_flags: list[ContentFlagValue] = Field(..., description="What the footage shows, as the uploader ticked.")
    content_warning: str = Field(..., description="One line shown before the content; may be ''.")
    shielded: bool = Field(
        ..., description="True for an MA item under your Safe Mode: no thumbnail, no snippet, no media URLs."
    )
    thumbnail_url: str | None = Field(
        None, description="Signed, short-lived thumbnail URL; null when shielded or when there is no picture."
    )
    author: AuthorOut | None = Field(None, description="Null when the account was deleted.")
    added_at: datetime.datetime
    occurred_on: datetime.date | None = Field(
        None, description="When the event happened (month/year precision: the first day).", examples=["2024-03-01"]
    )
    occurred_precision: PrecisionValue
    location_label: str = Field(..., description="The place as the uploader typed it.", examples=["Homs, Syria"])
    place: PlaceOut | None = Field(None, description="The gazetteer place the label resolved to.")
    tags: list[TagRefOut]
    counts: CountsOut
    snippet_html: str | None = Field(
        None,
        description="Search results: a piece of the article, HTML-escaped, the words found in <mark>. "
        "Null outside searches and for shielded items.",
    )


class ItemPage(Page):
    items: list[ItemCardOut]


class ItemStateOut(Out):
    """The item's states, for its author, staff and moderators."""

    lifecycle: Literal["draft", "processing", "ready", "failed"] = Field(
        ..., description="processing until one video is playable or one image is ready."
    )
    moderation: Literal["ok", "held", "removed", "disabled"]
    failure_reason: str = Field(..., description="Why processing failed; ''.")
    moderation_reason: str = Field(..., description="The moderators' public reason; ''.")
    status_url: str = Field(..., description="API path of the files' processing status.")


class ItemDetailOut(ItemCardOut):
    """One item, as its page shows it to you."""

    access: Literal["show", "interstitial"] = Field(
        ...,
        description="'interstitial': MA under your Safe Mode; the article and media are withheld "
        "(turn Safe Mode off on the site with the 18+ confirmation; tokens follow their owner's setting).",
    )
    body_html: str = Field(..., description="The article, rendered from Markdown and sanitised; '' when withheld.")
    source: str = Field(..., description="Who filmed it, where it was first published.")
    occurred_time: datetime.time | None = None
    occurred_tz: str = Field(..., description="IANA time zone of occurred_time, or ''.", examples=["Asia/Damascus"])
    pin: PinOut | None = None
    visibility: VisibilityValue
    embeddable: bool = Field(..., description="Whether other sites may embed the player.")
    comments_mode: CommentsModeValue
    comments_locked: bool = Field(..., description="Locked by moderators: nobody may comment.")
    channels: list[ChannelRefOut]
    update_of: ItemRefOut | None = Field(None, description="The item this one follows up, when you may open it.")
    updates_url: str = Field(..., description="API path of this item's follow-ups.")
    media: list[AssetOut] = Field(
        ..., description="The files that can be shown, in order (the first video is the main player); [] when withheld."
    )
    media_expires_at: datetime.datetime | None = Field(None, description="When the media URLs stop working.")
    state: ItemStateOut | None = Field(None, description="For the author, staff and moderators only.")


class ItemIn(Schema):
    """The item form's fields (the site's /new and edit form apply the same rules)."""

    title: str = Field(..., max_length=200, examples=["Shelling of the old market at dawn"])
    body: str = Field("", max_length=50_000, description="The article, in Markdown.")
    rating: RatingValue = Field(..., description="Mandatory: GA, PG or MA. MA items are shielded by Safe Mode.")
    content_flags: list[ContentFlagValue] = Field(default_factory=list)
    content_warning: str = Field("", max_length=200, description="One line shown before the item.")
    occurred_precision: PrecisionValue = Field(
        "unknown", description="How exactly the date is known; with anything but 'unknown', give occurred_on."
    )
    occurred_on: IsoDate | None = Field(None, description="Not in the future.", examples=["2024-03-14"])
    occurred_time: IsoTime | None = Field(None, description="Kept only with precision 'day'.")
    occurred_tz: str = Field("", description="IANA time zone name.", examples=["Asia/Damascus"])
    source: str = Field("", max_length=500)
    location_label: str = Field("", max_length=200, description="A place name, resolved through the gazetteer.")
    pin_latitude: float | None = Field(None, description="Both or neither, -90..90.", examples=[34.7331])
    pin_longitude: float | None = Field(None, description="Both or neither, -180..180.", examples=[36.7101])
    tags: list[str] = Field(
        default_factory=list,
        description="Up to 20 tags of at most 50 characters each (no commas).",
        examples=[["Homs"]],
    )
    channels: list[str] = Field(
        default_factory=list, description="Slugs of channels you may file in (your own, or ones you curate)."
    )
    visibility: VisibilityValue = "public"
    embeddable: bool = True
    comments_mode: CommentsModeValue = "open"
    comments_min_days: int | None = Field(
        None, description="With comments_mode 'established': days a member must have been registered (1-365)."
    )


class ItemCreateIn(ItemIn):
    agree_terms: bool = Field(False, description="Must be true: you agree to the terms of use (/terms).")
    update_of: str | None = Field(
        None,
        description="Public id (or address) of an earlier item this one follows up: that is how an update is posted.",
        examples=["aB3dE5gH7j"],
    )
    assets: list[str] = Field(
        default_factory=list,
        description="Public ids of your finished uploads (the tus answer's Fieldcast-Asset header), in order.",
    )
    uploads: list[str] = Field(
        default_factory=list,
        description="Your finished tus uploads, by id or by their /uploads/<id> address, after `assets`.",
    )


class ItemPatchIn(Schema):
    """Any of the item form's fields; the others keep their values. `channels` replaces the
    channels you may file in (links made by others stay)."""

    title: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=50_000)
    rating: RatingValue | None = None
    content_flags: list[ContentFlagValue] | None = None
    content_warning: str | None = Field(None, max_length=200)
    occurred_precision: PrecisionValue | None = None
    occurred_on: IsoDate | None = None
    occurred_time: IsoTime | None = None
    occurred_tz: str | None = None
    source: str | None = Field(None, max_length=500)
    location_label: str | None = Field(None, max_length=200)
    pin_latitude: float | None = None
    pin_longitude: float | None = None
    tags: list[str] | None = None
    channels: list[str] | None = None
    visibility: VisibilityValue | None = None
    embeddable: bool | None = None
    comments_mode: CommentsModeValue | None = None
    comments_min_days: int | None = None


# --- filling them ------------------------------------------------------------------------------


def author_out(user: Any) -> AuthorOut | None:
    if user is None:
        return None
    return AuthorOut(username=user.username, name=user.public_name, url=f"/u/{user.username}")


def place_out(item: Item) -> PlaceOut | None:
    return None if item.place is None else PlaceOut(**place_fields(item.place))


def counts_out(item: Item) -> CountsOut:
    return CountsOut(
        plays=item.plays_count,
        embed_plays=item.embed_plays_count,
        views=item.views_count,
        comments=item.comments_count,
        vote_score=item.vote_score,
        favorites=item.favorites_count,
        shares=item.shares_count,
        updates=item.updates_count,
        channels=item.channels_count,
    )


def tag_ref(tag: Any) -> TagRefOut:
    return TagRefOut(name=tag.name, key=tag.key, url=tag.get_absolute_url())


def card_fields(item: Item, viewer: Viewer, tags: list[Any], snippet_html: str | None = None) -> dict[str, Any]:
    """The card's fields (ItemCardOut). `item.card_assets` (items.selectors._with_tags)
    holds the pictures a thumbnail may come from; the card rules decide whether it shows."""
    is_shielded = bool(shielded(item, viewer))
    return {
        "public_id": item.public_id,
        "title": item.title,
        "slug": item.slug,
        "url": item.get_absolute_url(),
        "rating": item.rating,
        "content_flags": list(item.content_flags or []),
        "content_warning": item.content_warning,
        "shielded": is_shielded,
        "thumbnail_url": None if is_shielded else card_image_url(item, viewer),
        "author": author_out(item.author),
        "added_at": item.added_at,
        "occurred_on": item.occurred_on,
        "occurred_precision": item.occurred_precision,
        "location_label": item.location_label,
        "place": place_out(item),
        "tags": [tag_ref(t) for t in tags],
        "counts": counts_out(item),
        "snippet_html": None if is_shielded else snippet_html,
    }


def item_card(item: Item, viewer: Viewer, snippet_html: str | None = None) -> ItemCardOut:
    """A card from a row of items.selectors._with_tags (tags and pictures prefetched)."""
    tags = [link.tag for link in item.tag_links.all()]
    return ItemCardOut(**card_fields(item, viewer, tags, snippet_html))


class ItemFilters(Schema):
    """The words, filters and sorts of /search."""

    q: str | None = Field(
        None,
        description='Words that must all match (title, tags, channels, places, article); "quoted words" '
        "match as a phrase; -word leaves out items with it. Cut at 200 characters.",
        examples=["convoy Homs"],
    )
    sort: SortValue | None = Field(
        None,
        description="relevance (the default with `q`; ranks the newest matches), newest (the default "
        "otherwise), played, voted, occurred (the event's date, unknown last).",
    )
    rating: RatingValue | None = None
    channel: str | None = Field(None, description="A channel's slug.", examples=["syria"])
    tag: str | None = Field(None, description="A tag (any case).", examples=["Qalamoun"])
    country: str | None = Field(None, description="Two-letter country code of the item's place.", examples=["SY"])
    place: str | None = Field(None, description="A place name, or part of the location as typed.", examples=["Homs"])
    occurred_from: IsoDate | None = Field(None, description="Event on or after this date.")
    occurred_to: IsoDate | None = Field(None, description="Event on or before this date.")
    added_from: IsoDate | None = Field(None, description="Posted on or after this date.")
    added_to: IsoDate | None = Field(None, description="Posted on or before this date.")
    has_video: bool | None = Field(None, description="Only items with a playable video.")
    duration: DurationValue | None = Field(
        None, description="Length of the main video: short (< 1 min), medium (1-5), long (5-20), longer (> 20)."
    )


class TagOut(TagRefOut):
    items_count: int = Field(..., description="Items with this tag that you may see listed.", examples=[12])


class TagPage(Page):
    items: list[TagOut]


class TagItemPage(ItemPage):
    tag: TagRefOut
