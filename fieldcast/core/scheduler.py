"""Periodic jobs: `manage.py scheduler` enqueues tasks on intervals and does nothing else.

The work itself runs in the task workers (`manage.py db_worker`), so a slow job never
delays the clock, and the scheduler needs no more than a database connection now and then.

JOBS is the whole schedule: to add a periodic task, add a row (the task's dotted path and
its interval). A row whose task does not exist (yet) is logged and skipped, never fatal.

One scheduler per cluster: the process that holds the lock schedules; any other waits,
idle, and tries again every RETRY_S seconds. On PostgreSQL the lock is a session-level
advisory lock (released by the server if the process or its connection dies); on SQLite,
which is one machine by definition, an flock on a file in DATA_DIR.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.db import DatabaseError, connections
from django.utils.module_loading import import_string
from django_tasks.base import Task

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    task_path: str  # dotted path of a django-tasks task taking no arguments
    every_s: int


JOBS: tuple[Job, ...] = (
    Job("fieldcast.media.tasks_uploads.expire_uploads", every_s=15 * 60),
    Job("fieldcast.media.tasks.reap_stuck_assets", every_s=60),
    # Redis-buffered play/view/share counts reach the database at most this late (a no-op
    # with COUNTER_BUFFER=database).
    Job("fieldcast.player.tasks.flush_counters", every_s=settings.COUNTER_FLUSH_S),
    Job("fieldcast.player.tasks.prune_counted_events", every_s=60 * 60),
    Job("fieldcast.notifications.tasks.send_digests", every_s=60 * 60),
    Job("fieldcast.notifications.tasks.prune_notifications", every_s=24 * 60 * 60),
    # "Popular now": decayed scores from the last 24 h / 7 days into discovery.TrendingScore.
    Job("fieldcast.discovery.tasks.recompute_trending", every_s=10 * 60),
    # django-tasks-db keeps every finished result: drop those older than TASK_RESULTS_KEEP_DAYS.
    Job("fieldcast.core.tasks.prune_task_results", every_s=60 * 60),
)

RETRY_S = 30  # how often an idle scheduler tries to take the lock
CHECK_S = 30  # how often the running one checks that it still holds it
ADVISORY_LOCK_KEY = 0x4669656C64636173  # "Fieldcas" as a bigint: the cluster-wide scheduler lock


def job_task(job: Job) -> Task[Any, Any] | None:
    """The job's task, or None (logged) if there is no task at that path."""
    try:
        found = import_string(job.task_path)
    except ImportError:
        logger.warning("scheduler: no task at %s; skipping it", job.task_path)
        return None
    if not isinstance(found, Task):
        logger.warning("scheduler: %s is not a task (decorate it with @task); skipping it", job.task_path)
        return None
    return found


def enqueue(job: Job) -> bool:
    """Enqueue one run of the job's task; False if it has none or enqueuing failed."""
    found = job_task(job)
    if found is None:
        return False
    try:
        found.enqueue()
    except DatabaseError:
        logger.exception("scheduler: could not enqueue %s; next interval tries again", job.task_path)
        return False
    logger.info("scheduler: enqueued %s", job.task_path)
    return True


def _enqueue_on_schedule(job: Job) -> None:
    try:
        enqueue(job)
    finally:
        # Scheduler threads are long-lived and idle between runs: hold no connection meanwhile.
        connections.close_all()


def run_round(jobs: tuple[Job, ...] = JOBS) -> list[str]:
    """One tick of every job: the task paths enqueued."""
    return [job.task_path for job in jobs if enqueue(job)]


# --- one scheduler per cluster -------------------------------------------------------------


class SchedulerLock(Protocol):
    def acquire(self) -> bool: ...
    def alive(self) -> bool: ...
    def release(self) -> None: ...


class PostgresLock:
    """pg_try_advisory_lock on a connection of its own, held as long as that session lives."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self._conn: Any = None

    def acquire(self) -> bool:
        conn = connections.create_connection(self.alias)
        conn.inc_thread_sharing()  # alive() runs on a scheduler thread
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
                taken = bool(cursor.fetchone()[0])
        except DatabaseError:
            logger.exception("scheduler: could not ask PostgreSQL for the lock")
            taken = False
        if taken:
            self._conn = conn
        else:
            self._close(conn)
        return taken

    def alive(self) -> bool:
        if self._conn is None:
            return False
        try:
            with self._conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except DatabaseError:
            return False  # the session, and with it the lock, is gone

    def release(self) -> None:
        if self._conn is None:
            return
        with contextlib.suppress(DatabaseError), self._conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        self._close(self._conn)
        self._conn = None

    @staticmethod
    def _close(conn: Any) -> None:
        conn.dec_thread_sharing()
        with contextlib.suppress(DatabaseError):
            conn.close()


class FileLock:
    """An exclusive flock on a file: one scheduler per machine (SQLite's whole world)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for a person looking
        self._fd = fd
        return True

    def alive(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def scheduler_lock() -> SchedulerLock:
    if connections["default"].vendor == "postgresql":
        return PostgresLock()
    return FileLock(Path(settings.DATA_DIR) / "scheduler.lock")


class Scheduler:
    """Take the lock (or wait for it), then run JOBS on their intervals until stop()."""

    def __init__(
        self,
        jobs: tuple[Job, ...] = JOBS,
        *,
        lock_factory: Any = scheduler_lock,
        retry_s: float = RETRY_S,
        check_s: float = CHECK_S,
    ) -> None:
        self.jobs = jobs
        self.lock_factory = lock_factory
        self.retry_s = retry_s
        self.check_s = check_s
        self.stopping = threading.Event()

    def stop(self) -> None:
        """Safe from a signal handler: the running scheduler notices within a second."""
        self.stopping.set()

    def serve(self) -> None:
        idle_logged = False
        while not self.stopping.is_set():
            lock: SchedulerLock = self.lock_factory()
            if not lock.acquire():
                if not idle_logged:
                    logger.info("scheduler: another scheduler holds the lock; idle, trying every %g s", self.retry_s)
                    idle_logged = True
                self.stopping.wait(self.retry_s)
                continue
            idle_logged = False
            try:
                logger.info("scheduler: lock taken; scheduling %s", ", ".join(j.task_path for j in self.jobs))
                self._run(lock)
            finally:
                lock.release()
        logger.info("scheduler: stopped")

    def _run(self, lock: SchedulerLock) -> None:
        scheduler = BlockingScheduler(
            timezone=datetime.UTC,
            executors={"default": ThreadPoolExecutor(2)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
        )
        started = datetime.datetime.now(datetime.UTC)
        for job in self.jobs:
            # First run at start: a scheduler restarted often (deploys) still runs its long intervals.
            scheduler.add_job(
                _enqueue_on_schedule,
                "interval",
                seconds=job.every_s,
                args=[job],
                id=job.task_path,
                next_run_time=started,
            )
        checked = [time.monotonic()]

        def watch() -> None:
            if not self.stopping.is_set() and time.monotonic() - checked[0] < self.check_s:
                return
            checked[0] = time.monotonic()
            if not self.stopping.is_set() and lock.alive():
                return
            if not self.stopping.is_set():
                logger.error("scheduler: lost the lock (database connection gone); stopping the jobs")
            with contextlib.suppress(SchedulerNotRunningError):
                scheduler.shutdown(wait=False)

        scheduler.add_job(watch, "interval", seconds=1, id="scheduler-watch")
        scheduler.start()
