"""Media files are reachable only through signed, short-lived URLs from the access layer."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.items.models import Item
from fieldcast.media.access import TOKEN_SALT, media_for_item, original_url_for, sign
from fieldcast.media.models import MediaAsset, Rendition
from fieldcast.moderation.viewer import anonymous_viewer, viewer_for_user

SEGMENT = bytes(range(256)) * 40  # 10 240 bytes


@pytest.fixture
def media_item(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    item = ItemFactory(title="With video")
    asset = MediaAsset.objects.create(
        owner=item.author, item=item, kind="video", status="ready", playable=True,
        original_name="phone clip.mov", original="",
    )  # fmt: skip
    base = f"assets/{asset.public_id}"
    files = {
        f"{base}/hls/master.m3u8": b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000\n240/index.m3u8\n",
        f"{base}/hls/240/index.m3u8": b'#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\nseg_0.m4s\n#EXT-X-ENDLIST\n',
        f"{base}/hls/240/seg_0.m4s": SEGMENT,
        f"{base}/video.mp4": SEGMENT,
        f"{base}/poster.jpg": b"\xff\xd8\xff fake jpeg",
        f"{base}/original.html": b"<html><script>alert(1)</script></html>",
    }
    for name, data in files.items():
        default_storage.save(name, ContentFile(data))
    asset.original = f"{base}/original.html"
    asset.save(update_fields=["original"])
    for profile, name, ctype in [
        ("hls", "hls/master.m3u8", "application/vnd.apple.mpegurl"),
        ("mp4", "video.mp4", "video/mp4"),
        ("poster", "poster.jpg", "image/jpeg"),
    ]:
        Rendition.objects.create(asset=asset, profile=profile, path=f"{base}/{name}", content_type=ctype)
    asset = MediaAsset.objects.prefetch_related("renditions").get(pk=asset.pk)
    return item, asset


def urls_of(item, asset):
    (media,) = media_for_item(item, [asset])
    return media.urls


def test_issued_urls_serve_the_files(client, media_item):
    item, asset = media_item
    urls = urls_of(item, asset)
    assert set(urls) == {"hls", "mp4", "poster"}
    master = client.get(urls["hls"])
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    assert b"240/index.m3u8" in b"".join(master.streaming_content)
    # Relative references resolve under the same token.
    rung = client.get(urls["hls"].replace("master.m3u8", "240/index.m3u8"))
    assert rung.status_code == 200
    segment = client.get(urls["hls"].replace("master.m3u8", "240/seg_0.m4s"))
    assert b"".join(segment.streaming_content) == SEGMENT
    # Playlists grow while the video is transcoded: players must fetch them again each time.
    assert master["Cache-Control"] == rung["Cache-Control"] == "private, no-cache"
    assert segment["Cache-Control"].startswith("private, max-age=")
    assert client.get(urls["poster"])["Content-Type"] == "image/jpeg"


def test_range_requests_seek(client, media_item):
    item, asset = media_item
    url = urls_of(item, asset)["mp4"]
    response = client.get(url, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(SEGMENT)}"
    assert b"".join(response.streaming_content) == SEGMENT[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == SEGMENT[-10:]
    open_ended = client.get(url, HTTP_RANGE="bytes=10200-")
    assert b"".join(open_ended.streaming_content) == SEGMENT[10200:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(SEGMENT)}-").status_code == 416
    assert client.get(url)["Accept-Ranges"] == "bytes"


def test_a_token_opens_only_its_scope(client, media_item):
    item, asset = media_item
    poster_url = urls_of(item, asset)["poster"]
    assert client.get(poster_url.replace("poster.jpg", "video.mp4")).status_code == 403
    assert client.get(poster_url.replace("poster.jpg", "original.html")).status_code == 403
    hls_url = urls_of(item, asset)["hls"]
    for evil in ["../video.mp4", "240/../../original.html", "..%2Foriginal.html", "/etc/passwd"]:
        response = client.get(hls_url.replace("master.m3u8", evil))
        assert response.status_code in {403, 404}, evil


def test_forged_and_expired_tokens_are_refused(client, media_item, settings):
    item, asset = media_item
    forged = signing.dumps([asset.public_id, "hls"], salt="another salt", compress=False)
    assert client.get(reverse("media:serve", kwargs={"token": forged, "name": "hls/master.m3u8"})).status_code == 403
    url = urls_of(item, asset)["hls"]
    settings.MEDIA_URL_TTL_S = -1
    response = client.get(url)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_removal_holds_for_links_already_issued(client, media_item):
    item, asset = media_item
    url = urls_of(item, asset)["mp4"]
    Item.objects.filter(pk=item.pk).update(moderation="removed")
    assert client.get(url).status_code == 410


def test_original_is_for_the_uploader_and_staff_only_and_never_rendered(client, media_item):
    item, asset = media_item
    assert original_url_for(anonymous_viewer(), item, asset) is None
    url = original_url_for(viewer_for_user(item.author), item, asset)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_unfinished_or_failed_assets_get_no_urls(media_item):
    item, asset = media_item
    asset.status, asset.playable = "processing", False
    assert media_for_item(item, [asset]) == []
    asset.status = "failed"
    assert media_for_item(item, [asset]) == []


def test_token_cannot_be_reused_for_another_asset(client, media_item):
    token = sign("AAAAAAAAAA", "hls")
    response = client.get(reverse("media:serve", kwargs={"token": token, "name": "hls/master.m3u8"}))
    assert response.status_code == 404
    assert TOKEN_SALT


def test_removed_items_issue_no_media_urls_even_to_staff(media_item):
    item, asset = media_item
    Item.objects.filter(pk=item.pk).update(moderation="removed")
    item.refresh_from_db()
    assert media_for_item(item, [asset]) == []
