"""`manage.py fieldcast_metrics_exporter [--bind 127.0.0.1:9464]`: this machine's per-process
metrics for a machine that runs task workers but no web process.

The task workers write their task durations and transcoding figures into
PROMETHEUS_MULTIPROC_DIR; a web process on the same machine sums that folder at /metrics.
Where no web process runs, this serves the same sum (without the cluster-wide gauges,
which the web processes answer) for Prometheus to scrape. Bind it to an address only the
monitoring network reaches: it has no token check.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

from fieldcast.core.metrics import MULTIPROC_DIR


class Command(BaseCommand):
    help = "Serve the per-process metrics of this machine's task workers (PROMETHEUS_MULTIPROC_DIR) over HTTP."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:9464", help="address:port (default 127.0.0.1:9464)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not MULTIPROC_DIR:
            raise CommandError(
                "PROMETHEUS_MULTIPROC_DIR is not set: set it, for this command and the task workers of this "
                "machine, to the folder they share"
            )
        address, _, port = options["bind"].rpartition(":")
        if not address or not port.isdigit():
            raise CommandError(f"--bind takes address:port, got {options['bind']!r}")
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=MULTIPROC_DIR)
        server, thread = start_http_server(int(port), addr=address.strip("[]"), registry=registry)
        self.stdout.write(f"Serving {MULTIPROC_DIR} at http://{options['bind']}/metrics")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
        signal.signal(signal.SIGINT, lambda signum, frame: stop.set())
        stop.wait()
        server.shutdown()
        thread.join(5)
