"""Reads about members: blocks, verified email, profile figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from .models import Block, User

if TYPE_CHECKING:
    import datetime

    from fieldcast.moderation.viewer import Viewer


def _member_id(user: Any) -> int | None:
    """A member's id from a User, an id, or None for guests (AnonymousUser, None)."""
    if user is None:
        return None
    if isinstance(user, int):
        return user
    return user.pk if user.is_authenticated else None


def blocked_ids(user: Any) -> set[int]:
    """Ids of the members `user` (a User or an id) blocked; empty for guests."""
    user_id = _member_id(user)
    if user_id is None:
        return set()
    return set(Block.objects.filter(blocker_id=user_id).values_list("blocked_id", flat=True))


def blocked_by_ids(user: Any) -> set[int]:
    """Ids of the members who blocked `user` (a User or an id); empty for guests."""
    user_id = _member_id(user)
    if user_id is None:
        return set()
    return set(Block.objects.filter(blocked_id=user_id).values_list("blocker_id", flat=True))


def blocks_between(a: Any, b: Any) -> bool:
    """True when either member blocked the other (Users or ids; guests never are)."""
    a_id, b_id = _member_id(a), _member_id(b)
    if a_id is None or b_id is None or a_id == b_id:
        return False
    return Block.objects.filter(Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)).exists()


def blocks_made(user: User) -> list[Block]:
    """The settings page's blocked list, newest first."""
    return list(Block.objects.filter(blocker=user).select_related("blocked").order_by("-created_at", "-id"))


def user_email_verified(user: Any) -> bool:
    """The member's primary (or only) email address is verified."""
    from allauth.account.models import EmailAddress

    if user is None or not user.is_authenticated:
        return False
    return EmailAddress.objects.filter(user_id=user.pk, verified=True).exists()


def user_may_be_trusted(user: User) -> bool:
    """Trust (reports that count toward holding an item) needs a verified email address,
    so one person cannot hold items with a handful of throwaway accounts."""
    return user.is_active and user.deleted_at is None and user_email_verified(user)


@dataclass(frozen=True)
class ProfileStats:
    items: int
    plays: int
    comments: int
    member_since: datetime.datetime


def profile_stats(member: User, viewer: Viewer) -> ProfileStats:
    """The figures under a member's name (two queries): the items the viewer may list
    and the plays they drew, and the member's comments that still stand."""
    from fieldcast.community.models import Comment
    from fieldcast.items.models import Item

    totals = (
        Item.objects.visible_to(viewer)
        .filter(author_id=member.pk)
        .aggregate(items=Count("id"), plays=Coalesce(Sum("plays_count"), 0))
    )
    comments = Comment.objects.filter(author_id=member.pk, is_deleted=False).count()
    return ProfileStats(
        items=totals["items"], plays=int(totals["plays"]), comments=comments, member_since=member.date_joined
    )
