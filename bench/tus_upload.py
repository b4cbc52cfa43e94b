"""Uploading a large file through tus under gunicorn: throughput and the worker's memory.

The client sends a 1 GiB file of random bytes in 8 MiB PATCHes over one keep-alive
connection (so one gunicorn worker serves them all), as a logged-in member with the CSRF
header, exactly as tus-js-client does. Figures:

- throughput, against a baseline measured in the same run: writing the same bytes to the
  same disk in the same chunks with the same fsync per chunk (the server fsyncs each PATCH
  before its offset counts), without HTTP or Django;
- the serving worker's peak memory growth (VmHWM after the upload, reset just before it,
  minus VmRSS before it), against the aim: under 64 MiB, whatever the file's size.

Settings: BENCH_UPLOAD_MB (1024), BENCH_CHUNK_MB (8).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import secrets
import time
from pathlib import Path

from _harness import App, BenchError, Server, env_int

NAME = "tus upload"
MiB = 1024 * 1024
AIM_RSS_GROWTH = 64 * MiB

_SESSION = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from fieldcast.accounts.models import User
from fieldcast.accounts.services import user_create
user = User.objects.filter(username="bench-uploader").first() or user_create(
    username="bench-uploader", email="bench-uploader@example.org", password=None,
    date_of_birth=None, adult_confirmed=True, is_staff=False, is_superuser=False,
)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(f"SESSION={settings.SESSION_COOKIE_NAME}={store.session_key}")
print(f"CSRF={settings.CSRF_COOKIE_NAME}")
"""


def _session(app: App) -> tuple[str, str]:
    """(the Cookie header for a logged-in member with a CSRF cookie, the X-CSRFToken value)."""
    out = app.manage("shell", "--no-imports", "-c", _SESSION, capture=True)
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    if "SESSION" not in values or "CSRF" not in values:
        raise BenchError(f"could not create a session for the benchmark:\n{out}")
    token = secrets.token_hex(16)  # a CSRF secret of the accepted form; the cookie and header carry it
    return f"{values['SESSION']}; {values['CSRF']}={token}", token


def _make_source(path: Path, size: int, chunk: int) -> str:
    """Random bytes streamed to disk (never held in memory); returns their sha256."""
    digest = hashlib.sha256()
    with path.open("wb") as f:
        left = size
        while left:
            block = os.urandom(min(chunk, left))
            f.write(block)
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def _disk_baseline(source: Path, target: Path, chunk: int) -> float:
    """Seconds to copy `source` to `target` in `chunk`s, fsyncing each, as the server does."""
    started = time.perf_counter()
    with source.open("rb") as src, target.open("wb") as dst:
        while block := src.read(chunk):
            dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


# --- the gunicorn workers' memory ------------------------------------------------------------


def _workers(master: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
    return pids


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise BenchError(f"/proc/{pid}/status has no {field}")


def _reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux >= 4.0)


# --- the tus client ----------------------------------------------------------------------------


class TusClient:
    """One keep-alive connection; after a broken one (a keep-alive timeout under load), a new
    connection, HEAD for the offset, and on from there: what tus is for."""

    def __init__(self, server: Server, cookie: str, csrf: str) -> None:
        self.server = server
        self.conn = self._connect()
        self.headers = {"Tus-Resumable": "1.0.0", "Cookie": cookie, "X-CSRFToken": csrf}
        self.resumes = 0

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.server.host, self.server.port, timeout=120)

    def create(self, size: int, filename: str) -> str:
        name = base64.b64encode(filename.encode()).decode()
        headers = {**self.headers, "Upload-Length": str(size), "Upload-Metadata": f"filename {name}"}
        self.conn.request("POST", "/uploads/", body=b"", headers=headers)
        response = self.conn.getresponse()
        body = response.read()
        if response.status != 201:
            raise BenchError(f"POST /uploads/ answered {response.status}: {body.decode(errors='replace')}")
        return response.headers["Location"]

    def send(self, url: str, source: Path, chunk: int) -> tuple[int, str | None]:
        """PATCH the whole file in `chunk`s; (requests made, the Fieldcast-Asset of the last answer)."""
        size = source.stat().st_size
        offset, requests, asset = 0, 0, None
        with source.open("rb") as f:
            while offset < size:
                f.seek(offset)
                block = f.read(chunk)
                headers = {
                    **self.headers,
                    "Content-Type": "application/offset+octet-stream",
                    "Upload-Offset": str(offset),
                    "Content-Length": str(len(block)),
                }
                try:
                    self.conn.request("PATCH", url, body=block, headers=headers)
                    response = self.conn.getresponse()
                    body = response.read()
                except (ConnectionError, http.client.HTTPException) as exc:
                    offset, asset = self._resume(url, exc)
                    continue
                if response.status != 204:
                    raise BenchError(f"PATCH at {offset} answered {response.status}: {body.decode(errors='replace')}")
                offset = int(response.headers["Upload-Offset"])
                requests += 1
                asset = response.headers.get("Fieldcast-Asset")
        return requests, asset

    def _resume(self, url: str, exc: Exception) -> tuple[int, str | None]:
        self.resumes += 1
        if self.resumes > 5:
            raise BenchError(f"the connection broke {self.resumes} times; last: {exc!r}")
        self.conn.close()
        self.conn = self._connect()
        self.conn.request("HEAD", url, headers=self.headers)
        response = self.conn.getresponse()
        response.read()
        return int(response.headers["Upload-Offset"]), response.headers.get("Fieldcast-Asset")

    def close(self) -> None:
        self.conn.close()


