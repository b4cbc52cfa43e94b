"""The uploader's pages: an item's files, the status of fresh uploads, live processing
blocks and My uploads. Every view: who may see it, what it changes, what a person reads."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fieldcast.core.testing.factories import ItemFactory
from fieldcast.items.models import Item
from fieldcast.media.models import MediaAsset, Rendition

from .conftest import WEB_PAGE, files_url, make_asset, order_of

# --- who may see and change what ------------------------------------------------------------


def test_guests_are_sent_to_log_in(client, item, files):
    asset = files[0].public_id
    gets = [files_url(item), files_url(item, "item_file_remove", asset_id=asset), reverse("media:my_uploads")]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    posts = [
        files_url(item, "item_files_order"),
        files_url(item, "item_file_remove", asset_id=asset),
        files_url(item, "item_file_thumbnail", asset_id=asset),
    ]
    for url in posts:
        response = client.post(url, {"asset": asset, "move": "down", "time": "1"})
        assert response.status_code == 302, url
        assert "/accounts/login" in response["Location"], url
    assert order_of(item) == ["first.mp4", "photo.jpg", "third.mov"]
    assert MediaAsset.objects.count() == 3


def test_other_members_get_404_and_change_nothing(client, other_member, item, files):
    client.force_login(other_member)
    asset = files[0].public_id
    assert client.get(files_url(item)).status_code == 404
    assert client.post(files_url(item), {"assets": ""}).status_code == 404
    assert client.get(files_url(item, "item_processing")).status_code == 404
    assert client.get(files_url(item, "item_file_remove", asset_id=asset)).status_code == 404
    assert client.post(files_url(item, "item_files_order"), {"asset": asset, "move": "down"}).status_code == 404
    assert client.post(files_url(item, "item_file_remove", asset_id=asset)).status_code == 404
    assert client.post(files_url(item, "item_file_thumbnail", asset_id=asset), {"time": "3"}).status_code == 404
    assert order_of(item) == ["first.mp4", "photo.jpg", "third.mov"]
    assert MediaAsset.objects.count() == 3
    assert Item.objects.get(pk=item.pk).thumbnail_asset_id is None


def test_staff_may_manage_anyones_files(client, staff, item, files):
    client.force_login(staff)
    assert client.get(files_url(item)).status_code == 200
    client.post(files_url(item, "item_files_order"), {"asset": files[2].public_id, "move": "up"})
    assert order_of(item) == ["first.mp4", "third.mov", "photo.jpg"]


def test_a_file_of_another_item_is_404(member_client, member, item, files):
    elsewhere = make_asset(member, ItemFactory(author=member), name="elsewhere.mp4")
    url = files_url(item, "item_file_remove", asset_id=elsewhere.public_id)
    assert member_client.get(url).status_code == 404
    assert member_client.post(url).status_code == 404
    assert MediaAsset.objects.filter(pk=elsewhere.pk).exists()


def test_posts_need_the_csrf_token(member, item, files):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    asset = files[0].public_id
    for url, data in [
        (files_url(item, "item_files_order"), {"asset": asset, "move": "down"}),
        (files_url(item, "item_file_remove", asset_id=asset), {}),
        (files_url(item, "item_file_thumbnail", asset_id=asset), {"time": "2"}),
        (files_url(item), {"assets": ""}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert order_of(item) == ["first.mp4", "photo.jpg", "third.mov"]
    assert MediaAsset.objects.count() == 3
    # With the token from the page, the same request goes through.
    page = client.get(files_url(item))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        files_url(item, "item_files_order"), {"asset": asset, "move": "down", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert order_of(item) == ["photo.jpg", "first.mp4", "third.mov"]


def test_writes_are_rate_limited(member_client, item, files, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 2
    url = files_url(item, "item_files_order")
    statuses = [member_client.post(url, {"asset": files[0].public_id, "move": "down"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert member_client.get(files_url(item)).status_code == 200  # reading is never limited


# --- the files page -----------------------------------------------------------------------------


def test_files_page_lists_files_in_order_with_their_states(member_client, item, files, member):
    failed = make_asset(member, item, position=3, name="page.mp4", kind="unknown", status="failed",
                        playable=False, failure_reason=WEB_PAGE)  # fmt: skip
    Rendition.objects.create(asset=files[0], profile="poster", path=f"assets/{files[0].public_id}/poster.jpg",
                             content_type="image/jpeg")  # fmt: skip
    response = member_client.get(files_url(item))
    html = response.content.decode()
    positions = [html.index(name) for name in ("first.mp4", "photo.jpg", "third.mov", "page.mp4")]
    assert positions == sorted(positions)
    assert "main player" in html
    assert "Processing 40% (making the streams)" in html
    assert f"Could not be processed: {WEB_PAGE}" in html
    assert f'data-asset-id="{failed.public_id}" data-done="1"' in html
    assert 'aria-label="Move up: first.mp4" disabled' in html
    assert 'aria-label="Move down: page.mp4" disabled' in html
    assert "/m/" in html  # the poster, through a signed URL
    assert 'accept="video/*,image/*"' in html  # the widget, to add more
    assert html.count('name="assets"') == 1
    # Only images get "Use as thumbnail"; videos get a time field.
    assert html.count(">Use as thumbnail<") == 1
    assert f'id="time-{files[0].public_id}"' in html
    assert 'max="12.0"' in html


def test_files_page_queries_do_not_grow_with_files(member_client, item, member, django_assert_max_num_queries):
    for n in range(8):
        asset = make_asset(member, item, position=n, name=f"clip{n}.mp4")
        Rendition.objects.create(asset=asset, profile="poster", path=f"assets/{asset.public_id}/poster.jpg",
                                 content_type="image/jpeg")  # fmt: skip
    with django_assert_max_num_queries(12):
        assert member_client.get(files_url(item)).status_code == 200


def test_move_up_and_down(member_client, item, files):
    url = files_url(item, "item_files_order")
    response = member_client.post(url, {"asset": files[2].public_id, "move": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#file-{files[2].public_id}")
    assert order_of(item) == ["first.mp4", "third.mov", "photo.jpg"]
    member_client.post(url, {"asset": files[0].public_id, "move": "down"})
    assert order_of(item) == ["third.mov", "first.mp4", "photo.jpg"]
    member_client.post(url, {"asset": files[2].public_id, "move": "up"})  # already first: nothing moves
    assert order_of(item) == ["third.mov", "first.mp4", "photo.jpg"]
    page = member_client.get(files_url(item)).content.decode()
    assert "File moved down: it is now number 2 of 3." in page
    assert "That file is already the first." in page
    member_client.post(url, {"asset": "NotAnAsset", "move": "up"})
    assert order_of(item) == ["third.mov", "first.mp4", "photo.jpg"]


def test_the_whole_order_at_once(member_client, item, files):
    ids = ",".join(a.public_id for a in (files[1], files[2], files[0]))
    member_client.post(files_url(item, "item_files_order"), {"order": ids})
    assert order_of(item) == ["photo.jpg", "third.mov", "first.mp4"]


def test_remove_asks_first_then_removes(member_client, item, files, django_capture_on_commit_callbacks):
    Item.objects.filter(pk=item.pk).update(thumbnail_asset=files[1])
    url = files_url(item, "item_file_remove", asset_id=files[1].public_id)
    confirm = member_client.get(url)
    assert confirm.status_code == 200
    assert 'Remove “<span dir="auto">photo.jpg</span>”?' in confirm.content.decode()
    assert "It is the item's thumbnail" in confirm.content.decode()
    assert MediaAsset.objects.filter(pk=files[1].pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(url)
    assert response.status_code == 302
    assert order_of(item) == ["first.mp4", "third.mov"]
    assert Item.objects.get(pk=item.pk).thumbnail_asset_id is None
    task = DBTaskResult.objects.get(task_path="fieldcast.media.tasks_files.delete_asset_files")
    assert task.args_kwargs["args"] == [files[1].public_id]
    assert "“photo.jpg” was removed" in member_client.get(response["Location"]).content.decode()


def test_an_image_becomes_the_thumbnail(member_client, item, files):
    member_client.post(files_url(item, "item_file_thumbnail", asset_id=files[1].public_id), {"time": "5"})
    item.refresh_from_db()
    assert item.thumbnail_asset_id == files[1].pk
    assert item.thumbnail_time is None  # a time means nothing for a picture


def test_a_video_frame_becomes_the_thumbnail(member_client, item, files, django_capture_on_commit_callbacks):
    url = files_url(item, "item_file_thumbnail", asset_id=files[0].public_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(url, {"time": "7.5"})
    item.refresh_from_db()
    assert (item.thumbnail_asset_id, item.thumbnail_time) == (files[0].pk, 7.5)
    task = DBTaskResult.objects.get(task_path="fieldcast.media.tasks_files.make_thumbnail")
    assert task.args_kwargs["args"] == [files[0].pk, 7.5]
    page = member_client.get(response["Location"]).content.decode()
    assert "The frame at 7.5 s will be the thumbnail" in page
    assert "frame at 7.5 s)" in page
    assert 'value="7.5"' in page


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("99", "Choose a time between 0 and 12 seconds."),
        ("-1", "greater than or equal to 0"),
        ("soon", "seconds, e.g. 12.5"),
    ],
)
def test_a_frame_time_out_of_range_is_refused(member_client, item, files, time, message):
    response = member_client.post(files_url(item, "item_file_thumbnail", asset_id=files[0].public_id), {"time": time})
    item.refresh_from_db()
    assert item.thumbnail_asset_id is None
    assert message in member_client.get(response["Location"]).content.decode()


def test_more_files_are_attached_after_the_others(member_client, member, item, files):
    fresh = [make_asset(member, name="later.mp4"), make_asset(member, name="later.jpg", kind="image")]
    ids = ",".join(a.public_id for a in fresh)
    response = member_client.post(files_url(item), {"assets": ids})
    assert response.status_code == 302
    assert order_of(item) == ["first.mp4", "photo.jpg", "third.mov", "later.mp4", "later.jpg"]
    assert "2 files added" in member_client.get(response["Location"]).content.decode()


def test_attaching_refuses_others_uploads_and_failed_files(member_client, member, other_member, item, files):
    theirs = make_asset(other_member, name="theirs.mp4")
    response = member_client.post(files_url(item), {"assets": theirs.public_id})
    assert response.status_code == 200
    assert "not an upload of yours" in response.content.decode()
    broken = make_asset(member, name="page.mp4", status="failed", failure_reason=WEB_PAGE)
    response = member_client.post(files_url(item), {"assets": broken.public_id})
    assert WEB_PAGE in response.content.decode()
    response = member_client.post(files_url(item), {"assets": ""})
    assert "Choose files to add first" in response.content.decode()
    assert order_of(item) == ["first.mp4", "photo.jpg", "third.mov"]
