from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "fieldcast.core"
    label = "core"

    def ready(self) -> None:
        # A fresh clone has no var/: SQLite, media and uploads need their folders.
        for folder in (settings.DATA_DIR, settings.MEDIA_ROOT, settings.MEDIA_UPLOAD_DIR):
            Path(folder).mkdir(parents=True, exist_ok=True)
