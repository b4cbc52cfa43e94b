"""Log records that say which request or task they belong to, as text or as JSON lines.

`log_context` is a context variable holding the current request's id (set by
`request_id.RequestIdMiddleware`) or the current task's id (set by the task signal handlers
below, in worker processes). `ContextFilter`, attached to the handler in settings.LOGGING,
copies it onto every record, so any logger anywhere in the code carries it without being
passed anything. `JsonFormatter` writes one JSON object per line (LOG_FORMAT=json).
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
from typing import Any

# request_id / task_id / task of the work this thread or coroutine is doing now.
log_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("fieldcast_log", default=None)

# Attributes every LogRecord has: anything else on a record came from `extra=` and is written out.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime", "taskName"}
)
CONTEXT_KEYS = ("request_id", "task_id", "task")
# Extras never written: Django's `request` (its repr carries the query string: search words,
# signed grants) and our own bookkeeping.
_LEFT_OUT = frozenset({"request", "outer"})


class ContextFilter(logging.Filter):
    """Puts request_id / task_id / task on every record ("-" when outside any), for both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = log_context.get() or {}
        for key in CONTEXT_KEYS:
            if not hasattr(record, key):
                setattr(record, key, context.get(key, "-"))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (or task_id and task),
    whatever `extra=` added (the access line's method, path, view, status, duration_ms), and
    the traceback as `exc_info` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_KEYS:
            value = getattr(record, key, "-")
            if value and value != "-":
                entry[key] = value
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRIBUTES or key in CONTEXT_KEYS or key in _LEFT_OUT or key.startswith("_"):
                continue
            if isinstance(value, str | int | float | bool) or value is None:
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- task workers: the task id on every record a task logs, and its duration ----------------------


def task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """django-tasks' task_started signal, sent in the worker in the thread that runs the task."""
    outer = log_context.get()
    # A task run inline (the immediate backend, in a request) keeps the request id and
    # gives it back when it finishes.
    log_context.set({**(outer or {}), "task_id": str(task_result.id), "task": task_name(task_result), "outer": outer})


def task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """django-tasks' task_finished signal (success or failure): the duration into the metrics
    (both the database and the immediate backend set started_at and finished_at)."""
    from fieldcast.core import metrics

    if task_result.started_at and task_result.finished_at:
        metrics.task_observe(
            task=task_name(task_result),
            queue=str(getattr(task_result.task, "queue_name", "") or "-"),
            status=str(getattr(task_result.status, "value", task_result.status)).lower(),
            seconds=max(0.0, (task_result.finished_at - task_result.started_at).total_seconds()),
        )
    current = log_context.get() or {}
    log_context.set(current.get("outer"))


def task_name(task_result: Any) -> str:
    task = getattr(task_result, "task", None)
    return str(getattr(task, "module_path", "") or getattr(task, "name", "") or "-")
