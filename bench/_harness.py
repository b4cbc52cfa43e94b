"""What every benchmark shares: a throwaway PostgreSQL database with the demo content,
a gunicorn server on loopback, and an HTTP load generator.

Benchmarks are figures, not tests: they print numbers as ratios against a baseline measured
in the same run, so the machine's speed cancels out.
"""

from __future__ import annotations

import asyncio
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/fieldcast_bench"


class BenchError(Exception):
    """A benchmark cannot run; the message says why and what to do."""


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise BenchError(f"{name} must be a whole number, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    try:
        return float(raw) if raw else default
    except ValueError as exc:
        raise BenchError(f"{name} must be a number, got {raw!r}") from exc


# --- the database -----------------------------------------------------------------------


def _admin_connect(url: str) -> psycopg.Connection:
    """A connection to the server's `postgres` database, to create and drop ours."""
    parts = urllib.parse.urlsplit(url)
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        return psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise BenchError(
            f"PostgreSQL is unreachable at {parts.hostname}:{parts.port or 5432} ({exc}).\n"
            "The benchmarks run on PostgreSQL: start it, or point BENCH_POSTGRES_URL at one "
            "(a role allowed to create databases)."
        ) from exc


def _db_name(url: str) -> str:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1"}:
        raise BenchError(f"BENCH_POSTGRES_URL must name a scratch database (it is dropped), got {url!r}")
    return name


def database_create(url: str) -> None:
    name = _db_name(url)
    with _admin_connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_exists(url: str) -> bool:
    with _admin_connect(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [_db_name(url)]).fetchone() is not None


def database_drop(url: str) -> None:
    with _admin_connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(_db_name(url))))


def postgres_version(url: str) -> str:
    with _admin_connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]).split()[0] if row else "?"


# --- the application -------------------------------------------------------------------


