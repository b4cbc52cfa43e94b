"""The demo's generated media: which items get what, the tasks load_demo enqueues (fast,
nothing runs), and the task itself with the real ffmpeg and pipeline (slow)."""

from __future__ import annotations

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from fieldcast.core.testing import factories
from fieldcast.demo import media as demo_media
from fieldcast.demo.loader import ITEMS, load_demo
from fieldcast.demo.media import TASK_PATH, clip_plan, has_image, items_queued_for_media
from fieldcast.demo.tasks import generate_demo_media
from fieldcast.items.models import Item, Moderation, Visibility
from fieldcast.media.models import MediaAsset, Rendition, Upload
from fieldcast.media.testing import media_dirs_fixture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=TASK_PATH).order_by("enqueued_at"))


def _queued_item_ids() -> list[int]:
    return [row.args_kwargs["kwargs"]["item_id"] for row in _tasks()]


# --- what each item gets ------------------------------------------------------------------------


def test_clips_vary_and_every_sixth_is_720p():
    plans = [clip_plan(variant) for variant in range(len(ITEMS))]
    assert {(p.width, p.height) for p in plans} == {(640, 360), (1280, 720)}
    assert [v for v, p in enumerate(plans) if p.height == 720] == list(range(0, len(ITEMS), 6))
    assert all(6 <= p.seconds <= 10 and p.fps == 25 for p in plans)
    assert len({(p.hue, p.frequency) for p in plans}) == len(plans)
    assert 2 <= sum(has_image(v) for v in range(len(ITEMS))) <= 3


def test_clip_command_has_picture_tone_and_title(tmp_path):
    args = demo_media.clip_args(clip_plan(6), tmp_path / "x.part", title="Fieldcast demo: x")
    line = " ".join(args)
    assert "testsrc2=s=1280x720:r=25:d=7" in line
    assert "sine=f=" in line
    assert "hue=h=" in line
    assert "-preset ultrafast" in line
    assert "title=Fieldcast demo: x" in args
    assert args[-3:] == ["-f", "mp4", str(tmp_path / "x.part")]


def test_image_is_a_jpeg(tmp_path):
    from PIL import Image

    demo_media.image_write(tmp_path / "picture.part", 3)
    with Image.open(tmp_path / "picture.part") as picture:
        assert (picture.format, picture.size) == ("JPEG", demo_media.IMAGE_SIZE)


# --- load_demo enqueues, once -------------------------------------------------------------------


def test_load_demo_enqueues_one_task_per_item_then_none(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = load_demo()
    assert first.media_queued == len(ITEMS)
    tasks = _tasks()
    assert len(tasks) == len(ITEMS)
    assert {t.queue_name for t in tasks} == {"media"}
    assert {t.status for t in tasks} == {TaskResultStatus.READY}
    assert sorted(_queued_item_ids()) == sorted(Item.objects.values_list("pk", flat=True))
    variants = [t.args_kwargs["kwargs"]["variant"] for t in tasks]
    assert sorted(variants) == list(range(len(ITEMS)))
    newest = Item.objects.order_by("-added_at").first()
    assert newest is not None
    assert _queued_item_ids()[0] == newest.pk  # the newest first: the home page fills from the top

    with django_capture_on_commit_callbacks(execute=True):
        again = load_demo()
    assert again.media_queued == 0
    assert len(_tasks()) == len(ITEMS)


def test_items_with_media_or_a_waiting_task_are_not_queued(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    # Every task ran; one item got its media, another one's task is being retried (waiting again).
    DBTaskResult.objects.filter(task_path=TASK_PATH).update(status=TaskResultStatus.SUCCESSFUL)
    done, waiting, *_ = Item.objects.order_by("pk")
    MediaAsset.objects.create(owner=done.author, item=done, original_name="demo.mp4")
    DBTaskResult.objects.filter(args_kwargs__kwargs__item_id=waiting.pk).update(status=TaskResultStatus.RUNNING)

    with django_capture_on_commit_callbacks(execute=True):
        again = load_demo()

    assert again.media_queued == len(ITEMS) - 2
    new_ids = [row.args_kwargs["kwargs"]["item_id"] for row in _tasks() if row.status == TaskResultStatus.READY]
    assert sorted(new_ids) == sorted(Item.objects.exclude(pk__in=[done.pk, waiting.pk]).values_list("pk", flat=True))


def test_queued_items_are_read_from_args_or_kwargs():
    generate_demo_media.enqueue(item_id=7, variant=1)
    generate_demo_media.enqueue(8, 2)
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}}, task_path=TASK_PATH, queue_name="media", backend_name="default",
        run_after=datetime.datetime(9999, 1, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    assert items_queued_for_media() == {7, 8}


def test_nothing_is_queued_when_the_load_is_rolled_back():
    load_demo()  # the test's transaction never commits: on_commit never runs
    assert not _tasks()


def test_command_says_how_many_videos_are_queued(django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=out)
    assert f"queued {len(ITEMS)} on the 'media' queue" in out.getvalue()
    assert "while the site is up" in out.getvalue()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=out)
    assert "Demo videos: none to queue" in out.getvalue()


