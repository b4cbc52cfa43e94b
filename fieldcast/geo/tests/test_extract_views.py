"""Places found in the text: the edit form's suggestions and the item map's extra markers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fieldcast.geo import extract
from fieldcast.geo.extract import item_places_extract
from fieldcast.geo.models import Place, PlaceName


@pytest.fixture
def places(db):
    extract._cached = None
    syria = Place.objects.create(
        name="Syria", kind="country", country_code="SY", country_name="Syria", latitude=35, longitude=38,
        population=22_000_000,
    )  # fmt: skip
    homs = Place.objects.create(
        name="Homs", country_code="SY", country_name="Syria", latitude=34.7, longitude=36.7, population=775_404
    )
    hama = Place.objects.create(
        name="Hama", country_code="SY", country_name="Syria", latitude=35.1, longitude=36.8, population=460_602
    )
    PlaceName.objects.create(place=homs, name="حمص", key="حمص")
    return {"syria": syria, "homs": homs, "hama": hama}


@pytest.fixture
def item(places, item_factory, member):
    return item_factory(author=member, title="Shelling in <b>Homs</b>", body="Smoke over حمص and Hama, Syria.")


def test_the_edit_form_loads_the_suggestions(client, member, item):
    client.force_login(member)
    body = client.get(reverse("items:edit", kwargs={"public_id": item.public_id})).content.decode()
    url = reverse("places_found", kwargs={"public_id": item.public_id})
    assert f'hx-get="{url}"' in body
    assert 'id="id_location_label"' in body  # the fields the buttons fill
    assert 'id="id_tags"' in body


def test_suggestions_poll_until_the_task_ran_then_show_the_places(client, member, item, django_assert_max_num_queries):
    client.force_login(member)
    url = reverse("places_found", kwargs={"public_id": item.public_id})
    pending = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Looking for places in your text" in pending
    assert f'hx-get="{url}?n=1"' in pending
    assert "load delay:2s" in pending

    item_places_extract(item_id=item.pk)
    with django_assert_max_num_queries(6):
        done = client.get(url + "?n=3", headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in done  # no more polling
    assert "Places found in your text:" in done
    assert 'data-place-fill="location" data-value="Homs, Syria"' in done
    assert 'data-place-fill="tag" data-value="Hama"' in done
    assert 'aria-controls="id_location_label"' in done
    assert 'aria-controls="id_tags"' in done
    assert "Add all as tags" in done


def test_suggestions_stop_polling_after_a_while(client, member, item):
    client.force_login(member)
    url = reverse("places_found", kwargs={"public_id": item.public_id})
    body = client.get(url + "?n=999").content.decode()
    assert "hx-get" not in body
    assert client.get(url + "?n=abc").status_code == 200


def test_suggestions_are_the_owners_only(client, other_member, item):
    url = reverse("places_found", kwargs={"public_id": item.public_id})
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(other_member)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code in (404, 405)


def test_staff_see_the_suggestions(client, staff, item):
    client.force_login(staff)
    assert client.get(reverse("places_found", kwargs={"public_id": item.public_id})).status_code == 200


def test_the_map_gets_the_other_places_of_the_text(client, member, places, item_factory):
    from fieldcast.items.services import item_update

    item = item_factory(author=member, title="Shelling in Homs", body="Smoke over Hama, Syria.")
    item = item_update(
        item=item, editor=member, title=item.title, rating="GA", body=item.body, occurred_on=None,
        occurred_precision=item.occurred_precision, source="", location_label="Homs", tags=[], channels=[],
        visibility=item.visibility,
    )  # fmt: skip
    assert item.place == places["homs"]
    item_places_extract(item_id=item.pk)
    page = client.get(item.get_absolute_url()).content.decode()
    json_url = reverse("places_json", kwargs={"public_id": item.public_id})
    assert f'data-places-url="{json_url}"' in page
    data = client.get(json_url).json()
    assert {p["label"] for p in data["places"]} == {"Hama, Syria", "Syria"}  # Homs is the main marker
    assert {"lat", "lon", "matched"} <= set(data["places"][0])


def test_the_map_places_follow_the_access_layer(client, member, other_member, places, item_factory):
    private = item_factory(author=member, title="Shelling in Homs", visibility="private")
    item_places_extract(item_id=private.pk)
    client.force_login(other_member)
    assert client.get(reverse("places_json", kwargs={"public_id": private.public_id})).status_code == 404
    client.force_login(member)
    assert client.get(reverse("places_json", kwargs={"public_id": private.public_id})).status_code == 200


def test_the_new_item_form_has_no_suggestions(client, member):
    client.force_login(member)
    assert "places-found" not in client.get(reverse("items:new")).content.decode()