def run(app: App) -> bool:
    size = env_int("BENCH_UPLOAD_MB", 1024) * MiB
    chunk = env_int("BENCH_CHUNK_MB", 8) * MiB
    work = Path(app.data_dir) / "bench"
    work.mkdir(parents=True, exist_ok=True)
    source = work / "upload.bin"
    source_sha256 = _make_source(source, size, chunk)
    uploads_dir = Path(app.data_dir) / "uploads"  # MEDIA_UPLOAD_DIR: the same disk as the server's writes
    uploads_dir.mkdir(parents=True, exist_ok=True)
    cookie, csrf = _session(app)

    disk_before = _disk_baseline(source, uploads_dir / "baseline.bin", chunk)
    with app.server() as server:
        client = TusClient(server, cookie, csrf)
        try:
            # Warm-up on the same keep-alive connection: the serving worker has imported and
            # connected before its memory is read.
            client.send(client.create(chunk * 2, "warm-up.bin"), _warm_up_file(work, chunk * 2), chunk)
            workers = _workers(server.process.pid)
            rss_before = {pid: _status_kib(pid, "VmRSS") for pid in workers}
            for pid in workers:
                _reset_peak(pid)
            started = time.perf_counter()
            url = client.create(size, "one-gigabyte.bin")
            requests, asset = client.send(url, source, chunk)
            seconds = time.perf_counter() - started
            peak_after = {pid: _status_kib(pid, "VmHWM") for pid in workers}
        finally:
            client.close()
    disk_after = _disk_baseline(source, uploads_dir / "baseline.bin", chunk)

    received = uploads_dir / f"{url.rsplit('/', 1)[1]}.part"
    intact = received.stat().st_size == size and _sha256(received) == source_sha256
    growth = {pid: (peak_after[pid] - rss_before[pid]) * 1024 for pid in workers}
    serving = max(growth, key=lambda pid: growth[pid])
    disk_seconds = (disk_before + disk_after) / 2
    tus_rate, disk_rate = size / seconds / 1e6, size / disk_seconds / 1e6

    print(f"{server.description}; {size / MiB:.0f} MiB in {requests} PATCHes of {chunk / MiB:.0f} MiB")
    print(f"tus upload:      {seconds:6.2f} s  {tus_rate:7.1f} MB/s")
    print(
        f"disk baseline:   {disk_seconds:6.2f} s  {disk_rate:7.1f} MB/s  "
        f"(same bytes, chunks and fsyncs; {disk_before:.2f} s before, {disk_after:.2f} s after)"
    )
    print(f"tus / disk throughput: {tus_rate / disk_rate:.2f}x")
    print(
        f"serving worker peak RSS growth: {growth[serving] / MiB:.1f} MiB "
        f"(RSS {rss_before[serving] / 1024:.0f} MiB before; aim < {AIM_RSS_GROWTH / MiB:.0f} MiB: "
        f"{'met' if growth[serving] < AIM_RSS_GROWTH else 'NOT met'}); "
        f"other workers: {', '.join(f'{g / MiB:.1f}' for p, g in growth.items() if p != serving) or 'none'} MiB"
    )
    print(
        f"upload complete: asset {asset}, bytes {'identical' if intact else 'DIFFERENT'} (sha256); "
        f"connection broken and resumed {client.resumes} times"
    )
    return asset is not None and intact


def _warm_up_file(work: Path, size: int) -> Path:
    path = work / "warm-up.bin"
    _make_source(path, size, size)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(8 * MiB):
            digest.update(block)
    return digest.hexdigest()
