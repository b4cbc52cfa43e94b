"""Counters and the fan-out under parallel writers (separate connections; PostgreSQL in CI)."""

from __future__ import annotations

import pytest

from fieldcast.channels.models import Channel, Subscription
from fieldcast.channels.services import channel_add_item, channel_create
from fieldcast.channels.subscriptions import item_announce_to_subscribers, subscription_add, subscription_remove
from fieldcast.core.testing.concurrency import run_concurrently
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.notifications.models import Notification

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_parallel_subscribing_keeps_the_count_exact():
    channel = channel_create(owner=UserFactory(), name="Kharkiv", slug="kharkiv")
    members = [UserFactory() for _ in range(THREADS)]

    def churn(n: int) -> None:
        for _ in range(3):
            subscription_add(user=members[n], channel=channel)
            subscription_add(user=members[(n + 1) % THREADS], channel=channel)
            subscription_remove(user=members[(n + 2) % THREADS], channel=channel)
        subscription_add(user=members[n], channel=channel)

    run_concurrently(churn, THREADS)
    count = Channel.objects.values_list("subscribers_count", flat=True).get(pk=channel.pk)
    assert count == Subscription.objects.filter(channel=channel).count()  # which ones remain depends on timing
    for member in members:
        subscription_add(user=member, channel=channel)
    assert Channel.objects.values_list("subscribers_count", flat=True).get(pk=channel.pk) == THREADS


@pytest.mark.django_db(transaction=True)
def test_parallel_fan_outs_tell_each_subscriber_once():
    channel = channel_create(owner=UserFactory(), name="Kharkiv", slug="kharkiv")
    fans = [UserFactory() for _ in range(5)]
    for fan in fans:
        subscription_add(user=fan, channel=channel)
    item = ItemFactory()
    channel_add_item(channel=channel, item=item, actor=channel.owner)
    told: list[int] = []

    def fan_out(_: int) -> None:
        told.append(item_announce_to_subscribers(item_id=item.pk))

    run_concurrently(fan_out, 4)
    assert sum(told) == len(fans)
    for fan in fans:
        assert Notification.objects.filter(recipient=fan, item=item, kind="channel_item").count() == 1
