"""A member's data as one JSON document, streamed: constant memory however much there is.

Items carry their metadata and their files' descriptions, never `MediaAsset.probe` (the
original's GPS and device tags stay private, even from this export). Comments, votes and
favorites name items by public id only (an item may have become private or been removed
since; its title is not the member's data). Parts of the site that may not exist yet
(subscriptions) are looked up by name and left out when absent.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Prefetch

from .models import Block, User

CHUNK = 200
FORMAT_VERSION = 1


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_default)


def export_filename(user: User) -> str:
    return f"fieldcast-{user.username}-{datetime.date.today().isoformat()}.json"


def export_stream(user: User) -> Iterator[str]:
    """The export, in pieces: `{"profile": {...}, "items": [...], ...}`."""
    yield '{"format": "fieldcast-export", "version": ' + str(FORMAT_VERSION)
    yield ', "exported_at": ' + _dumps(datetime.datetime.now(datetime.UTC))
    yield ', "site": ' + _dumps(settings.SITE_URL)
    yield ', "profile": ' + _dumps(_profile(user))
    for name, rows in _sections(user):
        yield f', "{name}": ['
        first = True
        for row in rows:
            yield ("" if first else ", ") + _dumps(row)
            first = False
        yield "]"
    yield "}\n"


def _sections(user: User) -> Iterable[tuple[str, Iterable[dict[str, Any]]]]:
    yield "items", _items(user)
    yield "comments", _comments(user)
    yield "votes", _votes(user)
    yield "favorites", _favorites(user)
    subscriptions = _subscriptions(user)
    if subscriptions is not None:
        yield "subscriptions", subscriptions
    yield "blocks", _blocks(user)


def _profile(user: User) -> dict[str, Any]:
    from allauth.account.models import EmailAddress

    from .mfa import has_authenticator

    return {
        "username": user.username,
        "display_name": user.display_name,
        "bio": user.bio,
        "email": user.email,
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "date_of_birth": user.date_of_birth,
        "adult_confirmed_at": user.adult_confirmed_at,
        "safe_mode": user.safe_mode,
        "favorites_public": user.favorites_public,
        "has_avatar": bool(user.avatar_key),
        "two_factor_enabled": has_authenticator(user),
        "profile_url": settings.SITE_URL + f"/u/{user.username}",
    }


def _items(user: User) -> Iterator[dict[str, Any]]:
    from fieldcast.items.models import Item, ItemTag
    from fieldcast.media.models import MediaAsset
    from fieldcast.moderation.viewer import viewer_for_user

    assets = MediaAsset.objects.only(
        "public_id", "item_id", "kind", "status", "original_name", "size", "duration", "width", "height",
        "created_at", "position",
    ).order_by("position", "id")  # fmt: skip
    items = (
        # The access layer's answer for an author: every item of theirs but unsent drafts.
        Item.objects.authored_by_for(user.pk, viewer_for_user(user))
        .select_related("update_of")
        .prefetch_related(
            Prefetch("tag_links", queryset=ItemTag.objects.select_related("tag")),
            Prefetch("assets", queryset=assets),
        )
        .order_by("added_at", "id")
    )
    for item in items.iterator(chunk_size=CHUNK):
        yield {
            "public_id": item.public_id,
            "url": settings.SITE_URL + item.get_absolute_url(),
            "title": item.title,
            "body": item.body,
            "rating": item.rating,
            "content_flags": item.content_flags,
            "content_warning": item.content_warning,
            "lifecycle": item.lifecycle,
            "visibility": item.visibility,
            "moderation": item.moderation,
            "moderation_reason": item.moderation_reason,
            "added_at": item.added_at,
            "occurred_on": item.occurred_on,
            "occurred_precision": item.occurred_precision,
            "occurred_time": item.occurred_time,
            "occurred_tz": item.occurred_tz,
            "location": item.location_label,
            "source": item.source,
            "tags": [link.tag.name for link in item.tag_links.all()],
            "update_of": item.update_of.public_id if item.update_of else None,
            "comments_mode": item.comments_mode,
            "embeddable": item.embeddable,
            "counts": {
                "plays": item.plays_count,
                "embed_plays": item.embed_plays_count,
                "views": item.views_count,
                "comments": item.comments_count,
                "votes": item.vote_score,
                "favorites": item.favorites_count,
                "shares": item.shares_count,
            },
            "files": [
                {
                    "public_id": asset.public_id,
                    "kind": asset.kind,
                    "status": asset.status,
                    "original_name": asset.original_name,
                    "size": asset.size,
                    "duration": asset.duration,
                    "width": asset.width,
                    "height": asset.height,
                    "uploaded_at": asset.created_at,
                }
                for asset in item.assets.all()
            ],
        }


def _comments(user: User) -> Iterator[dict[str, Any]]:
    from fieldcast.community.models import Comment

    comments = Comment.objects.filter(author=user).select_related("item").order_by("created_at", "id")
    for comment in comments.iterator(chunk_size=CHUNK):
        yield {
            "id": comment.pk,
            "item": comment.item.public_id,
            "parent": comment.parent_id,
            "body": comment.body,
            "created_at": comment.created_at,
            "edited_at": comment.edited_at,
            "deleted": comment.is_deleted,
        }


def _votes(user: User) -> Iterator[dict[str, Any]]:
    from fieldcast.community.models import ItemVote

    votes = ItemVote.objects.filter(user=user).select_related("item").order_by("created_at", "id")
    for vote in votes.iterator(chunk_size=CHUNK):
        yield {"item": vote.item.public_id, "value": vote.value, "at": vote.created_at}


def _favorites(user: User) -> Iterator[dict[str, Any]]:
    from fieldcast.community.models import Favorite

    favorites = Favorite.objects.filter(user=user).select_related("item").order_by("created_at", "id")
    for favorite in favorites.iterator(chunk_size=CHUNK):
        yield {"item": favorite.item.public_id, "at": favorite.created_at}


def _subscriptions(user: User) -> Iterator[dict[str, Any]] | None:
    try:
        Subscription = apps.get_model("fcchannels", "Subscription")
    except LookupError:
        return None

    def rows() -> Iterator[dict[str, Any]]:
        subscriptions = Subscription.objects.filter(user=user).select_related("channel", "channel__owner")
        for subscription in subscriptions.order_by("pk").iterator(chunk_size=CHUNK):
            channel = subscription.channel
            yield {
                "channel": channel.slug,
                "name": channel.name,
                "kind": channel.kind,
                "member": channel.owner.username if channel.kind == "personal" and channel.owner else None,
                "at": getattr(subscription, "created_at", None),
            }

    return rows()


def _blocks(user: User) -> Iterator[dict[str, Any]]:
    for block in Block.objects.filter(blocker=user).select_related("blocked").order_by("created_at", "id"):
        yield {"member": block.blocked.username, "at": block.created_at}
