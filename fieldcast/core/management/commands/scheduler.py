"""`manage.py scheduler`: enqueue the periodic tasks (fieldcast.core.scheduler.JOBS)."""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from fieldcast.core.scheduler import JOBS, Scheduler

logger = logging.getLogger("fieldcast.core.scheduler")


class Command(BaseCommand):
    help = (
        "Enqueue the periodic tasks on their intervals (the task workers run them). "
        "Run one per cluster: a second one waits, idle, until the first stops."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Our own lines say what happens (lock, each enqueue, stop); APScheduler's INFO lines
        # ("Running job ..." every second for the watch job) would bury them.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        scheduler = Scheduler()

        def stop(signum: int, frame: FrameType | None) -> None:
            scheduler.stop()  # no logging here: a handler may interrupt a thread holding logging's lock

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        for job in JOBS:
            logger.info("scheduler: %s every %d s", job.task_path, job.every_s)
        scheduler.serve()
