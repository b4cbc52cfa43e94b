"""The item form's location field in a browser: place suggestions by keyboard, the pin map."""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import assert_clean, login, make_user
from playwright.sync_api import Page, expect

from fieldcast.core.testing.factories import PlaceFactory
from fieldcast.items.models import Item

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_location_suggestions_and_pin(page: Page, live_server: Any, transactional_db: None) -> None:
    PlaceFactory(
        name="Tripoli", country_code="LY", country_name="Libya", latitude=32.89, longitude=13.19, population=1_170_000
    )
    PlaceFactory(
        name="Tripoli", country_code="LB", country_name="Lebanon", latitude=34.44, longitude=35.85, population=230_000
    )
    member = make_user(username="stringer")
    login(page, live_server, member)
    page.goto(f"{live_server.url}/new")

    location = page.get_by_label("Location", exact=True)
    location.fill("Trip")
    listbox = page.get_by_role("listbox", name="Suggested places")
    expect(listbox.get_by_role("option")).to_have_text(["Tripoli, Libya", "Tripoli, Lebanon"])
    expect(location).to_have_attribute("aria-expanded", "true")
    location.press("ArrowDown")
    location.press("ArrowDown")
    expect(location).to_have_attribute("aria-activedescendant", "id_location_label_suggestions_1")
    location.press("Enter")  # chooses, does not submit
    expect(location).to_have_value("Tripoli, Lebanon")
    expect(listbox).to_be_hidden()

    page.get_by_role("button", name="Drop a pin on a map").click()
    pin_map = page.locator("#pin-map")
    expect(pin_map.locator(".leaflet-tile-pane")).to_be_attached()
    box = pin_map.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2)
    expect(page.locator("#pin-status")).to_contain_text("Pin dropped at")
    latitude = float(page.get_by_label("Pin latitude (optional)").input_value())
    longitude = float(page.get_by_label("Pin longitude (optional)").input_value())
    assert abs(latitude - 34.44) < 1
    assert abs(longitude - 35.85) < 1

    page.get_by_label("Title").fill("Night market reopens")
    page.get_by_label("GA", exact=False).first.check()
    page.get_by_label("How exactly is the date known?").select_option("unknown")
    page.get_by_label("I agree to the terms of use").check()
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(lambda url: "/v/" in url)
    item = Item.objects.get()
    assert item.location_label == "Tripoli, Lebanon"
    assert item.place is not None
    assert item.place.country_code == "LB"
    assert item.pin_latitude is not None
    assert (round(item.pin_latitude, 5), round(item.pin_longitude or 0, 5)) == (round(latitude, 5), round(longitude, 5))
    assert_clean(page)
