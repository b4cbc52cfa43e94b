"""Search's length filter: the duration of an item's main video (its first playable one)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory, attach_video_rows
from fieldcast.discovery.search import SearchFilters, search_items
from fieldcast.media.models import MediaAsset
from fieldcast.moderation.viewer import anonymous_viewer

pytestmark = pytest.mark.django_db


def titles(qs) -> list[str]:
    return sorted(i.title for i in qs)


def with_video(title: str, seconds: float, **kwargs) -> None:
    item = ItemFactory(title=title, **kwargs)
    asset = attach_video_rows(item)
    MediaAsset.objects.filter(pk=asset.pk).update(duration=seconds)


@pytest.fixture
def clips():
    with_video("Convoy short", 12.0)
    with_video("Convoy minute", 60.0)  # exactly one minute: "1 to 5 minutes", not "under 1 minute"
    with_video("Convoy long", 900.0)
    with_video("Convoy film", 3600.0)
    ItemFactory(title="Convoy text only")
    # The main video is the first one (by position): a long second clip does not count.
    item = ItemFactory(title="Convoy two clips")
    first = attach_video_rows(item, position=0)
    second = attach_video_rows(item, position=1)
    MediaAsset.objects.filter(pk=first.pk).update(duration=30.0)
    MediaAsset.objects.filter(pk=second.pk).update(duration=4000.0)
    # A video that is not playable yet is not the main video.
    item = ItemFactory(title="Convoy processing clip")
    pending = attach_video_rows(item)
    MediaAsset.objects.filter(pk=pending.pk).update(duration=20.0, playable=False)


def test_duration_bounds(clips):
    viewer = anonymous_viewer()
    f = SearchFilters
    assert titles(search_items(viewer, "convoy", filters=f(duration_max=60))) == ["Convoy short", "Convoy two clips"]
    assert titles(search_items(viewer, "convoy", filters=f(duration_min=60, duration_max=300))) == ["Convoy minute"]
    assert titles(search_items(viewer, "convoy", filters=f(duration_min=1200))) == ["Convoy film"]
    assert titles(search_items(viewer, "convoy", duration_min=300, duration_max=1200)) == ["Convoy long"]
    # No bound (0 or None): no filter, items without a video included.
    assert len(search_items(viewer, "convoy", filters=f(duration_min=0))) == 7
    # Every sort, and filters alone without words.
    for sort in ("relevance", "newest", "played", "voted", "occurred"):
        assert titles(search_items(viewer, "convoy", sort=sort, filters=f(duration_min=1200))) == ["Convoy film"]
    assert titles(search_items(viewer, "", filters=f(duration_max=60))) == ["Convoy short", "Convoy two clips"]


def test_duration_respects_the_access_layer():
    with_video("Checkpoint public clip", 10.0)
    with_video("Checkpoint private clip", 10.0, visibility="private")
    with_video("Checkpoint removed clip", 10.0, moderation="removed")
    assert titles(search_items(anonymous_viewer(), "checkpoint", duration_max=60)) == ["Checkpoint public clip"]


def test_search_page_length_choice(clips, django_assert_max_num_queries):
    client = Client()
    url = reverse("discovery:search")
    with django_assert_max_num_queries(12):
        page = client.get(url, {"q": "convoy", "duration": "long"}).content.decode()
    assert "Convoy long" in page
    assert "Convoy film" not in page
    assert "Convoy short" not in page
    assert '<label for="id_duration"' in page
    assert "5 to 20 minutes" in page
    page = client.get(url, {"q": "convoy", "duration": "short"}).content.decode()
    assert "Convoy short" in page
    assert "Convoy two clips" in page
    assert "Convoy long" not in page


def test_search_page_bad_length_is_reported_not_applied(clips):
    response = Client().get(reverse("discovery:search"), {"q": "convoy", "duration": "<script>forever"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "<script>forever" not in page
    assert "Convoy text only" in page
    assert "Convoy film" in page
