"""The world map (/map), its JSON (/map/items.json) and the channel maps."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, PlaceFactory, UserFactory, attach_video_rows
from fieldcast.discovery import maps
from fieldcast.discovery.maps import BBox, MapParamError, cell_degrees, cluster, parse_bbox, parse_zoom
from fieldcast.items.models import Item

pytestmark = pytest.mark.django_db

URL = "/map/items.json"


def locate(item: Item, *, place=None, pin: tuple[float, float] | None = None) -> Item:  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {"place": place}
    if pin is not None:
        fields.update(pin_latitude=pin[0], pin_longitude=pin[1])
    Item.objects.filter(pk=item.pk).update(**fields)
    item.refresh_from_db()
    return item


@pytest.fixture
def places():  # type: ignore[no-untyped-def]
    return {
        "homs": PlaceFactory(),
        "kyiv": PlaceFactory(
            name="Kyiv",
            country_code="UA",
            country_name="Ukraine",
            latitude=50.45,
            longitude=30.52,
            population=2_900_000,
        ),
    }


def items_of(payload: dict) -> list[dict]:  # type: ignore[type-arg]
    return [item for cell in payload["cells"] for item in cell["items"]]


def get_json(client: Client, **params: str) -> dict:  # type: ignore[type-arg]
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


# --- parameters --------------------------------------------------------------------------


def test_bbox_and_zoom_parsing() -> None:
    assert parse_bbox(None) == BBox(-180, -90, 180, 90)
    assert parse_bbox("30,40,40,50") == BBox(30, 40, 40, 50)
    assert parse_bbox("170,-10,-170,10").crosses_antimeridian
    assert parse_bbox("-200,-10,-150,10") == BBox(160, -10, -150, 10)  # Leaflet's wrapped world
    assert parse_bbox("-400,-80,400,80") == BBox(-180, -80, 180, 80)
    assert parse_zoom(None) == 2
    assert parse_zoom("18") == 18
    for bad in ("1,2,3", "a,b,c,d", "nan,0,1,1", "0,95,1,96", "0,10,1,5", "1e999,0,1,1", "0,0,1,1,1"):
        with pytest.raises(MapParamError) as info:
            parse_bbox(bad)
        assert info.value.parameter == "bbox"
    for bad in ("-1", "19", "two", "1.5"):
        with pytest.raises(MapParamError):
            parse_zoom(bad)


def test_cells_halve_with_each_zoom_and_keep_the_newest_items() -> None:
    assert cell_degrees(1) == 2 * cell_degrees(2)
    points = [(1, 34.73, 36.71), (2, 34.74, 36.72), (3, 50.45, 30.52), (4, 34.70, 36.70), (5, 34.71, 36.70)]
    cells = cluster(points, 3)
    assert sorted(c.count for c in cells) == [1, 4]
    syria = next(c for c in cells if c.count == 4)
    assert syria.item_ids == [1, 2, 4]  # the newest three, in the order given
    assert (syria.south, syria.west, syria.north, syria.east) == (34.70, 36.70, 34.74, 36.72)
    assert len(cluster(points, 18)) == 5


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "x,0,1,1"}, "bbox"),
        ({"bbox": "0,-91,1,1"}, "bbox"),
        ({"zoom": "99"}, "zoom"),
        ({"zoom": "<script>"}, "zoom"),
        ({"occurred_from": "2024-13-45"}, "occurred_from"),
        ({"occurred_from": "2024-05-02", "occurred_to": "2024-05-01"}, "occurred_to"),
        ({"country": "Syria"}, "country"),
        ({"rating": "XX"}, "rating"),
        ({"channel": "no-such-channel"}, "channel"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(client: Client, params: dict[str, str], parameter: str) -> None:
    response = client.get(URL, params)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["parameter"] == parameter
    assert body["error"]


def test_the_map_page_survives_bad_parameters(client: Client) -> None:
    response = client.get(reverse("discovery:map"), {"occurred_from": "junk", "country": "'; DROP", "q": '"' * 500})
    assert response.status_code == 200
    assert b"Enter a valid date" in response.content


# --- what is on the map -------------------------------------------------------------------


def test_points_are_the_pin_else_the_place_and_unplaced_items_are_left_out(client: Client, places) -> None:  # type: ignore[no-untyped-def]
    at_place = locate(ItemFactory(title="At Homs"), place=places["homs"])
    pinned = locate(ItemFactory(title="Pinned"), place=places["homs"], pin=(35.0, 38.0))
    ItemFactory(title="Nowhere")
    payload = get_json(client, zoom="18")
    by_title = {i["title"]: i for i in items_of(payload)}
    assert set(by_title) == {"At Homs", "Pinned"}
    assert (by_title["At Homs"]["lat"], by_title["At Homs"]["lon"]) == (34.7324, 36.7137)
    assert (by_title["Pinned"]["lat"], by_title["Pinned"]["lon"]) == (35.0, 38.0)
    assert by_title["Pinned"]["url"] == pinned.get_absolute_url()
    assert by_title["At Homs"]["place"] == "Homs, Syria"
    assert payload["total"] == 2
    assert payload["extent"] == [34.7324, 36.7137, 35.0, 38.0]
    assert at_place.pk


def test_items_cluster_by_place_at_low_zoom(client: Client, places) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        locate(ItemFactory(title=f"Homs {n}"), place=places["homs"])
    locate(ItemFactory(title="Kyiv"), place=places["kyiv"])
    payload = get_json(client, zoom="2")
    counts = sorted(c["count"] for c in payload["cells"])
    assert counts == [1, 5]
    homs = next(c for c in payload["cells"] if c["count"] == 5)
    assert [i["title"] for i in homs["items"]] == ["Homs 4", "Homs 3", "Homs 2"]  # newest first


def test_bbox_limits_the_points_also_across_the_antimeridian(client: Client, places) -> None:  # type: ignore[no-untyped-def]
    locate(ItemFactory(title="Homs"), place=places["homs"])
    locate(ItemFactory(title="Fiji"), pin=(-17.7, 178.0))
    locate(ItemFactory(title="Samoa"), pin=(-13.8, -172.0))
    titles = {i["title"] for i in items_of(get_json(client, bbox="30,30,40,40", zoom="10"))}
    assert titles == {"Homs"}
    titles = {i["title"] for i in items_of(get_json(client, bbox="170,-30,-160,0", zoom="10"))}
    assert titles == {"Fiji", "Samoa"}


@pytest.mark.parametrize("places_listed", [2000, 0])  # the box's places as a list, or as a subquery
def test_a_pin_places_the_item_whatever_its_place(client: Client, places, places_listed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(maps, "BBOX_PLACES_LISTED", places_listed)
    locate(ItemFactory(title="At Homs"), place=places["homs"])
    locate(ItemFactory(title="Homs, pinned in Kyiv"), place=places["homs"], pin=(50.45, 30.52))
    locate(ItemFactory(title="Kyiv, pinned in Homs"), place=places["kyiv"], pin=(34.73, 36.71))
    titles = {i["title"] for i in items_of(get_json(client, bbox="30,30,40,40", zoom="10"))}
    assert titles == {"At Homs", "Kyiv, pinned in Homs"}
    titles = {i["title"] for i in items_of(get_json(client, bbox="25,45,35,55", zoom="10"))}
    assert titles == {"Homs, pinned in Kyiv"}
    assert items_of(get_json(client, bbox="-10,-10,10,10", zoom="10")) == []


def test_search_filters_apply(client: Client, places) -> None:  # type: ignore[no-untyped-def]
    author = UserFactory()
    channel = ChannelFactory(slug="siege", name="Siege", owner=author)
    market = ItemFactory(
        title="Market",
        author=author,
        rating="PG",
        tags=["shelling"],
        occurred_on=datetime.date(2024, 5, 1),
        occurred_precision="day",
        channels=[channel],
    )
    locate(market, place=places["homs"])
    locate(
        ItemFactory(title="Metro", occurred_on=datetime.date(2023, 1, 1), occurred_precision="day"),
        place=places["kyiv"],
    )

    def titles(**params: str) -> set[str]:
        return {i["title"] for i in items_of(get_json(client, zoom="18", **params))}

    assert titles() == {"Market", "Metro"}
    assert titles(rating="PG") == {"Market"}
    assert titles(tag="shelling") == {"Market"}
    assert titles(country="ua") == {"Metro"}
    assert titles(channel="siege") == {"Market"}
    assert titles(occurred_from="2024-01-01") == {"Market"}
    assert titles(occurred_to="2023-12-31") == {"Metro"}
    assert titles(q="metro") == {"Metro"}


def test_access_layer_private_removed_and_safe_mode(client: Client, places, settings) -> None:  # type: ignore[no-untyped-def]
    ma = locate(ItemFactory(title="MA clip", rating="MA"), place=places["homs"])
    attach_video_rows(ma)
    locate(ItemFactory(title="Private", visibility="private"), place=places["homs"])
    locate(ItemFactory(title="Removed", moderation="removed"), place=places["homs"])
    locate(ItemFactory(title="Processing", lifecycle="processing"), place=places["homs"])
    settings.SAFE_MODE_POLICY = "blur"
    (entry,) = items_of(get_json(client, zoom="18"))
    assert entry["title"] == "MA clip"
    assert entry["rating"] == "MA"
    assert entry["shielded"] is True
    assert entry["thumbnail"] is None
    settings.SAFE_MODE_POLICY = "hide"
    assert items_of(get_json(client, zoom="18")) == []
    settings.SAFE_MODE_POLICY = "show"
    (entry,) = items_of(get_json(client, zoom="18"))
    assert entry["shielded"] is False
    assert entry["thumbnail"]


def test_json_is_private_to_the_viewer(client: Client) -> None:
    response = client.get(URL)
    assert "Cookie" in response["Vary"]
    assert "private" in response["Cache-Control"]
    assert client.post(URL).status_code == 405


def test_the_json_costs_a_fixed_number_of_queries(client: Client, places, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    def add(n: int) -> None:
        for i in range(n):
            item = locate(ItemFactory(title=f"Clip {i}"), pin=(10 + i * 3, 10 + i * 5))
            attach_video_rows(item)

    add(2)
    with django_assert_max_num_queries(6):
        payload = get_json(client, zoom="18")
    assert payload["total"] == 2
    add(10)
    with django_assert_max_num_queries(6):
        payload = get_json(client, zoom="18")
    assert len(items_of(payload)) == 12
    assert all(i["thumbnail"] for i in items_of(payload))


# --- the pages ---------------------------------------------------------------------------


def test_map_page_lists_the_items_as_a_fallback(client: Client, places) -> None:  # type: ignore[no-untyped-def]
    locate(ItemFactory(title="حمص: السوق"), place=places["homs"])
    locate(ItemFactory(title="Kyiv metro"), place=places["kyiv"])
    ItemFactory(title="Unplaced")
    response = client.get(reverse("discovery:map"), {"country": "SY"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map-fallback"' in html
    assert "حمص: السوق" in html
    assert "Kyiv metro" not in html
    assert "Unplaced" not in html
    assert 'data-query="country=SY"' in html
    assert 'data-items-url="/map/items.json"' in html
    assert 'aria-current="page">Map</a>' in html  # the header link


def test_current_event_channel_has_a_map(client: Client, places) -> None:  # type: ignore[no-untyped-def]
    event = ChannelFactory(slug="flood", name="Flood", is_current_event=True)
    plain = ChannelFactory(slug="plain", name="Plain")
    html = client.get(reverse("channels:detail", kwargs={"slug": event.slug})).content.decode()
    assert 'id="channel-map"' in html
    assert 'data-query="channel=flood"' in html
    assert "/map?channel=flood" in html  # the list when the map cannot be drawn
    html = client.get(reverse("channels:detail", kwargs={"slug": plain.slug})).content.decode()
    assert 'id="channel-map"' not in html
