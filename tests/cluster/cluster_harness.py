"""Fieldcast as a cluster on loopback, for the cluster test and the soak benchmark.

`Cluster` starts, on this machine's PostgreSQL and Redis (a fresh database, its own Redis
database number) and a SeaweedFS it starts itself: N gunicorn web nodes and M
`manage.py db_worker` processes (queues `media` and `default`), each in its own process
group, all sharing SECRET_KEY, the database, Redis and the bucket, as separate machines
would (they share the tus upload folder too: see docs/deployment.md). `stop()` stops
everything it started, SIGKILL after a short grace, drops the database and empties the
Redis database, also after a failure.

    with Cluster(tmp_dir, database_url=..., redis_url=...) as cluster:
        cluster.web[0].request("GET", "/healthz")
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldcast.media.testing_s3 import SeaweedFS, free_ports, s3_environment

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "fieldcast-cluster"
STOP_GRACE_S = 5.0
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


class ClusterError(Exception):
    """Something in the cluster did not start or answer; the message carries the logs."""


@dataclass
class Proc:
    """One started process (its own process group) and its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Signal the whole group (gunicorn's workers, a worker's ffmpeg)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)

    def stop(self) -> None:
        if not self.alive():
            return
        self.kill(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)
            self.process.wait(timeout=10)
        # Children of a group whose leader left (a worker's ffmpeg) go too.
        self.kill(signal.SIGKILL)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def rss_bytes(self) -> int:
        """Resident memory of the process and its children (gunicorn's master + workers)."""
        pids = [self.pid, *_children(self.pid)]
        return sum(_rss(pid) for pid in pids)


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text().split()
            for child in map(int, text):
                found += [child, *_children(child)]
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebNode(Proc):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self, method: str, path: str, *, headers: dict[str, str] | None = None, body: bytes | None = None
    ) -> Response:
        return http_request(method, f"{self.url}{path}", headers=headers, body=body)


