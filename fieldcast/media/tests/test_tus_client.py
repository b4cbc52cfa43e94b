"""A standard tus client (tuspy) against the running server: chunks, a stop, and a resume."""

from __future__ import annotations

import hashlib
import io
import os
import secrets

import pytest
from django.conf import settings
from django.test import Client
from tusclient.client import TusClient

from fieldcast.core.testing.factories import PASSWORD
from fieldcast.media.models import MediaAsset, Upload
from fieldcast.media.services.uploads import upload_file

MiB = 1024 * 1024


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.MEDIA_UPLOAD_DIR = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_tuspy_uploads_in_chunks_and_resumes(live_server, member):
    browser = Client()
    browser.login(username=member.username, password=PASSWORD)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)
    headers = {
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}",
        "X-CSRFToken": csrf,
    }
    data = os.urandom(5 * MiB + 123)
    tus = TusClient(f"{live_server.url}/uploads/", headers=headers)

    first = tus.uploader(
        file_stream=io.BytesIO(data), chunk_size=MiB, metadata={"filename": "протест.mp4"}, upload_checksum=True
    )
    first.upload(stop_at=2 * MiB + 1)  # the client stops after three PATCHes (the last one 1 byte)
    assert first.url.startswith(f"{live_server.url}/uploads/")
    upload = Upload.objects.get()
    assert upload.offset == 2 * MiB + 1
    assert not MediaAsset.objects.exists()

    resumed = tus.uploader(file_stream=io.BytesIO(data), url=first.url, chunk_size=2 * MiB, upload_checksum=True)
    assert resumed.offset == 2 * MiB + 1  # asked the server with HEAD
    resumed.upload()

    upload.refresh_from_db()
    assert upload.completed_at is not None
    assert hashlib.sha256(upload_file(upload).read_bytes()).digest() == hashlib.sha256(data).digest()
    asset = MediaAsset.objects.get(upload=upload)
    assert (asset.owner, asset.original_name, asset.size) == (member, "протест.mp4", len(data))
    assert resumed.request.response_headers["fieldcast-asset"] == asset.public_id
