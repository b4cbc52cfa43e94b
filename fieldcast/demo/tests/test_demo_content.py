"""What the demo contains. The demo is loaded once for this module, inside a
transaction rolled back at the end; each test runs in a savepoint within it."""

from __future__ import annotations

import datetime
import unicodedata

import pytest
from django.db.models import Count
from django.utils import timezone

from fieldcast.accounts.models import User
from fieldcast.channels.models import Channel
from fieldcast.community.models import Comment
from fieldcast.demo.data import DEMO_CREDENTIALS, USERS
from fieldcast.demo.loader import ITEMS
from fieldcast.items.models import DatePrecision, Item, Moderation, Rating, Visibility

pytestmark = pytest.mark.django_db


def _script(text: str, name: str) -> bool:
    return any(unicodedata.name(ch, "").startswith(name) for ch in text)


def test_creates_the_demo_accounts(demo):
    usernames = {spec["username"] for spec in USERS}
    assert set(User.objects.values_list("username", flat=True)) == usernames
    assert {c["username"] for c in DEMO_CREDENTIALS} == usernames
    assert not User.objects.filter(is_demo=False).exists()
    assert demo.users == len(usernames)

    moderator = User.objects.get(username="moderator")
    assert moderator.groups.filter(name="moderators").exists()
    assert not moderator.is_staff
    admin = User.objects.get(username="admin")
    assert admin.is_staff
    assert admin.is_superuser
    member = User.objects.get(username="member")
    assert member.adult_confirmed_at is not None
    assert not member.is_minor()
    teen = User.objects.get(username="teen_viewer")
    assert teen.is_minor()
    assert teen.adult_confirmed_at is None
    # Every member has a personal channel.
    assert Channel.objects.filter(kind=Channel.Kind.PERSONAL).count() == len(usernames)


def test_demo_passwords_work_only_with_debug(demo, settings):
    member = User.objects.get(username="member")
    settings.DEBUG = True
    assert member.check_password("demo-member")
    settings.DEBUG = False
    assert not member.check_password("demo-member")


def test_creates_the_channels(demo):
    syria = Channel.objects.get(slug="syria")
    assert syria.kind == Channel.Kind.TOPIC
    assert syria.is_current_event
    assert Channel.objects.get(slug="ukraine").is_current_event
    assert set(Channel.objects.filter(kind=Channel.Kind.TOPIC).values_list("slug", flat=True)) == {
        "syria", "ukraine", "protests", "disasters", "accidents",
    }  # fmt: skip
    for slug in ("featured", "must-see"):
        channel = Channel.objects.get(slug=slug)
        assert channel.kind == Channel.Kind.EDITORIAL
        assert channel.owner is not None
        assert channel.owner.username == "admin"
        assert 4 <= channel.items.count() <= 6


def test_creates_items_in_every_rating_language_and_state(demo):
    items = Item.objects.all()
    assert items.count() == len(ITEMS) >= 32
    assert demo.items == len(ITEMS)
    assert set(items.values_list("rating", flat=True)) == set(Rating.values)
    assert items.filter(rating=Rating.MA).count() >= 5
    assert items.values("author").distinct().count() >= 5

    arabic = next(spec["title"] for spec in ITEMS if _script(spec["title"], "ARABIC"))
    assert Item.objects.get(title=arabic).title == arabic  # stored intact, not mangled or normalised
    assert "حلب" in Item.objects.get(title=arabic).body
    for lang in ("ar", "uk", "ru", "es"):
        titles = [spec["title"] for spec in ITEMS if spec["lang"] == lang]
        assert titles, lang
        assert Item.objects.filter(title__in=titles).count() == len(titles), lang

    assert set(items.values_list("occurred_precision", flat=True)) == set(DatePrecision.values)
    assert items.filter(occurred_time__isnull=False).exclude(occurred_tz="").exists()
    assert items.filter(visibility=Visibility.UNLISTED).count() >= 2
    assert items.filter(visibility=Visibility.PRIVATE).count() == 1
    removed = items.get(moderation=Moderation.REMOVED)
    assert removed.moderation_reason
    assert items.filter(moderation=Moderation.HELD).count() == 1
    assert items.exclude(source="").count() == items.count()


def test_items_are_filed_placed_tagged_and_dated(demo):
    homs = Item.objects.get(title="Homs: the old souk reopens after restoration")
    assert homs.place is not None
    assert (homs.place.name, homs.place.kind, homs.place.country_code) == ("Homs", "city", "SY")
    lebanon = Item.objects.get(title="Tripoli, Lebanon: fuel tanker explodes at a petrol station")
    libya = Item.objects.get(title="Tripoli, Libya: protesters push through the parliament gate")
    assert lebanon.place is not None
    assert libya.place is not None
    assert (lebanon.place.country_code, libya.place.country_code) == ("LB", "LY")
    assert not Item.objects.filter(place__isnull=True).exclude(location_label="").exists()

    # "Syria, qalamoon, Qalamoun, ..., syria": one tag per key, the first spelling kept.
    yabroud = Item.objects.get(title="The Battle for Yabroud Has Started")
    assert list(yabroud.tags.values_list("name", flat=True)).count("Syria") == 1
    assert not yabroud.tags.filter(name="syria").exists()
    assert yabroud.body_html.count("<p>") >= 3
    assert "<a href=" in yabroud.body_html

    now = timezone.now()
    added = sorted(Item.objects.values_list("added_at", flat=True))
    assert added[0] >= now - datetime.timedelta(days=61)
    assert added[-1] <= now
    assert added[-1] - added[0] >= datetime.timedelta(days=45)
    for item in Item.objects.exclude(occurred_time=None):
        assert item.occurred_on is not None
        assert item.occurred_on <= item.added_at.date() + datetime.timedelta(days=1)

    public = Item.objects.exclude(visibility=Visibility.PRIVATE)
    assert not public.annotate(n=Count("channel_links")).filter(n=0).exists()
    assert not public.annotate(n=Count("channel_links")).filter(n__gt=3).exists()


def test_counters_agree_with_the_rows(demo):
    for item in Item.objects.annotate(
        n_comments=Count("comments", distinct=True),
        n_links=Count("channel_links", distinct=True),
        n_updates=Count("updates", distinct=True),
    ):
        assert item.comments_count == item.n_comments, item.title
        assert item.channels_count == item.n_links, item.title
        assert item.updates_count == item.n_updates, item.title
        assert item.embed_plays_count <= item.plays_count <= item.views_count, item.title
    assert Item.objects.filter(update_of__isnull=False).count() >= 4
    yabroud = Item.objects.get(title="The Battle for Yabroud Has Started")
    assert yabroud.updates_count == 2
    assert (yabroud.plays_count, yabroud.embed_plays_count, yabroud.views_count) == (3425, 0, 5460)
    assert Comment.objects.count() == demo.comments > len(ITEMS)
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Comment.objects.values("author").distinct().count() >= 5
    teen_on_ma = Comment.objects.filter(author__username="teen_viewer", item__rating=Rating.MA)
    assert not teen_on_ma.exists()
