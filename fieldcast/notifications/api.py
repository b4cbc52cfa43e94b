"""Notifications in the REST API: the member's own, as /notifications shows them (each a
sentence whose items pass the access layer), and marking them read."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.http import Http404, HttpRequest
from ninja import Path, Query, Router, Schema
from pydantic import Field

from fieldcast.api.auth import MEMBER_AUTH, WRITE_AUTH, api_user, api_viewer
from fieldcast.api.pagination import Page, keyset_page, newest_first
from fieldcast.api.schemas import CURSOR_DESCRIPTION, LIMIT_DESCRIPTION, LIST_ERRORS, WRITE_ERRORS
from fieldcast.api.throttling import limit_write

from .models import Notification
from .selectors import Entry, entry_for, notifications_for, openable_item_ids, unread_count
from .services import notification_mark_read, notifications_mark_all_read

router = Router(tags=["Notifications"])
# Within the database's bigint: a larger number is refused (422), never a 500.
NotificationId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The notification's number.")]


class PartOut(Schema):
    text: str
    url: str = Field("", description="Where this part links to on the site; '' for plain words.")


class NotificationOut(Schema):
    id: int = Field(..., examples=[812])
    kind: Literal["reply", "mention", "channel_item", "update", "moderation", "curator_invite"]
    text: str = Field(
        ...,
        description="The sentence, as the site shows it.",
        examples=["amal replied to your comment on Shelling near the old market"],
    )
    parts: list[PartOut] = Field(..., description="The sentence in parts, with their links.")
    url: str = Field(..., description="Where opening it leads on the site.")
    actor: str | None = Field(None, description="The username of who did it, if a member.")
    item: str | None = Field(None, description="The item's public id, only while you may open it.")
    comment: int | None = Field(None, description="The comment's number (replies and mentions), while its item opens.")
    channel: str | None = Field(None, description="The channel's slug (new items, curator invitations).")
    created_at: datetime.datetime
    read_at: datetime.datetime | None = None
    is_unread: bool


class NotificationPage(Page):
    items: list[NotificationOut]
    unread_count: int = Field(..., description="All your unread notifications, not only this page's.")


class ReadAllOut(Schema):
    marked: int = Field(..., description="How many were unread.")
    unread_count: int


def notification_out(entry: Entry, openable: set[int]) -> NotificationOut:
    note = entry.notification
    item_open = note.item_id is not None and note.item_id in openable
    actor = note.actor
    return NotificationOut(
        id=note.pk,
        kind=note.kind,  # type: ignore[arg-type]
        text=entry.text,
        parts=[PartOut(text=p.text, url=p.url) for p in (*entry.parts, *entry.extra)],
        url=entry.target_url,
        actor=actor.username if actor is not None and actor.is_active else None,
        item=note.item.public_id if item_open and note.item is not None else None,
        comment=note.comment_id if item_open else None,
        channel=note.channel.slug if note.channel is not None else None,
        created_at=note.created_at,
        read_at=note.read_at,
        is_unread=note.read_at is None,
    )


def _outs(request: HttpRequest, notes: list[Notification]) -> list[NotificationOut]:
    openable = openable_item_ids(api_viewer(request), notes)
    return [notification_out(entry_for(note, openable), openable) for note in notes]


@router.get(
    "/notifications", auth=MEMBER_AUTH, response={200: NotificationPage, **LIST_ERRORS}, summary="Your notifications"
)
def notification_list(
    request: HttpRequest,
    unread: bool = Query(False, description="Only the unread ones."),
    cursor: str | None = Query(None, description=CURSOR_DESCRIPTION),
    limit: int = Query(20, ge=1, le=100, description=LIMIT_DESCRIPTION),
) -> NotificationPage:
    """Your notifications, newest first: replies, mentions, new items in your subscriptions,
    updates to favorites, moderation of your content, curator invitations. An item you can
    no longer open reads 'an item that is no longer available' and carries no id."""
    user = api_user(request)
    qs = notifications_for(user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    rows, next_cursor = keyset_page(qs, newest_first(), cursor=cursor, limit=limit, tag=f"notes-{int(unread)}")
    return NotificationPage(items=_outs(request, rows), next_cursor=next_cursor, unread_count=unread_count(user))


@router.post(
    "/notifications/{notification_id}/read",
    auth=WRITE_AUTH,
    response={200: NotificationOut, **WRITE_ERRORS},
    summary="Mark a notification read",
)
def notification_read(request: HttpRequest, notification_id: NotificationId) -> NotificationOut:
    """Mark one of your notifications read (again: no change)."""
    limit_write(request, "notifications")
    note = notifications_for(api_user(request)).filter(pk=notification_id).first()
    if note is None:
        raise Http404("You have no notification with this number.")
    notification_mark_read(notification=note)
    return _outs(request, [note])[0]


@router.post(
    "/notifications/read-all",
    auth=WRITE_AUTH,
    response={200: ReadAllOut, **WRITE_ERRORS},
    summary="Mark every notification read",
)
def notification_read_all(request: HttpRequest) -> ReadAllOut:
    """Mark all your unread notifications read."""
    limit_write(request, "notifications")
    user = api_user(request)
    marked = notifications_mark_all_read(user=user)
    return ReadAllOut(marked=marked, unread_count=unread_count(user))
