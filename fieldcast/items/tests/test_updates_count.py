"""`updates_count` counts an original's listed follow-ups, through every change of one."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db.models import Count, Q
from django.test import RequestFactory
from django.urls import reverse

from fieldcast.community.services_social import follow_up_moved, follow_up_state
from fieldcast.core.testing.factories import ItemFactory
from fieldcast.items.models import Item
from fieldcast.items.querysets import LISTED
from fieldcast.items.services import item_delete, item_refresh_lifecycle, item_update


def updates_count(item: Item) -> int:
    return Item.objects.values_list("updates_count", flat=True).get(pk=item.pk)


def listed_follow_ups(item: Item) -> int:
    return Item.objects.filter(update_of=item).filter(LISTED).count()


def edit(item: Item, **changes: Any) -> Item:
    fields: dict[str, Any] = {
        "title": item.title, "rating": item.rating, "body": item.body, "occurred_on": item.occurred_on,
        "occurred_precision": item.occurred_precision, "source": item.source,
        "location_label": item.location_label, "tags": [], "channels": [], "visibility": item.visibility,
    }  # fmt: skip
    fields.update(changes)
    return item_update(item=item, editor=item.author, **fields)


@pytest.fixture
def original(db):
    return ItemFactory(title="The original report")


def test_a_listed_follow_up_counts(original):
    ItemFactory(update_of=original)
    ItemFactory(update_of=original)
    assert updates_count(original) == 2 == listed_follow_ups(original)


@pytest.mark.parametrize("visibility", ["private", "unlisted"])
def test_a_follow_up_counts_only_while_public(original, visibility):
    update = ItemFactory(update_of=original, visibility=visibility)
    assert updates_count(original) == 0
    public = edit(update, visibility="public")
    assert updates_count(original) == 1
    hidden = edit(public, visibility=visibility)
    assert updates_count(original) == 0
    edit(hidden, title="Only the title changes", visibility=visibility)
    assert updates_count(original) == 0


def test_an_edit_that_keeps_it_listed_changes_nothing(original):
    update = ItemFactory(update_of=original)
    edit(update, title="A better title")
    assert updates_count(original) == 1


def test_deleting_a_follow_up(original):
    listed = ItemFactory(update_of=original)
    private = ItemFactory(update_of=original, visibility="private")
    item_delete(item=private)
    assert updates_count(original) == 1
    item_delete(item=listed)
    assert updates_count(original) == 0


def test_deleting_the_original_keeps_its_follow_ups(original):
    update = ItemFactory(update_of=original)
    item_delete(item=original)
    update.refresh_from_db()
    assert update.update_of is None


def test_processing_follow_up_counts_once_ready(original):
    update = ItemFactory(update_of=original)
    # As the media pipeline does when a file is attached: the item is processing again.
    before = follow_up_state(update)
    Item.objects.filter(pk=update.pk).update(lifecycle="processing")
    update.refresh_from_db()
    follow_up_moved(before=before, after=follow_up_state(update))
    assert updates_count(original) == 0
    item_refresh_lifecycle(item_id=update.pk)  # no files: a text report, ready again
    assert updates_count(original) == 1 == listed_follow_ups(original)


def test_moderation_through_the_admin_moves_the_count(original, staff, rf: RequestFactory):
    update = ItemFactory(update_of=original)
    other = ItemFactory(title="Another original")
    model_admin = admin_site._registry[Item]
    request = rf.post("/admin/")
    request.user = staff

    update.moderation = "removed"
    model_admin.save_model(request, update, form=None, change=True)
    assert updates_count(original) == 0

    update.moderation = "ok"
    model_admin.save_model(request, update, form=None, change=True)
    assert updates_count(original) == 1

    update.update_of = other  # re-pointed at another original
    model_admin.save_model(request, update, form=None, change=True)
    assert (updates_count(original), updates_count(other)) == (0, 1)

    model_admin.delete_model(request, update)
    assert updates_count(other) == 0


def test_admin_bulk_delete_goes_through_the_service(original, staff, client):
    ItemFactory(update_of=original)
    ItemFactory(update_of=original)
    client.force_login(staff)
    ids = list(Item.objects.filter(update_of=original).values_list("pk", flat=True))
    model_admin = admin_site._registry[Item]
    model_admin.delete_queryset(None, Item.objects.filter(pk__in=ids))
    assert updates_count(original) == 0


def test_the_count_agrees_with_the_rows_after_a_mix(original):
    a = ItemFactory(update_of=original)
    b = ItemFactory(update_of=original, visibility="private")
    c = ItemFactory(update_of=original)
    edit(b, visibility="public")
    edit(a, visibility="unlisted")
    item_delete(item=c)
    ItemFactory(update_of=original)
    listed = Q(updates__lifecycle="ready", updates__visibility="public", updates__moderation="ok")
    counted = Item.objects.annotate(n=Count("updates", filter=listed)).get(pk=original.pk)
    assert counted.updates_count == counted.n == 2


def test_the_item_page_shows_the_count(client, original):
    ItemFactory(update_of=original)
    ItemFactory(update_of=original, visibility="private")
    html = client.get(original.get_absolute_url()).content.decode()
    assert "Updates: 1 |" in html


def test_post_an_update_link_prefills_the_form(client, original, member):
    client.force_login(member)
    page = client.get(original.get_absolute_url()).content.decode()
    link = f"{reverse('items:new')}?update_of={original.public_id}"
    assert f'href="{link}"' in page
