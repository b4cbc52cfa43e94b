"""The Provenance panel, the verification status, the upload notice, search and clusters."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.provenance.models import CopyMatch, FileMetadata, VerificationChange

from .conftest import distort, random_clip, store

pytestmark = pytest.mark.django_db


def _pair(earlier_fields=None):  # type: ignore[no-untyped-def]
    earlier_item = ItemFactory(title="First posted", **(earlier_fields or {}))
    Item.objects.filter(pk=earlier_item.pk).update(added_at=timezone.now() - datetime.timedelta(days=3))
    earlier = store(earlier_item, random_clip(7, frames=60))
    later_item = ItemFactory(title="Posted again")
    later = store(later_item, distort(random_clip(7, frames=60)[20:50], 8))
    from fieldcast.provenance.services import copies_record

    assert copies_record(asset=later.asset, fingerprint=later) == 1
    return earlier_item, later_item, earlier


def test_the_later_copy_names_the_earliest_with_the_matching_time_range(client):
    earlier_item, later_item, _ = _pair()
    match = CopyMatch.objects.get()
    assert (match.earlier_start, match.earlier_end) == (5.0, 12.5)
    page = client.get(reverse("provenance:panel", args=[later_item.public_id]), HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert "Earliest known copy" in html
    assert "First posted" in html
    assert "0:00–0:07 of this item match 0:05–0:12 of the other" in html
    other = client.get(reverse("provenance:panel", args=[earlier_item.public_id]), HTTP_HX_REQUEST="true")
    assert "This is the earliest known copy" in other.content.decode()
    assert "Also posted as" in other.content.decode()
    assert "Posted again" in other.content.decode()


@pytest.mark.parametrize("state", [{"visibility": "private"}, {"moderation": "removed"}, {"visibility": "unlisted"}])
def test_an_earlier_copy_the_viewer_may_not_see_is_only_said_to_exist(client, state):
    earlier_item, later_item, _ = _pair()
    Item.objects.filter(pk=earlier_item.pk).update(**state)
    html = client.get(reverse("provenance:panel", args=[later_item.public_id])).content.decode()
    assert "An earlier copy of this footage exists." in html
    assert "First posted" not in html
    assert earlier_item.public_id not in html


def test_the_item_page_loads_the_panel_and_shows_the_badge(client, moderator):
    item = ItemFactory()
    client.force_login(moderator)
    url = reverse("provenance:verification", args=[item.public_id])
    response = client.post(url, {"status": "misattributed", "note": "", "sources": ""})
    assert response.status_code == 400
    assert "Say in the note why" in response.content.decode()
    response = client.post(
        url, {"status": "misattributed", "note": "Filmed in 2019 elsewhere.", "sources": "https://example.org/a"}
    )
    assert response.status_code == 302
    page = client.get(item.get_absolute_url()).content.decode()
    assert '<span id="verification-badge"></span>' in page  # filled by the panel, no query on the page
    assert reverse("provenance:panel", args=[item.public_id]) in page
    fragment = client.get(reverse("provenance:panel", args=[item.public_id]), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="verification-badge" hx-swap-oob="true"' in fragment
    assert "verification-misattributed" in fragment
    panel = client.get(reverse("provenance:panel", args=[item.public_id])).content.decode()
    assert "Filmed in 2019 elsewhere." in panel
    assert "https://example.org/a" in panel
    change = VerificationChange.objects.get()
    assert change.as_moderator
    assert change.status == "misattributed"


def test_members_who_are_not_trusted_cannot_set_a_status(client, member):
    item = ItemFactory()
    client.force_login(member)
    response = client.post(reverse("provenance:verification", args=[item.public_id]), {"status": "confirmed"})
    assert response.status_code == 403
    assert (
        "Set the verification status"
        not in client.get(reverse("provenance:panel", args=[item.public_id])).content.decode()
    )


def test_a_trusted_member_may_and_bad_links_are_refused(client):
    trusted = UserFactory()
    type(trusted).objects.filter(pk=trusted.pk).update(trusted_by_moderator=True)
    trusted.refresh_from_db()
    item = ItemFactory()
    client.force_login(trusted)
    url = reverse("provenance:verification", args=[item.public_id])
    bad = client.post(url, {"status": "confirmed", "sources": "javascript:alert(1)"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert "is not a web address" in bad.content.decode()
    ok = client.post(url, {"status": "confirmed", "sources": "https://example.org/source"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200
    assert "The verification status is saved." in ok.content.decode()


def test_search_filters_by_verification_status(client, moderator):
    confirmed, plain = ItemFactory(title="Bridge collapse"), ItemFactory(title="Bridge repaired")
    from fieldcast.discovery.search import search_index_item
    from fieldcast.provenance.services import verification_set

    for item in (confirmed, plain):
        search_index_item(item_id=item.pk)
    verification_set(item=confirmed, by=moderator, status="confirmed", note="", sources=[], as_moderator=True)
    html = client.get("/search", {"q": "bridge", "verification": "confirmed"}).content.decode()
    assert "Bridge collapse" in html
    assert "Bridge repaired" not in html
    html = client.get("/search", {"q": "bridge", "verification": "unverified"}).content.decode()
    assert "Bridge repaired" in html
    assert "Bridge collapse" not in html


def test_the_upload_form_offers_the_earlier_copy_and_the_file_metadata(client):
    earlier_item = ItemFactory(title="First posted")
    store(earlier_item, random_clip(11, frames=40))
    uploader = UserFactory()
    from fieldcast.media.models import MediaAsset

    upload = MediaAsset.objects.create(
        owner=uploader, kind="video", status="ready", duration=10, original_name="mine.mp4"
    )
    from fieldcast.provenance.fingerprint import Fingerprint as FingerprintData
    from fieldcast.provenance.services import copies_record, fingerprint_save

    fingerprint = fingerprint_save(
        asset=upload, data=FingerprintData(hashes=distort(random_clip(11, 40), 8)), seconds=0
    )
    copies_record(asset=upload, fingerprint=fingerprint)
    FileMetadata.objects.create(asset=upload, latitude=48.8577, longitude=2.295, make="TestPhone")
    client.force_login(uploader)
    html = client.get(reverse("provenance:upload_check"), {"assets": str(upload.pk)}).content.decode()
    assert "This footage was posted before." in html
    assert "First posted" in html
    assert f"?update_of={earlier_item.public_id}" in html
    assert 'data-provenance-fill="pin"' in html
    assert 'data-lat="48.857700"' in html
    # Someone else's file says nothing to this member.
    client.force_login(UserFactory())
    assert (
        "First posted"
        not in client.get(reverse("provenance:upload_check"), {"assets": str(upload.pk)}).content.decode()
    )


def test_the_uploader_publishes_the_file_metadata(client):
    item = ItemFactory()
    asset = store(item, random_clip(12)).asset
    FileMetadata.objects.create(asset=asset, make="TestPhone", model="X1")
    panel_url = reverse("provenance:panel", args=[item.public_id])
    assert "TestPhone" not in client.get(panel_url).content.decode()
    client.force_login(UserFactory())
    url = reverse("provenance:metadata_publish", args=[asset.public_id])
    assert client.post(url, {"published": "1"}).status_code == 403
    client.force_login(item.author)
    assert client.post(url, {"published": "1"}).status_code == 302
    client.logout()
    html = client.get(panel_url).content.decode()
    assert "File metadata" in html
    assert "TestPhone X1" in html


def test_moderators_see_clusters_of_copies(client, moderator, member):
    _pair()
    client.force_login(member)
    assert client.get(reverse("provenance:clusters")).status_code == 403
    client.force_login(moderator)
    html = client.get(reverse("provenance:clusters")).content.decode()
    assert "Group 1: 2 items" in html
    assert "First posted" in html
    assert "Posted again" in html


def test_moderators_act_on_a_group_of_copies_at_once(client, moderator, member):
    from fieldcast.moderation.models import ModerationAction

    earlier_item, later_item, _ = _pair()
    url = reverse("provenance:clusters_act")
    client.force_login(member)
    assert client.post(url, {"action": "hold", "items": [later_item.public_id]}).status_code == 403

    client.force_login(moderator)
    page = client.get(reverse("provenance:clusters")).content.decode()
    assert f'value="{later_item.public_id}" id="g1-{later_item.public_id}" checked' in page
    assert f'value="{earlier_item.public_id}" id="g1-{earlier_item.public_id}">' in page  # the earliest: not ticked

    refused = client.post(url, {"action": "remove", "items": [later_item.public_id]}, follow=True)
    assert "Give a reason" in refused.content.decode()
    later_item.refresh_from_db()
    assert later_item.moderation == "ok"

    done = client.post(
        url,
        {"action": "remove", "reason": "A re-upload of an earlier item.", "items": [later_item.public_id]},
        follow=True,
    )
    assert "Remove: done for 1 item." in done.content.decode()
    later_item.refresh_from_db()
    earlier_item.refresh_from_db()
    assert later_item.moderation == "removed"
    assert earlier_item.moderation == "ok"
    assert ModerationAction.objects.filter(kind="remove").count() == 1

    assert (
        "Choose what to do"
        in client.post(url, {"action": "delete_all", "items": [earlier_item.public_id]}, follow=True).content.decode()
    )
