"""Maps in a browser: the item page's on-demand map, the world map (/map) with its
clusters, popups and filters, its list when tiles fail or JavaScript is off, and a
current-event channel's map. Tiles are answered locally (conftest): the tests look at
markers, popups and the attribution, never at tile images."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import assert_clean, make_channel, make_item, make_user, no_horizontal_scroll, shot
from playwright.sync_api import Browser, Page, expect

from fieldcast.core.testing.factories import PlaceFactory
from fieldcast.items.models import Item

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def locate(item: Item, **fields: Any) -> Item:
    Item.objects.filter(pk=item.pk).update(**fields)
    item.refresh_from_db()
    return item


@pytest.fixture
def mapped(transactional_db: None) -> dict[str, Any]:
    homs = PlaceFactory()
    kyiv = PlaceFactory(name="Kyiv", country_code="UA", country_name="Ukraine", latitude=50.45, longitude=30.52)
    author = make_user(username="stringer")
    event = make_channel(slug="homs-siege", name="Homs siege", owner=author, is_current_event=True)
    items = {
        "market": locate(make_item(author=author, title="حمص: السوق", channels=[event]), place=homs),
        "checkpoint": locate(make_item(author=author, title="Checkpoint at dawn", channels=[event]), place=homs),
        "pinned": locate(make_item(author=author, title="Pinned by the river"), pin_latitude=34.9, pin_longitude=36.4),
        "metro": locate(make_item(author=author, title="Kyiv metro shelter"), place=kyiv),
        "private": locate(make_item(author=author, title="Private footage", visibility="private"), place=homs),
    }
    make_item(author=author, title="Nowhere in particular")
    return {"items": items, "event": event}


def test_item_page_loads_its_map_on_demand(
    page: Page, live_server: Any, mapped: dict[str, Any], tmp_path: Path
) -> None:
    page.goto(mapped["items"]["metro"].get_absolute_url())
    container = page.locator("#item-map")
    expect(container).to_be_hidden()
    button = page.get_by_role("button", name="(load item map)")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(container).to_be_visible()
    expect(container.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(container.locator(".leaflet-marker-icon")).to_have_attribute("title", re.compile("Kyiv"))
    expect(container.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    container.locator(".leaflet-marker-icon").click()
    expect(container.locator(".leaflet-popup-content")).to_contain_text("Kyiv")
    shot(page, tmp_path, "1-item-map")
    assert_clean(page)


def test_world_map_clusters_filters_and_opens_items(
    page: Page, live_server: Any, mapped: dict[str, Any], tmp_path: Path
) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Map").click()
    page.wait_for_url("**/map")
    canvas = page.locator("#world-map")
    expect(canvas).to_be_visible()
    expect(page.locator("#map-fallback")).to_be_hidden()  # the map is drawn: no list needed
    expect(canvas.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    # At the world view the three Syrian items share a cell; Kyiv is alone.
    cluster = canvas.locator(".map-cluster")
    expect(cluster).to_have_count(1)
    expect(cluster).to_have_text("3")
    expect(canvas.locator("img.leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#world-map-status")).to_have_text("4 items in this part of the map.")
    cluster.click()
    popup = canvas.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("3 items here")
    expect(popup.get_by_role("link", name="حمص: السوق")).to_have_attribute("dir", "auto")
    expect(popup).not_to_contain_text("Private footage")
    shot(page, tmp_path, "2-world-cluster")
    # Zooming in splits the cell.
    popup.get_by_role("button", name="Zoom in on these items").click()
    expect(cluster).to_have_text("2")  # the two items at Homs
    marker = canvas.locator("img.leaflet-marker-icon")
    expect(marker).to_have_count(1)
    expect(marker).to_have_attribute("title", "Pinned by the river")  # its own pin, off the city
    shot(page, tmp_path, "3-zoomed")

    # The search filters narrow the map.
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Country code").fill("UA")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/map?*country=UA*")
    expect(page.locator("#world-map-status")).to_have_text("1 item in this part of the map.")
    expect(marker).to_have_count(1)
    marker.click()
    canvas.locator(".leaflet-popup-content").get_by_role("link", name="Kyiv metro shelter").click()
    page.wait_for_url("**" + mapped["items"]["metro"].get_absolute_url())
    assert_clean(page)


def test_world_map_falls_back_to_a_list_when_tiles_fail(
    page: Page, live_server: Any, mapped: dict[str, Any], tmp_path: Path
) -> None:
    page.route("**/tile.openstreetmap.org/**", lambda route: route.abort())
    page.goto("/map")
    fallback = page.locator("#map-fallback")
    expect(fallback).to_be_visible()
    expect(fallback.locator(".map-fallback-note")).to_be_visible()
    expect(fallback.locator(".card")).to_have_count(4)
    expect(fallback).not_to_contain_text("Nowhere in particular")
    expect(fallback).not_to_contain_text("Private footage")
    shot(page, tmp_path, "4-tiles-failed")
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_world_map_without_javascript_is_a_list(browser: Browser, live_server: Any, mapped: dict[str, Any]) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/map?country=SY")
        expect(page.locator("#world-map")).to_be_hidden()
        fallback = page.locator("#map-fallback")
        expect(fallback).to_be_visible()
        expect(fallback.locator(".card")).to_have_count(2)  # the country is the place's: a bare pin has none
        expect(fallback.get_by_text("حمص: السوق")).to_be_visible()
    finally:
        context.close()


def test_current_event_channel_map(page: Page, live_server: Any, mapped: dict[str, Any], tmp_path: Path) -> None:
    page.goto(mapped["event"].get_absolute_url())
    canvas = page.locator("#channel-map")
    expect(canvas).to_be_visible()
    # The map fits the channel's items: both at Homs, one marker of two at that zoom.
    expect(canvas.locator(".map-cluster")).to_have_text("2")
    expect(page.locator("#channel-map-status")).to_have_text("2 items in this part of the map.")
    expect(page.locator("#channel-map-fallback")).to_be_hidden()
    shot(page, tmp_path, "5-channel-map")
    assert_clean(page)


def test_world_map_on_a_phone(phone_page: Page, live_server: Any, mapped: dict[str, Any], tmp_path: Path) -> None:
    phone_page.goto("/map")
    expect(phone_page.locator("#world-map")).to_be_visible()
    expect(phone_page.locator("#world-map .map-cluster")).to_have_text("3")
    scroll_width, width = no_horizontal_scroll(phone_page)
    assert scroll_width <= width
    shot(phone_page, tmp_path, "6-phone")
    assert_clean(phone_page)