def http_request(
    method: str, url: str, *, headers: dict[str, str] | None = None, body: bytes | None = None, timeout: float = 30
) -> Response:
    """One request, no redirects followed (the test looks at them)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=body, headers={"User-Agent": BROWSER_UA, **(headers or {})})
        response = conn.getresponse()
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


@dataclass
class Cluster:
    root: Path
    database_url: str  # a PostgreSQL server URL; the cluster's database is created beside it
    redis_url: str  # redis://host:port (the database number is `redis_db`)
    redis_db: int = 11
    # An existing database on that server to use (migrated again, kept at the end) instead.
    existing_database: str = ""
    web_nodes: int = 2
    workers: int = 2
    gunicorn_workers: int = 1
    gunicorn_threads: int = 4
    extra_env: dict[str, str] = field(default_factory=dict)
    web: list[WebNode] = field(default_factory=list)
    worker_procs: list[Proc] = field(default_factory=list)
    seaweedfs: SeaweedFS | None = None
    env: dict[str, str] = field(default_factory=dict)
    db_name: str = ""

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.existing_database:
            self.db_name = self.existing_database
        else:
            self.db_name = f"fieldcast_cluster_{os.getpid()}_{secrets.token_hex(3)}"
            self._admin(f'CREATE DATABASE "{self.db_name}"')
        self._redis_flush()
        self.seaweedfs = SeaweedFS(self.root / "seaweedfs")
        started: list[BaseException] = []

        def start_s3() -> None:
            try:
                assert self.seaweedfs is not None
                self.seaweedfs.start()
                self.seaweedfs.create_bucket(BUCKET)
            except BaseException as exc:  # reported below, in this thread
                started.append(exc)

        s3_thread = threading.Thread(target=start_s3, name="seaweedfs-start")
        s3_thread.start()
        self.env = self._environment()
        # Migrations and static files at the same time as SeaweedFS starts.
        setup = [
            self._spawn("migrate", [sys.executable, "manage.py", "migrate", "--noinput"]),
            self._spawn("collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput"]),
        ]
        for proc in setup:
            if proc.process.wait(timeout=300) != 0:
                raise ClusterError(f"{proc.name} failed:\n{proc.tail()}")
        s3_thread.join(timeout=90)
        if started:
            raise ClusterError(f"SeaweedFS did not start: {started[0]}")
        self.env.update(s3_environment(self.seaweedfs, BUCKET))
        ports = free_ports(self.web_nodes)
        for index, port in enumerate(ports):
            self.web.append(self._start_web(index, port))
        for index in range(self.workers):
            self.worker_procs.append(self._start_worker(index))
        for node in self.web:
            self._wait_web(node)

    def stop(self) -> None:
        for proc in [*self.web, *self.worker_procs]:
            with contextlib.suppress(Exception):
                proc.stop()
        if self.seaweedfs is not None:
            with contextlib.suppress(Exception):
                self.seaweedfs.stop()
        if self.db_name and not self.existing_database:
            with contextlib.suppress(Exception):
                self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        with contextlib.suppress(Exception):
            self._redis_flush()

    # --- pieces --------------------------------------------------------------------------------

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
        for name in ("MEDIA_ROOT", "MEDIA_UPLOAD_DIR", "STATIC_ROOT", "SQLITE_TEST_NAME", "DATABASE_TEST_NAME",
                     "FIELDCAST_TESTING", "COUNTER_BUFFER"):  # fmt: skip
            env.pop(name, None)
        env.update(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),  # one key for every node: tokens signed by one open on all
            DATABASE_URL=self._database_url(),
            REDIS_URL=f"{self.redis_url.rstrip('/')}/{self.redis_db}",
            CACHE_KEY_PREFIX=f"cluster{self.redis_db}",
            FIELDCAST_DATA_DIR=str(self.root / "data"),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SITE_URL="http://127.0.0.1",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            MFA_REQUIRED_FOR_STAFF="0",
            DB_CONN_MAX_AGE="60",  # persistent connections, as docs/deployment.md advises
            **self.extra_env,
        )
        return env

    def _database_url(self) -> str:
        parts = urllib.parse.urlsplit(self.database_url)
        return urllib.parse.urlunsplit(parts._replace(path=f"/{self.db_name}"))

    def _admin(self, statement: str) -> None:
        import psycopg

        parts = urllib.parse.urlsplit(self.database_url)
        admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(statement)  # type: ignore[arg-type]

    def _redis_flush(self) -> None:
        import redis

        client = redis.Redis.from_url(f"{self.redis_url.rstrip('/')}/{self.redis_db}")
        try:
            client.flushdb()
        finally:
            client.close()

    def _spawn(self, name: str, command: list[str], *, cls: type[Proc] = Proc, **extra: Any) -> Any:
        log = self.root / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 (fixed argument lists)
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        return cls(name=name, process=process, log=log, **extra)

    def _start_web(self, index: int, port: int) -> WebNode:
        command = [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(self.gunicorn_workers),
            "--worker-class", "gthread", "--threads", str(self.gunicorn_threads),
            "--log-level", "warning", "--error-logfile", "-",
        ]  # fmt: skip
        node: WebNode = self._spawn(f"web-{'ABCDEFGH'[index]}", command, cls=WebNode, port=port)
        return node

    def _start_worker(self, index: int) -> Proc:
        command = [
            sys.executable, "manage.py", "db_worker", "--queue-name", "media,default",
            "--worker-id", self.worker_id(index), "--interval", "0.2", "--no-startup-delay", "--no-reload",
        ]  # fmt: skip
        proc: Proc = self._spawn(self.worker_id(index), command)
        return proc

    @staticmethod
    def worker_id(index: int) -> str:
        return f"cluster-worker-{index + 1}"

    def _wait_web(self, node: WebNode, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not node.alive():
                raise ClusterError(f"{node.name} exited at start:\n{node.tail()}")
            with contextlib.suppress(OSError):
                if node.request("GET", "/healthz").status == 200:
                    return
            time.sleep(0.2)
        raise ClusterError(f"{node.name} did not answer /healthz within {timeout:.0f} s:\n{node.tail()}")

    # --- helpers for tests and benchmarks -----------------------------------------------------

    def manage(self, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise ClusterError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def shell(self, code: str) -> str:
        """Run Python in a Django shell of the cluster (as an operator would); its stdout."""
        return self.manage("shell", "-c", code)

    @contextlib.contextmanager
    def db(self) -> Iterator[Any]:
        """A psycopg connection to the cluster's database (autocommit), for looking, not writing."""
        import psycopg

        with psycopg.connect(self._database_url(), autocommit=True) as conn:
            yield conn

    def logs(self) -> str:
        parts = [f"--- {p.name}\n{p.tail()}" for p in [*self.web, *self.worker_procs]]
        if self.seaweedfs is not None:
            parts.append(f"--- seaweedfs\n{self.seaweedfs.log_tail()}")
        return "\n".join(parts)
