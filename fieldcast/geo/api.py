"""The places part of the REST API: the gazetteer's search (the location field's
suggestions, /places/suggest) and the places near a point (mounted by fieldcast.api.main).

Both answer a short ranked list, not a paginated one: the best matches of a ranking made
in Python (countries first, then population; or distance), at most `limit`.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from fieldcast.api.schemas import LIST_ERRORS

from .models import Place
from .selectors import SUGGEST_LIMIT, SUGGEST_MAX_QUERY, places_near, places_suggest

router = Router(tags=["Places"])

PLACES_MAX = 20
KINDS = ("city", "site", "region", "country")


class PlaceOut(Schema):
    label: str = Field(..., description="The place as the site writes it; usable as an item's location_label.",
                       examples=["Homs, Syria"])  # fmt: skip
    name: str = Field(..., examples=["Homs"])
    kind: Literal["country", "region", "city", "site"]
    country_code: str = Field(..., description="ISO 3166-1 alpha-2, or ''.", examples=["SY"])
    country_name: str = Field(..., examples=["Syria"])
    latitude: float = Field(..., examples=[34.7324])
    longitude: float = Field(..., examples=[36.7137])
    population: int = Field(..., description="0 when unknown.", examples=[775000])


class NearPlaceOut(PlaceOut):
    distance_km: float = Field(..., description="Great-circle distance from the point asked about.", examples=[3.2])


class PlaceSearchOut(Schema):
    query: str
    results: list[PlaceOut]


class PlacesNearOut(Schema):
    latitude: float
    longitude: float
    results: list[NearPlaceOut]


def place_fields(place: Place) -> dict[str, Any]:
    return {
        "label": str(place),
        "name": place.name,
        "kind": place.kind,
        "country_code": place.country_code,
        "country_name": place.country_name,
        "latitude": round(place.latitude, 5),
        "longitude": round(place.longitude, 5),
        "population": place.population,
    }


@router.get("/places", response={200: PlaceSearchOut, **LIST_ERRORS}, summary="Find places by name")
def place_search(
    request: HttpRequest,
    q: str = Query(
        ...,
        max_length=SUGGEST_MAX_QUERY,
        description="The start of a place's name or of one of its other names, in any script and case, "
        "accents optional.",
        examples=["hom"],
    ),
    limit: int = Query(SUGGEST_LIMIT, ge=1, le=PLACES_MAX, description="How many places, 1 to 20."),
) -> PlaceSearchOut:
    """The gazetteer's places whose name or alternate name starts with `q` (Yabrud finds
    Yabroud, حمص finds Homs): countries first, then places whose own name matches, then by
    population. This is what the site's location field suggests."""
    return PlaceSearchOut(
        query=q,
        results=[PlaceOut(**place_fields(p)) for p in places_suggest(q.replace("\x00", "").strip(), limit=limit)],
    )  # type: ignore[arg-type]


@router.get("/places/nearby", response={200: PlacesNearOut, **LIST_ERRORS}, summary="Places near a point")
def place_nearby(
    request: HttpRequest,
    lat: float = Query(..., ge=-90, le=90, description="Latitude in decimal degrees.", examples=[34.73]),
    lon: float = Query(..., ge=-180, le=180, description="Longitude in decimal degrees.", examples=[36.71]),
    limit: int = Query(10, ge=1, le=PLACES_MAX, description="How many places, 1 to 20."),
    kind: list[Literal["city", "site", "region", "country"]] | None = Query(  # noqa: B008 (ninja's declaration)
        None, description="Kinds of place to include (repeat the parameter); default: cities, sites and regions."
    ),
) -> PlacesNearOut:
    """The places nearest to a point, nearest first, with their distance (countries only
    when asked for with `kind=country`: their point is the capital)."""
    near = places_near(lat, lon, limit, kinds=tuple(dict.fromkeys(kind or ())))
    return PlacesNearOut(
        latitude=lat,
        longitude=lon,
        results=[NearPlaceOut(**place_fields(n.place), distance_km=round(n.distance_km, 3)) for n in near],
    )
