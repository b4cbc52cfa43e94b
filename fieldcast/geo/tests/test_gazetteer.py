"""The gazetteer: loading GeoNames places, resolving what uploaders type, places near a point."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fieldcast.demo.data import PLACES
from fieldcast.geo.keys import fold_key
from fieldcast.geo.models import Place, PlaceName
from fieldcast.geo.selectors import distance_km, places_near, places_suggest
from fieldcast.geo.services import gazetteer_load, place_resolve

SUBSET = ["SY", "LB", "LY"]


@pytest.fixture
def gazetteer(db):
    """The demo's places (as load_demo makes them), then the gazetteer of three countries."""
    for spec in PLACES:
        Place(**spec).save()
    return gazetteer_load(country_codes=SUBSET)


def test_fold_key_ignores_case_width_and_diacritics():
    assert fold_key("Valparaíso") == fold_key("VALPARAISO") == "valparaiso"
    assert fold_key("  Yabrūd ") == "yabrud"
    assert fold_key("Ḥimṣ") == "hims"
    assert fold_key("حِمْص") == fold_key("حمص") == "حمص"  # harakat dropped, letters kept
    assert fold_key("Київ") == "київ"
    assert fold_key("КИЇВ") == "київ"
    assert fold_key("Хмельницький") == "хмельницький"  # й is a letter, not и with a breve


def test_load_creates_countries_and_cities_with_alternate_names(gazetteer):
    assert gazetteer.created > 50
    syria = Place.objects.get(kind="country", country_code="SY")
    assert syria.name == "Syria"
    homs = Place.objects.get(kind="city", country_code="SY", name="Homs")
    assert homs.population > 500_000
    keys = set(homs.alternate_names.values_list("key", flat=True))
    assert {"homs", "hims", "emesa", "حمص"} <= keys
    assert "qhs" not in keys  # airport codes are left out: they match words
    assert not Place.objects.filter(country_code="FR").exists()


def test_load_merges_the_demo_places_and_is_idempotent(gazetteer):
    # The demo's "Yabroud" is GeoNames' "Yabrūd": one place, the demo's name kept.
    yabroud = Place.objects.get(country_code="SY", kind="city", name_key="yabroud")
    assert not Place.objects.filter(name="Yabrūd").exists()
    assert "yabrud" in set(yabroud.alternate_names.values_list("key", flat=True))
    assert yabroud.population > 25_000  # GeoNames' figure
    assert Place.objects.filter(name="Tripoli").count() == 2
    places, names = Place.objects.count(), PlaceName.objects.count()
    again = gazetteer_load(country_codes=SUBSET)
    assert again.created == 0
    assert again.names == 0
    assert again.merged == 0
    assert (Place.objects.count(), PlaceName.objects.count()) == (places, names)


def test_load_command(db, capsys):
    call_command("load_gazetteer", "--countries", "LB")
    assert "places created" in capsys.readouterr().out
    assert Place.objects.filter(country_code="LB", name="Beirut").exists()
    call_command("load_gazetteer", "--countries", "LB", "--if-empty")  # not "loaded": under 1000 cities
    with pytest.raises(ValueError, match="min_population"):
        gazetteer_load(min_population=7000)


@pytest.mark.parametrize(
    ("label", "country", "name"),
    [
        ("Tripoli", "LY", "Tripoli"),  # the most populous of the two
        ("Tripoli, Lebanon", "LB", "Tripoli"),
        ("tripoli, lb", "LB", "Tripoli"),
        ("Tarabulus, Libya", "LY", "Tripoli"),
        ("Homs", "SY", "Homs"),  # Al Khums in Libya is also called Homs: the primary name wins
        ("Homs, Libya", "LY", "Al Khums"),
        ("Hims", "SY", "Homs"),
        ("HOMS, syria", "SY", "Homs"),
        ("حمص", "SY", "Homs"),
        ("Jabrud", "SY", "Yabroud"),  # a spelling variant from the alternate names
        ("Yabrūd", "SY", "Yabroud"),
        ("yabrud", "SY", "Yabroud"),
        ("Syria", "SY", "Syria"),
        ("Yabroud, Qalamoun", "SY", "Yabroud"),  # a region after the comma is not a country: ignored
    ],
)
def test_place_resolve(gazetteer, label, country, name):
    place = place_resolve(label)
    assert place is not None, label
    assert (place.country_code, place.name) == (country, name)


