"""The demo's community: conversations in several languages, votes, favorites, subscriptions,
a curator invitation, and a few notifications that show at once and are not sent twice."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from django.db.models import Sum

from fieldcast.accounts.models import User
from fieldcast.channels.models import Channel, Curator, Subscription
from fieldcast.channels.subscriptions import item_announce_to_subscribers
from fieldcast.community.models import Comment, Favorite, ItemVote
from fieldcast.community.notifying import comment_notify
from fieldcast.community.services_social import update_notify_favoriters
from fieldcast.demo.community import THREADS
from fieldcast.items.models import Item, Rating
from fieldcast.moderation.viewer import viewer_for_user
from fieldcast.notifications.models import Kind, Notification
from fieldcast.notifications.selectors import entries_for

pytestmark = pytest.mark.django_db


def _arabic(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("ARABIC") for ch in text)


def test_conversations_in_several_languages_with_replies_and_mentions(demo):
    for thread in THREADS:
        author, title = thread["item"]
        item = Item.objects.get(author__username=author, title=title)
        for post in thread["posts"]:
            comment = Comment.objects.get(item=item, author__username=post["author"], body=post["body"])
            if post["reply_to"] is not None:
                parent = thread["posts"][post["reply_to"]]
                assert comment.parent is not None
                assert comment.parent.body == parent["body"]
    arabic_replies = [c for c in Comment.objects.filter(parent__isnull=False) if _arabic(c.body)]
    assert arabic_replies
    # Mentions are links in the stored HTML; Arabic text stays intact.
    reply = arabic_replies[0]
    assert '/u/member"' in reply.body_html
    assert "باب الفرج" in reply.body_html


def test_votes_and_favorites_are_rows_from_the_demo_members(demo):
    voters = set(ItemVote.objects.values_list("user__username", flat=True))
    assert len(voters) >= 5
    assert "member" not in voters  # left to the person trying the demo
    assert Favorite.objects.filter(user__username="member").count() == 3
    assert not ItemVote.objects.filter(user__username="teen_viewer", item__rating=Rating.MA).exists()
    assert not ItemVote.objects.exclude(item__in=Item.objects.listed()).exists()
    # Nobody votes on their own items.
    assert not [v for v in ItemVote.objects.select_related("item") if v.item.author_id == v.user_id]
    assert demo.community >= ItemVote.objects.count() + Favorite.objects.count()


def test_the_counters_moved_with_the_rows(demo):
    # The loader's audience numbers come first; the demo members' votes are added on top.
    # An item with no audience numbers of its own ("counters" in its spec) shows exactly that.
    item = Item.objects.get(title="The Battle for Yabroud Has Started")
    votes = ItemVote.objects.filter(item=item).aggregate(total=Sum("value"))["total"] or 0
    assert item.vote_score == 4 + votes
    assert item.favorites_count == 1 + Favorite.objects.filter(item=item).count()


def test_subscriptions(demo):
    member = User.objects.get(username="member")
    followed = set(Subscription.objects.filter(user=member).values_list("channel__slug", "channel__kind"))
    assert ("syria", "topic") in followed
    assert any(kind == Channel.Kind.PERSONAL for _, kind in followed)
    for channel in Channel.objects.all():
        assert channel.subscribers_count == Subscription.objects.filter(channel=channel).count(), channel.slug


def test_the_demo_member_has_a_few_notifications_of_each_kind(demo):
    member = User.objects.get(username="member")
    kinds = Counter(Notification.objects.filter(recipient=member).values_list("kind", flat=True))
    assert kinds[Kind.REPLY] >= 2
    assert kinds[Kind.UPDATE] >= 2
    assert kinds[Kind.CHANNEL_ITEM] == 1  # subscribing does not announce what was there before
    assert kinds[Kind.CURATOR_INVITE] == 1
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).count() == sum(kinds.values())
    assert Curator.objects.get(user=member, channel__slug="disasters").status == Curator.Status.INVITED
    texts = [entry.text for entry in entries_for(viewer_for_user(member), list(member.notifications.all()))]
    assert any(text.startswith("nutsflipped replied to your comment on حلب") for text in texts)
    assert "New in Syria: Aleppo: unexploded shell removed from a schoolyard" in texts


def test_the_tasks_the_workers_run_later_send_nothing_twice(demo):
    before_last = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for item_id in Item.objects.values_list("pk", flat=True):
        item_announce_to_subscribers(item_id=item_id)
        update_notify_favoriters(update_id=item_id)
    for thread in THREADS:
        for post in thread["posts"]:
            comment = Comment.objects.get(body=post["body"])
            comment_notify(comment_id=comment.pk, mention_ids=[], reply=post["reply_to"] is not None)
    member = User.objects.get(username="member")
    assert Notification.objects.filter(recipient=member, kind=Kind.CHANNEL_ITEM).count() == 1
    # Only the loader's random replies (whose notifications wait for the worker) may add some.
    added = Notification.objects.filter(pk__gt=before_last)
    assert set(added.values_list("kind", flat=True)) <= {Kind.REPLY}
