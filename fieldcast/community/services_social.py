"""Writes for votes on items, favorites and follow-ups ("updates").

Votes and favorites take the state the member asks for (up, down, none; kept or not)
rather than a toggle, so that a double click, a retried request or two tabs sending
the same thing change nothing the second time. The item's counter moves with
`item_counter_add` (one F() update) in the same transaction as the row it counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as date_format

from fieldcast.core import pagecache
from fieldcast.items.counters import item_counter_add
from fieldcast.items.models import Item

from .models import Favorite, ItemVote, VoteValue

if TYPE_CHECKING:
    from fieldcast.accounts.models import User

# How many times to go round when a concurrent request creates or deletes the same row
# between our read and our write; two rounds settle every real interleaving.
_ATTEMPTS = 3

FollowUpState = tuple[int | None, bool]
# What an item that is no follow-up (or no longer exists) contributes to any original.
NOT_A_FOLLOW_UP: FollowUpState = (None, False)


def member_may_act(user: User) -> None:
    """Refuse a suspended member with a message saying until when."""
    until = user.suspended_until
    if until is not None and until > timezone.now():
        when = date_format(timezone.localtime(until), "M-d-Y H:i")
        raise PermissionDenied(f"Your account is suspended until {when}: you cannot vote or keep favorites until then.")


@transaction.atomic
def item_vote_set(*, item: Item, user: User, value: int) -> int:
    """Make `user`'s vote on `item` `value` (+1 up, -1 down, 0 none); the vote it now has.

    Up then down moves the score by -2; asking for the vote one already has changes nothing.
    """
    if value not in (VoteValue.UP, VoteValue.DOWN, 0):
        raise ValueError(f"A vote is +1, -1 or 0, not {value!r}")
    member_may_act(user)
    for _ in range(_ATTEMPTS):
        vote = ItemVote.objects.select_for_update().filter(item=item, user=user).first()
        if vote is None:
            if value == 0:
                return 0
            try:
                with transaction.atomic():  # a savepoint: a concurrent twin may insert first
                    ItemVote.objects.create(item=item, user=user, value=value)
            except IntegrityError:
                continue  # the twin's row is committed now: lock it and go on from there
            item_counter_add(item_id=item.pk, field="vote_score", delta=value)
            pagecache.item_changed(item.public_id)
            return value
        previous = vote.value
        if previous == value:
            return value
        if value == 0:
            vote.delete()
        else:
            vote.value = value
            vote.save(update_fields=["value", "updated_at"])
        item_counter_add(item_id=item.pk, field="vote_score", delta=value - previous)
        pagecache.item_changed(item.public_id)
        return value
    raise RuntimeError("The vote kept changing under us; try again.")  # pragma: no cover


@transaction.atomic
def item_favorite_set(*, item: Item, user: User, favorite: bool) -> bool:
    """Keep (`favorite=True`) or drop `item` from `user`'s favorites; whether it is one now."""
    member_may_act(user)
    if favorite:
        try:
            with transaction.atomic():  # a savepoint: the row may exist, or a twin may insert it
                Favorite.objects.create(item=item, user=user)
        except IntegrityError:
            return True
        item_counter_add(item_id=item.pk, field="favorites_count", delta=1)
        pagecache.item_changed(item.public_id)
        return True
    deleted, _ = Favorite.objects.filter(item=item, user=user).delete()
    if deleted:
        item_counter_add(item_id=item.pk, field="favorites_count", delta=-deleted)
        pagecache.item_changed(item.public_id)
    return False


# --- Follow-ups --------------------------------------------------------------------------
#
# `Item.updates_count` counts an original's *listed* follow-ups (ready + public + ok): the
# ones anybody can find. So it moves when a follow-up is created or deleted, is pointed at
# another original, or starts or stops being listed (processing finished, made private,
# held or removed by moderators). Whoever changes one of those fields of an item calls
#
#     before = follow_up_state(item)      # with the item's row locked
#     ...change and save it...
#     follow_up_moved(before=before, after=follow_up_state(item))
#
# (`after=NOT_A_FOLLOW_UP` when it is deleted). Holding the follow-up's row lock makes
# `before` true, so concurrent changes of one follow-up never move a count twice.


def follow_up_state(item: Item) -> FollowUpState:
    """What `item` contributes to an original's `updates_count`: (original's id, listed)."""
    return item.update_of_id, item.is_listed


def follow_up_moved(*, before: FollowUpState, after: FollowUpState, update_id: int | None = None) -> None:
    """Move the originals' `updates_count` from `before` to `after` (see above). When the
    follow-up `update_id` becomes listed under an original, the members who favorited that
    original hear about it (a task on the "default" queue, after the commit)."""
    if before == after:
        return
    (was_of, was_listed), (now_of, now_listed) = before, after
    if was_of is not None and was_listed:
        item_counter_add(item_id=was_of, field="updates_count", delta=-1)
    if now_of is not None and now_listed:
        item_counter_add(item_id=now_of, field="updates_count", delta=1)
        if update_id is not None:
            transaction.on_commit(lambda: _enqueue_update_notifications(update_id))


def _enqueue_update_notifications(update_id: int) -> None:
    from .tasks_social import notify_update_favoriters

    notify_update_favoriters.enqueue(update_id)


def update_notify_favoriters(*, update_id: int) -> int:
    """Tell each member who favorited the original that `update_id` follows it up
    (kind "update"); how many were told. Safe to run twice: a member already told about
    this update is skipped, and nothing is sent unless the update is listed now."""
    from fieldcast.notifications.models import Kind, Notification
    from fieldcast.notifications.services import notify

    update = Item.objects.select_related("author").filter(pk=update_id).first()
    if update is None or update.update_of_id is None or not update.is_listed:
        return 0
    told = Notification.objects.filter(kind=Kind.UPDATE, item_id=update.pk).values("recipient_id")
    favorites = (
        Favorite.objects.filter(item_id=update.update_of_id)
        .exclude(user_id__in=told)
        .select_related("user")
        .order_by("pk")
    )
    sent = 0
    for favorite in favorites.iterator(chunk_size=500):
        if notify(recipient=favorite.user, kind=Kind.UPDATE, actor=update.author, item=update) is not None:
            sent += 1
    return sent
