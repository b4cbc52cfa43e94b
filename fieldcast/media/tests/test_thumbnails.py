"""A chosen video frame becomes the asset's `thumb` rendition, with the real ffmpeg on
tiny generated clips."""

from __future__ import annotations

import shutil

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.items.models import Item
from fieldcast.items.selectors import item_list_page
from fieldcast.items.templatetags.items import card_image_url
from fieldcast.media.models import MediaAsset, Rendition
from fieldcast.media.services.attach import item_choose_thumbnail
from fieldcast.media.services.thumbnails import ThumbnailError, asset_render_thumbnail, thumb_name
from fieldcast.media.testing import clips_fixture, media_dirs_fixture  # noqa: F401 (fixtures)
from fieldcast.moderation.viewer import viewer_for_user


def stored_video(media_dirs, source, *, owner, item=None, as_mp4_rendition=False, duration=4.0) -> MediaAsset:
    """A processed-looking video asset whose original (or MP4 rendition) is `source`."""
    asset = MediaAsset.objects.create(
        owner=owner, item=item, kind="video", status="ready", playable=True, duration=duration,
        original_name=source.name,
    )  # fmt: skip
    name = f"assets/{asset.public_id}/{'video.mp4' if as_mp4_rendition else 'original.mp4'}"
    target = media_dirs.stored(name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    if as_mp4_rendition:
        Rendition.objects.create(asset=asset, profile="mp4", path=name, content_type="video/mp4")
    else:
        asset.original = name
        asset.save(update_fields=["original"])
    return asset


def test_no_source_file_yet_is_an_error_and_non_videos_are_skipped(db, member, media_dirs):
    video = MediaAsset.objects.create(owner=member, kind="video", status="processing")
    with pytest.raises(ThumbnailError, match="no video file"):
        asset_render_thumbnail(asset_id=video.pk, time=1.0)
    image = MediaAsset.objects.create(owner=member, kind="image", status="ready")
    assert asset_render_thumbnail(asset_id=image.pk, time=1.0) is None
    assert asset_render_thumbnail(asset_id=999_999, time=1.0) is None  # removed meanwhile
    assert not Rendition.objects.exists()


@pytest.mark.slow
def test_a_frame_becomes_the_thumb_rendition_idempotently(db, member, media_dirs, clips):
    asset = stored_video(media_dirs, clips.video(320, 240, 4, gps=True), owner=member)
    rendition = asset_render_thumbnail(asset_id=asset.pk, time=1.0)
    assert rendition is not None
    assert (rendition.profile, rendition.path, rendition.content_type) == (
        "thumb",
        thumb_name(asset.public_id),
        "image/jpeg",
    )
    assert (rendition.width, rendition.height) == (320, 240)
    path = media_dirs.stored(rendition.path)
    assert rendition.size == path.stat().st_size > 0
    first = path.read_bytes()
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert image.size == (320, 240)
        assert not image.getexif()  # no GPS, no device
        assert b"TestPhone" not in first
        assert b"48.8577" not in first
    # Again, at another moment: the same row, a different picture (testsrc2 moves).
    again = asset_render_thumbnail(asset_id=asset.pk, time=3.0)
    assert again.pk == rendition.pk
    assert Rendition.objects.filter(asset=asset).count() == 1
    assert path.read_bytes() != first
    # Past the end: the last frames, not an error.
    assert asset_render_thumbnail(asset_id=asset.pk, time=60.0).size > 0
    assert not list(path.parent.glob(".*part"))


@pytest.mark.slow
def test_large_frames_are_scaled_to_1280_wide_from_the_mp4_rendition(db, member, media_dirs, clips):
    asset = stored_video(media_dirs, clips.video(1920, 1080, 2, audio=False), owner=member, as_mp4_rendition=True)
    rendition = asset_render_thumbnail(asset_id=asset.pk, time=0.5)
    assert (rendition.width, rendition.height) == (1280, 720)
    assert default_storage.exists(thumb_name(asset.public_id))


@pytest.mark.slow
def test_choosing_a_frame_puts_it_on_the_card(db, member, media_dirs, clips, django_capture_on_commit_callbacks):
    item = ItemFactory(author=member, title="With a chosen frame")
    asset = stored_video(media_dirs, clips.video(320, 240, 4), owner=member, item=item)
    Rendition.objects.create(asset=asset, profile="poster", path=f"assets/{asset.public_id}/poster.jpg",
                             content_type="image/jpeg")  # fmt: skip
    Item.objects.filter(pk=item.pk).update(lifecycle="ready")
    with django_capture_on_commit_callbacks(execute=True):
        item_choose_thumbnail(item=item, asset=asset, time=2.0)
    # The task the service enqueued, run as the media worker would.
    from fieldcast.media.tasks_files import make_thumbnail

    make_thumbnail.call(asset.pk, 2.0)
    assert Rendition.objects.filter(asset=asset, profile="thumb").exists()
    card = item_list_page(Item.objects.filter(pk=item.pk), cursor=None).items[0]
    assert card_image_url(card, viewer_for_user(member)).endswith("/thumb.jpg")
