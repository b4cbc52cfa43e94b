"""The player's beacons in the REST API: the same counting as /events/play and /events/view,
and described in the OpenAPI document."""

from __future__ import annotations

import pytest
from django.test import Client

from fieldcast.api.testing import as_member
from fieldcast.core.testing import factories
from fieldcast.items.models import Item
from fieldcast.player.services.counting import counters_flush
from fieldcast.player.tokens import VISITOR_COOKIE, event_token

pytestmark = pytest.mark.django_db

API = "/api/v1"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"


def beacon(client: Client, kind: str, **data: str):
    return client.post(f"{API}/events/{kind}", data, HTTP_USER_AGENT=BROWSER)


def test_a_play_and_a_view_count_once_per_viewer(member):
    item = factories.ItemFactory(author=member)
    guest = Client()
    token = event_token(item.public_id)
    first = beacon(guest, "play", token=token)
    assert first.status_code == 200
    assert first.json() == {"counted": True}
    assert VISITOR_COOKIE in first.cookies
    assert beacon(guest, "play", token=token).json() == {"counted": False}
    assert beacon(guest, "view", token=token).json() == {"counted": True}
    counters_flush()  # with COUNTER_BUFFER=redis the counts wait in Redis until a flush
    counts = Item.objects.values_list("plays_count", "views_count").get(pk=item.pk)
    assert counts == (1, 1)


def test_the_site_beacon_and_the_api_share_one_count(member, client):
    item = factories.ItemFactory(author=member)
    token = event_token(item.public_id)
    assert client.post("/events/play", {"token": token}, HTTP_USER_AGENT=BROWSER).json() == {"counted": True}
    assert beacon(client, "play", token=token).json() == {"counted": False}  # same visitor cookie


def test_members_count_by_token_and_the_uploader_does_not(member, other_member):
    item = factories.ItemFactory(author=member)
    token = event_token(item.public_id)
    assert beacon(as_member(member, "read"), "play", token=token).json() == {"counted": False}
    assert beacon(as_member(other_member, "read"), "play", token=token).json() == {"counted": True}
    assert beacon(as_member(other_member, "read"), "play", token=token).json() == {"counted": False}


def test_refusals_have_the_error_shape(member):
    item = factories.ItemFactory(author=member)
    forged = beacon(Client(), "play", token="forged")
    assert forged.status_code == 403
    assert forged.json()["detail"] == "This event has no valid token."
    embed = event_token(item.public_id, embed=True)
    assert beacon(Client(), "play", token=embed, host="<script>").status_code == 400
    assert beacon(Client(), "view", token=embed, host="example.org").status_code == 400
    Item.objects.filter(pk=item.pk).update(moderation="removed")
    assert beacon(Client(), "play", token=embed).status_code == 404
    missing = Client().post(f"{API}/events/play", {}, HTTP_USER_AGENT=BROWSER)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "token"
    bad_token = Client(HTTP_AUTHORIZATION="Bearer fc_nope_nope").post(f"{API}/events/play", {"token": embed})
    assert bad_token.status_code == 401


def test_the_beacons_are_in_the_openapi_document():
    paths = Client().get(f"{API}/openapi.json").json()["paths"]
    for kind in ("play", "view"):
        operation = paths[f"{API}/events/{kind}"]["post"]
        form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
        assert {"token", "host"} <= set(form["properties"])
        assert {"200", "400", "403", "404", "422"} <= set(operation["responses"])
