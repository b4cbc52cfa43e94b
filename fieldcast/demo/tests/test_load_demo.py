from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from fieldcast.accounts.models import User
from fieldcast.accounts.services import user_create
from fieldcast.channels.models import ChannelItem
from fieldcast.demo.data import DEMO_CREDENTIALS
from fieldcast.demo.loader import ITEMS, DemoConflict, load_demo
from fieldcast.items.models import COUNTER_FIELDS, Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return load_demo(media=False)  # media: test_demo_media.py


def _snapshot() -> tuple[dict[str, int], dict[tuple[str, str], dict[str, int]]]:
    counts = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    counters = {
        (item.author.username, item.title): {field: getattr(item, field) for field in COUNTER_FIELDS}
        for item in Item.objects.select_related("author")
    }
    return counts, counters


def test_running_twice_changes_nothing(demo):
    before = _snapshot()
    links_before = list(ChannelItem.objects.order_by("pk").values_list("channel_id", "item_id", "added_at"))

    again = load_demo(media=False)

    assert again.created == 0
    # Comments, votes, favorites, subscriptions and invitations are not counted as "existing".
    assert again.existing == demo.created - demo.comments - demo.community
    assert _snapshot() == before
    assert list(ChannelItem.objects.order_by("pk").values_list("channel_id", "item_id", "added_at")) == links_before


def test_refuses_to_post_as_a_real_account():
    user_create(username="admin", email="admin@example.org", password="a real password")
    with pytest.raises(DemoConflict):
        load_demo()
    assert not Item.objects.exists()
    assert User.objects.count() == 1
    with pytest.raises(CommandError, match="real account"):
        call_command("load_demo", stdout=StringIO())


def test_command_prints_the_credentials():
    out = StringIO()
    call_command("load_demo", "--no-media", stdout=out)
    text = out.getvalue()
    for credential in DEMO_CREDENTIALS:
        assert f"{credential['username']}" in text
        assert credential["password"] in text
    assert f"{len(ITEMS)} items" in text

    second = StringIO()
    call_command("load_demo", "--no-media", stdout=second)
    assert "Created 0 users, 0 places, 0 channels, 0 items and 0 comments" in second.getvalue()
