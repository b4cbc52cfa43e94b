"""`manage.py fieldcast_restore BACKUP_DIR --yes`: put a fieldcast_backup folder back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fieldcast.core.backup import BackupError, backup_read, backup_restore


class Command(BaseCommand):
    help = (
        "Restore the database and media files of a fieldcast_backup folder, replacing the current "
        "database's tables. Stop the web processes, task workers and scheduler first; run "
        "`manage.py migrate` afterwards when this code is newer than the backup."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("backup", type=Path, help="a folder written by fieldcast_backup")
        parser.add_argument("--yes", action="store_true", help="do it: the current data is replaced")
        parser.add_argument("--no-media", action="store_true", help="restore the database only")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["backup"]
        try:
            manifest = backup_read(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backup of {manifest['created_at']} ({manifest['engine']}, media: "
            f"{'included' if manifest.get('media') else 'not included'})"
        )
        if not options["yes"]:
            raise CommandError(
                "Restoring replaces the current database and writes the media files over MEDIA_ROOT. "
                "Stop the web processes, workers and scheduler, then run again with --yes."
            )
        try:
            backup_restore(path=path, media=not options["no_media"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Restored."))
        if not manifest.get("media"):
            self.stdout.write(self.style.WARNING(f"  {manifest.get('media_note', 'no media in this backup')}"))
        self.stdout.write("Next: `manage.py migrate` (a no-op when the backup is as new as the code), then start.")
