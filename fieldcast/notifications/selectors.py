"""Reads of notifications: the page, the unread count, and one notification as a sentence.

Each notification becomes an `Entry`: a sentence made of parts (plain words, or a link) and
the address it opens. Items pass the access layer: an item the recipient can no longer open
(removed, made private) is named "an item that is no longer available", without its title or
link. The page costs a fixed number of queries: the notifications with their actor, item (and
the item it follows up), comment and channel in one, then the openable items in one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from fieldcast.core.pagination import KeysetPage, keyset_paginate
from fieldcast.items.models import Item

from .models import Kind, Notification

if TYPE_CHECKING:
    from fieldcast.accounts.models import User
    from fieldcast.moderation.viewer import Viewer

GONE_ITEM = "an item that is no longer available"


@dataclass(frozen=True)
class Part:
    """A piece of a sentence: words, or a link when `url` is set. `user_text` marks text a
    member wrote (titles, names), rendered with dir="auto"."""

    text: str
    url: str = ""
    user_text: bool = False


@dataclass(frozen=True)
class Entry:
    notification: Notification
    parts: tuple[Part, ...]
    target_url: str  # where opening it leads (the notifications page when nothing is left to see)
    extra: tuple[Part, ...] = ()  # e.g. the curator invitation's accept/decline link

    @property
    def text(self) -> str:
        return "".join(part.text for part in self.parts)

    @property
    def is_unread(self) -> bool:
        return self.notification.read_at is None

    @property
    def numbered_parts(self) -> list[tuple[int, Part]]:
        """The sentence's parts with the index `?part=` of the open view takes for each link."""
        return list(enumerate(self.parts))

    @property
    def numbered_extra(self) -> list[tuple[int, Part]]:
        return list(enumerate(self.extra, start=len(self.parts)))

    def link(self, index: int) -> str:
        """The address of link `index` (parts, then extra), or the target when there is none."""
        links = [part.url for part in (*self.parts, *self.extra)]
        if 0 <= index < len(links) and links[index]:
            return links[index]
        return self.target_url


def notifications_for(user: User):  # type: ignore[no-untyped-def]
    return Notification.objects.filter(recipient=user).select_related(
        "actor", "item", "item__update_of", "comment", "channel", "channel__owner"
    )


