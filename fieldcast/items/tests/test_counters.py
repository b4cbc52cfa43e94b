"""Counters never lose an update: concurrent requests, each in its own thread and
database connection, against a real transactional database (PostgreSQL in CI)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fieldcast.channels.services import channel_add_item, channel_remove_item
from fieldcast.core.testing.concurrency import run_concurrently
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, UserFactory
from fieldcast.items.counters import item_counter_add
from fieldcast.items.models import Item

THREADS = 8
PER_THREAD = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_comment_posts_all_count(settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 1000
    settings.COMMENT_RATE_LIMIT_PER_MINUTE = 1000
    item = ItemFactory(title="Busy item")
    members = [UserFactory(username=f"poster{n}") for n in range(THREADS)]
    url = reverse("community:comment_post", kwargs={"public_id": item.public_id})

    def post_comments(n: int) -> None:
        client = Client()
        client.force_login(members[n])
        for k in range(PER_THREAD):
            response = client.post(url, {"body": f"comment {n}-{k}"})
            assert response.status_code == 302, response.status_code

    run_concurrently(post_comments, THREADS)
    item.refresh_from_db()
    assert item.comments.count() == THREADS * PER_THREAD
    assert item.comments_count == THREADS * PER_THREAD


@pytest.mark.django_db(transaction=True)
def test_concurrent_counter_moves_add_up():
    item = ItemFactory()

    def bump(n: int) -> None:
        for _ in range(25):
            item_counter_add(item_id=item.pk, field="plays_count", delta=1)
            item_counter_add(item_id=item.pk, field="vote_score", delta=-1 if n % 2 else 1)

    run_concurrently(bump, THREADS)
    item.refresh_from_db()
    assert item.plays_count == THREADS * 25
    assert item.vote_score == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_channel_filing_counts_each_channel_once():
    author = UserFactory()
    item = ItemFactory(author=author)
    channels = [ChannelFactory(owner=author) for _ in range(THREADS)]

    def file_twice(n: int) -> None:
        channel_add_item(channel=channels[n], item=item, actor=author)
        channel_add_item(channel=channels[(n + 1) % THREADS], item=item, actor=author)

    run_concurrently(file_twice, THREADS)
    item.refresh_from_db()
    assert item.channels_count == THREADS == item.channel_links.count()


def test_counters_never_go_below_zero(db):
    item = ItemFactory()
    channel = ChannelFactory()
    assert channel_remove_item(channel=channel, item=item) is False
    item_counter_add(item_id=item.pk, field="comments_count", delta=-3)
    assert Item.objects.get(pk=item.pk).comments_count == 0


def test_unknown_counter_is_refused(db):
    with pytest.raises(ValueError, match="not an item counter"):
        item_counter_add(item_id=1, field="title", delta=1)
