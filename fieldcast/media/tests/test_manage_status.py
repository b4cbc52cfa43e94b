"""The uploader's pages: an item's files, the status of fresh uploads, live processing
blocks and My uploads. Every view: who may see it, what it changes, what a person reads."""

from __future__ import annotations

import re

from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.media.models import MediaAsset

from .conftest import WEB_PAGE, make_asset, order_of

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
         "agree_terms": "on", "assets": f"{second.public_id},{first.public_id}"},
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