def unread_count(user: User) -> int:
    """One COUNT on the partial index notification_unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def openable_item_ids(viewer: Viewer, notifications: list[Notification]) -> set[int]:
    """Of the items these notifications name (follow-ups' originals included), those the
    viewer may open: one query, none when no item is named."""
    ids: set[int] = set()
    for note in notifications:
        if note.item_id is not None:
            ids.add(note.item_id)
            if note.item is not None and note.item.update_of_id is not None:
                ids.add(note.item.update_of_id)
    if not ids:
        return set()
    return set(Item.objects.openable_by(viewer).filter(pk__in=ids).values_list("pk", flat=True))


def notification_page(*, user: User, viewer: Viewer, cursor: str | None, size: int) -> tuple[list[Entry], str | None]:
    """A page of the member's notifications, newest first, and the cursor of the next one."""
    page: KeysetPage[Notification] = keyset_paginate(
        notifications_for(user), keys=("created_at", "id"), cursor=cursor, size=size
    )
    return entries_for(viewer, page.items), page.next_cursor


def entries_for(viewer: Viewer, notifications: list[Notification]) -> list[Entry]:
    openable = openable_item_ids(viewer, notifications)
    return [entry_for(note, openable) for note in notifications]


def _actor(note: Notification) -> Part:
    actor = note.actor
    if actor is None or not actor.is_active:
        return Part("A former member")
    return Part(
        actor.display_name or actor.username,
        reverse("accounts:profile", kwargs={"username": actor.username}),
        user_text=True,
    )


def _item(item: Item | None, openable: set[int]) -> Part:
    if item is None or item.pk not in openable:
        return Part(GONE_ITEM)
    return Part(item.title, item.get_absolute_url(), user_text=True)


def _on_comment(note: Notification, openable: set[int]) -> Part:
    """The item, linking to the comment's own page (the comment in its thread) when there is one."""
    part = _item(note.item, openable)
    if part.url and note.item is not None and note.comment_id is not None:
        url = reverse(
            "community:comment_detail", kwargs={"public_id": note.item.public_id, "comment_id": note.comment_id}
        )
        return Part(part.text, url, user_text=True)
    return part


# Moderation texts may end with where to read more: "... (details and appeal: /me/moderation)".
DETAILS = re.compile(r"\s*\((?P<label>[^():]{1,60}): (?P<path>/[^/\s()][^\s()]*)\)\s*$")


def _moderation_entry(note: Notification, openable: set[int], fallback: str) -> Entry:
    """ "Moderators <text> on <item>" for a short verb phrase ("removed your item"); a text
    that is a sentence of its own (the moderation app writes whole sentences) as written,
    with links to the item, if the member may still open it, and to the details."""
    text = note.text.strip()
    details = DETAILS.search(text)
    if details:
        text = text[: details.start()].rstrip()
    item = _item(note.item, openable) if note.item_id is not None else None
    parts: list[Part] = []
    if text[:1].islower():
        parts = [Part("Moderators "), Part(text, user_text=True)]
        if item is not None:
            parts += [Part(" on "), item]
    else:
        parts = [Part(text or "Moderators acted on your content", user_text=True)]
        if item is not None and item.url:
            parts += [Part(" · "), Part("see the item", item.url)]
    target = item.url if item is not None and item.url else ""
    if details:
        parts += [Part(" ("), Part(details["label"], details["path"]), Part(")")]
        target = target or details["path"]
    return Entry(note, tuple(parts), target or fallback)


def entry_for(note: Notification, openable: set[int]) -> Entry:
    """The sentence for one notification. `openable`: ids of items the recipient may open."""
    fallback = reverse("notifications:index")
    kind = note.kind
    if kind == Kind.REPLY:
        item = _on_comment(note, openable)
        return Entry(note, (_actor(note), Part(" replied to your comment on "), item), item.url or fallback)
    if kind == Kind.MENTION:
        item = _on_comment(note, openable)
        if note.item_id is None:
            return Entry(note, (_actor(note), Part(" mentioned you")), fallback)
        return Entry(note, (_actor(note), Part(" mentioned you on "), item), item.url or fallback)
    if kind == Kind.CHANNEL_ITEM:
        item = _item(note.item, openable)
        channel = _channel(note)
        return Entry(note, (Part("New in "), channel, Part(": "), item), item.url or channel.url or fallback)
    if kind == Kind.UPDATE:
        update = note.item
        original = update.update_of if update is not None and update.update_of_id is not None else None
        if original is None:  # told about the original only
            item = _item(update, openable)
            return Entry(note, (Part("An item you favorited, "), item, Part(", has an update")), item.url or fallback)
        first = _item(original, openable)
        second = _item(update, openable)
        return Entry(
            note,
            (Part("Update to "), first, Part(" you favorited: "), second),
            second.url or first.url or fallback,
        )
    if kind == Kind.MODERATION:
        return _moderation_entry(note, openable, fallback)
    if kind == Kind.CURATOR_INVITE:
        channel = _channel(note)
        extra: tuple[Part, ...] = ()
        if note.channel is not None:
            invitation = reverse("channels:invitation", kwargs={"slug": note.channel.slug})
            extra = (Part("Accept or decline", invitation),)
        target = extra[0].url if extra else fallback
        return Entry(note, (_actor(note), Part(" invited you to curate "), channel), target, extra)
    text = note.text.strip() or note.get_kind_display()
    return Entry(note, (Part(text, user_text=True),), fallback)


def _channel(note: Notification) -> Part:
    channel = note.channel
    if channel is None:
        return Part("a channel that no longer exists")
    return Part(channel.name, channel.get_absolute_url(), user_text=True)
