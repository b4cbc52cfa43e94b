"""The queue wiring, for real: a committed upload's task is picked up by
`manage.py db_worker --queue-name media` in its own process and processed."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from fieldcast.core.testing import factories
from fieldcast.media.models import MediaAsset
from fieldcast.media.tasks import process_asset
from fieldcast.media.testing import asset_from_file, clips_fixture, media_dirs_fixture  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The test database, as a URL another process can use."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = urllib.parse.quote(db.get("USER") or "")
    password = urllib.parse.quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def test_db_worker_processes_the_media_queue(clips, media_dirs):
    member = factories.UserFactory()
    item = factories.ItemFactory(author=member, lifecycle="processing")
    asset = asset_from_file(clips.video(320, 240), owner=member, item=item)
    process_asset.using(queue_name="media").enqueue(asset.pk)

    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media_dirs.root),
        "MEDIA_UPLOAD_DIR": str(media_dirs.uploads),
        "FIELDCAST_TESTING": "1",
        "DEBUG": "0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "media", "--batch", "--no-startup-delay"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    asset.refresh_from_db()
    assert asset.status == MediaAsset.Status.READY, (asset.failure_reason, result.stdout, result.stderr)
    assert asset.renditions.filter(profile="hls").exists()
    assert (media_dirs.root / f"assets/{asset.public_id}/hls/master.m3u8").exists()
    item.refresh_from_db()
    assert item.lifecycle == "ready"
    # The item becoming ready may queue follow-ups on the default queue (subscribers, search).
    assert DBTaskResult.objects.get(queue_name="media").status == "SUCCESSFUL"
