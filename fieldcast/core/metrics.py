"""Prometheus metrics at /metrics (prometheus-client, text format).

Two kinds of figures, chosen so that several gunicorn workers and separate task workers
give one true picture:

- **Per-process histograms and counters** (request latency by view, task durations,
  transcoding seconds per clip second), observed where the work happens. With
  PROMETHEUS_MULTIPROC_DIR set (needed as soon as gunicorn runs more than one worker) every
  process of a machine writes them to files in that folder and /metrics sums the folder, so
  the web processes also report the task workers running on the same machine. Without it
  /metrics reports the one process that answers (fine for `make run`'s single runserver).
- **Cluster-wide gauges** (queue depth and the oldest waiting task per queue, running tasks,
  the counter flush lag) computed from the database and Redis at scrape time by
  `ClusterCollector`: every web process answers the same values, whichever worker did the work
  and wherever it runs. Scrape one target for them, or take `max()` across targets.

Access (`metrics_allowed`): addresses in METRICS_ALLOWED_IPS (default loopback), or
`Authorization: Bearer <METRICS_TOKEN>`; 403 otherwise.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from .ratelimit import client_ip
from .request_id import view_label

log = logging.getLogger(__name__)

# The *_created series (when each series first appeared) only add bytes to every scrape.
disable_created_metrics()
# Read once, like prometheus_client itself does when the first metric is made.
MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
if MULTIPROC_DIR:
    # Containers sharing the folder do not share a PID namespace (each may be PID 1), so a
    # process's files are named by host and PID: two processes never write the same file.
    _HOST = socket.gethostname()
    values.ValueClass = values.MultiProcessValue(lambda: f"{_HOST}-{os.getpid()}")

REQUEST_LATENCY = Histogram(
    "fieldcast_http_request_duration_seconds",
    "Time from the request reaching Django to its response (streamed bodies not included), by view.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASK_DURATION = Histogram(
    "fieldcast_task_duration_seconds",
    "Task run time (started to finished), by task, queue and outcome.",
    ["task", "queue", "status"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0),
)
TRANSCODE_RATIO = Histogram(
    "fieldcast_transcode_seconds_per_clip_second",
    "Wall-clock seconds the video steps (HLS ladder, MP4, poster, sprite) took per second of video.",
    buckets=(0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0),
)
TRANSCODE_SECONDS = Counter(
    "fieldcast_transcode_seconds", "Wall-clock seconds spent on the video steps of finished videos."
)
TRANSCODED_CLIP_SECONDS = Counter("fieldcast_transcoded_clip_seconds", "Seconds of video those steps produced.")

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_observe(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUEST_LATENCY.labels(
        view=view, method=method if method in KNOWN_METHODS else "other", status=f"{status // 100}xx"
    ).observe(seconds)


def task_observe(*, task: str, queue: str, status: str, seconds: float) -> None:
    TASK_DURATION.labels(task=task, queue=queue, status=status).observe(seconds)


def transcode_observe(*, wall_s: float, clip_s: float) -> None:
    """A video finished its video steps: `wall_s` seconds of work for `clip_s` seconds of video."""
    if clip_s <= 0:
        return
    TRANSCODE_RATIO.observe(wall_s / clip_s)
    TRANSCODE_SECONDS.inc(wall_s)
    TRANSCODED_CLIP_SECONDS.inc(clip_s)


class MetricsMiddleware:
    """Request latency by resolved view (never the raw path: ids would make a series each)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        request_observe(
            view=view_label(request),
            method=request.method or "",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


# --- cluster-wide gauges, read at scrape time --------------------------------------------------


class ClusterCollector(Collector):
    """Queue depth, running tasks and counter flush lag, from the database and Redis.

    Two cheap reads: the waiting and running rows of the task table grouped by queue, and
    three Redis reads. A failure yields `fieldcast_cluster_up 0` instead of an error page, so
    the per-process figures still arrive when the database is down.
    """

    def collect(self) -> Iterable[Metric]:
        from fieldcast.player.services.counting import counter_buffer_state

        from .ops import queue_figures

        up = GaugeMetricFamily("fieldcast_cluster_up", "1 when the cluster-wide figures below could be read.")
        try:
            queues = queue_figures()
            counters = counter_buffer_state()
        except Exception:
            log.exception("metrics: could not read the cluster-wide figures")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        families = {
            "waiting": GaugeMetricFamily(
                "fieldcast_task_queue_depth", "Tasks ready to run and waiting for a worker.", labels=["queue"]
            ),
            "oldest_waiting_s": GaugeMetricFamily(
                "fieldcast_task_queue_oldest_age_seconds",
                "How long the oldest waiting task has waited (0 when none waits).",
                labels=["queue"],
            ),
            "scheduled": GaugeMetricFamily(
                "fieldcast_task_queue_scheduled", "Tasks set to run at a later time.", labels=["queue"]
            ),
            "running": GaugeMetricFamily(
                "fieldcast_tasks_running",
                "Tasks marked running (one whose worker was killed stays so: see the oldest age).",
                labels=["queue"],
            ),
            "oldest_running_s": GaugeMetricFamily(
                "fieldcast_task_oldest_running_age_seconds",
                "How long the longest-running task has been running.",
                labels=["queue"],
            ),
        }
        for figures in queues.values():
            for attribute, family in families.items():
                family.add_metric([figures.queue], float(getattr(figures, attribute)))
        yield from families.values()

        lag = GaugeMetricFamily(
            "fieldcast_counter_flush_lag_seconds",
            "Age of the oldest play/view/share event not yet flushed into the database (0 with "
            "COUNTER_BUFFER=database, where events are written at once).",
        )
        lag.add_metric([], counters.oldest_event_age_s)
        yield lag
        backlog = GaugeMetricFamily(
            "fieldcast_counter_buffer_events", "Play/view/share events waiting in the Redis buffer."
        )
        backlog.add_metric([], float(counters.events))
        yield backlog
        if counters.last_flush_age_s is not None:
            since = GaugeMetricFamily(
                "fieldcast_counter_last_flush_age_seconds", "Seconds since the counter flush last ran to its end."
            )
            since.add_metric([], counters.last_flush_age_s)
            yield since


_cluster_registry = CollectorRegistry(auto_describe=False)
_cluster_registry.register(ClusterCollector())


def render_metrics() -> bytes:
    """This machine's per-process figures (summed over PROMETHEUS_MULTIPROC_DIR when set) and
    the cluster-wide gauges, in the Prometheus text format."""
    if MULTIPROC_DIR:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=MULTIPROC_DIR)
        local = generate_latest(registry)
    else:
        local = generate_latest(REGISTRY)
    return local + generate_latest(_cluster_registry)


# --- access -------------------------------------------------------------------------------------


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.METRICS_ALLOWED_IPS]


def metrics_allowed(request: HttpRequest) -> bool:
    """A bearer METRICS_TOKEN, or a client address in METRICS_ALLOWED_IPS.

    A request that came through a proxy while BEHIND_PROXY is off is never allowed by address:
    its REMOTE_ADDR is the proxy's (often loopback), not the client's.
    """
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    if not settings.BEHIND_PROXY and ("X-Forwarded-For" in request.headers or "X-Real-IP" in request.headers):
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in _networks())


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            "Forbidden: /metrics answers addresses in METRICS_ALLOWED_IPS or a bearer METRICS_TOKEN.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_PLAIN_0_0_4)
