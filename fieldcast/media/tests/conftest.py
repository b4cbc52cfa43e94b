"""Fixtures and helpers for the uploader's pages (test_manage*.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.media.models import MediaAsset

WEB_PAGE = "This is a web page or text file, not a video or image."


def make_asset(owner, item=None, *, position=0, name="clip.mp4", **fields) -> MediaAsset:
    values = {"kind": "video", "status": "ready", "playable": True, "duration": 12.0, **fields}
    return MediaAsset.objects.create(owner=owner, item=item, position=position, original_name=name, **values)


@pytest.fixture
def item(member):
    item = ItemFactory(author=member, title="Shelling at dawn")
    return item


@pytest.fixture
def files(item, member):
    """Three files in order: a video, an image, a video still processing."""
    return [
        make_asset(member, item, position=0, name="first.mp4"),
        make_asset(member, item, position=1, name="photo.jpg", kind="image", duration=None, playable=False),
        make_asset(member, item, position=2, name="third.mov", status="processing", playable=False, progress=40,
                   step="transcode"),
    ]  # fmt: skip


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def order_of(item) -> list[str]:
    return list(MediaAsset.objects.filter(item=item).order_by("position", "id").values_list("original_name", flat=True))


def files_url(item, name="item_files", **kwargs) -> str:
    return reverse(f"media:{name}", kwargs={"public_id": item.public_id, **kwargs})
