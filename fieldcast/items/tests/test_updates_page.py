"""Follow-ups on the item page: the original lists them newest first, the update shows a banner."""

from __future__ import annotations

import datetime

from django.utils import timezone

from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item


def test_the_original_lists_its_updates_newest_first_with_their_dates(client, db):
    original = ItemFactory(title="Dam breach upstream")
    now = timezone.now()
    for n, days_ago in enumerate([3, 1, 2]):
        update = ItemFactory(
            title=f"Update number {n}",
            update_of=original,
            occurred_on=datetime.date(2026, 3, 10 + n),
            occurred_precision="day",
        )
        Item.objects.filter(pk=update.pk).update(added_at=now - datetime.timedelta(days=days_ago))
    html = client.get(original.get_absolute_url()).content.decode()
    section = html[html.index('id="updates-h"') :]
    assert "(newest first)" in section
    positions = [section.index(f"Update number {n}") for n in (1, 2, 0)]
    assert positions == sorted(positions)
    assert "occurred on Mar-11-2026" in section
    assert "occurred on Mar-10-2026" in section


def test_updates_the_viewer_may_not_list_are_left_out(client, db, settings):
    settings.SAFE_MODE_POLICY = "hide"
    original = ItemFactory()
    ItemFactory(title="Listed update", update_of=original)
    ItemFactory(title="Private update", update_of=original, visibility="private")
    ItemFactory(title="Removed update", update_of=original, moderation="removed")
    ItemFactory(title="Graphic update", update_of=original, rating="MA")
    html = client.get(original.get_absolute_url()).content.decode()
    assert "Listed update" in html
    for hidden in ("Private update", "Removed update", "Graphic update"):
        assert hidden not in html


def test_the_update_shows_a_banner_pointing_back_to_the_original(client, db):
    author = UserFactory(username="kyiv_witness")
    original = ItemFactory(
        title="Власти сообщают о взрыве",
        author=author,
        occurred_on=datetime.date(2026, 2, 1),
        occurred_precision="day",
    )
    update = ItemFactory(title="The morning after", update_of=original)
    html = client.get(update.get_absolute_url()).content.decode()
    banner = html[html.index('<aside class="update-banner"') : html.index("</aside>")]
    assert "This is an update to:" in banner
    assert f'<a href="{original.get_absolute_url()}" dir="auto">Власти сообщают о взрыве</a>' in banner
    assert "Occurred on Feb-01-2026. Posted by kyiv_witness." in banner
    # A box at the top: before the title.
    assert html.index('class="update-banner"') < html.index('<h1 dir="auto">The morning after')


def test_no_banner_when_the_original_cannot_be_opened(client, db):
    original = ItemFactory(title="Made private later")
    update = ItemFactory(update_of=original)
    Item.objects.filter(pk=original.pk).update(visibility="private")
    html = client.get(update.get_absolute_url()).content.decode()
    assert "update-banner" not in html
    assert "Made private later" not in html


def test_an_original_behind_the_interstitial_still_gets_a_banner(client, db):
    original = ItemFactory(title="Graphic original", rating="MA")
    update = ItemFactory(update_of=original)
    html = client.get(update.get_absolute_url()).content.decode()
    assert "This is an update to:" in html
    assert "Graphic original" in html
