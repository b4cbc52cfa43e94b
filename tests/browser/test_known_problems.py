"""Problems found while writing the journeys, kept as expected failures until fixed.

Each test says what a person meets today. When one starts passing (XPASS in the
summary), the problem is fixed: drop its xfail marker.
"""

from __future__ import annotations

from typing import Any

import pytest
from browser_helpers import hold_requests, login, make_item, make_user, release
from playwright.sync_api import Page, expect

from fieldcast.core.testing.factories import PlaceFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Each aria-describedby id that names no element on the page.
DANGLING_DESCRIBEDBY = """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(el =>
  el.getAttribute('aria-describedby').split(/\\s+/).filter(id => id && !document.getElementById(id))
    .map(id => `${el.name || el.tagName}: #${id}`))"""


@pytest.mark.xfail(
    reason="_field.html gives hints the id <auto_id>_help, but Django's widgets point aria-describedby at "
    "<auto_id>_helptext: screen readers never hear the hints of Article, Occurred on, Time zone, Location, "
    "Source, Tags and Embeddable",
    strict=False,
)
def test_item_form_hints_are_tied_to_their_fields(page: Page, live_server: Any, transactional_db: None) -> None:
    login(page, live_server, make_user(username="hints"))
    page.goto("/new")
    dangling = page.evaluate(DANGLING_DESCRIBEDBY)
    assert dangling == [], f"aria-describedby names missing elements: {dangling}"


@pytest.mark.xfail(
    reason="the rating error is not referenced by its fieldset or radios (aria-describedby), so a screen "
    "reader on a rating radio hears 'invalid' without the reason",
    strict=False,
)
def test_rating_error_is_tied_to_the_rating_group(page: Page, live_server: Any, transactional_db: None) -> None:
    login(page, live_server, make_user(username="rating"))
    page.goto("/new")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#id_rating_error")).to_be_visible()
    described = page.evaluate(
        """() => [document.querySelector('fieldset:has(input[name=rating])'),
                 ...document.querySelectorAll('input[name=rating]')]
          .some(el => (el.getAttribute('aria-describedby') || '').split(/\\s+/).includes('id_rating_error'))"""
    )
    assert described


@pytest.mark.xfail(
    reason="the home page has no <h1> (its first heading is the h2 'Recent items'), so screen-reader users "
    "who jump to the main heading find none",
    strict=False,
)
def test_home_page_has_a_main_heading(page: Page, transactional_db: None) -> None:
    make_item(title="Anything")
    page.goto("/")
    expect(page.get_by_role("heading", name="Recent items")).to_be_visible()
    assert page.get_by_role("heading", level=1).count() == 1


@pytest.mark.xfail(
    reason="site.js adds leaflet.css and leaflet.js together and builds the map as soon as the script loads; "
    "when the script wins the race, Leaflet cannot read its image path from the stylesheet and falls back to "
    "/static/vendor/leafletmarker-icon.png (404): the marker is a broken image. Seen under load in the phone journey",
    strict=False,
)
def test_map_marker_survives_the_script_arriving_before_the_stylesheet(page: Page, transactional_db: None) -> None:
    PlaceFactory()
    item = make_item(title="Homs", location_label="Homs, Syria")
    page.goto(item.get_absolute_url())
    held_css = hold_requests(page, "**/vendor/leaflet/leaflet.css")
    page.get_by_role("button", name="(load item map)").click()
    expect(page.locator(".leaflet-marker-icon")).to_be_attached()  # the script ran first
    release(page, held_css)
    page.wait_for_function("() => [...document.styleSheets].some(s => (s.href || '').endsWith('/leaflet.css'))")
    loaded = page.locator(".leaflet-marker-icon").evaluate(
        "img => new Promise(done => img.complete ? done(img.naturalWidth > 0)"
        " : (img.onload = () => done(true), img.onerror = () => done(false)))"
    )
    assert loaded, page.locator(".leaflet-marker-icon").get_attribute("src")
