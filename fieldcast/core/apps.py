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
        # Task workers: the task id on every log record a task makes, and its duration metric.
        from django_tasks.signals import task_finished, task_started

        from .logs import task_finished as on_task_finished
        from .logs import task_started as on_task_started

        task_started.connect(on_task_started, dispatch_uid="fieldcast.core.logs.task_started")
        task_finished.connect(on_task_finished, dispatch_uid="fieldcast.core.logs.task_finished")
        from django.core.signals import request_finished

        from .request_id import request_finished_clear

        request_finished.connect(request_finished_clear, dispatch_uid="fieldcast.core.request_id.finished")
