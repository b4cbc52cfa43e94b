"""Journey: a member posts footage. The file uploads (tus) while they fill in the form, the
media worker processes it, and the item page plays it through hls.js. And the files the
pipeline refuses: each says why, under the file, before the member publishes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import assert_clean, login, make_user, no_horizontal_scroll, shot
from django.core.management import call_command
from playwright.sync_api import Page, Route, expect

from fieldcast.items.models import Item
from fieldcast.media.ffmpeg import ffmpeg_binary
from fieldcast.media.models import MediaAsset, Upload
from fieldcast.media.testing import media_dirs_fixture  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

WEB_PAGE = "This is a web page or text file, not a video or image."
# Uploading, processing and the first poll after it take well under a second each here,
# but several seconds on a machine busy with other test runs.
SLOW_MS = 20_000


def make_clip(folder: Path, name: str = "street.mp4") -> Path:
    """3 s of 320x240 testsrc2 with a sine tone, as a phone would send a short clip."""
    target = folder / name
    command = [
        ffmpeg_binary(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3",
        "-f", "lavfi", "-i", "sine=f=440:sample_rate=48000:d=3",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
        str(target),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (fixed argument list)
    return target


def run_media_worker() -> None:
    """What `manage.py db_worker --queue-name media` does, once, in this process."""
    call_command("db_worker", "--queue-name", "media", "--batch", "--no-startup-delay", verbosity=0)


def hold_first_patch(page: Page) -> list[Route]:
    """Keep the upload's first PATCH waiting (so the journey can see an upload in flight)."""
    held: list[Route] = []

    def handle(route: Route) -> None:
        if route.request.method == "PATCH" and not held:
            held.append(route)
            return
        route.fallback()

    page.route(re.compile(r"/uploads/[0-9a-f-]{36}$"), handle)
    return held


