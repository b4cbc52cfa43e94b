"""`manage.py fieldcast_backup DIR`: a database dump and the media files in DIR/fieldcast-backup-<time>/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fieldcast.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: online backup API; PostgreSQL: pg_dump custom format) and "
        "MEDIA_ROOT (a tar) into a new folder under DIR. The site may keep running meanwhile."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", type=Path, help="where the backup folder is created")
        parser.add_argument("--no-media", action="store_true", help="the database only (media copied some other way)")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        directory.mkdir(parents=True, exist_ok=True)
        try:
            result = backup_create(into=directory, media=not options["no_media"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(f"Backup written to {result.path}")
        for name, facts in manifest["files"].items():
            self.stdout.write(f"  {name}: {facts['size']:,} bytes")
        if manifest.get("media"):
            self.stdout.write(f"  media files: {manifest['media_files']:,}")
        else:
            self.stdout.write(self.style.WARNING(f"  {manifest['media_note']}"))
