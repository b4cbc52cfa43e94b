"""The world map (/map) and the channel maps: recent listed items, clustered by place.

An item's point is its pin (Item.pin_latitude / pin_longitude) when it has one, else its
place's coordinates; items with neither are not on the map. Which items is decided by
discovery.search (search_items and SearchFilters: the rules of /search, and through them
Item.objects.visible_to(viewer), so Safe Mode's `hide` policy leaves MA items out and
`blur` sends them without a thumbnail).

Clustering is done here, on the server: the newest MAP_MAX_ITEMS points inside the
bounding box are put in grid cells whose size halves with each zoom level, and each cell
comes back as one marker with its count, its mean point, its bounds and its newest few
items. Two queries for the points and the items shown, two more for their thumbnails,
whatever the number of items.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, F, FloatField, Q, QuerySet, When

from fieldcast.geo.models import Place
from fieldcast.items.models import Item
from fieldcast.items.selectors import _with_tags
from fieldcast.items.templatetags.items import card_image_url, shielded
from fieldcast.moderation.viewer import Viewer

from .search import ParsedQuery, SearchFilters, parse_query, search_items

MAP_MAX_ITEMS = 1000  # newest points clustered per request
CELL_SAMPLE = 3  # items sent with each cell (the newest), for its popup
MAX_ZOOM = 18
DEFAULT_ZOOM = 2
CELL_PIXELS = 64  # a cell is about this many screen pixels wide at its zoom level
WORLD: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0)

HAS_PIN = Q(pin_latitude__isnull=False, pin_longitude__isnull=False)
BBOX_PLACES_LISTED = 2000  # places of a map's box passed as a list; more: as a subquery


class MapParamError(ValueError):
    """A query-string parameter of the map that cannot be used (answered with 400)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east

    def as_list(self) -> list[float]:
        return [self.west, self.south, self.east, self.north]


def parse_bbox(raw: str | None) -> BBox:
    """`west,south,east,north` in degrees (west > east crosses the antimeridian); the
    whole world when absent. Raises MapParamError naming `bbox`."""
    if raw is None or not raw.strip():
        return BBox(*WORLD)
    parts = raw.split(",")
    if len(parts) != 4:
        raise MapParamError("bbox", "bbox must be four numbers: west,south,east,north.")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise MapParamError("bbox", "bbox must be four numbers: west,south,east,north.") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise MapParamError("bbox", "bbox must be four finite numbers.")
    # Leaflet reports longitudes past ±180 when the world wraps; beyond a full turn is nonsense.
    if not (-540 <= west <= 540 and -540 <= east <= 540):
        raise MapParamError("bbox", "bbox longitudes must lie between -180 and 180.")
    if not (-90 <= south <= 90 and -90 <= north <= 90):
        raise MapParamError("bbox", "bbox latitudes must lie between -90 and 90.")
    if south > north:
        raise MapParamError("bbox", "bbox south must not be above north.")
    if east - west >= 360:
        return BBox(-180.0, south, 180.0, north)
    return BBox(_wrap(west), south, _wrap(east), north)


def _wrap(lon: float) -> float:
    if -180 <= lon <= 180:
        return lon
    return (lon + 180) % 360 - 180


