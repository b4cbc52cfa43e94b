"""Deleting an account: the member is gone at once, their content follows in a task.

`account_delete` (in the request) turns the row into a tombstone: inactive, a
`deleted-…` username (the old one is free again), no email, no password, no profile,
no avatar, no second factor, no blocks, no notifications; every session ends because
the password hash changed. The row stays so that what other apps keep pointing at it
(votes, audit entries, reports) stays consistent. Then, as the member chose:

- keep content (anonymised): their items and comments stay with no author and show
  "[deleted account]"; votes stay as anonymous contributions to scores;
- delete content: `account_purge_content` (a task on the "default" queue, enqueued on
  commit) deletes their items through `items.services.item_delete`, their comments
  through the community service, and their votes, with every counter kept exact.

In both cases the task also deletes the personal channel, favorites and subscriptions.
The task is idempotent: it works from what is left, so a second run changes nothing.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from fieldcast.items.counters import item_counter_add

from .models import Block, User

logger = logging.getLogger(__name__)

# Rows handled per transaction in the purge, so no single transaction grows with the account.
PURGE_BATCH = 100


def tombstone_username() -> str:
    return f"deleted-{secrets.token_hex(6)}"


@transaction.atomic
def account_delete(*, user: User, keep_content: bool) -> None:
    """Deactivate and wipe the account now; content follows as described above."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    from .services import user_remove_avatar

    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deleted_at is not None:
        return
    user_remove_avatar(user=user)
    user.username = tombstone_username()
    user.email = ""
    user.first_name = user.last_name = ""
    user.display_name = user.bio = user.bio_html = ""
    user.date_of_birth = None
    user.favorites_public = False
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.trusted_by_moderator = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Block.objects.filter(blocker=user).delete()
    Block.objects.filter(blocked=user).delete()
    _notifications_delete(user)
    if keep_content:
        _content_anonymise(user)
    user_id = user.pk
    transaction.on_commit(lambda: account_purge_content.enqueue(user_id, keep_content=keep_content))


def _content_anonymise(user: User) -> None:
    """Items and comments stay, with no author: one UPDATE each, whatever their number."""
    from fieldcast.community.models import Comment
    from fieldcast.core import pagecache
    from fieldcast.items.models import Item

    Item.objects.filter(author=user).update(author=None)
    Comment.objects.filter(author=user).update(author=None)
    pagecache.item_visibility_changed()  # cached guest pages name the author


def _notifications_delete(user: User) -> None:
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(recipient=user).delete()


@task(queue_name="default")
def account_purge_content(user_id: int, keep_content: bool = True) -> None:
    """What `account_delete` leaves for later (safe to run twice)."""
    account_purge(user_id=user_id, keep_content=keep_content)


def account_purge(*, user_id: int, keep_content: bool) -> None:
    user = User.objects.filter(pk=user_id, deleted_at__isnull=False).first()
    if user is None:
        return
    _personal_channel_delete(user)
    _favorites_delete(user)
    _subscriptions_delete(user)
    if not keep_content:
        _items_delete(user)
        _comments_delete(user)
        _votes_delete(user)
    logger.info("account %s purged (content %s)", user_id, "kept anonymised" if keep_content else "deleted")


def _personal_channel_delete(user: User) -> None:
    from fieldcast.channels.models import Channel
    from fieldcast.channels.services import channel_delete

    for channel in Channel.objects.filter(kind=Channel.Kind.PERSONAL, owner=user):
        channel_delete(channel=channel)


def _favorites_delete(user: User) -> None:
    from fieldcast.community.models import Favorite

    while ids := list(Favorite.objects.filter(user=user).values_list("pk", flat=True)[:PURGE_BATCH]):
        with transaction.atomic():
            for favorite in Favorite.objects.select_for_update().filter(pk__in=ids):
                favorite.delete()
                item_counter_add(item_id=favorite.item_id, field="favorites_count", delta=-1)


def _votes_delete(user: User) -> None:
    from fieldcast.community.models import ItemVote

    while ids := list(ItemVote.objects.filter(user=user).values_list("pk", flat=True)[:PURGE_BATCH]):
        with transaction.atomic():
            for vote in ItemVote.objects.select_for_update().filter(pk__in=ids):
                vote.delete()
                item_counter_add(item_id=vote.item_id, field="vote_score", delta=-vote.value)
    CommentVote = _model("community", "CommentVote")
    if CommentVote is None:
        return
    Comment = apps.get_model("community", "Comment")
    while ids := list(CommentVote.objects.filter(user=user).values_list("pk", flat=True)[:PURGE_BATCH]):
        with transaction.atomic():
            for comment_vote in CommentVote.objects.select_for_update().filter(pk__in=ids):
                comment_vote.delete()
                Comment.objects.filter(pk=comment_vote.comment_id).update(score=F("score") - comment_vote.value)


def _subscriptions_delete(user: User) -> None:
    """Through the channels service, so every channel's subscriber count stays exact;
    curator roles end too."""
    from fieldcast.channels.models import Subscription
    from fieldcast.channels.subscriptions import subscription_remove

    while batch := list(Subscription.objects.filter(user=user).select_related("channel")[:PURGE_BATCH]):
        for subscription in batch:
            subscription_remove(user=user, channel=subscription.channel)
    Curator = _model("fcchannels", "Curator")
    if Curator is not None:
        Curator.objects.filter(user=user).delete()


def _items_delete(user: User) -> None:
    from fieldcast.items.models import Item
    from fieldcast.items.services import item_delete

    while batch := list(Item.objects.filter(author=user).order_by("pk")[:PURGE_BATCH]):
        for item in batch:
            item_delete(item=item)


def _comments_delete(user: User) -> None:
    """Through the community service, as if the member deleted each one: a comment with
    replies by others stays as a "[deleted]" placeholder (text cleared, author removed),
    one without replies disappears; the items' comment counts stay exact. Newest first,
    so the member's own replies go before the comments they answer."""
    from fieldcast.community.models import Comment
    from fieldcast.community.services import comment_remove

    while batch := list(Comment.objects.filter(author=user, is_deleted=False).order_by("-pk")[:PURGE_BATCH]):
        for comment in batch:
            comment_remove(comment=comment, actor=user)
    Comment.objects.filter(author=user).update(author=None)


def _model(app_label: str, name: str) -> Any:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None
