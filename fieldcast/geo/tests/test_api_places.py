"""Places in the API: the gazetteer search of the location field, and places near a point."""

from __future__ import annotations

import pytest
from django.test import Client

from fieldcast.api.testing import as_member
from fieldcast.geo.keys import fold_key
from fieldcast.geo.models import Place, PlaceName

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def places(db):
    syria = Place.objects.create(name="Syria", kind="country", country_code="SY", country_name="Syria",
                                 latitude=33.5, longitude=36.3, population=22_000_000)  # fmt: skip
    homs = Place.objects.create(name="Homs", kind="city", country_code="SY", country_name="Syria",
                                latitude=34.7324, longitude=36.7137, population=775_000)  # fmt: skip
    PlaceName.objects.create(place=homs, name="حمص", key=fold_key("حمص"))
    hama = Place.objects.create(name="Hama", kind="city", country_code="SY", country_name="Syria",
                                latitude=35.1318, longitude=36.7578, population=696_000)  # fmt: skip
    Place.objects.create(name="Tartus", kind="city", country_code="SY", country_name="Syria",
                         latitude=34.889, longitude=35.886, population=115_000)  # fmt: skip
    return {"syria": syria, "homs": homs, "hama": hama}


def test_place_search_is_the_location_fields_suggestions(places):
    body = Client().get(f"{API}/places", {"q": "h"}).json()
    assert body["query"] == "h"
    assert [p["name"] for p in body["results"]] == ["Homs", "Hama"]  # by population
    homs = body["results"][0]
    assert homs == {
        "label": "Homs, Syria", "name": "Homs", "kind": "city", "country_code": "SY", "country_name": "Syria",
        "latitude": 34.7324, "longitude": 36.7137, "population": 775_000,
    }  # fmt: skip
    assert [p["name"] for p in Client().get(f"{API}/places", {"q": "حم"}).json()["results"]] == ["Homs"]
    assert [p["kind"] for p in Client().get(f"{API}/places", {"q": "s"}).json()["results"]] == ["country"]
    assert len(Client().get(f"{API}/places", {"q": "h", "limit": 1}).json()["results"]) == 1
    assert Client().get(f"{API}/places", {"q": "h\x00"}).status_code == 200


def test_place_search_refuses_bad_input(places):
    for params, field in (({"q": "x" * 101}, "q"), ({}, "q"), ({"q": "h", "limit": 21}, "limit")):
        response = Client().get(f"{API}/places", params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["field"] == field


def test_places_nearby_nearest_first_with_distances(places, member):
    body = as_member(member, "read").get(f"{API}/places/nearby", {"lat": 34.75, "lon": 36.7}).json()
    assert [p["name"] for p in body["results"]] == ["Homs", "Hama", "Tartus"]  # no country unless asked
    assert 0 < body["results"][0]["distance_km"] < 5
    with_countries = Client().get(f"{API}/places/nearby", {"lat": 33.5, "lon": 36.3, "kind": "country"}).json()
    assert [p["name"] for p in with_countries["results"]] == ["Syria"]
    assert len(Client().get(f"{API}/places/nearby", {"lat": 34.75, "lon": 36.7, "limit": 1}).json()["results"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [({"lat": 91, "lon": 0}, "lat"), ({"lat": 0, "lon": -181}, "lon"), ({"lat": "north", "lon": 0}, "lat"),
     ({"lat": 0}, "lon"), ({"lat": 0, "lon": 0, "kind": "planet"}, "kind")],
)  # fmt: skip
def test_places_nearby_refuses_bad_input(places, params, field):
    response = Client().get(f"{API}/places/nearby", params)
    assert response.status_code == 422
    assert {e["field"].split(".")[0] for e in response.json()["errors"]} == {field}
