"""The uploader's pages: an item's files, the status of fresh uploads, live processing
blocks and My uploads. Every view: who may see it, what it changes, what a person reads."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.media.models import MediaAsset, Rendition

WEB_PAGE = "This is a web page or text file, not a video or image."


def make_asset(owner, item=None, *, position=0, name="clip.mp4", **fields) -> MediaAsset:
    values = {"kind": "video", "status": "ready", "playable": True, "duration": 12.0, **fields}
    return MediaAsset.objects.create(owner=owner, item=item, position=position, original_name=name, **values)


@pytest.fixture
def item(member):
    item = ItemFactory(author=member, title="Shelling at dawn")
    return item


@pytest.fixture
def files(item, member):
    """Three files in order: a video, an image, a video still processing."""
    return [
        make_asset(member, item, position=0, name="first.mp4"),
        make_asset(member, item, position=1, name="photo.jpg", kind="image", duration=None, playable=False),
        make_asset(member, item, position=2, name="third.mov", status="processing", playable=False, progress=40,
                   step="transcode"),
    ]  # fmt: skip


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


def order_of(item) -> list[str]:
    return list(MediaAsset.objects.filter(item=item).order_by("position", "id").values_list("original_name", flat=True))


def files_url(item, name="item_files", **kwargs) -> str:
    return reverse(f"media:{name}", kwargs={"public_id": item.public_id, **kwargs})


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


# --- the status of fresh uploads ---------------------------------------------------------------


def test_status_answers_only_the_members_own_assets(client, member, other_member):
    mine = make_asset(member, status="processing", progress=40, step="transcode", playable=False)
    failed = make_asset(member, name="page.mp4", status="failed", kind="unknown", failure_reason=WEB_PAGE)
    theirs = make_asset(other_member, name="theirs.mp4")
    url = reverse("media:assets_status")
    assert client.get(url, {"ids": mine.public_id}).status_code == 403  # guests
    client.force_login(member)
    response = client.get(url, {"ids": f"{mine.public_id},{failed.public_id},{theirs.public_id},bad id!"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    answer = response.json()["assets"]
    assert set(answer) == {mine.public_id, failed.public_id}
    assert answer[mine.public_id]["label"] == "Processing 40% (making the streams)"
    assert answer[mine.public_id]["done"] is False
    assert answer[failed.public_id] == {
        "status": "failed", "kind": "unknown", "step": "", "progress": 0, "playable": True, "done": True,
        "failure_reason": WEB_PAGE, "name": "page.mp4", "attached": False,
        "label": f"Could not be processed: {WEB_PAGE}",
    }  # fmt: skip
    assert client.get(url).json() == {"assets": {}}


def test_status_labels_are_plain_text(member_client, member):
    asset = make_asset(member, status="failed", failure_reason="Codec <b>“x”</b> & 'y' is not supported.")
    answer = member_client.get(reverse("media:assets_status"), {"ids": asset.public_id}).json()
    assert (
        answer["assets"][asset.public_id]["label"] == "Could not be processed: Codec <b>“x”</b> & 'y' is not supported."
    )


# --- the item page's live processing block --------------------------------------------------------


def test_item_page_polls_for_its_author_only(client, member, other_member, item, files):
    Item.objects.filter(pk=item.pk).update(visibility="unlisted")
    client.force_login(member)
    html = client.get(item.get_absolute_url()).content.decode()
    poll = reverse("media:item_processing", kwargs={"public_id": item.public_id})
    assert f'hx-get="{poll}?playing={files[0].public_id},{files[1].public_id}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "Processing 40% (making the streams)" in html
    assert "Manage files" in html
    client.force_login(other_member)
    html = client.get(item.get_absolute_url()).content.decode()
    assert poll not in html
    assert "More footage for this item is still being processed." in html
    assert html.count("More footage for this item") == 1
    assert "Manage files" not in html


def test_processing_block_polls_until_done_and_offers_a_reload(member_client, item, files):
    url = reverse("media:item_processing", kwargs={"public_id": item.public_id})
    playing = f"{files[0].public_id},{files[1].public_id}"
    response = member_client.get(url, {"playing": playing})
    assert response.status_code == 200
    assert "Processing 40%" in response.content.decode()
    assert "Reload to play" not in response.content.decode()
    # The third file becomes playable while still making its MP4: offer to reload.
    MediaAsset.objects.filter(pk=files[2].pk).update(playable=True, step="mp4", progress=10)
    response = member_client.get(url, {"playing": playing})
    assert response.status_code == 200
    html = response.content.decode()
    assert "already playable" in html
    assert "Reload to play" in html
    assert "third.mov is ready: reload the page to play it." in html
    # Done: htmx stops polling on 286 and the block says so.
    MediaAsset.objects.filter(pk=files[2].pk).update(status="ready")
    response = member_client.get(url, {"playing": playing})
    assert response.status_code == 286
    assert "Reload to play" in response.content.decode()
    assert "Processing is finished." in response.content.decode()
    response = member_client.get(url, {"playing": f"{playing},{files[2].public_id}"})
    assert response.status_code == 286
    assert "Reload" not in response.content.decode()


def test_processing_block_shows_why_a_file_failed(member_client, member, item):
    make_asset(member, item, name="page.mp4", kind="unknown", status="failed", playable=False, failure_reason=WEB_PAGE)
    response = member_client.get(reverse("media:item_processing", kwargs={"public_id": item.public_id}))
    assert response.status_code == 286
    assert WEB_PAGE in response.content.decode()


# --- My uploads ----------------------------------------------------------------------------------


def test_my_uploads_lists_the_members_items_with_file_states(member_client, member, other_member, item, files):
    make_asset(member, item, position=3, name="page.mp4", kind="unknown", status="failed", failure_reason=WEB_PAGE)
    older = ItemFactory(author=member, title="An older text report")
    Item.objects.filter(pk=older.pk).update(added_at=item.added_at.replace(year=2020))
    ItemFactory(author=other_member, title="Someone else's item")
    make_asset(member, name="never-attached.mp4", status="pending", playable=False)
    response = member_client.get(reverse("media:my_uploads"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Shelling at dawn") < html.index("An older text report")  # newest first
    assert "Someone else" not in html
    assert "Processing 40% (making the streams)" in html
    assert f"Could not be processed: {WEB_PAGE}" in html
    assert "A text report: no files." in html
    assert "never-attached.mp4" in html
    assert "Uploaded but not in an item" in html
    assert 'hx-trigger="every 2s"' in html
    assert 'aria-current="page">My uploads' in html


def test_my_uploads_partial_stops_polling_when_nothing_is_pending(member_client, item, files):
    url = reverse("media:my_uploads")
    response = member_client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    MediaAsset.objects.filter(pk=files[2].pk).update(status="ready")
    response = member_client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 286
    assert "All your files are processed." in response.content.decode()
    assert 'hx-trigger="every 2s"' not in member_client.get(url).content.decode()


def test_my_uploads_pages_by_keyset(member_client, member, settings):
    settings.PAGE_SIZE = 2
    for n in range(5):
        ItemFactory(author=member, title=f"Report {n}")
    first = member_client.get(reverse("media:my_uploads")).content.decode()
    assert "Report 4" in first
    assert "Report 3" in first
    assert "Report 2" not in first
    cursor = re.search(r'href="\?after=([^"]+)"', first).group(1)
    second = member_client.get(reverse("media:my_uploads"), {"after": cursor}).content.decode()
    assert "Report 2" in second
    assert "Report 1" in second
    assert "Report 4" not in second


def test_header_links_my_uploads_for_members_only(client, member):
    assert "My uploads" not in client.get("/").content.decode()
    client.force_login(member)
    assert f'href="{reverse("media:my_uploads")}"' in client.get("/").content.decode()


# --- the item form carries the upload widget ----------------------------------------------------


def test_item_form_has_the_upload_widget_and_one_assets_field(member_client, item):
    for url in (reverse("items:new"), reverse("items:edit", kwargs={"public_id": item.public_id})):
        html = member_client.get(url).content.decode()
        assert html.count('name="assets"') == 1, url
        assert 'type="file" id="upload-files" multiple accept="video/*,image/*"' in html
        assert '<label for="upload-files">' in html
        assert "vendor/tus.min.js" in html
        assert "js/upload.js" in html
        assert "Adding video or pictures needs JavaScript" in html  # the <noscript> note
    assert "Manage this item's files" in html


def test_publishing_attaches_the_uploaded_files_in_order(member_client, member):
    first, second = make_asset(member, name="b-roll.mp4"), make_asset(member, name="main.mp4")
    response = member_client.post(
        reverse("items:new"),
        {"title": "Two clips", "rating": "PG", "body": "", "occurred_precision": "unknown", "visibility": "public",
         "assets": f"{second.public_id},{first.public_id}"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get(title="Two clips")
    assert order_of(item) == ["main.mp4", "b-roll.mp4"]


def test_a_refused_form_keeps_the_uploaded_ids(member_client, member):
    asset = make_asset(member, name="keep.mp4")
    response = member_client.post(reverse("items:new"), {"title": "", "assets": asset.public_id})
    assert response.status_code == 200
    assert f'name="assets" id="id_assets" value="{asset.public_id}"' in response.content.decode()


def test_parse_ids_is_strict():
    from fieldcast.media.views_manage import parse_ids

    assert parse_ids("a1, b2,,a1, <x>, toolongtoolong, c3") == ["a1", "b2", "c3"]
    assert len(parse_ids(",".join(f"id{n}" for n in range(50)))) == 20


def test_a_member_without_items_sees_an_empty_page(client, db):
    client.force_login(UserFactory(username="newcomer"))
    html = client.get(reverse("media:my_uploads")).content.decode()
    assert "You have not posted anything yet." in html
    assert "hx-get" not in html.split("<main", 1)[1]
