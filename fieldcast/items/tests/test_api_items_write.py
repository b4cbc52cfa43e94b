"""The items API's writes: create, update, delete, through the item form's rules, its
rate limit and the access layer, as on the site's pages."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from fieldcast.api.testing import as_member
from fieldcast.channels.services import channel_add_item
from fieldcast.core.testing.factories import ChannelFactory, ItemFactory, PlaceFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.items.tests.test_api_items import API, fields_of, new_item

pytestmark = pytest.mark.django_db


# --- POST /items ---------------------------------------------------------------------------------


def test_create_through_the_form_rules(member):
    PlaceFactory()
    channel = ChannelFactory(slug="syria", owner=member)
    response = as_member(member).post(
        f"{API}/items",
        new_item(
            body="What *happened*", tags=["Homs", "homs", "#Shelling"], channels=["syria"], location_label="Homs",
            occurred_precision="day", occurred_on="2024-03-14", occurred_time="06:30", occurred_tz="Asia/Damascus",
            content_flags=["death_injury"],
        ),
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    item = Item.objects.get(public_id=body["public_id"])
    assert item.author == member
    assert item.lifecycle == "ready"
    assert [t["name"] for t in body["tags"]] == ["Homs", "Shelling"]
    assert body["channels"][0]["slug"] == "syria"
    assert item.channels.get() == channel
    assert body["place"]["name"] == "Homs"
    assert body["occurred_time"] == "06:30:00"
    assert body["state"]["lifecycle"] == "ready"
    assert "<em>happened</em>" in body["body_html"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"agree_terms": False}, "agree_terms"),
        ({"rating": "R"}, "rating"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"occurred_precision": "day"}, "occurred_on"),
        ({"occurred_precision": "day", "occurred_on": "2999-01-01"}, "occurred_on"),
        ({"occurred_precision": "day", "occurred_on": 0}, "occurred_on"),
        ({"occurred_tz": "Mars/Olympus"}, "occurred_tz"),
        ({"pin_latitude": 34.7}, "pin_longitude"),
        ({"pin_latitude": 91, "pin_longitude": 0}, "pin_latitude"),
        ({"tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"tags": ["x" * 51]}, "tags"),
        ({"content_flags": ["gore"]}, "content_flags"),
        ({"comments_min_days": 0, "comments_mode": "established"}, "comments_min_days"),
        ({"channels": ["not-mine"]}, "channels"),
        ({"update_of": "not a link"}, "update_of"),
        ({"assets": ["Nope123456"]}, "assets"),
        ({"uploads": ["not-an-upload"]}, "uploads"),
    ],
)
def test_create_refuses_what_the_form_refuses(member, fields, field):
    ChannelFactory(slug="not-mine", owner=UserFactory(username="owner"))
    response = as_member(member).post(f"{API}/items", new_item(**fields), content_type="application/json")
    assert response.status_code == 422, response.content
    assert field in fields_of(response)
    assert not Item.objects.exists()


def test_create_needs_a_write_credential(member):
    payload = new_item()
    assert Client().post(f"{API}/items", payload, content_type="application/json").status_code == 401
    read_only = as_member(member, "read").post(f"{API}/items", payload, content_type="application/json")
    assert read_only.status_code == 403
    assert "read-only" in read_only.json()["detail"]
    session = Client(enforce_csrf_checks=True)
    session.force_login(member)
    assert session.post(f"{API}/items", payload, content_type="application/json").status_code == 403
    assert not Item.objects.exists()


def test_suspended_member_cannot_post(member):
    member.suspended_until = timezone.now() + datetime.timedelta(days=3)
    member.save(update_fields=["suspended_until"])
    response = as_member(member).post(f"{API}/items", new_item(), content_type="application/json")
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]


def test_create_is_limited_like_the_form(member, settings):
    settings.WRITE_RATE_LIMIT_PER_MINUTE = 1
    client = as_member(member)
    assert client.post(f"{API}/items", new_item(), content_type="application/json").status_code == 201
    response = client.post(f"{API}/items", new_item(), content_type="application/json")
    assert response.status_code == 429
    assert "Too many requests" in response.json()["detail"]
    assert Item.objects.count() == 1


def test_posting_an_update_of_an_item(member, other_member):
    original = ItemFactory(author=other_member, title="Original")
    response = as_member(member).post(
        f"{API}/items", new_item(update_of=original.public_id), content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["update_of"]["public_id"] == original.public_id
    original.refresh_from_db()
    assert original.updates_count == 1
    private = ItemFactory(author=other_member, visibility="private")
    response = as_member(member).post(
        f"{API}/items", new_item(update_of=f"https://x.example/v/{private.public_id}"), content_type="application/json"
    )
    assert response.status_code == 422
    assert fields_of(response) == {"update_of"}


# --- PATCH and DELETE /items/{public_id} ---------------------------------------------------------


def test_patch_changes_only_the_fields_given(member, staff):
    editorial = ChannelFactory(slug="featured", kind="editorial")
    item = ItemFactory(author=member, title="Old", tags=["keep"], pin_latitude=1.0, pin_longitude=2.0,
                       occurred_on=datetime.date(2024, 2, 1), occurred_precision="month")  # fmt: skip
    channel_add_item(channel=editorial, item=item, actor=staff)
    response = as_member(member).patch(
        f"{API}/items/{item.public_id}", {"title": "New title", "rating": "MA"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.title, item.rating) == ("New title", "MA")
    assert [t.name for t in item.tags.all()] == ["keep"]
    assert (item.pin_latitude, item.pin_longitude) == (1.0, 2.0)
    assert (item.occurred_on, item.occurred_precision) == (datetime.date(2024, 2, 1), "month")
    assert list(item.channels.all()) == [editorial]  # filed by staff: not the author's to remove
    response = as_member(member).patch(
        f"{API}/items/{item.public_id}", {"pin_latitude": None, "pin_longitude": None}, content_type="application/json"
    )
    item.refresh_from_db()
    assert item.pin_latitude is None


def test_patch_validates_like_the_edit_form(member):
    item = ItemFactory(author=member)
    response = as_member(member).patch(
        f"{API}/items/{item.public_id}", {"occurred_precision": "day"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert fields_of(response) == {"occurred_on"}
    response = as_member(member).patch(f"{API}/items/{item.public_id}", {"title": ""}, content_type="application/json")
    assert response.status_code == 422
    assert fields_of(response) == {"title"}


def test_only_the_author_or_staff_change_or_delete(member, other_member, staff):
    item = ItemFactory(author=member)
    private = ItemFactory(author=member, visibility="private")
    other = as_member(other_member)
    patch = {"title": "Mine now"}
    response = other.patch(f"{API}/items/{item.public_id}", patch, content_type="application/json")
    assert response.status_code == 403
    assert "author" in response.json()["detail"]
    assert other.delete(f"{API}/items/{item.public_id}").status_code == 403
    # A private item's existence is not revealed.
    assert other.patch(f"{API}/items/{private.public_id}", patch, content_type="application/json").status_code == 404
    assert other.delete(f"{API}/items/{private.public_id}").status_code == 404
    assert Client().patch(f"{API}/items/{item.public_id}", patch, content_type="application/json").status_code == 401
    assert Client().delete(f"{API}/items/{item.public_id}").status_code == 401
    assert as_member(member, "read").delete(f"{API}/items/{item.public_id}").status_code == 403
    assert Item.objects.filter(pk=item.pk, title=item.title).exists()
    assert (
        as_member(staff).patch(f"{API}/items/{item.public_id}", patch, content_type="application/json").status_code
        == 200
    )


def test_delete_by_the_author(member):
    item = ItemFactory(author=member)
    response = as_member(member).delete(f"{API}/items/{item.public_id}")
    assert response.status_code == 204
    assert not Item.objects.filter(pk=item.pk).exists()
    assert Client().get(f"{API}/items/{item.public_id}").status_code == 404


def test_removed_item_cannot_be_changed_by_its_author(member):
    item = ItemFactory(author=member, moderation="removed")
    response = as_member(member).patch(f"{API}/items/{item.public_id}", {"title": "x"}, content_type="application/json")
    assert response.status_code == 410
