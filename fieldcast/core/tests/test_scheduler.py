"""The periodic-job scheduler: its table, one round of enqueues, and one scheduler per cluster."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from django.db import connection
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from fieldcast.core import scheduler
from fieldcast.core.scheduler import JOBS, FileLock, Job, PostgresLock, Scheduler, job_task, run_round


@pytest.fixture
def lock_path(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path / "scheduler.lock"


def test_every_job_in_the_table_is_a_task():
    assert JOBS
    for job in JOBS:
        assert isinstance(job_task(job), Task), job.task_path
        assert job.every_s >= 1


@pytest.mark.django_db
def test_one_round_enqueues_every_job_once():
    enqueued = run_round()
    assert enqueued == [job.task_path for job in JOBS]
    rows = DBTaskResult.objects.order_by("task_path")
    assert sorted(rows.values_list("task_path", flat=True)) == sorted(enqueued)


@pytest.mark.django_db
def test_a_job_without_a_task_is_skipped_with_a_warning(caplog):
    missing = Job("fieldcast.media.tasks_uploads.no_such_task", every_s=60)
    with caplog.at_level(logging.WARNING, logger="fieldcast.core.scheduler"):
        assert run_round((missing, JOBS[0])) == [JOBS[0].task_path]
    assert "no task at fieldcast.media.tasks_uploads.no_such_task" in caplog.text
    assert DBTaskResult.objects.count() == 1


def test_the_file_lock_excludes_a_second_holder(lock_path):
    first, second = FileLock(lock_path), FileLock(lock_path)
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
@pytest.mark.django_db
def test_the_advisory_lock_excludes_a_second_holder():
    first, second = PostgresLock(), PostgresLock()
    assert first.acquire()
    try:
        assert first.alive()
        assert not second.acquire()
    finally:
        first.release()
    assert second.acquire()
    second.release()


def test_the_lock_matches_the_database(lock_path):
    expected = PostgresLock if connection.vendor == "postgresql" else FileLock
    assert isinstance(scheduler.scheduler_lock(), expected)


@pytest.mark.django_db(transaction=True)
def test_a_second_scheduler_stays_idle_until_the_first_stops(lock_path, caplog):
    holder = FileLock(lock_path)
    assert holder.acquire()
    job = Job("fieldcast.media.tasks_uploads.expire_uploads", every_s=3600)
    waiting = Scheduler((job,), lock_factory=lambda: FileLock(lock_path), retry_s=0.05, check_s=0.05)
    thread = threading.Thread(target=waiting.serve)
    with caplog.at_level(logging.INFO, logger="fieldcast.core.scheduler"):
        thread.start()
        try:
            time.sleep(0.5)
            assert "another scheduler holds the lock" in caplog.text
            assert not DBTaskResult.objects.exists()
            holder.release()  # the first one stops: the second takes over and runs its jobs at once
            deadline = time.monotonic() + 10
            while not DBTaskResult.objects.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert DBTaskResult.objects.get().task_path == job.task_path
        finally:
            waiting.stop()
            thread.join(10)
    assert not thread.is_alive()
    assert "scheduler: stopped" in caplog.text
    assert holder.acquire()  # released on the way out
    holder.release()
