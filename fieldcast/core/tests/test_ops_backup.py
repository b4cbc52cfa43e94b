"""fieldcast_backup / fieldcast_restore: a site with items and files is backed up, wiped,
restored, and has its rows and files again. Runs on the database of the test run: SQLite
(online backup API) in the SQLite run, PostgreSQL (pg_dump / pg_restore) in the PostgreSQL run."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from fieldcast.core.testing.factories import ItemFactory, UserFactory, attach_video_rows
from fieldcast.items.models import Item
from fieldcast.media.models import MediaAsset

# Committed rows: pg_dump reads the database from its own connection.
pytestmark = pytest.mark.django_db(transaction=True)

TITLES = ["Shelling at dawn", "قصف على حمص", "Обстріл уночі"]


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def site(media_root):
    """Three items, each with a video whose files are on disk."""
    author = UserFactory(username="reporter")
    files = {}
    for n, title in enumerate(TITLES):
        item = ItemFactory(author=author, title=title, body=f"Report {n}", lifecycle="ready")
        asset = attach_video_rows(item)
        for rendition in asset.renditions.all():
            data = f"{title} {rendition.profile} {n}".encode() * 50
            default_storage.save(rendition.path, ContentFile(data))
            files[rendition.path] = data
    return files


def backup(into: Path) -> Path:
    out = io.StringIO()
    call_command("fieldcast_backup", str(into), stdout=out)
    (folder,) = [p for p in into.iterdir() if p.is_dir()]
    assert f"Backup written to {folder}" in out.getvalue()
    return folder


def wipe(media_root: Path) -> None:
    Item.objects.all().delete()
    assert not MediaAsset.objects.exists()
    shutil.rmtree(media_root)
    media_root.mkdir()


def check_restored(site: dict[str, bytes], media_root: Path) -> None:
    assert sorted(Item.objects.values_list("title", flat=True)) == sorted(TITLES)
    assert MediaAsset.objects.count() == 3
    assert Item.objects.get(title=TITLES[1]).author.username == "reporter"
    for name, data in site.items():
        assert (media_root / name).read_bytes() == data


def test_backup_wipe_restore(site, media_root, tmp_path):
    if connection.vendor == "postgresql" and not shutil.which("pg_dump"):
        pytest.fail("pg_dump is not on PATH: install postgresql-client to back up PostgreSQL")
    folder = backup(tmp_path / "backups")

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["engine"] == connection.vendor
    assert manifest["database"] == ("database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3")
    assert manifest["media"] == "media.tar"
    assert manifest["media_files"] == len(site)
    assert "items" in manifest["migrations"]

    wipe(media_root)
    assert not Item.objects.exists()

    out = io.StringIO()
    call_command("fieldcast_restore", str(folder), "--yes", stdout=out)
    assert "Restored." in out.getvalue()
    check_restored(site, media_root)
    # The restored database takes new writes (sequences restored too).
    ItemFactory(author=UserFactory(username="after"), title="After the restore")
    assert Item.objects.count() == 4


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump / pg_restore: the PostgreSQL run")
def test_postgresql_backup_is_a_custom_format_dump(site, media_root, tmp_path):
    folder = backup(tmp_path / "backups")
    assert (folder / "database.pgdump").read_bytes()[:5] == b"PGDMP"
    wipe(media_root)
    call_command("fieldcast_restore", str(folder), "--yes", stdout=io.StringIO())
    check_restored(site, media_root)


def test_restore_asks_before_replacing(site, media_root, tmp_path):
    folder = backup(tmp_path / "backups")
    Item.objects.filter(title=TITLES[0]).delete()
    with pytest.raises(CommandError, match="--yes"):
        call_command("fieldcast_restore", str(folder), stdout=io.StringIO())
    assert Item.objects.count() == 2  # nothing done


def test_a_damaged_or_unfinished_backup_is_refused(site, media_root, tmp_path):
    folder = backup(tmp_path / "backups")
    with (folder / "media.tar").open("ab") as tar:
        tar.write(b"extra")
    with pytest.raises(CommandError, match="wrong size"):
        call_command("fieldcast_restore", str(folder), "--yes", stdout=io.StringIO())
    (tmp_path / "half.partial").mkdir()
    with pytest.raises(CommandError, match=r"not a Fieldcast backup.*\.partial"):
        call_command("fieldcast_restore", str(tmp_path / "half.partial"), "--yes", stdout=io.StringIO())
    assert Item.objects.count() == 3


def test_a_backup_of_another_kind_of_database_is_refused(site, media_root, tmp_path):
    folder = backup(tmp_path / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["engine"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="same kind of database"):
        call_command("fieldcast_restore", str(folder), "--yes", stdout=io.StringIO())


def test_database_only(site, media_root, tmp_path):
    out = io.StringIO()
    call_command("fieldcast_backup", str(tmp_path / "b"), "--no-media", stdout=out)
    (folder,) = (tmp_path / "b").iterdir()
    assert not (folder / "media.tar").exists()
    assert "media left out" in out.getvalue()
