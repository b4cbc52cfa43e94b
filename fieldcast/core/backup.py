"""Backup and restore: a consistent database dump plus the media files, in one folder.

A backup is a folder `fieldcast-backup-<UTC time>/` holding

- `database.sqlite3` (SQLite's online backup API: a consistent copy while the site runs) or
  `database.pgdump` (`pg_dump --format=custom`: one snapshot, restored with `pg_restore`);
- `media.tar`, MEDIA_ROOT as it was right after the dump, when media is on a local disk (with
  object storage the bucket is copied with `rclone sync` / `aws s3 sync` instead: see
  docs/deployment.md; the manifest says so);
- `manifest.json`: format, time, engine, the applied migrations, the files and their sizes.

The database is dumped first, then the media: a row written meanwhile may lack its file in
the tar, but every file a dumped row names was on disk when the tar was made (unless it was
deleted in between). The folder is written as `<name>.partial` and renamed when complete.
Partial tus uploads (MEDIA_UPLOAD_DIR) are not included: an interrupted upload starts over.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_FILE = "media.tar"


class BackupError(Exception):
    """Something an operator must fix; the message says what."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    return vendor


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools of the server's major version "
            f"or newer (Debian: apt-get install postgresql-client)"
        )
    return found


def _pg_environment() -> tuple[list[str], dict[str, str], str]:
    """Connection arguments (host, port, user), environment (password, sslmode) and database name."""
    params = connection.settings_dict
    args: list[str] = []
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    options = params.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return args, env, str(params["NAME"])


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (fixed tools, our arguments)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr.strip()[:2000]}")


def _local_media_root() -> Path | None:
    if isinstance(default_storage, FileSystemStorage):
        return Path(default_storage.location)
    return None


def object_storage_note() -> str:
    """What to run to copy the media of object storage (the manifest and the command show it)."""
    bucket = getattr(default_storage, "bucket_name", "") or "<bucket>"
    endpoint = getattr(default_storage, "endpoint_url", "") or ""
    endpoint_arg = f" --endpoint-url {endpoint}" if endpoint else ""
    return (
        f"media is in object storage ({type(default_storage).__name__}, bucket {bucket}) and not in this backup: "
        f"copy it with `aws s3 sync s3://{bucket} <backup>/media{endpoint_arg}` or `rclone sync` "
        f"(docs/deployment.md, Backup and restore)"
    )


def _migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


# --- backup ------------------------------------------------------------------------------------


def backup_create(*, into: Path, media: bool = True, now: datetime.datetime | None = None) -> BackupResult:
    """Write a complete backup folder under `into`; returns its path and manifest."""
    engine = _engine()
    now = now or datetime.datetime.now(tz=datetime.UTC)
    name = f"fieldcast-backup-{now:%Y%m%dT%H%M%SZ}"
    final, partial = into / name, into / f"{name}.partial"
    if final.exists():
        raise BackupError(f"{final} exists already")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "engine": engine,
        "migrations": _migrations(),
        "files": {},
    }
    if engine == "sqlite":
        manifest["database"] = SQLITE_FILE
        _sqlite_backup(partial / SQLITE_FILE)
    else:
        manifest["database"] = PG_FILE
        _pg_dump(partial / PG_FILE)
    root = _local_media_root()
    if not media:
        manifest["media"], manifest["media_note"] = None, "media left out (--no-media)"
    elif root is None:
        manifest["media"], manifest["media_note"] = None, object_storage_note()
    else:
        manifest["media"] = MEDIA_FILE
        manifest["media_files"] = _media_tar(root, partial / MEDIA_FILE)
    for file in sorted(partial.iterdir()):
        manifest["files"][file.name] = {"size": file.stat().st_size}
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    partial.rename(final)
    return BackupResult(path=final, manifest=manifest)


def _sqlite_backup(target: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # One step (pages=-1): a consistent snapshot; WAL lets writers go on meanwhile.
        connection.connection.backup(destination)
    finally:
        destination.close()


def _pg_dump(target: Path) -> None:
    pg_dump = _pg_tool("pg_dump")
    args, env, name = _pg_environment()
    _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args, name], env)


def _media_tar(root: Path, target: Path) -> int:
    """MEDIA_ROOT into an uncompressed tar (video does not compress); returns the file count."""
    count = 0
    with tarfile.open(target, "w") as tar:
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
                    count += 1
    return count


# --- restore -----------------------------------------------------------------------------------


def backup_read(path: Path) -> dict[str, Any]:
    """The manifest of a complete backup folder, checked against the files beside it."""
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{path} is not a Fieldcast backup (no {MANIFEST}; an unfinished one ends in .partial)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}: restore it with its own version")
    for name, facts in manifest.get("files", {}).items():
        file = path / name
        if not file.is_file() or file.stat().st_size != facts["size"]:
            raise BackupError(f"{file} is missing or has the wrong size: the backup is damaged")
    return manifest


def backup_restore(*, path: Path, media: bool = True) -> dict[str, Any]:
    """Put the database (and media) of the backup at `path` back. Stop the web processes,
    task workers and scheduler first: the database's tables are replaced under them."""
    manifest = backup_read(path)
    engine = _engine()
    if manifest["engine"] != engine:
        raise BackupError(
            f"this backup is of a {manifest['engine']} database and DATABASE_URL names {engine}: "
            f"restore it into the same kind of database"
        )
    if engine == "sqlite":
        _sqlite_restore(path / manifest["database"])
    else:
        _pg_restore(path / manifest["database"])
    if media and manifest.get("media"):
        root = _local_media_root()
        if root is None:
            raise BackupError(
                "the backup has a media tar but media is configured for object storage now: "
                f"upload the tar's files to the bucket instead ({object_storage_note()})"
            )
        _media_extract(path / manifest["media"], root)
    return manifest


def _sqlite_restore(source: Path) -> None:
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("cannot restore inside a transaction")
    origin = sqlite3.connect(source)
    try:
        # Writes the backup's pages over the live database through our own connection,
        # under SQLite's locks: other connections see the restored database afterwards.
        origin.backup(connection.connection)
    finally:
        origin.close()


def _pg_restore(source: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    args, env, name = _pg_environment()
    connections.close_all()  # hold no locks that pg_restore's DROP TABLEs would wait for
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "--dbname",
            name,
            str(source),
        ],
        env,
    )


def _media_extract(tar_path: Path, root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tar_path, "r") as tar:
        # "data": no absolute paths, no paths leaving root, no devices or links out of it.
        tar.extractall(root, filter="data")
