"""Safe Mode in a browser: a guest sees an MA item blurred in the list (no image of it
loads at all) and its interstitial with the uploader's warning; turning Safe Mode off
with the 18+ confirmation shows the item and its thumbnail."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import assert_clean, make_item, shot
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from playwright.sync_api import Page, expect

from fieldcast.media.models import MediaAsset, Rendition

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WARNING = "Bodies are visible from 0:40 — الجثث ظاهرة"


def attach_picture(item: Any, colour: str) -> MediaAsset:
    """A processed picture (real JPEG files) on `item`: its card thumbnail and page image."""
    asset = MediaAsset.objects.create(
        owner=item.author, item=item, kind="image", status="ready", original_name="photo.jpg", width=640, height=360
    )
    for profile, size in (("image-640", (640, 360)), ("image-1280", (1280, 720))):
        buffer = io.BytesIO()
        Image.new("RGB", size, colour).save(buffer, "JPEG")
        name = default_storage.save(f"assets/{asset.public_id}/{profile}.jpg", ContentFile(buffer.getvalue()))
        Rendition.objects.create(asset=asset, profile=profile, path=name, content_type="image/jpeg")
    return asset


def test_guest_sees_a_blurred_ma_item_then_turns_safe_mode_off(
    page: Page, transactional_db: None, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    media_requests: list[str] = []
    page.on("request", lambda request: media_requests.append(request.url) if "/m/" in request.url else None)

    ga = make_item(title="Market in Idlib", rating="GA")
    attach_picture(ga, "green")
    ma = make_item(
        title="Aftermath of the strike",
        rating="MA",
        content_flags=["graphic_violence", "death_injury"],
        content_warning=WARNING,
    )
    attach_picture(ma, "red")

    page.goto("/")
    ma_card = page.locator(".card", has_text="Aftermath of the strike")
    ga_card = page.locator(".card", has_text="Market in Idlib")
    expect(ma_card.locator(".card-thumb.shielded")).to_be_visible()
    expect(ma_card.get_by_text("MA · Safe Mode")).to_be_visible()
    expect(ma_card.locator("img")).to_have_count(0)
    expect(ma_card.locator(".badge-MA")).to_have_text("MA")
    expect(ga_card.locator("img")).to_be_visible()
    expect(ga_card.locator(".badge-GA")).to_have_text("GA")
    page.wait_for_load_state("networkidle")
    assert all(ma.public_id not in url for url in media_requests)
    assert ga_card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    shot(page, tmp_path, "1-home-blurred")

    ma_card.get_by_role("link", name="Aftermath of the strike").click()
    interstitial = page.get_by_role("region", name="This item is rated MA")
    expect(interstitial).to_be_visible()
    expect(interstitial).to_contain_text(WARNING)
    expect(interstitial).to_contain_text("Graphic violence")
    expect(interstitial).to_contain_text("Death or injury")
    expect(page.locator(".item-image img")).to_have_count(0)
    shot(page, tmp_path, "2-interstitial")

    interstitial.get_by_role("link", name="Turn Safe Mode off").click()
    page.wait_for_url(re.compile(r"/safe-mode\?next="))
    page.get_by_label("I confirm I am 18 or over").check()
    page.get_by_role("button", name="Turn Safe Mode off").click()

    page.wait_for_url(re.compile(rf"/v/{ma.public_id}"))
    expect(page.get_by_role("button", name="Safe Mode: Off")).to_be_visible()
    expect(page.locator(".interstitial")).to_have_count(0)
    picture = page.locator(".item-image img")
    expect(picture).to_be_visible()
    expect(page.locator(".item-header")).to_contain_text(WARNING)  # beside the rating badge
    page.wait_for_load_state("networkidle")
    assert picture.evaluate("img => img.complete && img.naturalWidth === 1280")
    shot(page, tmp_path, "3-item-shown")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(ma_card.locator(".card-thumb.shielded")).to_have_count(0)
    expect(ma_card.locator("img")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert ma_card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
    shot(page, tmp_path, "4-home-safe-mode-off")
    assert_clean(page)


def test_embed_interstitial_unlocks_inside_the_frame(page: Page, transactional_db: None, tmp_path: Path) -> None:
    """In an embed-sized window: the warning, the 18+ box, and "Show this item" without
    any cookie of ours (as inside another site's iframe)."""
    ma = make_item(title="Aftermath of the strike", rating="MA", content_warning=WARNING)
    page.set_viewport_size({"width": 560, "height": 315})
    page.goto(f"/embed/{ma.public_id}")
    notice = page.get_by_role("region", name="This item is rated MA")
    expect(notice).to_contain_text(WARNING)
    show = notice.get_by_role("button", name="Show this item")
    show.scroll_into_view_if_needed()
    expect(show).to_be_in_viewport()
    shot(page, tmp_path, "embed-1-interstitial")
    page.context.clear_cookies()
    notice.get_by_label("I am 18 or over").check()
    show.click()
    page.wait_for_url(re.compile(r"grant="))
    expect(page.get_by_text("No video has been attached to this item yet.")).to_be_visible()
    expect(page.locator(".embed-notice [name=confirm_adult]")).to_have_count(0)
    assert all(c["name"] != "fc_grants" for c in page.context.cookies())  # the grant lives in the URL only
    assert_clean(page)