def test_member_uploads_a_video_publishes_and_plays_it(
    page: Page, live_server: Any, media_dirs: Any, tmp_path: Path
) -> None:
    member = make_user(username="camera")
    clip = make_clip(tmp_path)
    login(page, live_server, member)
    held = hold_first_patch(page)
    page.goto("/new")
    publish = page.get_by_role("button", name="Publish")
    expect(publish).to_be_enabled()

    page.get_by_label("Add videos or pictures").set_input_files(clip)
    row = page.locator("[data-upload]", has_text="street.mp4")
    expect(row).to_be_visible()
    # In flight: Publish waits, and says why.
    expect(publish).to_be_disabled()
    expect(page.locator(".upload-wait")).to_have_text("Publish waits until street.mp4 is uploaded.")
    for _ in range(SLOW_MS // 100):  # route handlers run while Playwright waits
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the first PATCH never came"
    # Pause, then resume: the upload continues from what the server has.
    row.get_by_role("button", name="Pause: street.mp4").click()
    expect(row.locator(".upload-meta")).to_have_text("Paused at 0%")
    expect(page.locator(".upload-wait")).to_contain_text("(resume the paused ones)")
    row.get_by_role("button", name="Resume: street.mp4").click()

    bar = row.get_by_role("progressbar", name="Upload of street.mp4")
    expect(bar).to_have_js_property("value", 100, timeout=SLOW_MS)
    expect(row.locator(".upload-meta")).to_have_text("100% · uploaded")
    asset = MediaAsset.objects.get(owner=member)
    expect(page.locator("input[name=assets]")).to_have_value(asset.public_id)
    expect(row.locator(".asset-state")).to_contain_text("Uploaded, waiting for a worker")
    expect(publish).to_be_enabled()
    expect(page.locator("[data-upload-announce]")).to_have_text("street.mp4 is uploaded. All uploads are done.")
    shot(page, tmp_path, "1-uploaded")

    # The member fills in the form meanwhile, and publishes.
    page.get_by_label("Title").fill("Street clip, Kharkiv")
    page.locator("label.check", has_text=re.compile(r"^\s*PG:")).click()
    page.get_by_label("How exactly is the date known?").select_option("unknown")
    page.get_by_label("I agree to the terms of use").check()
    publish.click()
    page.wait_for_url(re.compile(r"/v/[0-9A-Za-z]{10}/"))
    item = Item.objects.get(title="Street clip, Kharkiv")
    assert list(item.assets.values_list("public_id", flat=True)) == [asset.public_id]
    assert item.lifecycle == "processing"
    block = page.locator("#processing-status")
    expect(block).to_contain_text("street.mp4")

    run_media_worker()
    asset.refresh_from_db()
    item.refresh_from_db()
    assert (asset.status, item.lifecycle) == ("ready", "ready"), asset.failure_reason
    # The page polls its processing block and offers to reload once the video plays.
    reload = block.get_by_role("link", name="Reload to play")
    expect(reload).to_be_visible(timeout=SLOW_MS)
    expect(page.locator("#processing-announce")).to_contain_text("street.mp4 is ready")
    shot(page, tmp_path, "2-ready")
    reload.click()

    page.wait_for_function(
        "() => { const v = document.querySelector('#player video'); return v && v.readyState >= 1; }",
        timeout=SLOW_MS,
    )
    through_hls_js = page.evaluate(
        "() => Boolean(window.Hls && Hls.isSupported()"
        " && document.querySelector('#player video').src.startsWith('blob:'))"
    )
    assert through_hls_js, "the video did not play through hls.js"
    expect(page.locator("#processing-status")).to_have_count(0)
    shot(page, tmp_path, "3-playing")

    # The owner picks a frame as the thumbnail, previewed from the sprite sheet.
    page.get_by_role("link", name="Manage files").click()
    file_row = page.locator(".file-row", has_text="street.mp4")
    expect(file_row).to_contain_text("main player")
    expect(file_row.locator("[data-asset-label]")).to_have_text("Ready")
    page.get_by_label("Thumbnail: the frame at (seconds)").fill("1.5")
    expect(file_row.locator("[data-sprite-frame]")).to_be_visible()
    assert "sprite.jpg" in file_row.locator("[data-sprite-frame]").evaluate("el => el.style.backgroundImage")
    file_row.get_by_role("button", name="Use this frame").click()
    expect(page.locator(".messages")).to_contain_text("The frame at 1.5 s will be the thumbnail in a few seconds.")
    run_media_worker()
    assert asset.renditions.filter(profile="thumb").exists()
    page.reload()
    expect(page.locator(".file-row img")).to_have_attribute("src", re.compile(r"/thumb\.jpg$"))
    expect(page.locator(".file-row")).to_contain_text("thumbnail (frame at 1.5 s)")
    shot(page, tmp_path, "4-files")

    # My uploads lists it, ready.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My uploads").click()
    expect(page.locator(".my-upload", has_text="Street clip, Kharkiv")).to_contain_text("street.mp4 (video): Ready")
    assert_clean(page)


def test_an_upload_cut_off_by_a_reload_resumes_when_the_file_is_chosen_again(
    page: Page, live_server: Any, media_dirs: Any, tmp_path: Path
) -> None:
    member = make_user(username="flaky")
    clip = make_clip(tmp_path)
    login(page, live_server, member)
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" while uploading
    held = hold_first_patch(page)
    page.goto("/new")
    page.get_by_label("Add videos or pictures").set_input_files(clip)
    for _ in range(SLOW_MS // 100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the first PATCH never came"
    page.reload()

    previous = page.locator("[data-upload-previous]")
    expect(previous).to_have_text(re.compile(r"^Unfinished upload from before: street\.mp4\. Choose the same file"))
    page.get_by_label("Add videos or pictures").set_input_files(clip)
    row = page.locator("[data-upload]", has_text="street.mp4")
    expect(row.locator(".upload-meta")).to_have_text("100% · uploaded", timeout=SLOW_MS)
    upload = Upload.objects.get(owner=member)  # the same upload, resumed: not a second one
    assert upload.completed_at is not None
    expect(page.locator("input[name=assets]")).to_have_value(upload.asset.public_id)
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('tus::')).length") == 0
    assert_clean(page)


def test_refused_files_say_why_before_publishing_on_a_phone(
    phone_page: Page, live_server: Any, media_dirs: Any, tmp_path: Path, settings: Any
) -> None:
    page = phone_page
    login(page, live_server, make_user(username="phone"))
    page.goto("/new")
    picker = page.get_by_label("Add videos or pictures")
    publish = page.get_by_role("button", name="Publish")

    # A web page renamed .mp4 uploads fine, and processing says what it really is.
    page_file = tmp_path / "evidence.mp4"
    page_file.write_bytes(b"<!DOCTYPE html>\n<html><body><p>not a video</p></body></html>\n")
    picker.set_input_files(page_file)
    row = page.locator("[data-upload]", has_text="evidence.mp4")
    expect(row.locator(".upload-meta")).to_have_text("100% · uploaded", timeout=SLOW_MS)
    run_media_worker()
    expect(row.locator(".asset-state")).to_have_text(f"Could not be processed: {WEB_PAGE}", timeout=SLOW_MS)
    expect(publish).to_be_disabled()
    expect(page.locator(".upload-wait")).to_have_text("Remove evidence.mp4 first: it could not be processed.")

    # Too large: the server's own words, at once.
    settings.UPLOAD_MAX_BYTES = 1000
    big = tmp_path / "long-take.mp4"
    big.write_bytes(b"\0" * 5000)
    picker.set_input_files(big)
    big_row = page.locator("[data-upload]", has_text="long-take.mp4")
    expect(big_row.locator(".error")).to_have_text(
        re.compile(r"^The file is larger than the maximum of .+\.$"), timeout=SLOW_MS
    )
    expect(big_row.get_by_role("button", name=re.compile(r"^(Pause|Retry)"))).to_be_hidden()
    expect(big_row.locator(".upload-meta")).to_have_text("Not uploaded")

    # Reorder before publishing, from the keyboard.
    big_row.get_by_role("button", name="Move up: long-take.mp4").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-upload]").first).to_contain_text("long-take.mp4")
    expect(page.get_by_role("button", name="Move down: long-take.mp4")).to_be_enabled()
    width, viewport = no_horizontal_scroll(page)
    assert width <= viewport, f"the page scrolls sideways on a phone: {width} > {viewport}"
    shot(page, tmp_path, "phone-refused")

    # Removing both lets the member publish a text report.
    for name in ("long-take.mp4", "evidence.mp4"):
        page.get_by_role("button", name=f"Remove: {name}").click()
    expect(page.locator("[data-upload]")).to_have_count(0)
    expect(publish).to_be_enabled()
    expect(page.locator("input[name=assets]")).to_have_value("")
    page.get_by_label("Title").fill("Report without footage")
    page.locator("label.check", has_text=re.compile(r"^\s*GA:")).click()
    page.get_by_label("How exactly is the date known?").select_option("unknown")
    page.get_by_label("I agree to the terms of use").check()
    publish.click()
    page.wait_for_url(re.compile(r"/v/[0-9A-Za-z]{10}/"))
    item = Item.objects.get(title="Report without footage")
    assert (item.lifecycle, item.assets.count()) == ("ready", 0)

    # My uploads and the files page fit the phone too.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My uploads").click()
    expect(page.locator(".my-upload", has_text="Report without footage")).to_contain_text("A text report: no files.")
    expect(page.locator(".loose-uploads")).to_contain_text(f"evidence.mp4: Could not be processed: {WEB_PAGE}")
    width, viewport = no_horizontal_scroll(page)
    assert width <= viewport, f"My uploads scrolls sideways on a phone: {width} > {viewport}"
    shot(page, tmp_path, "phone-my-uploads")
    page.get_by_role("link", name="Manage files").click()
    expect(page.get_by_text("This item has no files yet")).to_be_visible()
    expect(page.get_by_label("Add videos or pictures")).to_be_visible()
    width, viewport = no_horizontal_scroll(page)
    assert width <= viewport, f"the files page scrolls sideways on a phone: {width} > {viewport}"
    assert_clean(page)
