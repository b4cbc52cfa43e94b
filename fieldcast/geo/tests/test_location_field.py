"""The item form's location field: place suggestions wiring and the map pin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fieldcast.core.testing.factories import ItemFactory, PlaceFactory
from fieldcast.geo.services import pin_validate
from fieldcast.items.models import Item
from fieldcast.items.services import item_create


def form_data(**overrides):
    data = {
        "title": "Shelling near the old market",
        "body": "",
        "rating": "PG",
        "occurred_precision": "unknown",
        "location_label": "Homs, Syria",
        "tags": "",
        "visibility": "public",
        "agree_terms": "on",
        "pin_latitude": "34.72681",
        "pin_longitude": "36.72341",
    }
    data.update(overrides)
    return data


def test_form_page_has_the_suggestions_and_the_pin(client, member):
    client.force_login(member)
    page = client.get(reverse("items:new")).content.decode()
    assert 'data-place-suggest="/places/suggest"' in page
    assert 'id="id_pin_latitude"' in page
    assert 'id="id_pin_longitude"' in page
    assert '<label for="id_pin_latitude">' in page
    assert "Drop a pin on a map" in page
    assert "leaflet.js" in page
    assert "js/location.js" in page


def test_member_posts_an_item_with_a_pin(client, member):
    PlaceFactory()
    client.force_login(member)
    response = client.post(reverse("items:new"), form_data())
    assert response.status_code == 302
    item = Item.objects.get()
    assert (item.pin_latitude, item.pin_longitude) == (34.72681, 36.72341)
    assert item.place is not None
    assert item.place.name == "Homs"


def test_free_text_location_is_kept_as_the_label(client, member):
    client.force_login(member)
    label = "Qalamoun mountains, near the Lebanese border"
    client.post(reverse("items:new"), form_data(location_label=label, pin_latitude="", pin_longitude=""))
    item = Item.objects.get()
    assert item.location_label == label
    assert item.place is None
    assert item.pin_latitude is None
    assert item.pin_longitude is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pin_latitude": "91"}, "pin_latitude", "Latitude is between -90 and 90 degrees."),
        ({"pin_latitude": "-90.5"}, "pin_latitude", "Latitude is between -90 and 90 degrees."),
        ({"pin_longitude": "180.01"}, "pin_longitude", "Longitude is between -180 and 180 degrees."),
        ({"pin_latitude": "north"}, "pin_latitude", "Give the latitude as a number of degrees, e.g. 34.7324."),
        ({"pin_longitude": "nan"}, "pin_longitude", "Give the longitude as a number of degrees, e.g. 36.7137."),
        ({"pin_longitude": ""}, "pin_longitude", "Give both latitude and longitude for the pin, or leave both empty."),
        ({"pin_latitude": ""}, "pin_latitude", "Give both latitude and longitude for the pin, or leave both empty."),
    ],
)
def test_pin_validation_messages(client, member, overrides, field, message):
    client.force_login(member)
    response = client.post(reverse("items:new"), form_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert not Item.objects.exists()


def test_owner_moves_and_clears_the_pin_and_others_cannot(client, member, other_member):
    item = ItemFactory(author=member)
    url = reverse("items:edit", kwargs={"public_id": item.public_id})
    client.force_login(other_member)
    assert client.post(url, form_data(pin_latitude="1", pin_longitude="2")).status_code == 404
    item.refresh_from_db()
    assert item.pin_latitude is None

    client.force_login(member)
    assert client.post(url, form_data(pin_latitude="-33.4489", pin_longitude="-70.6693")).status_code == 302
    item.refresh_from_db()
    assert (item.pin_latitude, item.pin_longitude) == (-33.4489, -70.6693)
    page = client.get(url).content.decode()
    assert 'value="-33.4489"' in page  # the edit form shows the pin

    assert client.post(url, form_data(pin_latitude="", pin_longitude="")).status_code == 302
    item.refresh_from_db()
    assert item.pin_latitude is None
    assert item.pin_longitude is None


def test_pin_validate_service(member):
    assert pin_validate(None, None) == {"pin_latitude": None, "pin_longitude": None}
    assert pin_validate(90, -180) == {"pin_latitude": 90, "pin_longitude": -180}
    with pytest.raises(ValidationError) as raised:
        pin_validate(100, 200)
    assert set(raised.value.message_dict) == {"pin_latitude", "pin_longitude"}
    with pytest.raises(ValidationError):
        pin_validate(10, None)
    with pytest.raises(ValidationError):
        item_create(author=member, title="Pin out of range", rating="GA", pin_latitude=-91, pin_longitude=0)
    assert not Item.objects.exists()
