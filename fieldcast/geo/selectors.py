"""Reads of the gazetteer: suggestions for the location field, places near a point."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from .keys import fold_key
from .models import Place, PlaceName

SUGGEST_MAX_QUERY = 100
SUGGEST_LIMIT = 8
_EARTH_KM = 6371.0


def _key_prefix(qs: QuerySet, field: str, prefix: str) -> QuerySet:
    """Rows whose key starts with prefix, on an index on both databases.

    SQLite compares text bytewise (UTF-8 order is code point order), so a range is exact and
    uses the plain index; PostgreSQL's LIKE 'x%' uses the varchar_pattern_ops index (a range
    would follow the locale's collation, which is not code point order).
    """
    if connection.vendor == "sqlite":
        return qs.filter(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return qs.filter(**{f"{field}__startswith": prefix})


def places_suggest(query: str, *, limit: int = SUGGEST_LIMIT) -> list[Place]:
    """Places whose name or alternate name starts with what was typed, the most populous first."""
    key = fold_key(query)
    if not key:
        return []
    by_name = _key_prefix(Place.objects.all(), "name_key", key).order_by("-population")
    primary = set(by_name.values_list("pk", flat=True)[:limit])
    alt = _key_prefix(PlaceName.objects.all(), "key", key).order_by("-place__population")
    ids = primary | set(alt.values_list("place_id", flat=True)[: limit * 4])
    places = list(Place.objects.filter(pk__in=ids))
    # Countries, then places whose own name starts so ("Tr": Tripoli before Chongqing, which
    # some language spells Tr...), then by population.
    places.sort(key=lambda p: (p.kind != Place.Kind.COUNTRY, p.pk not in primary, -p.population, p.name))
    return places[:limit]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class NearPlace:
    place: Place
    distance_km: float


def places_near(lat: float, lon: float, limit: int = 10, *, kinds: tuple[str, ...] = ()) -> list[NearPlace]:
    """The `limit` places closest to a point, nearest first (countries are left out unless asked for:
    their coordinates are a centroid).

    Searches a latitude/longitude box that doubles until it holds enough places (a box's corner
    can be farther than a place just outside it, so one more doubling is searched before sorting).
    """
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("Latitude must be within -90..90 and longitude within -180..180.")
    if limit <= 0:
        return []
    qs = Place.objects.filter(kind__in=kinds or (Place.Kind.CITY, Place.Kind.SITE, Place.Kind.REGION))
    span, found, extra = 0.25, 0, 1
    while True:
        box = _in_box(qs, lat, lon, span)
        found = box.count()
        if span >= 180:
            break
        if found >= limit:
            if extra == 0:
                break
            extra -= 1
        span *= 2
    near = [NearPlace(p, distance_km(lat, lon, p.latitude, p.longitude)) for p in _in_box(qs, lat, lon, span)]
    near.sort(key=lambda n: (n.distance_km, -n.place.population))
    return near[:limit]


def _in_box(qs: QuerySet, lat: float, lon: float, span: float) -> QuerySet:
    box = qs.filter(latitude__gte=lat - span, latitude__lte=lat + span)
    if span >= 180 or abs(lat) + span >= 90:  # near a pole or the whole world: every longitude
        return box
    lon_span = min(180.0, span / max(0.05, math.cos(math.radians(min(89.0, abs(lat) + span)))))
    if lon_span >= 180:
        return box
    west, east = lon - lon_span, lon + lon_span
    if west < -180:
        return box.filter(_lon_wrapping(east, west + 360))
    if east > 180:
        return box.filter(_lon_wrapping(east - 360, west))
    return box.filter(longitude__gte=west, longitude__lte=east)


def _lon_wrapping(east: float, west: float) -> Q:
    """Longitudes in a box that crosses the antimeridian: <= east or >= west."""
    return Q(longitude__lte=east) | Q(longitude__gte=west)
