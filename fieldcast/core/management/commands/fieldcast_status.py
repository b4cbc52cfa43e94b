"""`manage.py fieldcast_status [--json]`: the task queues, media processing and the counter buffer."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from fieldcast.core.ops import status_report


def age(seconds: float | None) -> str:
    """12s, 4m05s, 3h12m, 2d04h."""
    if seconds is None:
        return "never"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return ["  " + line for line in lines]


def render(report: dict[str, Any]) -> str:
    out: list[str] = [f"Fieldcast status at {report['time']}", "", "Task queues"]
    out += table(
        ["queue", "waiting", "oldest waiting", "scheduled", "running", "longest running"],
        [
            [
                q["queue"],
                str(q["waiting"]),
                age(q["oldest_waiting_s"]) if q["waiting"] else "-",
                str(q["scheduled"]),
                str(q["running"]),
                age(q["oldest_running_s"]) if q["running"] else "-",
            ]
            for q in report["queues"]
        ],
    )
    out += ["", f"Running tasks ({len(report['running'])})"]
    if report["running"]:
        out += table(
            ["task", "queue", "running for", "worker", "id"],
            [[t["task"], t["queue"], age(t["age_s"]), t["worker"], t["id"]] for t in report["running"]],
        )
    failed = report["failed"]
    out += ["", f"Failed tasks in the last {failed['since_hours']} h: {failed['total']}"]
    if failed["by_task"]:
        out += table(["task", "failed"], [[task, str(n)] for task, n in failed["by_task"].items()])
        out += ["", "  latest:"]
        out += table(
            ["task", "error", "ago", "id"],
            [[t["task"], t["error"], age(t["age_s"]), t["id"]] for t in failed["latest"]],
        )
    out += ["", "Media assets"]
    out += table(["status", "assets"], [[status, str(n)] for status, n in report["assets"].items()])
    stuck = report["stuck_assets"]
    out += ["", f"Stuck assets ({len(stuck)}; the reaper re-queues or fails them each minute)"]
    if stuck:
        out += table(
            ["asset", "public id", "status", "step", "attempts", "why", "for"],
            [
                [
                    str(a["id"]),
                    a["public_id"],
                    a["status"],
                    a["step"] or "-",
                    str(a["attempts"]),
                    a["why"],
                    age(a["age_s"]),
                ]
                for a in stuck
            ],
        )
    counters = report["counters"]
    out += ["", "Counter buffer"]
    if counters["mode"] == "database":
        out += ["  COUNTER_BUFFER=database: plays, views and shares are written at once (nothing buffered)"]
    else:
        out += table(
            ["buffered events", "entries", "oldest event", "last flush", "failed flushes left"],
            [
                [
                    str(counters["events"]),
                    str(counters["entries"]),
                    age(counters["oldest_event_age_s"]) if counters["events"] else "-",
                    age(counters["last_flush_age_s"]) + (" ago" if counters["last_flush_age_s"] is not None else ""),
                    str(counters["leftover_flushes"]),
                ]
            ],
        )
    return "\n".join(out)


class Command(BaseCommand):
    help = (
        "Show the task queues (waiting, oldest waiting, running), failed tasks of the last 24 hours, "
        "media assets by processing status with the stuck ones, and the counter buffer's backlog."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON document, for scripts")

    def handle(self, *args: Any, **options: Any) -> None:
        report = status_report()
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
        else:
            self.stdout.write(render(report))
