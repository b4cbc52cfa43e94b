"""Creating, editing and deleting items through the owner's form."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, PlaceFactory
from fieldcast.items.models import Item


def valid_data(**overrides):
    data = {
        "title": "Flooding on the river front",
        "body": "Water rose **two metres** overnight.",
        "rating": "PG",
        "occurred_precision": "day",
        "occurred_on": "2026-11-01",
        "occurred_time": "",
        "occurred_tz": "",
        "source": "Filmed by a resident",
        "location_label": "Homs, Syria",
        "tags": "flood, Flood, river",
        "visibility": "public",
        "agree_terms": "on",
    }
    data.update(overrides)
    return data


def test_guest_is_sent_to_log_in(client, db):
    response = client.get(reverse("items:new"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_creates_an_item(client, member):
    PlaceFactory()
    channel = ChannelFactory(name="Disasters", slug="disasters", owner=member)
    client.force_login(member)
    response = client.post(reverse("items:new"), valid_data(channels=[channel.pk]))
    assert response.status_code == 302
    item = Item.objects.get()
    assert response["Location"] == item.get_absolute_url()
    assert item.author == member
    assert item.rating == "PG"
    assert item.lifecycle == "ready"
    assert item.place is not None
    assert item.place.name == "Homs"
    assert item.location_label == "Homs, Syria"
    assert item.occurred_on == datetime.date(2026, 11, 1)
    assert [t.name for t in item.tags.order_by("item_links__position")] == ["flood", "river"]
    assert item.channels_count == 1
    assert "<strong>two metres</strong>" in item.body_html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Give the item a title"),
        ({"rating": ""}, "rating", "Choose a rating"),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
        ({"occurred_on": "2999-01-01"}, "occurred_on", "cannot be in the future"),
        ({"occurred_on": ""}, "occurred_on", "or choose “Unknown”"),
        ({"occurred_on": "not a date"}, "occurred_on", "Enter a valid date"),
        ({"occurred_tz": "Mars/Olympus"}, "occurred_tz", "is not a time zone name"),
        ({"tags": ",".join(f"t{n}" for n in range(25))}, "tags", "at most 20 tags"),
        ({"tags": "x" * 60}, "tags", "at most 50 characters"),
        ({"source": "s" * 501}, "source", "at most 500 characters"),
        ({"rating": "XX"}, "rating", "Select a valid choice"),
        ({"agree_terms": ""}, "agree_terms", "Agree to the terms of use to post"),
        ({"follow_up_of": "https://example.org/some/page"}, "follow_up_of", "Paste the link to an item of this site"),
        ({"follow_up_of": "/v/ZZZZZZZZZZ/missing"}, "follow_up_of", "No item you can see has this link"),
    ],
)
def test_bad_input_gets_a_message_on_its_field(client, member, overrides, field, message):
    client.force_login(member)
    response = client.post(reverse("items:new"), valid_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert any(message in error for error in errors[field]), errors[field]
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert not Item.objects.exists()


def test_unknown_occurred_date_is_allowed(client, member):
    client.force_login(member)
    client.post(reverse("items:new"), valid_data(occurred_precision="unknown", occurred_on=""))
    item = Item.objects.get()
    assert item.occurred_on is None
    assert item.occurred_precision == "unknown"


def test_month_precision_stores_the_first_of_the_month(client, member):
    client.force_login(member)
    client.post(reverse("items:new"), valid_data(occurred_precision="month", occurred_on="2024-03-17"))
    assert Item.objects.get().occurred_on == datetime.date(2024, 3, 1)


def test_member_cannot_file_into_editorial_channels(client, member):
    featured = ChannelFactory(name="Featured", slug="featured", kind="editorial")
    client.force_login(member)
    response = client.post(reverse("items:new"), valid_data(channels=[featured.pk]))
    assert response.status_code == 200
    assert "channels" in response.context["form"].errors
    assert not Item.objects.exists()


def test_owner_edits_and_other_members_cannot(client, member, other_member):
    item = ItemFactory(author=member, title="Old title", tags=["a"])
    client.force_login(other_member)
    assert client.get(reverse("items:edit", kwargs={"public_id": item.public_id})).status_code == 404
    assert client.post(reverse("items:edit", kwargs={"public_id": item.public_id}), valid_data()).status_code == 404
    client.force_login(member)
    form_page = client.get(reverse("items:edit", kwargs={"public_id": item.public_id}))
    assert 'value="Old title"' in form_page.content.decode()
    response = client.post(reverse("items:edit", kwargs={"public_id": item.public_id}), valid_data(title="New title"))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "New title"
    assert item.slug == "new-title"


def test_failed_edit_keeps_the_stored_item(client, member):
    item = ItemFactory(author=member, title="Keep me", rating="MA")
    client.force_login(member)
    response = client.post(reverse("items:edit", kwargs={"public_id": item.public_id}), valid_data(title="", rating=""))
    assert response.status_code == 200
    item.refresh_from_db()
    assert (item.title, item.rating) == ("Keep me", "MA")


def test_delete_needs_confirmation(client, member):
    parent = ItemFactory(author=member)
    item = ItemFactory(author=member, update_of=parent)
    parent.refresh_from_db()
    assert parent.updates_count == 1
    client.force_login(member)
    url = reverse("items:delete", kwargs={"public_id": item.public_id})
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Tick the box to confirm" in response.content.decode()
    assert Item.objects.filter(pk=item.pk).exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert not Item.objects.filter(pk=item.pk).exists()
    parent.refresh_from_db()
    assert parent.updates_count == 0


def test_other_member_cannot_delete(client, member, other_member):
    item = ItemFactory(author=member)
    client.force_login(other_member)
    response = client.post(reverse("items:delete", kwargs={"public_id": item.public_id}), {"confirm": "on"})
    assert response.status_code == 404
    assert Item.objects.filter(pk=item.pk).exists()


def test_post_an_update(client, member):
    original = ItemFactory(title="Original report")
    client.force_login(member)
    page = client.get(reverse("items:new") + f"?update_of={original.public_id}")
    assert "Post an update" in page.content.decode()
    assert f'value="{original.public_id}"' in page.content.decode()
    client.post(reverse("items:new"), valid_data(title="Follow-up", follow_up_of=original.get_absolute_url()))
    follow_up = Item.objects.get(title="Follow-up")
    assert follow_up.update_of == original
    original.refresh_from_db()
    assert original.updates_count == 1


def test_preview_renders_sanitised_markdown(client, member):
    client.force_login(member)
    response = client.post(reverse("items:preview"), {"body": "**bold** <script>x</script>"})
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html


def test_writes_are_rate_limited(client, member, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 2
    client.force_login(member)
    statuses = [client.post(reverse("items:new"), valid_data(title=f"Item {n}")).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert Item.objects.count() == 2


def test_occurred_on_tomorrow_is_accepted_for_time_zones(client, member):
    client.force_login(member)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(reverse("items:new"), valid_data(occurred_on=tomorrow.isoformat()))
    assert response.status_code == 302
