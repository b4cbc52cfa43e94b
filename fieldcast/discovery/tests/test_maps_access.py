"""/map/items.json in the Safe Mode walk: the world of items/tests/test_access_surfaces.py
(a GA, a PG and an MA item with their files) asked for by every kind of viewer under
each policy. The MA item comes as the lists show it: with its thumbnail, shielded (MA,
no thumbnail, no URL of its files anywhere in the answer) or absent."""

from __future__ import annotations

import json

import pytest

from fieldcast.items.models import Item
from fieldcast.items.tests.test_access_surfaces import MA_CARD, POLICIES, VIEWERS, World, asset_of, make_world

URL = "/map/items.json?zoom=18"


@pytest.fixture
def world(db, tmp_path, settings) -> World:  # type: ignore[no-untyped-def]
    world = make_world(tmp_path, settings)
    for n, item in enumerate(world.items.values()):
        Item.objects.filter(pk=item.pk).update(pin_latitude=30 + n, pin_longitude=30 + n)
    return world


@pytest.mark.parametrize("viewer", VIEWERS)
def test_map_json_follows_the_lists(world, settings, viewer) -> None:  # type: ignore[no-untyped-def]
    client = world.client(viewer)
    ma_asset = world.assets["MA"].public_id
    for policy in POLICIES:
        settings.SAFE_MODE_POLICY = policy
        context = f"{viewer} ({policy})"
        response = client.get(URL)
        assert response.status_code == 200, context
        body = response.content.decode()
        entries = {i["title"]: i for cell in json.loads(body)["cells"] for i in cell["items"]}
        for rating in ("GA", "PG"):
            entry = entries[world.items[rating].title]
            assert entry["thumbnail"], context
            assert asset_of(entry["thumbnail"]) == world.assets[rating].public_id, context
            assert entry["shielded"] is False, context
        expected = MA_CARD[policy][viewer]
        ma = entries.get(world.items["MA"].title)
        if expected == "absent":
            assert ma is None, context
        elif expected == "blurred":
            assert ma is not None, context
            assert (ma["rating"], ma["shielded"], ma["thumbnail"]) == ("MA", True, None), context
            assert not any(e["thumbnail"] and asset_of(e["thumbnail"]) == ma_asset for e in entries.values()), context
        else:
            assert ma is not None, context
            assert ma["thumbnail"], context
            assert asset_of(ma["thumbnail"]) == ma_asset, context
            assert client.get(ma["thumbnail"]).status_code == 200, context