@pytest.mark.parametrize("label", ["", " , ", "Qalamoun mountains", "Atlantis", "x" * 300])
def test_place_resolve_unknown(gazetteer, label):
    assert place_resolve(label) is None


def test_place_resolve_without_the_gazetteer(db):
    """Before load_gazetteer (only places saved one by one, no alternate names)."""
    Place(name="Valparaíso", kind="city", country_code="CL", country_name="Chile", latitude=-33, longitude=-71).save()
    assert place_resolve("VALPARAÍSO").name == "Valparaíso"


def test_suggest_selector_prefix_and_ranking(gazetteer):
    names = [str(p) for p in places_suggest("trip")]
    assert names[:2] == ["Tripoli, Libya", "Tripoli, Lebanon"]
    assert "Homs, Syria" in [str(p) for p in places_suggest("hom")]
    assert [str(p) for p in places_suggest("حم")][:1] == ["Homs, Syria"]
    assert len(places_suggest("a")) <= 8
    assert places_suggest("   ") == []


def test_suggest_endpoint(client, gazetteer, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/places/suggest", {"q": "Tripo"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["label"] == "Tripoli, Libya"
    assert {"name", "kind", "country", "latitude", "longitude"} <= set(results[0])

    arabic = client.get("/places/suggest", {"q": "طرابلس"}).json()["results"]
    assert {r["country"] for r in arabic} >= {"Libya", "Lebanon"}

    assert client.get("/places/suggest", {"q": ""}).json()["results"] == []
    assert client.get("/places/suggest").json()["results"] == []
    too_long = client.get("/places/suggest", {"q": "a" * 101})
    assert too_long.status_code == 400
    assert "at most 100 characters" in too_long.json()["error"]
    for odd in ["%", "_", "' OR 1=1 --", "\\", "\x00"[:0] + "a%b"]:
        assert client.get("/places/suggest", {"q": odd}).status_code == 200
    assert client.post("/places/suggest", {"q": "x"}).status_code == 405


def test_suggest_like_wildcards_are_literal(gazetteer):
    assert places_suggest("%") == []
    assert places_suggest("_oms") == []


def test_places_near(gazetteer):
    near = places_near(34.73, 36.71, 3)
    assert near[0].place.name == "Homs"
    assert near[0].distance_km < 5
    assert [n.distance_km for n in near] == sorted(n.distance_km for n in near)
    assert all(n.place.kind != "country" for n in near)
    far = places_near(-40.0, -100.0, 2)  # mid-Pacific: the box widens until it finds places
    assert len(far) == 2
    assert places_near(0, 0, 0) == []
    with pytest.raises(ValueError, match="Latitude"):
        places_near(91, 0, 3)


def test_places_near_across_the_antimeridian(db):
    fiji = Place(name="Labasa", kind="city", country_code="FJ", latitude=-16.43, longitude=179.36)
    fiji.save()
    samoa = Place(name="Apia", kind="city", country_code="WS", latitude=-13.83, longitude=-171.76)
    samoa.save()
    assert [n.place.name for n in places_near(-16.0, -179.9, 1)] == ["Labasa"]


def test_distance_km():
    assert distance_km(0, 0, 0, 0) == 0
    assert 110 < distance_km(0, 0, 1, 0) < 112


@pytest.mark.slow
def test_load_everything_twice(db):
    """The whole default gazetteer (all countries, cities of 15,000 people or more)."""
    for spec in PLACES:
        Place(**spec).save()
    first = gazetteer_load()
    assert first.created > 30_000
    assert Place.objects.filter(kind="country").count() > 220  # not those without a town of 15,000
    assert Place.objects.filter(name="Yabroud").count() == 1
    assert not Place.objects.filter(name="Yabrūd").exists()
    assert place_resolve("Kiev").name == "Kyiv"
    assert place_resolve("Valparaiso").country_code == "CL"
    second = gazetteer_load()
    assert second.created == 0
    assert second.names == 0
