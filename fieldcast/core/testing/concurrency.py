"""Concurrent requests in tests: threads, each with its own database connection, released
together so that their writes really overlap (run against PostgreSQL; SQLite serialises writers)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_concurrently(work: Callable[[int], object], count: int, *, timeout: float = 120) -> None:
    """Run `work(0)` … `work(count - 1)` in `count` threads started behind a barrier.

    Each thread closes its own database connection when done. The first exception raised in
    a thread (an AssertionError included) is raised again here once all have finished, with
    a note of how many threads failed; a thread still running after `timeout` seconds fails
    the test too.
    """
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def target(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except BaseException as exc:  # raised again below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        first = errors[0]
        first.add_note(f"({len(errors)} of {count} concurrent threads failed; this is the first.)")
        raise first
    running = sum(thread.is_alive() for thread in threads)
    if running:
        raise AssertionError(f"{running} of {count} concurrent threads still running after {timeout} s")
