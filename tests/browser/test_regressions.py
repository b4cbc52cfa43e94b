"""Problems found while writing the journeys, now fixed: each test keeps it fixed."""

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


def test_item_form_hints_are_tied_to_their_fields(page: Page, live_server: Any, transactional_db: None) -> None:
    login(page, live_server, make_user(username="hints"))
    page.goto("/new")
    dangling = page.evaluate(DANGLING_DESCRIBEDBY)
    assert dangling == [], f"aria-describedby names missing elements: {dangling}"


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


def test_home_page_has_a_main_heading(page: Page, transactional_db: None) -> None:
    make_item(title="Anything")
    page.goto("/")
    expect(page.get_by_role("heading", name="Recent items")).to_be_visible()
    assert page.get_by_role("heading", level=1).count() == 1


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