@dataclass
class App:
    """The project configured for production on a scratch database and data folder."""

    database_url: str
    data_dir: Path
    env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build_env(cls, database_url: str, data_dir: Path) -> dict[str, str]:
        env = dict(os.environ)
        # Whatever the developer's shell holds must not reach the benchmarked app.
        for name in ("MEDIA_ROOT", "STATIC_ROOT", "SITE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"):
            env.pop(name, None)
        env.update(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=database_url,
            # Persistent connections, as a production deployment runs (settings default: 0).
            DB_CONN_MAX_AGE=os.environ.get("BENCH_DB_CONN_MAX_AGE", "60"),
            ALLOWED_HOSTS="127.0.0.1",
            FIELDCAST_DATA_DIR=str(data_dir),
            BENCH_BASELINE_VIEW="1",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        if os.environ.get("BENCH_REDIS_URL"):
            env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
        return env

    def manage(self, *args: str, capture: bool = False) -> str:
        """Run manage.py; on failure show its output and stop the benchmark."""
        cmd = [sys.executable, "manage.py", *args]
        result = subprocess.run(cmd, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BenchError(
                f"`manage.py {' '.join(args)}` failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return result.stdout if capture else ""

    def has_command(self, name: str) -> bool:
        cmd = [sys.executable, "manage.py", "help", name]
        result = subprocess.run(cmd, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False)
        return result.returncode == 0

    @contextmanager
    def server(self) -> Iterator[Server]:
        server = Server.start(self.env)
        try:
            yield server
        finally:
            server.stop()


@contextmanager
def prepared_app() -> Iterator[App]:
    """A migrated scratch database with the demo content, dropped on the way out."""
    database_url = os.environ.get("BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    data_dir = Path(tempfile.mkdtemp(prefix="fieldcast-bench-"))
    app = App(database_url, data_dir, App.build_env(database_url, data_dir))
    try:
        if not app.has_command("load_demo"):
            raise BenchError(
                "`manage.py load_demo` is not available: the benchmarks measure pages of the demo "
                "content, which that command (fieldcast/demo/) creates."
            )
        # BENCH_KEEP_DB=1 keeps the database after the run and reuses one kept before (migrated
        # again, the demo not reloaded; a benchmark that generates rows adds none when they are
        # there): for measuring a change again without minutes of setup. Unset: fresh each run.
        keep = os.environ.get("BENCH_KEEP_DB") == "1"
        reuse = keep and database_exists(database_url)
        verb = "reusing" if reuse else "creating"
        print(f"PostgreSQL {postgres_version(database_url)}: {verb} {_db_name(database_url)} ...", flush=True)
        if not reuse:
            database_create(database_url)
        try:
            started = time.perf_counter()
            app.manage("migrate", "--noinput")
            app.manage("collectstatic", "--noinput")
            if not reuse:
                app.manage("load_demo", "--no-media")
            print(f"migrated, collected static files, loaded the demo in {time.perf_counter() - started:.1f} s")
            yield app
        finally:
            if keep:
                print(f"BENCH_KEEP_DB=1: kept {_db_name(database_url)}")
            else:
                database_drop(database_url)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """gunicorn serving config.wsgi on a loopback port."""

    process: subprocess.Popen[bytes]
    host: str
    port: int
    description: str

    @classmethod
    def start(cls, env: dict[str, str]) -> Server:
        cores = os.cpu_count() or 1
        workers = env_int("BENCH_WORKERS", 2 * cores + 1)
        worker_class = os.environ.get("BENCH_WORKER_CLASS", "gthread")
        threads = env_int("BENCH_THREADS", 4)
        port = _free_port()
        cmd = [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--worker-class", worker_class,
            "--threads", str(threads),
            "--log-level", "warning",
            "--error-logfile", "-",
        ]  # fmt: skip
        # Own session: a Ctrl-C reaches this script, whose finally stops gunicorn in order.
        process = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        description = f"gunicorn {worker_class}, {workers} workers"
        if worker_class == "gthread":
            description += f" x {threads} threads"
        server = cls(process, "127.0.0.1", port, description)
        server._wait_ready()
        return server

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited at start (exit {self.process.returncode}); see its log above")
            try:
                status, _ = self.get("/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer /healthz within {timeout:.0f} s")

    def get(self, path: str) -> tuple[int, bytes]:
        import http.client

        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"User-Agent": USER_AGENT})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


# --- load ---------------------------------------------------------------------------------

USER_AGENT = "fieldcast-bench/1 (loopback load generator)"


@dataclass
class LoadResult:
    path: str
    seconds: float
    latencies: list[float]  # seconds, one per successful request
    errors: int
    bytes_per_response: int
    client_cpu: float  # the load generator's CPU time over wall time (1.0 = one core busy)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
        return ordered[rank - 1] * 1000


class _Response:
    __slots__ = ("body", "close", "status")

    def __init__(self, status: int, body: bytes, close: bool) -> None:
        self.status, self.body, self.close = status, body, close


async def _read_response(reader: asyncio.StreamReader) -> _Response:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("connection closed before a response")
    status = int(status_line.split(b" ", 2)[1])
    length: int | None = None
    chunked = close = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    if chunked:
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            parts.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(parts)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body, close = await reader.read(), True
    return _Response(status, body, close)


class KeepAlive:
    """One keep-alive HTTP/1.1 connection: reconnects after an error or a `Connection: close`."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes, result: LoadResult) -> _Response | None:
        """The response, with its latency recorded in `result` when it is a 200; None (an
        error counted in `result`) when the exchange failed."""
        started = time.perf_counter()
        try:
            async with asyncio.timeout(30):
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                assert self.reader is not None
                self.writer.write(request)
                response = await _read_response(self.reader)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError, IndexError):
            result.errors += 1
            self.close()
            await asyncio.sleep(0.01)
            return None
        if response.status == 200:
            result.latencies.append(time.perf_counter() - started)
            result.bytes_per_response = len(response.body)
        else:
            result.errors += 1
        if response.close:
            self.close()
        return response

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _connection_loop(
    host: str, port: int, path: str, deadline: float, budget: list[int], result: LoadResult
) -> None:
    """One keep-alive connection sending GETs back to back until the deadline or the budget."""
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: {USER_AGENT}\r\n"
        "Accept: text/html\r\nAccept-Encoding: identity\r\n\r\n"
    ).encode()
    connection = KeepAlive(host, port)
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            await connection.send(request, result)
    finally:
        connection.close()


def load(server: Server, path: str, *, connections: int, seconds: float, max_requests: int = 2_000_000) -> LoadResult:
    """GET `path` over `connections` concurrent keep-alive connections for `seconds`."""
    result = LoadResult(path, 0.0, [], 0, 0, 0.0)
    budget = [max_requests]

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(_connection_loop(server.host, server.port, path, deadline, budget, result) for _ in range(connections))
        )

    cpu_started, started = time.process_time(), time.perf_counter()
    asyncio.run(main())
    result.seconds = time.perf_counter() - started
    result.client_cpu = (time.process_time() - cpu_started) / result.seconds
    return result


def print_table(results: list[LoadResult]) -> None:
    width = max(len("url"), *(len(r.path) for r in results))
    print(
        f"{'url':<{width}}  {'requests':>8}  {'req/s':>8}  {'p50 ms':>7}  {'p95 ms':>7}  "
        f"{'errors':>6}  {'bytes':>7}  {'client cpu':>10}"
    )
    for r in results:
        print(
            f"{r.path:<{width}}  {r.requests:>8}  {r.rate:>8.1f}  {r.percentile_ms(50):>7.2f}  "
            f"{r.percentile_ms(95):>7.2f}  {r.errors:>6}  {r.bytes_per_response:>7}  {r.client_cpu:>9.0%}"
        )