def parse_zoom(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_ZOOM
    try:
        zoom = int(raw)
    except ValueError:
        raise MapParamError("zoom", f"zoom must be a whole number from 0 to {MAX_ZOOM}.") from None
    if not 0 <= zoom <= MAX_ZOOM:
        raise MapParamError("zoom", f"zoom must be a whole number from 0 to {MAX_ZOOM}.")
    return zoom


def cell_degrees(zoom: int) -> float:
    """The side of a grid cell in degrees at `zoom` (a 256-pixel tile spans 360 / 2**zoom)."""
    return 360.0 / (2**zoom) * CELL_PIXELS / 256


def mapped_items(viewer: Viewer, *, q: str | ParsedQuery = "", filters: SearchFilters | None = None) -> QuerySet[Item]:
    """Items `viewer` may list that have a point, matching the search words and filters,
    annotated `map_lat` / `map_lon` (the pin, else the place), newest first."""
    filters = filters or SearchFilters()
    parsed = q if isinstance(q, ParsedQuery) else parse_query(q)
    qs: QuerySet[Item]
    if parsed.is_empty and not filters.any:
        qs = Item.objects.visible_to(viewer)
    else:
        qs = search_items(viewer, parsed, sort="newest", filters=filters)
    return (
        qs.filter(HAS_PIN | Q(place__isnull=False))
        .annotate(
            map_lat=Case(
                When(HAS_PIN, then=F("pin_latitude")), default=F("place__latitude"), output_field=FloatField()
            ),
            map_lon=Case(
                When(HAS_PIN, then=F("pin_longitude")), default=F("place__longitude"), output_field=FloatField()
            ),
        )
        .order_by("-added_at", "-id")
    )


def _within(bbox: BBox, latitude: str, longitude: str) -> Q:
    """The points (fields `latitude`, `longitude`) inside `bbox`."""
    inside = Q(**{f"{latitude}__gte": bbox.south, f"{latitude}__lte": bbox.north})
    if bbox.west == -180 and bbox.east == 180:
        return inside
    if bbox.crosses_antimeridian:
        return inside & (Q(**{f"{longitude}__gte": bbox.west}) | Q(**{f"{longitude}__lte": bbox.east}))
    return inside & Q(**{f"{longitude}__gte": bbox.west, f"{longitude}__lte": bbox.east})


def in_bbox(qs: Any, bbox: BBox) -> QuerySet[Item]:
    """`qs` (annotated by mapped_items) limited to the points inside `bbox`: pins inside it
    (an index of pinned items), and items without a pin whose place is inside it. Written on
    the columns, not on the map_lat / map_lon expressions, with the places read first (up to
    BBOX_PLACES_LISTED as a list the planner can weigh: a box with no place and no pin costs
    two index probes, a busy one reads the newest items in their index order)."""
    places: Any = Place.objects.filter(_within(bbox, "latitude", "longitude")).values_list("pk", flat=True)
    listed = list(places[: BBOX_PLACES_LISTED + 1])
    if len(listed) <= BBOX_PLACES_LISTED:
        places = listed
    no_pin = Q(pin_latitude__isnull=True) | Q(pin_longitude__isnull=True)
    return qs.filter((HAS_PIN & _within(bbox, "pin_latitude", "pin_longitude")) | (no_pin & Q(place__in=places)))


@dataclass
class Cell:
    count: int = 0
    lat_sum: float = 0.0
    lon_sum: float = 0.0
    south: float = 90.0
    west: float = 180.0
    north: float = -90.0
    east: float = -180.0
    item_ids: list[int] = field(default_factory=list)  # the newest CELL_SAMPLE

    def add(self, pk: int, lat: float, lon: float) -> None:
        self.count += 1
        self.lat_sum += lat
        self.lon_sum += lon
        self.south, self.north = min(self.south, lat), max(self.north, lat)
        self.west, self.east = min(self.west, lon), max(self.east, lon)
        if len(self.item_ids) < CELL_SAMPLE:
            self.item_ids.append(pk)


def cluster(points: list[tuple[int, float, float]], zoom: int) -> list[Cell]:
    """Points (id, lat, lon), newest first, grouped in grid cells at `zoom`."""
    size = cell_degrees(zoom)
    cells: dict[tuple[int, int], Cell] = {}
    for pk, lat, lon in points:
        key = (math.floor((lon + 180) / size), math.floor((lat + 90) / size))
        cells.setdefault(key, Cell()).add(pk, lat, lon)
    return list(cells.values())


def _item_json(item: Item, viewer: Viewer) -> dict[str, Any]:
    is_shielded = shielded(item, viewer)
    return {
        "id": item.public_id,
        "title": item.title,
        "url": item.get_absolute_url(),
        "rating": item.rating,
        "shielded": is_shielded,
        "thumbnail": None if is_shielded else card_image_url(item, viewer),
        "place": str(item.place) if item.place else item.location_label,
        "occurred_on": item.occurred_on.isoformat() if item.occurred_on else None,
        "added_at": item.added_at.isoformat(),
        "lat": round(item.map_lat, 5),  # type: ignore[attr-defined]
        "lon": round(item.map_lon, 5),  # type: ignore[attr-defined]
    }


def map_payload(
    viewer: Viewer, *, bbox: BBox, zoom: int, q: str | ParsedQuery = "", filters: SearchFilters | None = None
) -> dict[str, Any]:
    """What /map/items.json answers: the cells at `zoom` inside `bbox`, each with its
    count, mean point, bounds and newest items; `extent` bounds every point sent."""
    qs: Any = in_bbox(mapped_items(viewer, q=q, filters=filters), bbox)
    points = [(pk, lat, lon) for pk, lat, lon in qs.values_list("pk", "map_lat", "map_lon")[: MAP_MAX_ITEMS + 1]]
    truncated = len(points) > MAP_MAX_ITEMS
    points = points[:MAP_MAX_ITEMS]
    cells = cluster(points, zoom)
    wanted = [pk for cell in cells for pk in cell.item_ids]
    by_id: dict[int, Item] = {}
    if wanted:
        rows = _with_tags(mapped_items(viewer).filter(pk__in=wanted))
        by_id = {item.pk: item for item in rows}
    out_cells = []
    for cell in sorted(cells, key=lambda c: -c.count):
        items = [_item_json(by_id[pk], viewer) for pk in cell.item_ids if pk in by_id]
        out_cells.append(
            {
                "count": cell.count,
                "lat": round(cell.lat_sum / cell.count, 5),
                "lon": round(cell.lon_sum / cell.count, 5),
                "bounds": [round(v, 5) for v in (cell.south, cell.west, cell.north, cell.east)],
                "items": items,
            }
        )
    extent = None
    if points:
        lats = [p[1] for p in points]
        lons = [p[2] for p in points]
        extent = [min(lats), min(lons), max(lats), max(lons)]
    return {
        "zoom": zoom,
        "bbox": bbox.as_list(),
        "total": len(points),
        "truncated": truncated,
        "extent": extent,
        "cells": out_cells,
    }


def fallback_items(
    viewer: Viewer, *, q: str | ParsedQuery = "", filters: SearchFilters | None = None, limit: int = 24
) -> list[Item]:
    """The newest mapped items as cards, for the list shown where the map cannot be."""
    return list(_with_tags(mapped_items(viewer, q=q, filters=filters))[:limit])


def filters_from(data: Mapping[str, Any]) -> tuple[str, SearchFilters]:
    """(q, filters) from the map's query string, strictly: the first invalid filter raises
    MapParamError naming it (the JSON endpoint answers 400; /map shows the form's errors)."""
    from .views_search import SearchForm

    form = SearchForm(data)
    form.is_valid()
    for name in form.fields:
        if name in form.errors and name != "page":
            raise MapParamError(name, f"{name}: {' '.join(str(e) for e in form.errors[name])}")
    return form.value("q") or "", form.filters()
