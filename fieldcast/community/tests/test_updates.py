"""Posting an update tells the members who favorited the original, through a task."""

from __future__ import annotations

from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fieldcast.accounts.models import Block
from fieldcast.community.services_social import item_favorite_set
from fieldcast.community.tasks_social import notify_update_favoriters
from fieldcast.core.testing.factories import ItemFactory, UserFactory
from fieldcast.items.models import Item
from fieldcast.items.services import item_refresh_lifecycle, item_update
from fieldcast.notifications.models import Notification

TASK_PATH = "fieldcast.community.tasks_social.notify_update_favoriters"


def queued_update_ids() -> list[int]:
    return [row.args_kwargs["args"][0] for row in DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("pk")]


def run_queued() -> None:
    for update_id in queued_update_ids():
        notify_update_favoriters.call(update_id)


def form_data(**overrides):
    data = {
        "title": "Second day: the water recedes",
        "body": "",
        "rating": "GA",
        "occurred_precision": "day",
        "occurred_on": "2026-11-02",
        "visibility": "public",
        "agree_terms": "on",
    }
    data.update(overrides)
    return data


def test_posting_an_update_notifies_whoever_favorited_the_original(client, db, django_capture_on_commit_callbacks):
    original = ItemFactory(title="Flood in the old town")
    fans = [UserFactory(username=f"fan{n}") for n in range(3)]
    for fan in fans:
        item_favorite_set(item=original, user=fan, favorite=True)
    bystander = UserFactory(username="bystander")
    reporter = UserFactory(username="reporter")
    item_favorite_set(item=original, user=reporter, favorite=True)  # the poster is not told of their own update

    client.force_login(reporter)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("items:new"), form_data(follow_up_of=original.get_absolute_url()))
    assert response.status_code == 302
    update = Item.objects.get(update_of=original)
    assert len(callbacks) >= 1
    assert queued_update_ids() == [update.pk]  # fanned out in a task, not in the request
    assert not Notification.objects.exists()

    run_queued()
    told = Notification.objects.filter(kind="update", item=update)
    assert sorted(told.values_list("recipient__username", flat=True)) == ["fan0", "fan1", "fan2"]
    assert {n.actor_id for n in told} == {reporter.pk}
    assert not Notification.objects.filter(recipient=bystander).exists()


def test_the_task_is_safe_to_run_twice(db, django_capture_on_commit_callbacks):
    original = ItemFactory()
    fan = UserFactory(username="fan")
    item_favorite_set(item=original, user=fan, favorite=True)
    with django_capture_on_commit_callbacks(execute=True):
        update = ItemFactory(update_of=original)
    assert notify_update_favoriters.call(update.pk) == 1
    assert notify_update_favoriters.call(update.pk) == 0
    assert Notification.objects.filter(recipient=fan, kind="update").count() == 1


def test_members_who_blocked_the_poster_are_not_told(db):
    original = ItemFactory()
    poster = UserFactory(username="poster")
    fan = UserFactory(username="fan")
    item_favorite_set(item=original, user=fan, favorite=True)
    Block.objects.create(blocker=fan, blocked=poster)
    update = ItemFactory(author=poster, update_of=original)
    assert notify_update_favoriters.call(update.pk) == 0
    assert not Notification.objects.exists()


def test_an_update_still_processing_is_announced_once_it_is_listed(db, django_capture_on_commit_callbacks):
    original = ItemFactory()
    fan = UserFactory(username="fan")
    item_favorite_set(item=original, user=fan, favorite=True)
    with django_capture_on_commit_callbacks(execute=True):
        update = ItemFactory(update_of=original, lifecycle="processing")
    # The factory sets the state after item_create: undo what create announced, as the
    # media pipeline creates it processing from the start.
    DBTaskResult.objects.all().delete()
    assert notify_update_favoriters.call(update.pk) == 0  # nobody may open it yet

    with django_capture_on_commit_callbacks(execute=True):
        item_refresh_lifecycle(item_id=update.pk)  # no files left: a text report, ready
    assert queued_update_ids() == [update.pk]
    run_queued()
    assert Notification.objects.filter(recipient=fan, item=update, kind="update").exists()


def test_a_private_update_is_announced_when_made_public(db, django_capture_on_commit_callbacks):
    original = ItemFactory()
    fan = UserFactory(username="fan")
    item_favorite_set(item=original, user=fan, favorite=True)
    with django_capture_on_commit_callbacks(execute=True):
        update = ItemFactory(update_of=original, visibility="private")
    assert queued_update_ids() == []
    with django_capture_on_commit_callbacks(execute=True):
        item_update(
            item=update, editor=update.author, title=update.title, rating="GA", body="", occurred_on=None,
            occurred_precision="unknown", source="", location_label="", tags=[], channels=[], visibility="public",
        )  # fmt: skip
    assert queued_update_ids() == [update.pk]
    run_queued()
    assert Notification.objects.filter(recipient=fan, item=update).count() == 1


def test_an_update_deleted_before_the_task_runs_tells_nobody(db):
    original = ItemFactory()
    item_favorite_set(item=original, user=UserFactory(username="fan"), favorite=True)
    update = ItemFactory(update_of=original)
    update_id = update.pk
    update.delete()
    assert notify_update_favoriters.call(update_id) == 0