def test_no_media_queues_nothing(django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--no-media", stdout=out)
    assert "not queued (--no-media)" in out.getvalue()
    assert not _tasks()
    assert Item.objects.count() == len(ITEMS)


def test_task_leaves_an_item_with_media_alone(media_dirs, member, monkeypatch):
    item = factories.ItemFactory(author=member)
    MediaAsset.objects.create(owner=member, item=item, original_name="theirs.mp4")

    def no_ffmpeg(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing to generate")

    monkeypatch.setattr(demo_media, "clip_write", no_ffmpeg)
    assert generate_demo_media.call(item_id=item.pk, variant=1) == []
    assert generate_demo_media.call(item_id=item.pk + 1000, variant=1) == []  # deleted since
    assert MediaAsset.objects.count() == 1
    assert not list(media_dirs.uploads.iterdir())


# --- the task, for real (ffmpeg and the whole pipeline) ----------------------------------------


def _stored(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _snapshot(media_dirs) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    return (
        list(MediaAsset.objects.order_by("pk").values_list("pk", "status", "position", "sha256", "processed_at")),
        list(Rendition.objects.order_by("pk").values_list("pk", "profile", "size")),
        list(Upload.objects.order_by("pk").values_list("pk", "offset", "length")),
        list(Item.objects.order_by("pk").values_list("pk", "lifecycle", "updated_at")),
        _stored(media_dirs.root),
        _stored(media_dirs.uploads),
    )


@pytest.mark.slow
def test_task_gives_the_item_a_processed_video_once(media_dirs, member):
    item = factories.ItemFactory(author=member, title="Flood in the old town")
    posted = item.updated_at - datetime.timedelta(days=3)
    Item.objects.filter(pk=item.pk).update(updated_at=posted)

    made = generate_demo_media.call(item_id=item.pk, variant=1)

    asset = MediaAsset.objects.get(item=item)
    assert made == [asset.public_id]
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    assert (asset.kind, asset.width, asset.height, asset.playable) == ("video", 640, 360, True)
    assert asset.duration == pytest.approx(clip_plan(1).seconds, abs=0.1)
    assert (asset.probe["video_codec"], asset.probe["audio_codec"], asset.probe["fps"]) == ("h264", "aac", 25)
    assert asset.owner == member
    assert asset.original_name == "demo-flood-in-the-old-town.mp4"
    assert asset.upload is not None
    assert asset.upload.owner == member
    assert asset.upload.offset == asset.upload.length == asset.size > 0
    assert asset.upload.completed_at is not None
    assert asset.upload.path.endswith(".part")
    assert not list(media_dirs.uploads.iterdir()), "the partial file went into storage"
    profiles = set(asset.renditions.values_list("profile", flat=True))
    assert {"hls", "hls-240", "hls-360", "mp4", "poster", "sprite", "sprite-vtt"} <= profiles
    for rendition in asset.renditions.all():
        assert media_dirs.stored(rendition.path).is_file(), rendition.profile
    item.refresh_from_db()
    assert item.lifecycle == "ready"
    assert item.updated_at == posted  # still when it was posted

    before = _snapshot(media_dirs)
    assert generate_demo_media.call(item_id=item.pk, variant=1) == []
    assert _snapshot(media_dirs) == before


@pytest.mark.slow
def test_removed_item_gets_a_720p_ladder_and_stays_removed(media_dirs):
    load_demo(media=False)
    variant, spec = next((n, s) for n, s in enumerate(ITEMS) if s.get("moderation", ("",))[0] == Moderation.REMOVED)
    item = Item.objects.get(title=spec["title"])
    reason = item.moderation_reason
    assert clip_plan(variant).height == 720

    generate_demo_media.call(item_id=item.pk, variant=variant)

    item.refresh_from_db()
    assert (item.moderation, item.moderation_reason, item.lifecycle) == (Moderation.REMOVED, reason, "ready")
    asset = MediaAsset.objects.get(item=item)
    assert asset.status == MediaAsset.Status.READY, asset.failure_reason
    assert asset.owner == item.author
    profiles = set(asset.renditions.values_list("profile", flat=True))
    assert {"hls-240", "hls-360", "hls-480", "hls-720", "hls", "mp4", "poster"} <= profiles


@pytest.mark.slow
def test_private_item_gets_a_picture_after_its_video(media_dirs):
    load_demo(media=False)
    item = Item.objects.get(visibility=Visibility.PRIVATE)
    assert has_image(3)

    made = generate_demo_media.call(item_id=item.pk, variant=3)

    assets = list(MediaAsset.objects.filter(item=item))  # in page order
    assert [a.public_id for a in assets] == made
    assert [(a.kind, a.status) for a in assets] == [("video", "ready"), ("image", "ready")]
    assert assets[1].original_name.endswith(".jpg")
    assert {"image-1280", "image-640"} <= set(assets[1].renditions.values_list("profile", flat=True))
    item.refresh_from_db()
    assert (item.visibility, item.moderation, item.lifecycle) == (Visibility.PRIVATE, Moderation.OK, "ready")
